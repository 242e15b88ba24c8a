"""Sign in and out of the console; cookies carry the session and the CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from gateway.auth.dependencies import session_of
from gateway.auth.sessions import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, csrf_matches
from gateway.dependencies import RuntimeDep
from gateway.errors import ApiError
from gateway.rate_limits import wait_words
from gateway.schemas import LoginRequest

router = APIRouter(prefix="/api/console", tags=["console"])


def _set_cookies(response: Response, token: str, csrf: str, secure: bool, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, secure=secure,
                        samesite="strict", path="/")
    response.set_cookie(CSRF_COOKIE, csrf, max_age=max_age, httponly=False, secure=secure,
                        samesite="strict", path="/")


@router.post("/login")
async def login(body: LoginRequest, request: Request, runtime: RuntimeDep) -> JSONResponse:
    """Check the password (argon2), start a session, set the cookies.

    Failures slow down further tries from the same address only (gateway/auth/throttle.py).
    """
    username = body.username.strip().lower()
    address = runtime.limits.address(request)
    wait = await runtime.throttle.wait_seconds(username, address)
    if wait > 0:
        await runtime.refusals.record("login_locked", username, path=request.url.path)
        raise ApiError(429, "locked", "Too many failed attempts from here. Please try again in "
                       f"{wait_words(wait)}.")
    user = await runtime.users.authenticate(username, body.password)
    if user is None:
        await runtime.throttle.failed(username, address)
        await runtime.refusals.record("login_failed", username, path=request.url.path)
        raise ApiError(401, "bad_credentials", "That username and password do not match.")
    await runtime.throttle.succeeded(username, address)
    token, session = await runtime.sessions.create(user)
    await runtime.analytics.audit("login", username)
    response = JSONResponse({"user": user.to_json(), "csrf_token": session.csrf_token})
    _set_cookies(response, token, session.csrf_token, runtime.settings.cookie_secure,
                 runtime.settings.session_idle_seconds)
    return response


@router.post("/logout", status_code=204)
async def logout(request: Request, runtime: RuntimeDep) -> Response:
    """End the session (needs the CSRF header)."""
    session = await session_of(request)
    if session is None:
        raise ApiError(401, "not_signed_in", "Please sign in again.")
    if not csrf_matches(session, request.headers.get(CSRF_HEADER)):
        raise ApiError(403, "csrf", "The page is out of date. Please reload it.")
    await runtime.sessions.end(request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me")
async def me(request: Request) -> dict[str, Any]:
    """Who is signed in, and the CSRF token to send back."""
    session = await session_of(request)
    if session is None:
        raise ApiError(401, "not_signed_in", "Please sign in.")
    return {"user": session.user.to_json(), "csrf_token": session.csrf_token}
