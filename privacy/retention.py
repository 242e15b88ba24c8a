"""Retention by age: a periodic task deletes what is older than the policy allows.

Length caps (``MAXLEN``) keep streams from growing without bound; this task makes sure nothing
is kept *longer* than ``privacy.policy`` says, even on a quiet service. Each sweep:

- trims ``analytics:events``, ``analytics:gaps`` and ``audit:console`` by entry age (``XTRIM
  MINID``; stream ids are millisecond times);
- trims every ``conv:{id}:messages`` stream to the transcript retention (long conversations);
- deletes callback requests (``callbacks`` sorted set and ``callback:{id}``) and missed-bin
  cases (``case:{ref}``) older than their limits, whether or not their expiry was set;
- gives any Rasa tracker without an expiry the tracker retention as its expiry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from privacy.erasure import SCAN_BATCH
from privacy.policy import PolicySettings
from records.analytics import AnalyticsKeys
from records.callbacks import CallbackKeys, delete_callback
from records.cases import CaseKeys
from records.client import AsyncRedis
from records.conversations import ConversationKeys
from records.performance import PerformanceKeys
from records.rasa import RasaKeys

log = logging.getLogger("privacy.retention")
DAY = 86400


class RetentionSettings(PolicySettings, Protocol):
    """The age limits the policy states (one list, ``privacy.policy``), the key prefix and
    how often the sweep runs."""

    redis_key_prefix: str
    retention_sweep_seconds: float


class RetentionSweeper:
    """Deletes records older than their age limit."""

    def __init__(self, redis: AsyncRedis, settings: RetentionSettings) -> None:
        self.redis = redis
        self.settings = settings
        self.prefix = settings.redis_key_prefix

    def stream_limits(self) -> dict[str, float]:
        """Stream key → age limit in days."""
        streams = AnalyticsKeys(self.prefix)
        return {streams.events: self.settings.analytics_retention_days,
                streams.gaps: self.settings.gaps_retention_days,
                PerformanceKeys(self.prefix).comments: self.settings.analytics_retention_days,
                streams.audit: self.settings.audit_retention_days}

    async def sweep(self, now: float | None = None) -> dict[str, int]:
        """One pass; returns how many entries or keys each step removed."""
        now = time.time() if now is None else now
        removed: dict[str, int] = {}
        for key, limit in self.stream_limits().items():
            removed[key.removeprefix(self.prefix)] = await self._trim(key, now - limit * DAY)
        removed["transcripts"] = await self._trim_transcripts(
            now - self.settings.transcript_retention_days * DAY)
        removed["callbacks"] = await self._expire_callbacks(
            now - self.settings.callback_ttl_days * DAY)
        removed["cases"] = await self._expire_hashes(
            CaseKeys(self.prefix).pattern, now - self.settings.case_ttl_days * DAY)
        removed["trackers_given_expiry"] = await self._expire_trackers()
        return removed

    async def _trim(self, key: str, cutoff: float) -> int:
        return int(await self.redis.xtrim(key, minid=f"{int(cutoff * 1000)}-0",
                                          approximate=False))

    async def _trim_transcripts(self, cutoff: float) -> int:
        total = 0
        async for key in self.redis.scan_iter(match=ConversationKeys(self.prefix).messages_pattern,
                                              count=SCAN_BATCH, _type="stream"):
            total += await self._trim(str(key), cutoff)
        return total

    async def _expire_callbacks(self, cutoff: float) -> int:
        keys = CallbackKeys(self.prefix)
        old = [str(m) for m in await self.redis.zrangebyscore(keys.index, "-inf", cutoff)]
        for callback_id in old:
            await delete_callback(self.redis, keys, callback_id)
        return len(old) + await self._expire_hashes(keys.pattern, cutoff)

    async def _expire_hashes(self, pattern: str, cutoff: float) -> int:
        removed = 0
        async for key in self.redis.scan_iter(match=pattern,
                                              count=SCAN_BATCH, _type="hash"):
            created = await self.redis.hget(key, "created")
            try:
                too_old = created is not None and float(created) < cutoff
            except ValueError:
                too_old = False
            if too_old:
                removed += int(await self.redis.delete(key))
        return removed

    async def _expire_trackers(self) -> int:
        fixed = 0
        seconds = int(self.settings.tracker_retention_days * DAY)
        async for key in self.redis.scan_iter(match=RasaKeys().trackers,
                                              count=SCAN_BATCH):
            if await self.redis.ttl(key) == -1:
                fixed += int(await self.redis.expire(key, seconds))
        return fixed


async def run_periodically(sweeper: RetentionSweeper, every_seconds: float) -> None:
    """Sweep a minute after start, then every ``every_seconds``, until cancelled; errors are
    logged and the next sweep tries again."""
    await asyncio.sleep(min(60.0, every_seconds))
    while True:
        try:
            removed = await sweeper.sweep()
            if any(removed.values()):
                log.info("retention sweep removed %s", removed)
        except Exception as exc:  # Redis down: try again next time
            log.warning("retention sweep failed: %s", type(exc).__name__)
        await asyncio.sleep(every_seconds)


def start(sweeper: RetentionSweeper, every_seconds: float) -> asyncio.Task[None]:
    """Start the periodic sweep as a task on the running loop."""
    return asyncio.create_task(run_periodically(sweeper, every_seconds), name="retention")
