"""Liveness and readiness: ``/healthz`` says the process is up, ``/readyz`` names what is down."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway.dependencies import RuntimeDep
from gateway.rasa_client import RasaUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (no dependency is checked)."""
    return {"status": "alive"}


async def _check(probe: Awaitable[Any], timeout: float) -> dict[str, Any]:
    try:
        detail = await asyncio.wait_for(probe, timeout)
    except RasaUnavailable as exc:
        return {"ok": False, "detail": f"down ({exc.reason})"}
    except TimeoutError:
        return {"ok": False, "detail": "down (timeout)"}
    except Exception as exc:
        return {"ok": False, "detail": f"down ({type(exc).__name__})"}
    return {"ok": True, "detail": str(detail)}


async def _redis_ok(runtime: RuntimeDep) -> str:
    await runtime.redis.ping()
    return "ok"


@router.get("/readyz")
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Redis, Rasa and the action server, each by name; 503 when any is down."""
    timeout = runtime.settings.health_timeout_seconds + 0.5
    redis, rasa, actions = await asyncio.gather(
        _check(_redis_ok(runtime), timeout),
        _check(runtime.rasa.rasa_status(), timeout),
        _check(runtime.rasa.action_server_status(), timeout),
    )
    checks = {"redis": redis, "rasa": rasa, "action_server": actions}
    ready = all(check["ok"] for check in checks.values())
    down = [name for name, check in checks.items() if not check["ok"]]
    body = {"ready": ready, "checks": checks, "down": down}
    return JSONResponse(body, status_code=200 if ready else 503)
