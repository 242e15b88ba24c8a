"""Editor fixtures: the real gateway app (editor enabled) on the real Redis, with signed-in
editors, a private copy of the articles and of the built index."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.editor.runtime import EditorRuntime
from gateway.settings import Settings
from tests.browser import launch_chromium
from tests.gateway.conftest import PASSWORD, gateway_settings, run, runtime_of

ROOT = Path(__file__).resolve().parents[3]


def knowledge_copy(base: Path) -> tuple[Path, Path]:
    """Copies of knowledge/articles and the eval set; the built index when there is one."""
    articles = base / "knowledge" / "articles"
    shutil.copytree(ROOT / "knowledge" / "articles", articles)
    shutil.copytree(ROOT / "knowledge" / "eval", base / "knowledge" / "eval")
    index = base / "var" / "index"
    if (ROOT / "var" / "index").exists():
        shutil.copytree(ROOT / "var" / "index", index)
    if (ROOT / "var" / "onnx-cache").exists():
        (base / "var" / "onnx-cache").symlink_to(ROOT / "var" / "onnx-cache")
    return articles, index


@pytest.fixture(scope="module")
def editor_settings(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Gateway settings with the editor on, a private prefix and private article files."""
    articles, index = knowledge_copy(tmp_path_factory.mktemp("editor"))
    return gateway_settings(
        redis_url,
        editor_enabled=True,
        knowledge_dir=articles,
        knowledge_index_dir=index,
        redis_key_prefix=f"ed{secrets.token_hex(4)}:",
    )


@dataclass
class Editors:
    """One running app (one TestClient) and two signed-in editors with their own cookies."""

    client: TestClient
    sessions: dict[str, tuple[dict[str, str], str]]

    @property
    def runtime(self) -> EditorRuntime:
        return self.client.app.state.editor  # type: ignore[attr-defined]

    def call(self, who: str, method: str, url: str, **kwargs: Any) -> Any:
        """A request as ``who`` (``eddie`` or ``erin``), with that editor's CSRF token."""
        cookies, csrf = self.sessions[who]
        self.client.cookies.clear()
        for name, value in cookies.items():
            self.client.cookies.set(name, value)
        headers = {"X-CSRF-Token": csrf, **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)


def sign_in(client: TestClient, username: str, display: str) -> tuple[dict[str, str], str]:
    """Create an editor and sign in; return their cookies and CSRF token."""
    runtime = runtime_of(client)
    run(client, lambda: runtime.users.create(username, PASSWORD, "editor", display))
    client.cookies.clear()
    response = client.post("/api/console/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return dict(client.cookies.items()), str(response.json()["csrf_token"])


@pytest.fixture(scope="module")
def editors(editor_settings: Settings) -> Iterator[Editors]:
    """The gateway app (lifespan started, preview service loaded) and two editors."""
    with TestClient(create_app(editor_settings)) as client:
        sessions = {
            "eddie": sign_in(client, "eddie", "Eddie Jones"),
            "erin": sign_in(client, "erin", "Erin Shah"),
        }
        runtime: EditorRuntime = client.app.state.editor  # type: ignore[attr-defined]
        assert runtime.wait_for_guidance(180) is not None, runtime.load_error
        yield Editors(client, sessions)


# --- real browser -----------------------------------------------------------------------------
DEMO_PASSWORD = "editor-tests-only-9q2w"
SERVER_PREFIXES: dict[str, str] = {}  # editor_server URL -> its Redis key prefix


@pytest.fixture(scope="module")
def editor_server(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real gateway app served by uvicorn on a free port (editor on, demo users); its URL."""
    import threading
    import time

    import uvicorn

    from stack.redis_server import free_port

    articles, index = knowledge_copy(tmp_path_factory.mktemp("editor-server"))
    settings = gateway_settings(
        redis_url,
        editor_enabled=True,
        knowledge_dir=articles,
        knowledge_index_dir=index,
        redis_key_prefix=f"eb{secrets.token_hex(4)}:",
        demo_users=True,
        demo_password=DEMO_PASSWORD,
    )
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the gateway did not start")
        time.sleep(0.05)
    runtime: EditorRuntime = app.state.editor
    assert runtime.wait_for_guidance(180) is not None, runtime.load_error
    url = f"http://127.0.0.1:{port}"
    SERVER_PREFIXES[url] = settings.redis_key_prefix
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Open pages in fresh contexts (each its own cookies); page errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make() -> Any:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert errors == [], f"JavaScript errors: {errors}"
