"""Canned replies advisers can insert and edit."""

from __future__ import annotations

import json
import secrets
from typing import Any

from gateway.redis_client import StrRedis
from gateway.settings import Settings

STARTERS = [
    ("Greeting", "Hello, thanks for waiting. I've read what you told the assistant. "
                 "How can I help?"),
    ("Checking", "Thanks. Please give me a moment while I check that for you."),
    ("Anything else", "Is there anything else I can help you with today?"),
    ("Goodbye", "Thank you for contacting us. Take care."),
]


class CannedReplies:
    """A Redis hash id → ``{title, text}``; seeded with a few starters the first time."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.key = settings.key("canned")
        self.seeded_key = settings.key("canned", "seeded")

    async def all(self) -> list[dict[str, Any]]:
        """Every reply, sorted by title."""
        if await self.redis.set(self.seeded_key, "1", nx=True):
            for title, text in STARTERS:
                await self.redis.hset(self.key, secrets.token_hex(6),
                                      json.dumps({"title": title, "text": text}))
        raw = await self.redis.hgetall(self.key)
        replies = [{"id": rid, **json.loads(value)} for rid, value in raw.items()]
        return sorted(replies, key=lambda r: r["title"].lower())

    async def create(self, title: str, text: str) -> dict[str, Any]:
        """Add a reply."""
        rid = secrets.token_hex(6)
        await self.redis.hset(self.key, rid, json.dumps({"title": title, "text": text}))
        return {"id": rid, "title": title, "text": text}

    async def update(self, rid: str, title: str, text: str) -> dict[str, Any] | None:
        """Change a reply; None if it does not exist."""
        if not await self.redis.hexists(self.key, rid):
            return None
        await self.redis.hset(self.key, rid, json.dumps({"title": title, "text": text}))
        return {"id": rid, "title": title, "text": text}

    async def delete(self, rid: str) -> bool:
        """Remove a reply."""
        return bool(await self.redis.hdel(self.key, rid))
