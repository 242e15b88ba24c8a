"""The app factory: one FastAPI app per process, its services built in the lifespan."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from gateway.auth.demo import seed_demo_users
from gateway.errors import install_error_handlers
from gateway.metrics import MetricsMiddleware
from gateway.routers import (
    console,
    console_auth,
    conversations,
    health,
    pages,
    performance,
    privacy,
    ws_citizen,
    ws_console,
)
from gateway.runtime import Runtime
from gateway.security import HardeningMiddleware
from gateway.settings import Settings
from gateway.tasks import cancel
from privacy import retention
from privacy.redactor import warm_up_async
from stack.heap import freeze_loaded

log = logging.getLogger("gateway")


def create_app(settings: Settings | None = None, freeze_after_start: bool = False) -> FastAPI:
    """Build the gateway app (nothing connects until the lifespan starts). The process's own
    app (:func:`served_app`) also freezes what it loaded once started (``stack.heap``)."""
    settings = settings or Settings()
    if settings.demo_users and settings.assistant_env == "production":
        raise RuntimeError("DEMO_USERS is not allowed when ASSISTANT_ENV=production")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build(settings)
        app.state.runtime = runtime
        await runtime.start()
        await warm_up_async()  # load spaCy/Presidio before the first message
        sweeper = retention.start(retention.RetentionSweeper(runtime.redis, settings),
                                  settings.retention_sweep_seconds)
        if settings.demo_users:
            await seed_demo_users(runtime.users, settings)
        editor: Any = None
        if settings.editor_enabled:
            from gateway.editor import start_editor

            freeze_editor = partial(freeze_loaded, "gateway editor") if freeze_after_start else None
            editor = app.state.editor = start_editor(settings, after_load=freeze_editor)
        if freeze_after_start:
            freeze_loaded("gateway")  # spaCy, Presidio and the rest: out of full collections
        try:
            yield
        finally:
            if editor is not None:
                editor.stop()
            await cancel(sweeper)
            await runtime.stop()

    app = FastAPI(title="Citizen services assistant gateway", version="0.1.0", lifespan=lifespan,
                  docs_url=None, openapi_url="/api/openapi.json", redoc_url=None)
    app.state.settings = settings
    install_error_handlers(app)
    for module in (health, conversations, privacy, ws_citizen, console_auth, console,
                   ws_console, pages, performance):
        app.include_router(module.router)
    if settings.editor_enabled:
        from gateway.editor import router as editor_router

        app.include_router(editor_router)
    app.mount("/widget", StaticFiles(directory=settings.widget_dir, check_dir=False), name="widget")
    if settings.widget_allowed_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.widget_allowed_origins,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["content-type"],
                           allow_credentials=False)
    app.add_middleware(HardeningMiddleware, max_body=settings.max_body_bytes,
                       larger_bodies={"/api/editor/": settings.editor_max_body_bytes})
    app.add_middleware(MetricsMiddleware)  # outermost: counts refusals by the hardening too
    return app


def served_app() -> FastAPI:
    """The app ``python -m gateway`` serves: one per process, so it freezes its loaded heap."""
    return create_app(freeze_after_start=True)
