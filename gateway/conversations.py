"""Conversation meta data (the ``conv:{id}`` hash): creation and lookup.

Erasing a conversation is ``privacy.erasure``'s job.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from gateway.ids import new_conversation_id
from gateway.redis_client import StrRedis
from gateway.settings import Settings
from records.client import StrPipeline
from records.conversations import ConversationKeys


@dataclass(frozen=True)
class ConversationMeta:
    """A snapshot of a conversation's routing state."""

    conversation_id: str
    mode: str
    created: float
    page_url: str
    adviser: str
    adviser_name: str
    queue: str
    priority: bool
    reason: str
    topic: str
    queued_at: float
    rasa_paused: bool
    out_of_hours: bool

    @classmethod
    def from_hash(cls, conversation_id: str, data: dict[str, str]) -> ConversationMeta:
        """Build from the Redis hash."""
        return cls(
            conversation_id=conversation_id,
            mode=data.get("mode", "bot"),
            created=float(data.get("created") or 0),
            page_url=data.get("page_url", ""),
            adviser=data.get("adviser", ""),
            adviser_name=data.get("adviser_name", ""),
            queue=data.get("queue", ""),
            priority=data.get("priority") == "1",
            reason=data.get("reason", ""),
            topic=data.get("topic", ""),
            queued_at=float(data.get("queued_at") or 0),
            rasa_paused=data.get("rasa_paused") == "1",
            out_of_hours=data.get("out_of_hours") == "1",
        )


class ConversationStore:
    """Create and read the meta hash of conversations."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.keys = ConversationKeys(settings.redis_key_prefix)

    def meta_key(self, conversation_id: str) -> str:
        """The meta hash's key."""
        return self.keys.meta(conversation_id)

    async def create(self, page_url: str | None = None) -> str:
        """Create a conversation with a fresh random id; return the id."""
        while True:
            conversation_id = new_conversation_id()
            key = self.meta_key(conversation_id)
            created = await self.redis.hsetnx(key, "created", f"{time.time():.3f}")
            if created:
                break
        pipe = self.redis.pipeline(transaction=False)  # one round trip for both
        pipe.hset(key, mapping={"mode": "bot", "page_url": page_url or ""})
        pipe.expire(key, self.settings.retention_seconds)
        await pipe.execute()
        return conversation_id

    async def get(self, conversation_id: str) -> ConversationMeta | None:
        """The meta of a conversation, or None if there is none."""
        return self.from_reply(conversation_id,
                               await self.redis.hgetall(self.meta_key(conversation_id)))

    def queue_get(self, pipe: StrPipeline, conversation_id: str) -> None:
        """Queue :meth:`get`'s read on a pipeline (to share a round trip); read its reply
        with :meth:`from_reply`."""
        pipe.hgetall(self.meta_key(conversation_id))

    @staticmethod
    def from_reply(conversation_id: str, data: dict[str, str]) -> ConversationMeta | None:
        """The meta from the reply of the read :meth:`queue_get` queued (None if none)."""
        if not data:
            return None
        return ConversationMeta.from_hash(conversation_id, data)

    async def set(self, conversation_id: str, **fields: str) -> None:
        """Set meta fields of an existing conversation."""
        await self.redis.hset(self.meta_key(conversation_id), mapping=fields)
