"""Refusals (401/403/409, failed sign-ins) in the audit trail, aggregated so a flood cannot
crowd out real records (issue 12).

Every refusal is counted in a per-minute hash ``audit:refusals:{minute}`` (kept as long as the
audit stream: ``AUDIT_RETENTION_DAYS``); only the first refusal of each kind in a minute is also
written to the ``audit:console`` stream, with a pointer to its counts. A million anonymous 401s
therefore add a handful of stream entries, and the erasure and claim records stay.
"""

from __future__ import annotations

import time
from typing import Any

from gateway import metrics
from gateway.analytics import Analytics
from gateway.redis_client import StrRedis
from gateway.settings import Settings


def refusal_group(action: str, fields: dict[str, Any]) -> str:
    """What refusals are grouped by: the action, the code and the path's first three parts
    (never the actor, which a guesser can vary at will)."""
    path = "/".join(str(fields.get("path", "")).split("/")[:4])
    return f"{action}|{fields.get('code', '')}|{path}"[:200]


class RefusalAudit:
    """Count refusals per minute; audit the first of each kind per minute."""

    def __init__(self, redis: StrRedis, analytics: Analytics, settings: Settings) -> None:
        self.redis = redis
        self.analytics = analytics
        self.settings = settings

    def bucket_key(self, now: float) -> str:
        """The counts hash of the minute containing ``now``."""
        return self.settings.key("audit", "refusals", str(int(now // 60) * 60))

    async def record(self, action: str, actor: str, **fields: Any) -> None:
        """Count one refusal; write it to the audit stream if it is the first of its kind
        this minute (best effort, like all analytics)."""
        now = time.time()
        metrics.REFUSALS.labels(action).inc()
        key = self.bucket_key(now)
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.hincrby(key, refusal_group(action, fields), 1)
            pipe.expire(key, int(self.settings.audit_retention_days * 86400))
            count, _ = await pipe.execute()
        except Exception:  # the audit must never break a request
            count = 1
        if int(count) == 1:
            await self.analytics.audit(action, actor, counted_in=key.removeprefix(
                self.settings.redis_key_prefix), **fields)
