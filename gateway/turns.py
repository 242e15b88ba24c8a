"""A citizen's turn: store the message first, then route it to the bot or the adviser."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass, field

from redis.exceptions import RedisError

from gateway import metrics
from gateway.analytics import Analytics, QueuedEvent, short
from gateway.bot_replies import parse_output, picked_section, store_drafts
from gateway.conversations import ConversationMeta, ConversationStore
from gateway.crisis_fallback import CrisisFallback
from gateway.errors import ApiError
from gateway.events import EventHub
from gateway.handoff.service import HandoffService
from gateway.messages import ConversationMissing, MessageStore
from gateway.notices import bot_unavailable, no_answer
from gateway.rasa_client import RasaClient, RasaUnavailable
from gateway.schemas import Message
from gateway.settings import Settings
from gateway.turn_order import Receiver, TurnOrder
from privacy.redaction import RedactionResult
from privacy.redactor import redact_fully, redactions_async
from records.client import StrPipeline

log = logging.getLogger("gateway.turns")


@dataclass
class Accepted:
    """A citizen message that is safely stored (or was already)."""

    meta: ConversationMeta
    message: Message
    duplicate: bool
    original_text: str  # what the citizen typed; the stored message may be redacted
    redacted: RedactionResult | None = None  # every kind of personal data removed


@dataclass
class TurnResult:
    """What the citizen's HTTP request gets back."""

    mode: str
    received: Message
    replies: list[Message] = field(default_factory=list)


