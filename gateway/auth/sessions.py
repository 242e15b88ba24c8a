"""Server-side console sessions in Redis, each with its own CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from gateway.auth.users import User
from gateway.redis_client import StrRedis
from gateway.settings import Settings

SESSION_COOKIE = "csa_session"
CSRF_COOKIE = "csa_csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Session:
    """A live session: who, and the CSRF token bound to it."""

    user: User
    csrf_token: str
    created: float


def token_digest(token: str) -> str:
    """Sessions are stored under a hash of their token, so a Redis dump holds no live token."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_matches(session: Session, presented: str | None) -> bool:
    """Constant-time comparison of the presented CSRF token."""
    return bool(presented) and hmac.compare_digest(session.csrf_token, presented or "")


class SessionStore:
    """Create, look up (sliding idle expiry, absolute limit) and end sessions."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings

    def key(self, token: str) -> str:
        """The session's hash."""
        return self.settings.key("session", token_digest(token))

    async def create(self, user: User) -> tuple[str, Session]:
        """A new session for ``user``: (cookie token, session)."""
        token = secrets.token_urlsafe(32)
        session = Session(user=user, csrf_token=secrets.token_urlsafe(32), created=time.time())
        key = self.key(token)
        await self.redis.hset(key, mapping={
            "username": user.username, "display_name": user.display_name, "role": user.role,
            "csrf": session.csrf_token, "created": f"{session.created:.3f}",
        })
        await self.redis.expire(key, self.settings.session_idle_seconds)
        return token, session

    async def get(self, token: str | None) -> Session | None:
        """The session for a cookie token, or None (missing, forged, idle or too old)."""
        if not token or len(token) > 128:
            return None
        key = self.key(token)
        data = await self.redis.hgetall(key)
        if not data:
            return None
        created = float(data.get("created", "0"))
        if time.time() - created > self.settings.session_absolute_seconds:
            await self.redis.delete(key)
            return None
        await self.redis.expire(key, self.settings.session_idle_seconds)
        user = User(username=data["username"], display_name=data.get("display_name", ""),
                    role=data.get("role", ""))
        return Session(user=user, csrf_token=data.get("csrf", ""), created=created)

    async def end(self, token: str | None) -> None:
        """Sign out."""
        if token:
            await self.redis.delete(self.key(token))
