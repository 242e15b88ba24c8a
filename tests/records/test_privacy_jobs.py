"""Erasure and retention reach every record through the record owners, on a real Redis.

The records are written by the same functions the bot and the gateway use (records.callbacks,
actions.case_store, records.gaps, records.analytics keys). What must hold: erasing one
conversation removes its callback request, its case and its stream entries and leaves another
conversation's alone; a retention sweep far in the future removes old callbacks (hash and index
entry), old cases and old stream entries, and reports them under the stream names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import redis
import redis.asyncio

from actions.case_store import CaseStore
from privacy.erasure import ConversationEraser
from privacy.refs import conversation_ref
from privacy.retention import RetentionSweeper
from records.analytics import AnalyticsKeys
from records.callbacks import CallbackKeys, create_callback
from records.client import str_replies
from records.gaps import GapEntry, GapKeys, append_gap


@dataclass
class JobSettings:
    """The settings both jobs read."""

    redis_key_prefix: str
    handoff_queues: list[str] = field(default_factory=lambda: ["general"])
    transcript_retention_days: float = 30
    tracker_retention_days: float = 7
    callback_ttl_days: int = 30
    case_ttl_days: int = 90
    analytics_retention_days: float = 90
    gaps_retention_days: float = 90
    audit_retention_days: float = 365
    retention_sweep_seconds: float = 3600


def write_records(client: redis.Redis, prefix: str, conversation_id: str) -> None:
    """One callback, one case and one gap for ``conversation_id``, as the services write them."""
    details = {"name": "Jo", "phone": "07700 900123", "conversation_id": conversation_id}
    create_callback(client, CallbackKeys(prefix), details, ttl_seconds=3600)
    cases = CaseStore(client, prefix, case_ttl_seconds=3600, callback_ttl_seconds=3600)
    cases.create_missed_bin_case({"conversation_id": conversation_id, "address": "1 High St"})
    entry = GapEntry.new("where is my bin", "abstained", conversation_ref(conversation_id))
    append_gap(client, GapKeys(prefix), entry)


async def test_erasure_then_retention(sync_redis: redis.Redis, redis_url: str) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    settings = JobSettings(prefix)
    gone, kept = "A" * 32, "B" * 32
    write_records(sync_redis, prefix, gone)
    write_records(sync_redis, prefix, kept)
    client = str_replies(redis.asyncio.Redis.from_url(redis_url, decode_responses=True))
    try:
        report = await ConversationEraser(client, settings).erase(gone)
        assert (report.callbacks, report.cases) == (1, 1)
        assert report.stream_entries["analytics:gaps"] == 1
        assert sync_redis.zcard(CallbackKeys(prefix).index) == 1
        assert sync_redis.xlen(AnalyticsKeys(prefix).gaps) == 1

        removed = await RetentionSweeper(client, settings).sweep(now=10**10)
        assert removed["callbacks"] >= 1 and removed["cases"] == 1
        assert removed["analytics:gaps"] == 1
        assert set(AnalyticsKeys(prefix).streams()) <= set(removed)
        assert sync_redis.zcard(CallbackKeys(prefix).index) == 0
        left = list(sync_redis.scan_iter(f"{prefix}*"))  # XTRIM leaves empty streams
        assert all(sync_redis.type(k) == "stream" and sync_redis.xlen(k) == 0 for k in left)
    finally:
        for key in sync_redis.scan_iter(f"{prefix}*"):
            sync_redis.delete(key)
        await client.aclose()