class CitizenTurns:
    """Accept citizen messages and produce the replies (bot, queue notices, or none)."""

    def __init__(self, settings: Settings, store: MessageStore, conversations: ConversationStore,
                 rasa: RasaClient, handoff: HandoffService, hub: EventHub,
                 analytics: Analytics, crisis: CrisisFallback) -> None:
        self.settings = settings
        self.store = store
        self.conversations = conversations
        self.rasa = rasa
        self.handoff = handoff
        self.hub = hub
        self.analytics = analytics
        self.crisis = crisis  # the helplines when the bot cannot answer a crisis message
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary())
        self.order = TurnOrder(store.redis, settings)  # across instances (issue 12)

    async def accept(self, conversation_id: str, text: str, client_id: str | None) -> Accepted:
        """Store the citizen's message (idempotent by ``client_id``) before anything else.

        Its analytics entry is written by :meth:`respond`, in its first round trip."""
        meta = await self.conversations.get(conversation_id)
        if meta is None:
            raise ApiError(404, "unknown_conversation")
        # Talking to the bot, the transcript keeps a redacted form (no NI, card or bank numbers,
        # dates of birth or email: privacy.redactor.TRANSCRIPT_KINDS); only this turn's call to
        # Rasa sees the original, so the bot can say it does not need it. With an adviser, the
        # citizen may mean to share contact details: kept. Analytics and Rasa's stored tracker
        # get the copy with every kind removed (one spaCy/Presidio analysis for both).
        views = await redactions_async(text)
        stored_text = text if meta.mode == "adviser" else views.transcript.text
        try:
            appended = await self.store.append(conversation_id, "citizen", stored_text,
                                               client_id=client_id)
        except ConversationMissing as exc:
            raise ApiError(404, "unknown_conversation") from exc
        return Accepted(meta, appended.message, appended.duplicate, text, views.full)

    async def respond(self, accepted: Accepted) -> list[Message]:
        """Record a new message's analytics entry, then produce its replies (serialised per
        conversation)."""
        if accepted.duplicate:
            return []
        conversation_id = accepted.meta.conversation_id
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = self._locks[conversation_id] = asyncio.Lock()
        queued: list[QueuedEvent] = []

        def entry(pipe: StrPipeline) -> Receiver:
            queued.append(self.analytics.queue_event(
                pipe, "citizen_message", conversation_id, redacted=accepted.redacted,
                mode=accepted.meta.mode))
            return queued[0].receive

        busy = lock.locked()  # unlocked, it is taken below without waiting
        if busy:  # an earlier turn runs here: the entry is written now, not after that turn
            await self.analytics.event("citizen_message", conversation_id,
                                       redacted=accepted.redacted, mode=accepted.meta.mode)
        # The entry travels with the first try at the turn; the conversation's state is read
        # again once the turn is ours (an adviser may have taken it, or the turn before asked
        # for one), in the same round trip as the lock.
        async with lock, self.order.turn(
                conversation_id, accepted.message.id,
                also=lambda pipe: self.conversations.queue_get(pipe, conversation_id),
                first=None if busy else entry) as read:
            for event in queued:
                await self.analytics.settle(event)
            with metrics.TURN_SECONDS.labels("gateway").time():
                meta = self.conversations.from_reply(conversation_id, read[0]) or accepted.meta
                return await self._respond(accepted, meta)

    async def _respond(self, accepted: Accepted, meta: ConversationMeta) -> list[Message]:
        conversation_id = accepted.meta.conversation_id
        if meta.mode == "adviser":
            return []
        if meta.mode == "closed":
            await self.conversations.set(conversation_id, mode="bot")
            await self.hub.conv_event(conversation_id, "state")
        return await self.ask_bot(conversation_id, accepted.original_text, meta,
                                  accepted.redacted)

    async def ask_bot(self, conversation_id: str, text: str, meta: ConversationMeta,
                      redacted: RedactionResult | None = None) -> list[Message]:
        """Send the text to Rasa, store its replies, act on its signals; degrade on failure.

        The text goes with ``metadata.redacted_text`` (every kind of personal data removed),
        which Rasa's tracker store keeps instead of the text (privacy/rasa_tracker_store.py).
        """
        await self.hub.conv_event(conversation_id, "typing", role="bot")
        if meta.rasa_paused and meta.mode != "adviser":
            await self.handoff.resume_bot(conversation_id)
        if redacted is None:
            redacted = await redact_fully(text)
        metadata = {"redacted_text": redacted.text}
        if meta.page_url:
            metadata["page_url"] = meta.page_url
        started = time.perf_counter()
        try:
            items = await self.rasa.send(conversation_id, text, metadata)
        except RasaUnavailable as exc:
            metrics.ERRORS.labels("bot_unavailable").inc()
            log.warning("bot unavailable conv=%s: %s", short(conversation_id), exc.reason)
            await self.analytics.event("bot_unavailable", conversation_id, reason=exc.reason)
            return [await self._system(conversation_id, self.crisis.with_helplines(
                text, bot_unavailable(self.settings, await self._hours())))]
        metrics.TURN_SECONDS.labels("rasa").observe(time.perf_counter() - started)
        output = parse_output(items)
        replies = await store_drafts(self.store, conversation_id, output.drafts)
        if output.abstained:
            await self.analytics.gap("abstained", conversation_id, text,
                                     redacted_question=redacted.text,
                                     about_answer=output.about_answer)
        picked = picked_section(text, replies)
        if picked is not None:  # the citizen's own label for the question that missed
            await self.analytics.gap("picked", conversation_id, text, article_id=picked[0],
                                     section=picked[1])
        if output.handoff is not None:
            await self.conversations.set(conversation_id, rasa_paused="1")
            replies += await self.handoff.request(
                conversation_id,
                reason=str(output.handoff.get("reason") or "requested"),
                priority=bool(output.handoff.get("priority")),
                topic=str(output.handoff.get("topic") or ""),
                question=text,
            )
        if replies:  # the performance page's time to first answer (any reply) and topic
            await self.analytics.rollups.answered(conversation_id, next(
                (s.article_id for m in replies for s in m.sources or []), None))
        if not replies:
            replies = [await self._system(
                conversation_id, self.crisis.with_helplines(text, await self._why_silent()))]
        return replies

    async def _why_silent(self) -> str:
        """Rasa said nothing: if the action server is down say so, else ask to rephrase."""
        try:
            await self.rasa.action_server_status()
        except RasaUnavailable:
            return bot_unavailable(self.settings, await self._hours())
        return no_answer(self.settings, await self._hours())

    async def _hours(self) -> str | None:
        """The phone line's hours from the schedule in force (None if Redis cannot say)."""
        try:
            return await self.handoff.hours_text()
        except RedisError:
            return None

    async def _system(self, conversation_id: str, text: str) -> Message:
        return (await self.store.append(conversation_id, "system", text)).message

    async def turn(self, conversation_id: str, text: str, client_id: str | None) -> TurnResult:
        """The whole turn, for the HTTP endpoint."""
        accepted = await self.accept(conversation_id, text, client_id)
        replies = await self.respond(accepted)
        meta = await self.conversations.get(conversation_id)
        return TurnResult(mode=meta.mode if meta else accepted.meta.mode,
                          received=accepted.message, replies=replies)
