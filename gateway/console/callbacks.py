"""Callback requests (written by the bot's callback form) for advisers to work through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.performance.rollups import Rollups
from gateway.redis_client import StrRedis
from gateway.settings import Settings
from records.callbacks import (
    CallbackKeys,
    Status,
    list_callbacks,
    set_status,
)
from records.conversations import ConversationKeys


class CallbackStore:
    """The console's view of callback requests (stored through ``records.callbacks``)."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.keys = CallbackKeys(settings.redis_key_prefix)
        self.conversations = ConversationKeys(settings.redis_key_prefix)
        self.rollups = Rollups(redis, settings.redis_key_prefix)

    async def list(self, status: str = "open", limit: int = 200) -> list[dict[str, Any]]:
        """Requests, newest first, filtered by status (``open``, ``done`` or ``all``)."""
        requests = await list_callbacks(self.redis, self.keys, limit)
        found = [r.as_dict() for r in requests if status == "all" or r.status == status]
        await self._mark_priority(found)
        # priority (safety) requests first, always; newest first within each group
        found.sort(key=lambda item: not item["priority"])
        return found

    async def _mark_priority(self, callbacks: Sequence[dict[str, Any]]) -> None:
        """A request is priority when its conversation was (a safety handoff, or the bot's
        safety topic)."""
        pipe = self.redis.pipeline(transaction=False)
        for item in callbacks:
            pipe.hmget(self.conversations.meta(str(item.get("conversation_id") or "-")),
                       "priority", "reason")
        for item, (priority, reason) in zip(callbacks, await pipe.execute(), strict=True):
            item["priority"] = (priority == "1" or reason == "safety"
                                or item.get("topic") == "safety")

    async def set_status(self, callback_id: str, status: Status,
                         adviser: str) -> dict[str, Any] | None:
        """Mark a request open or done; None if there is no such request."""
        updated = await set_status(self.redis, self.keys, callback_id, status, adviser)
        if updated is not None and status == "done":  # counted for the performance page
            await self.rollups.on_event("callback_done", updated.conversation_id, {})
        return updated.as_dict() if updated else None
