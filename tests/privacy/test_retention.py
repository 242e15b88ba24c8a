"""Retention by age (privacy.retention) on the real Redis fixture.

What must hold: entries and records older than their limit are deleted from every stream and
set the policy names (analytics, gaps, audit, transcripts, callbacks, cases), newer ones stay;
a tracker with no expiry gets the tracker retention; keys of another prefix are untouched.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from privacy.retention import RetentionSweeper
from records.client import AsyncRedis, str_replies

DAY = 86400


@dataclass
class Limits:
    redis_key_prefix: str
    transcript_retention_days: float = 30
    tracker_retention_days: float = 7
    callback_ttl_days: int = 30
    case_ttl_days: int = 90
    analytics_retention_days: float = 90
    gaps_retention_days: float = 180
    audit_retention_days: float = 400
    retention_sweep_seconds: float = 3600


def ms_id(seconds_ago: float, now: float) -> str:
    return f"{int((now - seconds_ago) * 1000)}-0"


async def texts(redis: AsyncRedis, key: str) -> list[str]:
    """The ``x`` field of every entry of a stream."""
    return [fields["x"] for _, fields in await redis.xrange(key)]


async def scenario(redis_url: str) -> None:
    prefix = f"rt{secrets.token_hex(3)}:"
    other = f"keep{secrets.token_hex(3)}:"
    raw = Redis.from_url(redis_url, decode_responses=True)
    redis = str_replies(raw)
    now = time.time()
    limits = Limits(prefix)
    for stream, limit in (("analytics:events", 90), ("analytics:gaps", 180),
                          ("audit:console", 400)):
        await redis.xadd(prefix + stream, {"x": "old"}, id=ms_id((limit + 1) * DAY, now))
        await redis.xadd(prefix + stream, {"x": "new"}, id=ms_id((limit - 1) * DAY, now))
        await redis.xadd(other + stream, {"x": "old"}, id=ms_id((limit + 1) * DAY, now))
    await redis.xadd(prefix + "conv:c1:messages", {"x": "old"}, id=ms_id(31 * DAY, now))
    await redis.xadd(prefix + "conv:c1:messages", {"x": "new"}, id=ms_id(DAY, now))
    await redis.zadd(prefix + "callbacks", {"old": now - 31 * DAY, "new": now - DAY})
    await redis.hset(prefix + "callback:old", mapping={"created": str(now - 31 * DAY)})
    await redis.hset(prefix + "callback:new", mapping={"created": str(now - DAY)})
    await redis.hset(prefix + "case:OLD", mapping={"created": str(now - 91 * DAY)})
    await redis.hset(prefix + "case:NEW", mapping={"created": str(now - DAY)})
    tracker = f"csa:tracker:{secrets.token_hex(16)}"
    await redis.set(tracker, "{}")

    removed = await RetentionSweeper(redis, limits).sweep(now)

    for stream in ("analytics:events", "analytics:gaps", "audit:console"):
        assert await texts(redis, prefix + stream) == ["new"], stream
        assert await raw.xlen(other + stream) == 1  # another deployment's prefix: untouched
    assert await texts(redis, prefix + "conv:c1:messages") == ["new"]
    assert await raw.zrange(prefix + "callbacks", 0, -1) == ["new"]
    assert not await redis.exists(prefix + "callback:old", prefix + "case:OLD")
    assert await redis.exists(prefix + "callback:new") and await redis.exists(prefix + "case:NEW")
    assert 0 < await redis.ttl(tracker) <= 7 * DAY
    assert removed["cases"] == 1 and removed["transcripts"] == 1
    await redis.aclose()


def test_sweep_deletes_only_what_is_too_old(redis_url: str) -> None:
    asyncio.run(scenario(redis_url))
