"""Advisers' private notes on a conversation (never shown to the citizen)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from gateway.redis_client import StrRedis
from gateway.settings import Settings
from records.conversations import ConversationKeys


class NoteStore:
    """A list of JSON notes per conversation, expiring with the transcript."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings

    def key(self, conversation_id: str) -> str:
        """The notes list."""
        return ConversationKeys(self.settings.redis_key_prefix).notes(conversation_id)

    async def add(self, conversation_id: str, author: str, text: str) -> dict[str, Any]:
        """Add a note."""
        note = {"id": secrets.token_hex(6), "author": author, "text": text, "ts": time.time()}
        key = self.key(conversation_id)
        await self.redis.rpush(key, json.dumps(note))
        await self.redis.expire(key, self.settings.retention_seconds)
        return note

    async def all(self, conversation_id: str) -> list[dict[str, Any]]:
        """Every note, oldest first."""
        raw_notes = await self.redis.lrange(self.key(conversation_id), 0, -1)
        return [json.loads(raw) for raw in raw_notes]
