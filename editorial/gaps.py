"""Content gaps: the questions the assistant could not answer well, read from Redis.

The gateway appends one entry to the stream ``analytics:gaps`` per abstention, "not helpful"
feedback or handoff (docs/contracts.md). ``record_gap`` is the one writer both sides use.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from editorial.keys import EditorKeys

REASONS = ("abstained", "not_helpful", "handoff")
REASON_WORDS = {
    "abstained": "the bot did not know",
    "not_helpful": "marked not helpful",
    "handoff": "handed to an adviser",
}
MAX_QUESTION_CHARS = 1000
STREAM_MAXLEN = 10_000


@dataclass(frozen=True)
class GapQuestion:
    """One question the assistant did not answer well (text already redacted)."""

    id: str
    question: str
    reason: str
    conversation_id: str
    ts: float
    article_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)


def redact_text(text: str) -> str:
    """Remove personal data (every kind, phone numbers too: these are only for analysis)."""
    from privacy.redaction import PLACEHOLDERS, redact

    return redact(text, kinds=tuple(PLACEHOLDERS)).text


def record_gap(
    client: Any,
    keys: EditorKeys,
    question: str,
    reason: str,
    conversation_id: str,
    ts: float | None = None,
    article_id: str | None = None,
) -> str:
    """Append one gap entry (the question is redacted here as well); return its stream id."""
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {REASONS}, got {reason!r}")
    fields = {
        "question": redact_text(question.strip())[:MAX_QUESTION_CHARS],
        "reason": reason,
        "conversation_id": conversation_id,
        "ts": f"{time.time() if ts is None else ts:.3f}",
    }
    if article_id:
        fields["article_id"] = article_id
    return str(client.xadd(keys.gaps, fields, maxlen=STREAM_MAXLEN, approximate=True))


def read_gaps(
    client: Any, keys: EditorKeys, limit: int = 2000, since_ts: float | None = None
) -> list[GapQuestion]:
    """The newest ``limit`` gap questions, newest first, re-redacted on the way out."""
    rows = client.xrevrange(keys.gaps, count=limit)
    out = []
    for entry_id, fields in rows:
        ts = float(fields.get("ts") or 0)
        if since_ts is not None and ts < since_ts:
            break
        question = redact_text(str(fields.get("question", "")).strip())
        if not question:
            continue
        out.append(
            GapQuestion(
                id=str(entry_id),
                question=question[:MAX_QUESTION_CHARS],
                reason=str(fields.get("reason", "abstained")),
                conversation_id=str(fields.get("conversation_id", "")),
                ts=ts,
                article_id=fields.get("article_id") or None,
            )
        )
    return out
