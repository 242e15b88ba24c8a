"""Logs, analytics and audit records: redacted text only, ever."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from editorial.gaps import gap_question, looks_back
from gateway.performance.rollups import Rollups
from gateway.redis_client import StrRedis
from gateway.settings import Settings
from privacy.redaction import RedactionResult
from privacy.redactor import redact_fully, redactions
from privacy.refs import conversation_ref, short_id
from records.analytics import AUDIT_MAXLEN, EVENTS_MAXLEN, AnalyticsKeys
from records.client import StrPipeline
from records.conversations import ConversationKeys
from records.gaps import GapEntry, GapKeys, append_gap_async

log = logging.getLogger("gateway.analytics")


def redact(text: str) -> tuple[str, list[str]]:
    """Every kind of personal data removed (spaCy through Presidio; regex if unavailable)."""
    result = redactions(text).full
    return result.text, list(result.kinds)


def _entry(fields: dict[str, Any]) -> dict[str, str]:
    """A stream entry's fields as text (``None`` left out)."""
    return {k: str(v) for k, v in fields.items() if v is not None}


def short(conversation_id: str) -> str:
    """A conversation id shortened for log lines."""
    return short_id(conversation_id)


@dataclass
class QueuedEvent:
    """An analytics event queued on a pipeline that carries other commands (one round trip);
    :meth:`receive` takes its replies, then :meth:`Analytics.settle` finishes it."""

    kind: str
    conversation_id: str
    fields: dict[str, Any]
    now: float
    counted: bool  # its counters travel with the entry
    outcome: list[Any] | BaseException | None = None  # its replies, or what failed

    def receive(self, outcome: list[Any] | BaseException) -> None:
        """Keep the replies of the commands this event queued (or the request's error)."""
        self.outcome = outcome


