"""Sign in and out of the console; cookies carry the session and the CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from gateway.auth.dependencies import session_of
from gateway.auth.sessions import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, csrf_matches
from gateway.dependencies import RuntimeDep
from gateway.errors import ApiError
from gateway.schemas import LoginRequest

router = APIRouter(prefix="/api/console", tags=["console"])


def _set_cookies(response: Response, token: str, csrf: str, secure: bool, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, secure=secure,
                        samesite="strict", path="/")
    response.set_cookie(CSRF_COOKIE, csrf, max_age=max_age, httponly=False, secure=secure,
                        samesite="strict", path="/")


@router.post("/login")
async def login(body: LoginRequest, runtime: RuntimeDep) -> JSONResponse:
    """Check the password (argon2), start a session, set the cookies."""
    username = body.username.strip().lower()
    if await runtime.throttle.locked(username):
        await runtime.analytics.audit("login_locked", username)
        raise ApiError(429, "locked", "Too many failed attempts. Try again in 15 minutes.")
    user = await runtime.users.authenticate(username, body.password)
    if user is None:
        await runtime.throttle.failed(username)
        await runtime.analytics.audit("login_failed", username)
        raise ApiError(401, "bad_credentials", "That username and password do not match.")
    await runtime.throttle.succeeded(username)
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
