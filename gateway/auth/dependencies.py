"""Who is signed in: sessions from cookies, role checks and CSRF checks as dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import HTTPConnection, Request

from gateway.auth.sessions import CSRF_HEADER, SESSION_COOKIE, Session, csrf_matches
from gateway.auth.users import User
from gateway.errors import ApiError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def session_of(connection: HTTPConnection) -> Session | None:
    """The session named by the ``csa_session`` cookie, if it is live."""
    runtime = connection.app.state.runtime
    session: Session | None = await runtime.sessions.get(connection.cookies.get(SESSION_COOKIE))
    return session


def require_role(role: str) -> Callable[[Request], Awaitable[User]]:
    """A dependency yielding the signed-in user with ``role`` (admins pass every role).

    401 without a live session, 403 for the wrong role, and on state-changing methods 403 unless
    the ``X-CSRF-Token`` header matches the session's token (and 415 for a non-JSON body).
    """

    async def dependency(request: Request) -> User:
        session = await session_of(request)
        if session is None:
            raise ApiError(401, "not_signed_in", "Please sign in again.")
        if not session.user.has_role(role):
            raise ApiError(403, "forbidden", "Your role does not allow this.")
        if request.method not in SAFE_METHODS:
            if not csrf_matches(session, request.headers.get(CSRF_HEADER)):
                raise ApiError(403, "csrf", "The page is out of date. Please reload it.")
            has_body = request.headers.get("content-length", "0") not in ("", "0")
            content_type = request.headers.get("content-type", "")
            if has_body and not content_type.startswith("application/json"):
                raise ApiError(415, "not_json", "Send JSON.")
        request.state.session = session
        return session.user

    dependency.__name__ = f"require_{role}"
    return dependency
