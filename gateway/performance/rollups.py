"""Turn the gateway's analytics events into per-day rollups (``records.performance``).

:class:`Rollups` is called by ``gateway.analytics.Analytics`` for every event it records, so
the counters stay in step with the analytics stream without ever scanning it. Each call is
best effort: a failure is logged and the conversation goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from privacy.refs import conversation_ref
from records.client import AsyncRedis, StrPipeline
from records.conversations import ConversationKeys
from records.performance import SURVEY_ANSWERS, PerformanceKeys, PerformanceWriter

log = logging.getLogger("gateway.performance")


def handoff_reason(reason: str) -> str:
    """The page's three handoff reasons: asked, could_not_help (the bot failed) or safety."""
    if reason == "safety":
        return "safety"
    if reason in ("failed", "could_not_help", "bot_failed"):
        return "could_not_help"
    return "asked"


def start_page(page_url: str) -> str:
    """The path a conversation started from (no query or fragment: they may be personal)."""
    if not page_url:
        return "(none)"
    parts = urlsplit(page_url)
    return (parts.path or "/")[:120]


def event_counters(kind: str, fields: Mapping[str, object]) -> list[str]:
    """The day's counters one analytics event adds one to (``conversation_started`` counts
    itself, with the page it started from)."""
    if kind == "citizen_message":
        return ["messages"]
    if kind == "feedback":
        helpful = str(fields.get("helpful")) == "1"
        article = str(fields.get("article_id") or "(no article)")
        return [f"{'helpful' if helpful else 'unhelpful'}:{article}"]
    if kind == "handoff_queued":
        return [f"handoff:{handoff_reason(str(fields.get('reason', '')))}"]
    if kind in ("handoff_unavailable", "abstained", "not_what_i_asked", "callback_done"):
        return [kind]
    return []


class Rollups:
    """Count events into the day's hash; keep what a conversation needs to be counted once."""

    def __init__(self, redis: AsyncRedis, prefix: str) -> None:
        self.redis = redis
        self.writer = PerformanceWriter(redis, PerformanceKeys(prefix))
        self.conversations = ConversationKeys(prefix)

    def queue_counts(self, pipe: StrPipeline, kind: str, fields: Mapping[str, object],
                     now: float) -> bool:
        """Queue an event's counters on a pipeline that carries other writes (one round trip
        for both); True when there were any. Then call :meth:`on_event` with ``counted``."""
        names = event_counters(kind, fields)
        if names:
            self.writer.queue_count(pipe, now, *names)
        return bool(names)

    async def on_event(self, kind: str, conversation_id: str, fields: Mapping[str, object],
                       *, counted: bool = False, now: float | None = None,
                       page_url: str | None = None) -> None:
        """Count one analytics event (``conversation_started``, ``citizen_message``, ...);
        ``counted``: its counters were already written through :meth:`queue_counts` at
        ``now``; ``page_url``: a started conversation's page as stored (else it is read)."""
        try:
            await self._on_event(kind, conversation_id, fields,
                                 time.time() if now is None else now, counted, page_url)
        except Exception as exc:  # figures must never break a conversation
            log.warning("could not count %s: %s", kind, type(exc).__name__)

    async def _on_event(self, kind: str, conversation_id: str, fields: Mapping[str, object],
                        now: float, counted: bool, page_url: str | None = None) -> None:
        ref = conversation_ref(conversation_id)
        writer = self.writer
        names = event_counters(kind, fields)
        if names and not counted:
            await writer.count(now, *names)
        if kind == "conversation_started":
            page = page_url if page_url is not None else await self.redis.hget(
                self.conversations.meta(conversation_id), "page_url")
            await writer.conversation_started(ref, now, start_page(str(page or "")))
        elif kind == "citizen_message":
            if fields.get("mode", "bot") == "bot" and "asked" not in writer.recorded_flags(ref):
                await writer.set_conversation_once(ref, "asked", f"{now:.3f}")
        elif kind == "feedback":
            if str(fields.get("helpful")) != "1":
                await writer.escalated(ref)
        elif kind == "handoff_queued":
            await writer.set_conversation(ref, queued=f"{now:.3f}")
            await writer.escalated(ref)
        elif kind == "handoff_outcome":
            claimed = (await writer.conversation(ref)).get("claimed")
            if claimed:
                await writer.duration(now, "handling", now - float(claimed))

    async def claimed(self, conversation_id: str) -> None:
        """An adviser took the conversation: count the citizen's wait since it was queued."""
        try:
            ref = conversation_ref(conversation_id)
            now = time.time()
            queued = (await self.writer.conversation(ref)).get("queued")
            await self.writer.set_conversation(ref, claimed=f"{now:.3f}")
            if queued:
                await self.writer.duration(now, "wait", now - float(queued))
        except Exception as exc:  # figures must never break a conversation
            log.warning("could not count a claim: %s", type(exc).__name__)

    async def answered(self, conversation_id: str, article_id: str | None) -> None:
        """The bot replied: the first reply gives the time to first answer (and the first
        sourced one the topic); once both are known recorded, a reply costs no round trip."""
        try:
            ref = conversation_ref(conversation_id)
            known = self.writer.recorded_flags(ref)
            if "answered" in known and ("topic" in known or not article_id):
                return
            recorded = await self.writer.conversation(ref)
            if recorded.get("asked"):
                await self.writer.answered(ref, time.time(), recorded, article_id)
        except Exception as exc:  # figures must never break a conversation
            log.warning("could not count an answer: %s", type(exc).__name__)

    async def survey(self, conversation_id: str, answer: str, comment: str) -> bool:
        """Count a satisfaction answer once per conversation (False if already answered or
        the conversation is unknown); "no" marks it not contained. ``comment`` is redacted."""
        if answer not in SURVEY_ANSWERS:
            raise ValueError(f"answer must be one of {SURVEY_ANSWERS}")
        ref = conversation_ref(conversation_id)
        now = time.time()
        if not await self.writer.set_conversation_once(ref, "survey", answer):
            return False
        await self.writer.count(now, f"survey:{answer}")
        if answer == "no":
            await self.writer.escalated(ref)
        if comment:
            await self.writer.add_comment(now, answer, comment)
        return True
