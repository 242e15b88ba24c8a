"""The advisers' queues in Redis; every state change is one Lua script, so it is atomic.

Two advisers can never claim the same conversation: ``claim`` removes it from its queue and
sets the holder in one script, and only the caller whose ZREM removed it wins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from gateway.handoff.eta import estimate_wait, parse_claims
from gateway.redis_client import StrRedis
from gateway.settings import Settings
from records.conversations import ConversationKeys
from records.handoff import HandoffKeys

PRIORITY_OFFSET_MS = 10**13

# KEYS meta, queue.  ARGV conv, score, queue, priority, reason, topic, now_s
ENQUEUE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, ''} end
local mode = redis.call('HGET', KEYS[1], 'mode')
if mode == 'queued' or mode == 'adviser' then return {0, mode} end
redis.call('HSET', KEYS[1], 'mode', 'queued', 'queue', ARGV[3], 'priority', ARGV[4],
  'reason', ARGV[5], 'topic', ARGV[6], 'queued_at', ARGV[7], 'adviser', '', 'adviser_name', '',
  'out_of_hours', '0')
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
local position = redis.call('ZRANK', KEYS[2], ARGV[1]) + 1
redis.call('HSET', KEYS[1], 'enqueue_position', position)
return {1, tostring(position)}
"""

# KEYS meta.  ARGV conv, HandoffKeys.queue_prefix
LEAVE = """
if redis.call('HGET', KEYS[1], 'mode') ~= 'queued' then return 0 end
local q = redis.call('HGET', KEYS[1], 'queue')
redis.call('ZREM', ARGV[2] .. q, ARGV[1])
redis.call('HSET', KEYS[1], 'mode', 'bot')
return 1
"""

# KEYS meta, held.  ARGV conv, HandoffKeys.queue_prefix, adviser, adviser_name, now_ms,
# HandoffKeys.claims_prefix
CLAIM = """
if redis.call('HGET', KEYS[1], 'mode') ~= 'queued' then return 0 end
local q = redis.call('HGET', KEYS[1], 'queue')
if redis.call('ZREM', ARGV[2] .. q, ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'mode', 'adviser', 'adviser', ARGV[3], 'adviser_name', ARGV[4],
  'claimed_at', ARGV[5])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local queued_ms = tonumber(redis.call('HGET', KEYS[1], 'queued_at') or '0') * 1000
local position = redis.call('HGET', KEYS[1], 'enqueue_position') or '1'
local claims = ARGV[6] .. q
local waited = math.floor(tonumber(ARGV[5]) - queued_ms)
redis.call('LPUSH', claims, ARGV[5] .. ':' .. waited .. ':' .. position)
redis.call('LTRIM', claims, 0, 199)
return 1
"""

# KEYS meta, held, new queue.  ARGV conv, adviser, queue name, now_s, now_ms
TRANSFER = """
if redis.call('HGET', KEYS[1], 'mode') ~= 'adviser'
   or redis.call('HGET', KEYS[1], 'adviser') ~= ARGV[2] then
  return 0
end
local score = tonumber(ARGV[5])
if redis.call('HGET', KEYS[1], 'priority') == '1' then score = score - 10000000000000 end
redis.call('HSET', KEYS[1], 'mode', 'queued', 'queue', ARGV[3], 'adviser', '', 'adviser_name', '',
  'queued_at', ARGV[4])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], score, ARGV[1])
redis.call('HSET', KEYS[1], 'enqueue_position', redis.call('ZRANK', KEYS[3], ARGV[1]) + 1)
return 1
"""

