"""Content gaps: the stream ``analytics:gaps`` (questions the assistant did not answer well).

The gateway appends an entry per abstention, "not helpful" feedback or handoff, and per part of
a guide a citizen picked after "That's not what I asked" (``picked``, with that ``section``:
the question's label from the citizen, offered to editors to attach); the editor's
gap pages read them (``editorial.gaps`` decides which entries are real questions). Both go
through :class:`GapEntry` and the functions here: :func:`append_gap` (blocking client) and
:func:`append_gap_async` (asyncio client) write the same fields with the same length cap;
:func:`read_gap_entries` is the reader.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from knowledge.questions import MAX_QUESTION_CHARS
from records.client import AsyncRedis, SyncRedis

REASONS = ("abstained", "not_helpful", "handoff", "picked")
STREAM_MAXLEN = 10_000


@dataclass(frozen=True)
class GapKeys:
    """Key builder for the gap stream under ``REDIS_KEY_PREFIX``."""

    prefix: str = "csa:"

    @property
    def stream(self) -> str:
        """The stream of gap entries."""
        return f"{self.prefix}analytics:gaps"


@dataclass(frozen=True)
class GapEntry:
    """One gap: the (already redacted) question, why it is a gap, and where it came from.

    ``conversation_ref`` is ``privacy.refs.conversation_ref`` of the conversation: it groups
    entries and opens nothing. ``id`` is the stream id once stored.
    """

    question: str
    reason: str
    conversation_ref: str
    ts: float
    article_id: str | None = None
    id: str = ""
    section: str | None = None  # "picked" only: the part chosen, ``article-id#Heading``

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"reason must be one of {REASONS}, got {self.reason!r}")
        if (self.reason == "picked") != bool(self.section):
            raise ValueError("a 'picked' entry, and only one, names the section picked")

    @classmethod
    def new(
        cls, question: str, reason: str, conversation_ref: str, article_id: str | None = None,
        section: str | None = None,
    ) -> GapEntry:
        """An entry stamped now, its question trimmed and capped at the stream's limit."""
        return cls(
            question=question.strip()[:MAX_QUESTION_CHARS],
            reason=reason,
            conversation_ref=conversation_ref,
            ts=round(time.time(), 3),
            article_id=article_id or None,
            section=section[:MAX_QUESTION_CHARS] if section else None,
        )

    def to_fields(self) -> dict[str, str]:
        """The stream entry's fields (all strings; no ``article_id`` when there is none)."""
        fields = {
            "question": self.question[:MAX_QUESTION_CHARS],
            "reason": self.reason,
            "conversation_ref": self.conversation_ref,
            "ts": f"{self.ts:.3f}",
        }
        if self.article_id:
            fields["article_id"] = self.article_id
        if self.section:
            fields["section"] = self.section
        return fields

    @classmethod
    def from_fields(
        cls,
        entry_id: str,
        fields: Mapping[str, Any],
        digest: Callable[[str], str] | None = None,
    ) -> GapEntry | None:
        """Read a stored entry; None for one that cannot be used (logged by the caller).

        Entries written before references hold ``conversation_id``: ``digest`` turns it into
        a reference, so the id itself is never handed on.
        """
        ref = str(fields.get("conversation_ref") or "")
        if not ref and fields.get("conversation_id") and digest is not None:
            ref = digest(str(fields["conversation_id"]))
        try:
            return cls(
                question=str(fields.get("question", "")),
                reason=str(fields.get("reason", "abstained")),
                conversation_ref=ref,
                ts=float(fields.get("ts") or 0),
                article_id=str(fields["article_id"]) if fields.get("article_id") else None,
                id=entry_id,
                section=str(fields["section"]) if fields.get("section") else None,
            )
        except ValueError:
            return None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)


def append_gap(client: SyncRedis, keys: GapKeys, entry: GapEntry) -> str:
    """Append one entry (blocking client); return its stream id."""
    return str(client.xadd(keys.stream, entry.to_fields(), maxlen=STREAM_MAXLEN, approximate=True))  # type: ignore[arg-type]


async def append_gap_async(client: AsyncRedis, keys: GapKeys, entry: GapEntry) -> str:
    """Append one entry (asyncio client); return its stream id."""
    return await client.xadd(keys.stream, entry.to_fields(), maxlen=STREAM_MAXLEN,
                             approximate=True)


def read_gap_entries(
    client: SyncRedis,
    keys: GapKeys,
    limit: int = 2000,
    digest: Callable[[str], str] | None = None,
) -> list[GapEntry]:
    """The newest ``limit`` entries, newest first (unreadable ones left out)."""
    rows = client.xrevrange(keys.stream, count=limit)
    if not isinstance(rows, list):
        raise TypeError("read_gap_entries needs a blocking Redis client")
    entries = (
        GapEntry.from_fields(str(entry_id), {str(k): v for k, v in (fields or {}).items()}, digest)
        for entry_id, fields in rows
    )
    return [entry for entry in entries if entry is not None]
