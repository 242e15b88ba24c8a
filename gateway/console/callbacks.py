"""Callback requests (written by the bot's callback form) for advisers to work through."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from gateway.redis_client import StrRedis
from gateway.settings import Settings


class CallbackStore:
    """Reads ``callbacks`` (sorted set) and ``callback:{id}`` hashes; marks them done."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.index = settings.key("callbacks")

    def key(self, callback_id: str) -> str:
        """One request's hash."""
        return self.settings.key("callback", callback_id)

    async def list(self, status: str = "open", limit: int = 200) -> list[dict[str, Any]]:
        """Requests, newest first, filtered by status (``open``, ``done`` or ``all``); anything
        not done (the bot stores ``waiting``) counts as open."""
        ids = await self.redis.zrevrange(self.index, 0, limit - 1)
        pipe = self.redis.pipeline(transaction=False)
        for callback_id in ids:
            pipe.hgetall(self.key(callback_id))
        found = []
        for callback_id, data in zip(ids, await pipe.execute(), strict=True):
            if not data:
                continue
            data = {"id": callback_id, **data}
            done = data.get("status") == "done"
            data["status"] = "done" if done else "open"  # the bot writes "waiting"
            if status == "all" or data["status"] == status:
                found.append(data)
        await self._mark_priority(found)
        # priority (safety) requests first, always; newest first within each group
        found.sort(key=lambda item: not item["priority"])
        return found

    async def _mark_priority(self, callbacks: Sequence[dict[str, Any]]) -> None:
        """A request is priority when its conversation was (a safety handoff, or the bot's
        safety topic)."""
        pipe = self.redis.pipeline(transaction=False)
        for item in callbacks:
            pipe.hmget(self.settings.key("conv", str(item.get("conversation_id") or "-")),
                       "priority", "reason")
        for item, (priority, reason) in zip(callbacks, await pipe.execute(), strict=True):
            item["priority"] = (priority == "1" or reason == "safety"
                                or item.get("topic") == "safety")

    async def set_status(self, callback_id: str, status: str,
                         adviser: str) -> dict[str, Any] | None:
        """Mark a request open or done; None if there is no such request."""
        key = self.key(callback_id)
        if not await self.redis.exists(key):
            return None
        await self.redis.hset(key, mapping={"status": status, "handled_by": adviser,
                                            "handled_at": f"{time.time():.0f}"})
        return {"id": callback_id, **await self.redis.hgetall(key)}

    async def erase_for(self, conversation_id: str) -> int:
        """Delete the requests made in one conversation (for erasure)."""
        erased = 0
        for callback_id in await self.redis.zrange(self.index, 0, -1):
            data = await self.redis.hget(self.key(callback_id), "conversation_id")
            if data == conversation_id:
                await self.redis.delete(self.key(callback_id))
                await self.redis.zrem(self.index, callback_id)
                erased += 1
        return erased
