"""Content gaps: the questions the assistant could not answer well, read from Redis.

The gateway appends one entry to the stream ``analytics:gaps`` per abstention, "not helpful"
feedback or handoff (docs/contracts.md). What counts as a question is decided here, for the
gateway's writer (``gap_question``) and again on the way out (``read_gaps``): button payloads
(``/affirm``), bare requests for a person and one-word replies are not questions, and a message
about suicide, self-harm, abuse or danger never reaches the editors.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from itertools import dropwhile
from typing import Any

from editorial.keys import EditorKeys
from privacy.refs import conversation_ref
from records.client import SyncRedis, decoded
from records.gaps import MAX_QUESTION_CHARS, GapEntry, append_gap, read_gap_entries
from safety.detection import detect_safety_concern

REASON_WORDS = {
    "abstained": "the assistant did not know",
    "not_helpful": "marked not helpful",
    "handoff": "handed to an adviser",
    "picked": "a citizen picked another part",
}
_PAYLOAD = re.compile(r"^/[A-Za-z_][\w.-]*\s*(\{.*\})?\s*$", re.DOTALL)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A message made only of these words asks for a person and says nothing about the topic.
_PERSON = _words(
    "person people human humans someone somebody anyone anybody adviser advisers advisor "
    "advisors agent agents operator staff officer colleague being member team customer "
    "services service real proper live bot"
)
_REQUEST = _words(
    "i i'm i'd im id want wanna would like need please pls can could may let me to with a an "
    "the speak talk chat put through transfer connect pass get give is there who actually help "
    "now just of at from council your you not don't dont do prefer rather instead this that "
    "escalate my problem about some over someone's"
)
_REPLY = _words(
    "yes yeah yep yup no nope nah ok okay sure fine thanks thank you cheers ta please hi hello "
    "hey bye goodbye great good right alright cool"
)


@dataclass(frozen=True)
class GapQuestion:
    """One question the assistant did not answer well (text already redacted)."""

    id: str
    question: str
    reason: str
    conversation_ref: str  # privacy.refs.conversation_ref: groups entries, opens nothing
    ts: float
    article_id: str | None = None
    section: str | None = None  # "picked": the part the citizen chose, ``article-id#Heading``

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)


def is_button_payload(text: str) -> bool:
    """True for a quick reply's payload such as ``/affirm`` or ``/choose{"id": "x"}``."""
    return bool(_PAYLOAD.match(text.strip()))


def asks_only_for_a_person(text: str) -> bool:
    """True for "I want to talk to a person" and the like: a request with no topic in it."""
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    return (
        bool(words)
        and any(w in _PERSON for w in words)
        and all(w in _PERSON or w in _REQUEST for w in words)
    )


def is_question(text: str) -> bool:
    """Whether a citizen's message can stand as a content-gap question."""
    stripped = text.strip()
    if not stripped or is_button_payload(stripped) or asks_only_for_a_person(stripped):
        return False
    words = _WORD.findall(stripped.lower())
    return bool(words) and not all(w in _REPLY for w in words)


def is_safety_message(text: str) -> bool:
    """A message about suicide, self-harm, abuse or danger: never shown on the gaps page."""
    return detect_safety_concern(text) is not None


def looks_back(reason: str, question: str, about_answer: bool = False) -> bool:
    """Whether ``gap_question`` may read ``earlier`` for this gap: a handoff, an empty question,
    a button payload or a remark about the answer; otherwise only ``question`` itself is
    considered."""
    return (reason == "handoff" or about_answer or not question.strip()
            or is_button_payload(question))


def gap_question(reason: str, question: str, earlier: Sequence[str] = (),
                 about_answer: bool = False) -> str | None:
    """The question a gap entry should record, or None when nothing should be recorded.

    ``earlier`` holds the citizen's recent messages, newest first (it may start with
    ``question`` itself). A handoff records the question before the request for a person; any
    gap whose question is not a real question falls back to the newest one that is. A remark
    about the last answer (``about_answer``: "that's not what I asked", typed) stands for the
    question before it, as a button's payload does. Nothing is recorded when the conversation
    touched on safety.
    """
    candidates = [question, *earlier] if question.strip() else list(earlier)
    if about_answer:
        if is_safety_message(question):
            return None
        candidates = list(dropwhile(lambda text: text.strip() == question.strip(), candidates))
    if reason == "handoff" and any(is_safety_message(text) for text in candidates):
        return None
    if (reason != "handoff" and candidates and not about_answer
            and not is_button_payload(candidates[0])):
        candidates = candidates[:1]  # only a payload or a remark makes us look further back
    for text in candidates:
        if is_safety_message(text):
            return None
        if is_question(text):
            return text.strip()
    return None


def redact_text(text: str) -> str:
    """Remove personal data (every kind, phone numbers too: these are only for analysis)."""
    from privacy.redaction import PLACEHOLDERS, redact

    return redact(text, kinds=tuple(PLACEHOLDERS)).text


def record_gap(
    client: SyncRedis,
    keys: EditorKeys,
    question: str,
    reason: str,
    conversation_id: str,
    ts: float | None = None,
    article_id: str | None = None,
) -> str:
    """Append one gap entry (the question is redacted here as well); return its stream id.

    Goes through ``records.gaps``, the stream's one owner (the gateway writes the same way).
    """
    ref = conversation_ref(conversation_id)
    entry = GapEntry.new(redact_text(question), reason, ref, article_id)
    if ts is not None:
        entry = replace(entry, ts=ts)
    return append_gap(client, keys.gap_stream, entry)


def resolve_gap(
    client: SyncRedis, keys: EditorKeys, question: str, article_id: str, section: str, by: str
) -> None:
    """Remember that ``question`` now has a section that answers it (it leaves the gaps page)."""
    record = {"article_id": article_id, "section": section, "by": by, "ts": time.time()}
    client.hset(keys.gaps_resolved, question.casefold(), json.dumps(record))


def _resolved_at(raw: str) -> float:
    try:
        return float(json.loads(raw).get("ts", 0))
    except (ValueError, AttributeError):
        return 0.0


def read_gaps(
    client: SyncRedis, keys: EditorKeys, limit: int = 2000, since_ts: float | None = None
) -> list[GapQuestion]:
    """The newest ``limit`` open gap questions, newest first, re-redacted on the way out.

    Payloads, requests for a person, safety messages and questions attached to a section after
    they were asked are left out.
    """
    entries = read_gap_entries(client, keys.gap_stream, limit, digest=conversation_ref)
    stored = decoded(client.hgetall(keys.gaps_resolved))
    resolved = {q: _resolved_at(raw) for q, raw in stored.items()}
    out = []
    for entry in entries:
        if since_ts is not None and entry.ts < since_ts:
            break
        text = entry.question.strip()
        if not is_question(text) or is_safety_message(text):
            continue
        question = redact_text(text)
        if not question or entry.ts <= resolved.get(question.casefold(), 0.0):
            continue  # attached to a section since: asked again later, it shows again
        out.append(
            GapQuestion(
                id=entry.id,
                question=question[:MAX_QUESTION_CHARS],
                reason=entry.reason,
                conversation_ref=entry.conversation_ref,
                ts=entry.ts,
                article_id=entry.article_id,
                section=entry.section,
            )
        )
    return out
