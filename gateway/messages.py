"""The Redis stream store: every message of a conversation, appended before it is acknowledged."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.redis_client import StrRedis
from gateway.schemas import Button, Message, Role, Source
from gateway.settings import Settings
from records.conversations import ConversationKeys

log = logging.getLogger("gateway.messages")

# A replay (same role and client_id) is answered with the original id even if the adviser no
# longer holds the conversation: it stores nothing, and the client stops resending.
# KEYS: stream, client_ids, meta.  ARGV: dedupe key, ttl, maxlen, required holder, fields...
# Returns {id, status}: 0 stored, 1 duplicate (id of the original), 2 not the holder,
# 3 no such conversation.
APPEND_SCRIPT = """
if redis.call('EXISTS', KEYS[3]) == 0 then return {'', 3} end
if ARGV[1] ~= '' then
  local existing = redis.call('HGET', KEYS[2], ARGV[1])
  if existing then return {existing, 1} end
end
if ARGV[4] ~= '' then
  if redis.call('HGET', KEYS[3], 'mode') ~= 'adviser'
     or redis.call('HGET', KEYS[3], 'adviser') ~= ARGV[4] then
    return {'', 2}
  end
end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', unpack(fields))
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[1], id)
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return {id, 0}
"""


class ConversationMissing(Exception):
    """The conversation does not exist (never created, expired or erased)."""


class NotHolder(Exception):
    """An adviser tried to write to a conversation they do not hold."""


@dataclass(frozen=True)
class Appended:
    """The result of an append: the stored message and whether it was a replay."""

    message: Message
    duplicate: bool


class MessageStore:
    """Append, read and tail the per-conversation message streams."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.keys = ConversationKeys(settings.redis_key_prefix)
        self._append = redis.register_script(APPEND_SCRIPT)

    def stream_key(self, conversation_id: str) -> str:
        """The stream holding a conversation's messages."""
        return self.keys.messages(conversation_id)

    async def append(
        self,
        conversation_id: str,
        role: Role,
        text: str,
        *,
        client_id: str | None = None,
        author: str | None = None,
        buttons: Sequence[Button] | None = None,
        sources: Sequence[Source] | None = None,
        holder: str | None = None,
    ) -> Appended:
        """Store one message; a repeated ``client_id`` from the same role stores nothing.

        ``holder``: only store when that adviser holds the conversation (else NotHolder).
        """
        ts = time.time()
        fields: list[Any] = ["role", role, "text", text, "ts", f"{ts:.3f}"]
        if author:
            fields += ["author", author]
        if client_id:
            fields += ["client_id", client_id]
        if buttons:
            fields += ["buttons", json.dumps([b.model_dump() for b in buttons])]
        if sources:
            fields += ["sources", json.dumps([s.model_dump(exclude_none=True) for s in sources])]
        dedupe = f"{role}:{client_id}" if client_id else ""
        keys = [
            self.stream_key(conversation_id),
            self.keys.client_ids(conversation_id),
            self.keys.meta(conversation_id),
        ]
        args = [dedupe, self.settings.retention_seconds, self.settings.stream_maxlen,
                holder or "", *fields]
        entry_id, status = await self._append(keys=keys, args=args)
        if status == 3:
            raise ConversationMissing(conversation_id)
        if status == 2:
            raise NotHolder(conversation_id)
        if status == 1:
            original = await self.get(conversation_id, entry_id)
            if original is not None:
                return Appended(original, True)
            return Appended(Message(id=entry_id, role=role, text=text, ts=ts,
                                    client_id=client_id), True)
        message = Message(
            id=entry_id, role=role, text=text, ts=float(f"{ts:.3f}"), author=author,
            client_id=client_id, buttons=list(buttons) if buttons else None,
            sources=list(sources) if sources else None,
        )
        return Appended(message, False)

    async def get(self, conversation_id: str, entry_id: str) -> Message | None:
        """One message by its stream id."""
        entries = await self.redis.xrange(self.stream_key(conversation_id), entry_id, entry_id)
        if not entries:
            return None
        found_id, fields = entries[0]
        return Message.from_stream(found_id, fields)

    async def history(self, conversation_id: str, after: str | None = None,
                      count: int | None = None) -> list[Message]:
        """Messages after ``after`` (exclusive), oldest first; all of them without ``after``."""
        start = f"({after}" if after else "-"
        entries = await self.redis.xrange(self.stream_key(conversation_id), start, "+", count=count)
        return [Message.from_stream(entry_id, fields) for entry_id, fields in entries]

    async def tail(self, conversation_id: str, after: str | None,
                   block_ms: int = 5000) -> AsyncIterator[Message]:
        """Every message after ``after``, then each new one as it is stored (never returns).

        Reads the stream itself (XREAD BLOCK), so it works across gateway instances and a
        notification that never arrives cannot lose a message. A Redis error is retried from the
        last message yielded, so nothing is skipped or yielded twice.
        """
        last = after or "0-0"
        key = self.stream_key(conversation_id)
        while True:
            try:
                response = await self.redis.xread({key: last}, count=200, block=block_ms)
            except (RedisConnectionError, RedisTimeoutError) as exc:
                log.warning("stream read failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(0.5)
                continue
            for _stream, entries in response or []:
                for entry_id, fields in entries:
                    last = entry_id
                    yield Message.from_stream(entry_id, fields)

    async def last_citizen_text(self, conversation_id: str, look_back: int = 20) -> str:
        """The citizen's most recent message among the last ``look_back`` ('' if none)."""
        entries = await self.redis.xrevrange(self.stream_key(conversation_id), count=look_back)
        for _entry_id, fields in entries:
            if fields.get("role") == "citizen":
                return str(fields.get("text", ""))
        return ""

    async def last_id(self, conversation_id: str) -> str | None:
        """The newest message id, or None for an empty conversation."""
        entries = await self.redis.xrevrange(self.stream_key(conversation_id), count=1)
        return entries[0][0] if entries else None
