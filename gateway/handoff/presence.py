"""Which advisers are online: console sockets beat a heartbeat into a sorted set."""

from __future__ import annotations

import time

from gateway.redis_client import StrRedis
from gateway.settings import Settings


class Presence:
    """Advisers online = console sockets that beat within the presence timeout."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.key = settings.key("advisers", "online")

    async def beat(self, member: str) -> None:
        """Mark one console socket (``username:socket``) as alive now (and drop stale ones)."""
        now = time.time() * 1000
        await self.redis.zadd(self.key, {member: now})
        cutoff = now - self.settings.presence_timeout_seconds * 1000
        await self.redis.zremrangebyscore(self.key, "-inf", cutoff)

    async def gone(self, member: str) -> None:
        """Forget a console socket that closed."""
        await self.redis.zrem(self.key, member)

    async def count(self) -> int:
        """How many distinct advisers are online."""
        cutoff = (time.time() - self.settings.presence_timeout_seconds) * 1000
        members = await self.redis.zrangebyscore(self.key, cutoff, "+inf")
        return len({member.rsplit(":", 1)[0] for member in members})