class Analytics:
    """Append-only analytics, gap and audit streams in Redis (best effort)."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.gap_keys = GapKeys(settings.redis_key_prefix)
        self.streams = AnalyticsKeys(settings.redis_key_prefix)
        self.conversations = ConversationKeys(settings.redis_key_prefix)
        self.rollups = Rollups(redis, settings.redis_key_prefix)  # the performance figures

    async def _add(self, stream: str, maxlen: int, fields: dict[str, Any]) -> None:
        try:
            await self.redis.xadd(stream, _entry(fields), maxlen=maxlen, approximate=True)
        except Exception as exc:  # analytics must never break a conversation
            log.warning("could not write %s: %s", stream, type(exc).__name__)

    async def event(self, kind: str, conversation_id: str, text: str | None = None, *,
                    redacted: RedactionResult | None = None, page_url: str | None = None,
                    **fields: Any) -> None:
        """Record an analytics event; any text is redacted first (or pass ``redacted``, the
        message already redacted of every kind). The entry carries ``conversation_ref``,
        never the id that opens the transcript. ``page_url``: the page a just-started
        conversation came from, as stored, for its figures only (never in the entry), so they
        need not read it back."""
        if redacted is None and text is not None:
            redacted = await redact_fully(text)
        pipe = self.redis.pipeline(transaction=False)
        queued = self.queue_event(pipe, kind, conversation_id, redacted=redacted, **fields)
        try:
            queued.receive(await pipe.execute(raise_on_error=False))
        except Exception as exc:  # analytics must never break a conversation
            queued.receive(exc)
        await self.settle(queued, page_url=page_url)

    def queue_event(self, pipe: StrPipeline, kind: str, conversation_id: str, *,
                    redacted: RedactionResult | None = None, **fields: Any) -> QueuedEvent:
        """Queue an event's entry and its performance counters on a pipeline that carries
        other commands (as :meth:`event` does, with ``redacted`` text only); after the pipeline
        ran, give the event its replies (:meth:`QueuedEvent.receive`) and :meth:`settle` it."""
        now = time.time()
        record: dict[str, Any] = {"kind": kind,
                                  "conversation_ref": conversation_ref(conversation_id),
                                  "ts": f"{now:.3f}", **fields}
        if redacted is not None:
            record["text"] = redacted.text
            record["redacted"] = ",".join(redacted.kinds)
            log.info("%s conv=%s text=%r", kind, short(conversation_id), redacted.text)
        else:
            log.info("%s conv=%s %s", kind, short(conversation_id), fields or "")
        pipe.xadd(self.streams.events, _entry(record), maxlen=EVENTS_MAXLEN, approximate=True)
        counted = self.rollups.queue_counts(pipe, kind, fields, now)
        return QueuedEvent(kind, conversation_id, fields, now, counted)

    async def settle(self, queued: QueuedEvent, page_url: str | None = None) -> None:
        """Log what failed of a queued event, then whatever else the performance figures need
        of it (their counters on their own if they did not travel with it)."""
        counted = queued.counted
        outcome = queued.outcome
        if not isinstance(outcome, list):  # the request failed (or never ran)
            log.warning("could not write %s: %s", self.streams.events,
                        type(outcome).__name__ if outcome is not None else "not sent")
            counted = False  # the figures try their counters again on their own
        else:
            if isinstance(outcome[0], Exception):
                log.warning("could not write %s: %s", self.streams.events,
                            type(outcome[0]).__name__)
            failed = next((r for r in outcome[1:] if isinstance(r, Exception)), None)
            if failed is not None:
                log.warning("could not count %s: %s", queued.kind, type(failed).__name__)
        await self.rollups.on_event(queued.kind, queued.conversation_id, queued.fields,
                                    counted=counted, now=queued.now, page_url=page_url)

    async def gap(self, reason: str, conversation_id: str, question: str,
                  article_id: str | None = None, redacted_question: str | None = None,
                  section: str | None = None, about_answer: bool = False) -> None:
        """Record a guidance gap (abstained, not_helpful, handoff; or picked, with the
        ``section`` a citizen chose after "That's not what I asked") for the editors.

        The recorded question is a real one (``editorial.gaps.gap_question``): a handoff records
        the question asked before "I want to talk to a person", a button payload the question it
        answered; nothing is recorded for a conversation about the citizen's safety.
        ``redacted_question``: ``question`` with every kind of personal data already removed
        (the turn has it), used when ``question`` itself is recorded. ``about_answer``: the
        message was a remark about the last answer ("that's not what I asked", typed), so the
        question before it is recorded, as for a button's payload.
        """
        if reason == "abstained":
            await self.rollups.on_event("abstained", conversation_id, {})
        if reason == "handoff" and await self._safety_handoff(conversation_id):
            return
        # Only a handoff, an empty question, a button payload or a remark about the answer
        # looks back in the transcript.
        earlier = await self._recent_citizen_texts(conversation_id) \
            if looks_back(reason, question, about_answer) else []
        chosen = gap_question(reason, question, earlier, about_answer=about_answer)
        if chosen is None:
            log.info("gap %s conv=%s not recorded (no question)", reason, short(conversation_id))
            return
        redacted = redacted_question.strip() if redacted_question is not None and \
            chosen == question.strip() else (await redact_fully(chosen)).text
        entry = GapEntry.new(redacted, reason, conversation_ref(conversation_id), article_id,
                             section)
        try:
            await append_gap_async(self.redis, self.gap_keys, entry)
        except Exception as exc:  # analytics must never break a conversation
            log.warning("could not write analytics:gaps: %s", type(exc).__name__)

    async def _recent_citizen_texts(self, conversation_id: str, look_back: int = 30) -> list[str]:
        """The citizen's latest messages in the transcript, newest first ([] if unreadable)."""
        key = self.conversations.messages(conversation_id)
        try:
            entries = await self.redis.xrevrange(key, count=look_back)
        except Exception as exc:  # analytics must never break a conversation
            log.warning("could not read the transcript for a gap: %s", type(exc).__name__)
            return []
        return [str(f.get("text", "")) for _, f in entries if f.get("role") == "citizen"]

    async def _safety_handoff(self, conversation_id: str) -> bool:
        """True when the conversation was queued for safety (priority): never a content gap."""
        try:
            meta = await self.redis.hgetall(self.conversations.meta(conversation_id))
        except Exception:
            return False
        return meta.get("reason") == "safety" or meta.get("priority") == "1"

    async def audit(self, action: str, actor: str, **fields: Any) -> None:
        """Record a console action or refusal (never message text; a conversation appears
        as its ``conversation_ref``)."""
        conversation_id = fields.pop("conversation_id", None)
        if action == "claim" and conversation_id is not None:
            await self.rollups.claimed(str(conversation_id))
        if conversation_id is not None:
            fields["conversation_ref"] = conversation_ref(str(conversation_id))
        log.info("audit %s by %s %s", action, actor, fields or "")
        await self._add(self.streams.audit, AUDIT_MAXLEN,
                        {"action": action, "actor": actor, "ts": f"{time.time():.3f}", **fields})
