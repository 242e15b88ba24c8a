"""Console sign-in: argon2 passwords, Redis sessions, CSRF tokens, role checks."""

from gateway.auth.dependencies import require_role, session_of
from gateway.auth.users import User

__all__ = ["User", "require_role", "session_of"]
