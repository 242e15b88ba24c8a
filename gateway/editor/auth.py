"""Who is editing: the gateway's sign-in (role ``editor`` or ``admin``) behind one dependency.

``current_editor`` is the single dependency every editor endpoint uses; tests and the app
factory may swap it with ``app.dependency_overrides[current_editor]``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from gateway.errors import ApiError

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_COOKIE = "csa_csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class EditorUser:
    """The signed-in editor, as the audit log names them."""

    username: str
    display_name: str

    @property
    def label(self) -> str:
        """How the audit log and conflict messages name this person."""
        if self.display_name and self.display_name != self.username:
            return f"{self.display_name} ({self.username})"
        return self.username


def _gateway_role_dependency() -> Any:
    """The gateway's ``require_role("editor")`` when the gateway provides it."""
    try:
        from gateway.auth import require_role
    except ImportError:
        return None
    return require_role("editor")


def _as_editor(user: Any) -> EditorUser:
    if isinstance(user, dict):
        name = str(user.get("username", ""))
        return EditorUser(name, str(user.get("display_name") or name))
    name = str(getattr(user, "username", ""))
    return EditorUser(name, str(getattr(user, "display_name", "") or name))


_ROLE_DEPENDENCY = _gateway_role_dependency()

if _ROLE_DEPENDENCY is not None:

    def current_editor(user: Annotated[Any, Depends(_ROLE_DEPENDENCY)]) -> EditorUser:
        """The signed-in editor (the gateway checks the session and the role)."""
        return _as_editor(user)

else:  # pragma: no cover - only while the gateway's sign-in is not installed

    def current_editor(user: Any = None) -> EditorUser:  # type: ignore[misc]
        """Refuse: without the gateway's sign-in nobody can be an editor."""
        raise ApiError(401, "not_signed_in", "Please sign in as an editor.")


def check_csrf(request: Request) -> None:
    """Unsafe methods must echo the ``csa_csrf`` cookie in the ``X-CSRF-Token`` header.

    With the gateway's sign-in installed its role dependency checks the session-bound token
    itself, so this check only runs when ``current_editor`` has been swapped (tests, tools).
    """
    if _ROLE_DEPENDENCY is not None and current_editor not in request.app.dependency_overrides:
        return
    if request.method not in UNSAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not hmac.compare_digest(cookie, header):
        raise ApiError(403, "csrf", "Your page is out of date. Reload the page and try again.")
