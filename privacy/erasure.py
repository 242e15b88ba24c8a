"""Erase one conversation everywhere it left a trace in Redis (on request or by an admin).

Keys deleted: the gateway's ``conv:{id}`` hash, its ``messages`` stream, ``client_ids`` and
``notes``; Rasa's tracker and lock (``csa:tracker:{id}``, ``csa:lock:{id}``: deleted, because
Rasa 3.6's Redis tracker store merges an empty tracker with the stored one and so erases
nothing); the callback requests and missed-bin cases made in it. Entries removed: the
conversation's place in every handoff queue and the held hash, and its entries in the
``analytics:events``, ``analytics:gaps`` and ``audit:console`` streams (found by
``conversation_ref`` or, for entries written before refs, by the id); the performance
rollups' ``perf:conv:{ref}`` hash (the day and month counters hold counts only and stay).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from privacy.refs import conversation_ref
from records.analytics import AnalyticsKeys
from records.callbacks import CallbackKeys, delete_callback, list_callbacks
from records.cases import CaseKeys
from records.client import AsyncRedis
from records.conversations import ConversationKeys
from records.handoff import HandoffKeys
from records.performance import PerformanceKeys
from records.rasa import RasaKeys

SCAN_BATCH = 1000


class ErasureSettings(Protocol):
    """What erasure needs to know of a deployable's settings."""

    redis_key_prefix: str
    handoff_queues: list[str]


@dataclass
class ErasureReport:
    """What was erased (counts only: the report goes to the audit log)."""

    keys: int = 0
    queue_entries: int = 0
    callbacks: int = 0
    cases: int = 0
    stream_entries: dict[str, int] = field(default_factory=dict)
    rasa_tracker: bool = False

    def as_fields(self) -> dict[str, str]:
        """Flat string fields for the audit entry."""
        fields = {"keys": str(self.keys), "queue_entries": str(self.queue_entries),
                  "callbacks": str(self.callbacks), "cases": str(self.cases),
                  "rasa_tracker": "deleted" if self.rasa_tracker else "none"}
        for stream, count in self.stream_entries.items():
            fields[f"{stream.replace(':', '_')}_entries"] = str(count)
        return fields


class ConversationEraser:
    """Deletes every trace of a conversation from Redis."""


    def __init__(self, redis: AsyncRedis, settings: ErasureSettings) -> None:
        self.redis = redis
        self.prefix = settings.redis_key_prefix
        self.queues = list(settings.handoff_queues)
        self.conversations = ConversationKeys(self.prefix)
        self.handoff = HandoffKeys(self.prefix)
        self.callbacks = CallbackKeys(self.prefix)

    async def erase(self, conversation_id: str) -> ErasureReport:
        """Delete the conversation's keys and entries; return what was removed."""
        report = ErasureReport()
        report.keys = int(await self.redis.delete(*self.conversations.owned(conversation_id)))
        report.rasa_tracker = bool(await self.redis.delete(RasaKeys().tracker(conversation_id)))
        report.keys += int(report.rasa_tracker)
        report.keys += int(await self.redis.delete(RasaKeys().lock(conversation_id)))
        # the performance rollups' per-conversation hash (records.performance; counts stay)
        report.keys += int(await self.redis.delete(
            PerformanceKeys(self.prefix).conversation(conversation_ref(conversation_id))))
        for queue in self.queues:
            report.queue_entries += int(await self.redis.zrem(
                self.handoff.queue(queue), conversation_id))
        report.queue_entries += int(await self.redis.hdel(self.handoff.held, conversation_id))
        report.callbacks = await self._erase_callbacks(conversation_id)
        report.cases = await self._erase_cases(conversation_id)
        for name, key in AnalyticsKeys(self.prefix).streams().items():
            report.stream_entries[name] = await self._erase_entries(key, conversation_id)
        return report

    async def _erase_callbacks(self, conversation_id: str) -> int:
        erased = 0
        for request in await list_callbacks(self.redis, self.callbacks, limit=0):
            if request.conversation_id == conversation_id:
                erased += await delete_callback(self.redis, self.callbacks, request.id)
        # A callback whose index entry was already trimmed is still found by its hash.
        return erased + await self._erase_hashes(self.callbacks.pattern, conversation_id)

    async def _erase_cases(self, conversation_id: str) -> int:
        return await self._erase_hashes(CaseKeys(self.prefix).pattern, conversation_id)

    async def _erase_hashes(self, pattern: str, conversation_id: str) -> int:
        erased = 0
        async for key in self.redis.scan_iter(match=pattern, count=SCAN_BATCH):
            if await self.redis.type(key) != "hash":
                continue
            if await self.redis.hget(key, "conversation_id") == conversation_id:
                erased += int(await self.redis.delete(key))
        return erased

    async def _erase_entries(self, key: str, conversation_id: str) -> int:
        ref = conversation_ref(conversation_id)
        doomed: list[str] = []
        start = "-"
        while True:
            batch = await self.redis.xrange(key, min=start, max="+", count=SCAN_BATCH)
            if not batch:
                break
            doomed.extend(str(entry_id) for entry_id, fields in batch
                          if _mentions(map(str, (fields or {}).values()), conversation_id, ref))
            if len(batch) < SCAN_BATCH:
                break
            start = "(" + str(batch[-1][0])
        if doomed:
            await self.redis.xdel(key, *doomed)
        return len(doomed)


def _mentions(values: Iterable[str], conversation_id: str, ref: str) -> bool:
    return any(conversation_id in value or value == ref for value in values)
