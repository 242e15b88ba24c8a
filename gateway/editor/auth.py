"""Who is editing: the gateway's sign-in (role ``editor`` or ``admin``) behind one dependency.

``current_editor`` is the single dependency every editor endpoint uses. Tests that swap it
(``app.dependency_overrides[current_editor]``) also skip the sign-in's CSRF check; the
CSRF check itself is tested through the real sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from gateway.auth import User, require_role


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


def _as_editor(user: User) -> EditorUser:
    return EditorUser(user.username, user.display_name or user.username)


def current_editor(
    user: Annotated[User, Depends(require_role("editor"))],
) -> EditorUser:
    """The signed-in editor: the gateway's sign-in checks the session, the role (admins pass)
    and, on POST/PUT/DELETE, the session-bound CSRF token."""
    return _as_editor(user)
