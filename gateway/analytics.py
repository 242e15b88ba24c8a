"""Logs, analytics and audit records: redacted text only, ever."""

from __future__ import annotations

import logging
import time
from typing import Any

from gateway.redis_client import StrRedis
from gateway.settings import Settings

log = logging.getLogger("gateway.analytics")


def redact(text: str) -> tuple[str, list[str]]:
    """Redact with ``privacy.redaction.redact``; withhold the text entirely if it is missing."""
    try:
        from privacy.redaction import redact as privacy_redact
    except ImportError:
        return "[withheld: redaction unavailable]", []
    result = privacy_redact(text)
    return str(result.text), [str(kind) for kind in getattr(result, "kinds", [])]


def short(conversation_id: str) -> str:
    """A conversation id shortened for log lines."""
    return conversation_id[:8]


class Analytics:
    """Append-only analytics, gap and audit streams in Redis (best effort)."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings

    async def _add(self, stream: str, maxlen: int, fields: dict[str, Any]) -> None:
        try:
            await self.redis.xadd(self.settings.key(*stream.split(":")),
                                  {k: str(v) for k, v in fields.items() if v is not None},
                                  maxlen=maxlen, approximate=True)
        except Exception as exc:  # analytics must never break a conversation
            log.warning("could not write %s: %s", stream, type(exc).__name__)

    async def event(self, kind: str, conversation_id: str, text: str | None = None,
                    **fields: Any) -> None:
        """Record an analytics event; any text is redacted first."""
        record: dict[str, Any] = {"kind": kind, "conversation_id": conversation_id,
                                  "ts": f"{time.time():.3f}", **fields}
        if text is not None:
            redacted, kinds = redact(text)
            record["text"] = redacted
            record["redacted"] = ",".join(kinds)
            log.info("%s conv=%s text=%r", kind, short(conversation_id), redacted)
        else:
            log.info("%s conv=%s %s", kind, short(conversation_id), fields or "")
        await self._add("analytics:events", 100_000, record)

    async def gap(self, reason: str, conversation_id: str, question: str,
                  article_id: str | None = None) -> None:
        """Record a guidance gap (abstained, not_helpful, handoff) for the editors."""
        redacted, _ = redact(question)
        await self._add("analytics:gaps", 10_000, {
            "question": redacted[:1000], "reason": reason, "conversation_id": conversation_id,
            "ts": f"{time.time():.3f}", "article_id": article_id,
        })

    async def audit(self, action: str, actor: str, **fields: Any) -> None:
        """Record a console action or refusal (never message text)."""
        log.info("audit %s by %s %s", action, actor, fields or "")
        await self._add("audit:console", 100_000,
                        {"action": action, "actor": actor, "ts": f"{time.time():.3f}", **fields})