# KEYS meta, held.  ARGV conv, adviser, new mode, outcome
END = """
if redis.call('HGET', KEYS[1], 'mode') ~= 'adviser'
   or redis.call('HGET', KEYS[1], 'adviser') ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'mode', ARGV[3], 'adviser', '', 'outcome', ARGV[4])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""


@dataclass(frozen=True)
class QueueItem:
    """One conversation as the console lists it."""

    conversation_id: str
    queue: str
    reason: str
    topic: str
    priority: bool
    queued_at: float
    waiting_seconds: int
    mode: str
    adviser: str | None

    def to_json(self) -> dict[str, Any]:
        """JSON for the console."""
        return self.__dict__.copy()


class HandoffQueue:
    """Atomic queue operations and read-only views of the queues."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.keys = HandoffKeys(settings.redis_key_prefix)
        self.conversations = ConversationKeys(settings.redis_key_prefix)
        self._enqueue = redis.register_script(ENQUEUE)
        self._leave = redis.register_script(LEAVE)
        self._claim = redis.register_script(CLAIM)
        self._transfer = redis.register_script(TRANSFER)
        self._end = redis.register_script(END)

    def queue_key(self, queue: str) -> str:
        """The sorted set of one queue."""
        return self.keys.queue(queue)

    def meta_key(self, conversation_id: str) -> str:
        """The conversation's meta hash."""
        return self.conversations.meta(conversation_id)

    @property
    def held_key(self) -> str:
        """conversation id → adviser, for conversations being handled."""
        return self.keys.held

    async def enqueue(self, conversation_id: str, queue: str, priority: bool, reason: str,
                      topic: str) -> tuple[int, str]:
        """Put a conversation in a queue: (1, position), or (0, current mode) if it already is
        waiting or held, or (-1, '') if the conversation does not exist."""
        now = time.time()
        score = now * 1000 - (PRIORITY_OFFSET_MS if priority else 0)
        status, mode = await self._enqueue(
            keys=[self.meta_key(conversation_id), self.queue_key(queue)],
            args=[conversation_id, score, queue, "1" if priority else "0", reason, topic,
                  f"{now:.3f}"],
        )
        return int(status), str(mode)

    async def leave(self, conversation_id: str) -> bool:
        """Take a waiting conversation out of its queue (back to the bot)."""
        return bool(await self._leave(keys=[self.meta_key(conversation_id)],
                                      args=[conversation_id, self.keys.queue_prefix]))

    async def claim(self, conversation_id: str, adviser: str, adviser_name: str) -> bool:
        """Atomically take a waiting conversation; False if someone else has it or it left."""
        return bool(await self._claim(
            keys=[self.meta_key(conversation_id), self.held_key],
            args=[conversation_id, self.keys.queue_prefix, adviser, adviser_name,
                  int(time.time() * 1000), self.keys.claims_prefix],
        ))

    async def transfer(self, conversation_id: str, adviser: str, queue: str) -> bool:
        """Put a held conversation back to waiting, in ``queue``; False if not the holder."""
        now = time.time()
        return bool(await self._transfer(
            keys=[self.meta_key(conversation_id), self.held_key, self.queue_key(queue)],
            args=[conversation_id, adviser, queue, f"{now:.3f}", int(now * 1000)],
        ))

    async def end(self, conversation_id: str, adviser: str, mode: str, outcome: str) -> bool:
        """Release a held conversation to ``mode`` (bot or closed); False if not the holder."""
        return bool(await self._end(keys=[self.meta_key(conversation_id), self.held_key],
                                    args=[conversation_id, adviser, mode, outcome]))

    async def position(self, queue: str, conversation_id: str) -> int | None:
        """1-based place in line, or None if not waiting in ``queue``.

        Advisers take priority conversations first, whatever their queue (the console lists
        them first), so a priority conversation's place counts the priority ones ahead of it
        in every queue, and an ordinary one's place also counts every priority one waiting.
        """
        score = await self.redis.zscore(self.queue_key(queue), conversation_id)
        if score is None:
            return None
        pipe = self.redis.pipeline(transaction=False)
        for name in self.settings.handoff_queues:
            if name == queue:
                pipe.zcount(self.queue_key(name), "-inf", f"({score}")
            else:
                pipe.zcount(self.queue_key(name), "-inf", f"({min(score, 0)}")
        return sum(int(count) for count in await pipe.execute()) + 1

    async def eta(self, queue: str, position: int, priority: bool = False) -> int:
        """Estimated seconds until an adviser reaches ``position``.

        Uses the recent claims of ``queue``; a priority conversation (any adviser takes it
        next) or a queue with no history uses the claims of every queue.
        """
        now_ms = time.time() * 1000
        history_ms = self.settings.eta_history_seconds * 1000
        default = self.settings.eta_default_seconds_per_person
        claims: list[str] = []
        if not priority:
            claims = await self.redis.lrange(self.keys.claims(queue), 0, 49)
        if priority or not any(now_ms - c[0] <= history_ms for c in parse_claims(claims)):
            pipe = self.redis.pipeline(transaction=False)
            for name in self.settings.handoff_queues:
                pipe.lrange(self.keys.claims(name), 0, 49)
            claims = [claim for found in await pipe.execute() for claim in found]
        return estimate_wait(claims, position, now_ms, history_ms, default)

    async def _items(self, conversation_ids: list[str]) -> list[QueueItem]:
        pipe = self.redis.pipeline(transaction=False)
        for conversation_id in conversation_ids:
            pipe.hgetall(self.meta_key(conversation_id))
        metas = await pipe.execute()
        now = time.time()
        items = []
        for conversation_id, meta in zip(conversation_ids, metas, strict=True):
            if not meta:
                continue
            queued_at = float(meta.get("queued_at") or now)
            items.append(QueueItem(
                conversation_id=conversation_id, queue=meta.get("queue", ""),
                reason=meta.get("reason", ""), topic=meta.get("topic", ""),
                priority=meta.get("priority") == "1", queued_at=queued_at,
                waiting_seconds=max(0, int(now - queued_at)), mode=meta.get("mode", ""),
                adviser=meta.get("adviser") or None,
            ))
        return items

    async def board(self) -> dict[str, Any]:
        """Every queue's waiting conversations (in order) and every held conversation."""
        pipe = self.redis.pipeline(transaction=False)
        for name in self.settings.handoff_queues:
            pipe.zrange(self.queue_key(name), 0, 199)
        pipe.hgetall(self.held_key)
        *members_per_queue, held = await pipe.execute()
        everyone = [cid for members in members_per_queue for cid in members] + list(held)
        items = {item.conversation_id: item for item in await self._items(everyone)}
        queues = []
        for name, members in zip(self.settings.handoff_queues, members_per_queue, strict=True):
            stale = [m for m in members if m not in items]
            if stale:  # expired or erased conversations
                await self.redis.zrem(self.queue_key(name), *stale)
            queues.append({"name": name,
                           "waiting": [items[m].to_json() for m in members if m in items]})
        return {"queues": queues,
                "held": [items[cid].to_json() for cid in held if cid in items]}

    async def snapshot(self, adviser: str) -> dict[str, Any]:
        """Every queue's waiting conversations (in order) and those ``adviser`` holds."""
        board = await self.board()
        return {"queues": board["queues"],
                "mine": [item for item in board["held"] if item["adviser"] == adviser]}
