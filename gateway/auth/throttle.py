"""Slow down password guessing: lock a username after repeated failures."""

from __future__ import annotations

from gateway.redis_client import StrRedis
from gateway.settings import Settings

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    """Counts failed sign-ins per username in a sliding window."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings

    def key(self, username: str) -> str:
        """The failure counter's key."""
        return self.settings.key("login_fail", username[:64])

    async def locked(self, username: str) -> bool:
        """Too many recent failures?"""
        return int(await self.redis.get(self.key(username)) or 0) >= MAX_FAILURES

    async def failed(self, username: str) -> None:
        """Count one failure."""
        key = self.key(username)
        await self.redis.incr(key)
        await self.redis.expire(key, WINDOW_SECONDS)

    async def succeeded(self, username: str) -> None:
        """Forget failures after a good sign-in."""
        await self.redis.delete(self.key(username))
