"""Handoff orchestration: ask for an adviser, wait, claim, talk, transfer, end, hand back."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from gateway.analytics import Analytics, short
from gateway.bot_replies import parse_output, store_drafts
from gateway.conversations import ConversationMeta, ConversationStore
from gateway.errors import ApiError
from gateway.events import EventHub
from gateway.handoff.hours_text import opening_words, weekly_words
from gateway.handoff.presence import Presence
from gateway.handoff.queue import HandoffQueue
from gateway.handoff.schedule import ScheduleStore
from gateway.messages import Appended, MessageStore, NotHolder
from gateway.notices import (
    adviser_joined,
    adviser_left,
    advisers_unavailable,
    already_with_adviser,
    left_queue,
    queued,
    still_queued,
    transferred,
    wait_words,
)
from gateway.rasa_client import RasaClient, RasaUnavailable
from gateway.schemas import Message, State
from gateway.settings import Settings

log = logging.getLogger("gateway.handoff")


@dataclass(frozen=True)
class Adviser:
    """Who is acting in the console (the parts the handoff needs)."""

    username: str
    display_name: str

    @property
    def public_name(self) -> str:
        """What the citizen sees: first name or role only."""
        first = self.display_name.split()[0] if self.display_name.strip() else ""
        return first or "An adviser"

    @property
    def author(self) -> str:
        """The ``author`` of the adviser's messages."""
        return f"{self.public_name} (adviser)"


class HandoffService:
    """Every handoff step, each an atomic queue operation plus the messages and hints it causes."""

    def __init__(self, settings: Settings, store: MessageStore, conversations: ConversationStore,
                 queue: HandoffQueue, hub: EventHub, rasa: RasaClient, analytics: Analytics,
                 schedule: ScheduleStore, presence: Presence) -> None:
        self.settings = settings
        self.store = store
        self.conversations = conversations
        self.queue = queue
        self.hub = hub
        self.rasa = rasa
        self.analytics = analytics
        self.schedule = schedule
        self.presence = presence

    async def _meta(self, conversation_id: str) -> ConversationMeta:
        meta = await self.conversations.get(conversation_id)
        if meta is None:
            raise ApiError(404, "unknown_conversation")
        return meta

    async def _system(self, conversation_id: str, text: str, author: str | None = None) -> Message:
        return (await self.store.append(conversation_id, "system", text, author=author)).message

    async def _changed(self, conversation_id: str, queues: bool = True,
                       positions: bool = True) -> None:
        if queues:
            await self.hub.changed(conversation_id, positions)
        else:
            await self.hub.conv_event(conversation_id, "state")

    async def open_now(self) -> bool:
        """Inside opening hours (weekly schedule, bank holidays)?"""
        return (await self.schedule.current()).is_open()

    async def hours_text(self) -> str:
        """The opening hours in words, from the schedule in force (admin's or configured)."""
        return weekly_words(await self.schedule.current())

    async def state(self, conversation_id: str, meta: ConversationMeta | None = None) -> State:
        """The routing state the widget shows."""
        meta = meta or await self._meta(conversation_id)
        position = eta = None
        if meta.mode == "queued":
            position = await self.queue.position(meta.queue, conversation_id)
            if position is not None:
                eta = await self.queue.eta(meta.queue, position, meta.priority)
        return State(
            mode=meta.mode,  # type: ignore[arg-type]
            queue_position=position, eta_seconds=eta,
            wait_text=wait_words(eta) if position is not None else None,
            adviser=(meta.adviser_name or None) if meta.mode == "adviser" else None,
            out_of_hours=meta.out_of_hours,
        )

    async def resume_bot(self, conversation_id: str, force: bool = False,
                         meta: ConversationMeta | None = None) -> None:
        """Let Rasa carry on (a ``resume`` event; no action is replayed). Best effort."""
        meta = meta or await self.conversations.get(conversation_id)
        if meta is None or not (force or meta.rasa_paused):
            return
        try:
            # action_listen after resume, so Rasa's rules see the next intent as a fresh turn
            await self.rasa.append_events(
                conversation_id,
                [{"event": "resume"}, {"event": "action", "name": "action_listen"}],
            )
            await self.conversations.set(conversation_id, rasa_paused="0")
        except RasaUnavailable as exc:  # retried before the next bot turn
            log.warning("resume failed conv=%s: %s", short(conversation_id), exc.reason)

    async def pause_bot(self, conversation_id: str) -> None:
        """Tell Rasa a person has taken over (a ``pause`` event). Best effort."""
        await self.conversations.set(conversation_id, rasa_paused="1")
        try:
            await self.rasa.append_events(conversation_id, [{"event": "pause"}])
        except RasaUnavailable as exc:
            log.warning("pause failed conv=%s: %s", short(conversation_id), exc.reason)

    def choose_queue(self, reason: str, topic: str) -> str:
        """Safety goes to the safety queue; a topic naming a queue goes there; else the first."""
        queues = self.settings.handoff_queues
        if reason == "safety" and self.settings.safety_queue in queues:
            return self.settings.safety_queue
        if topic in queues:
            return topic
        return queues[0]

    async def request(self, conversation_id: str, reason: str = "requested",
                      priority: bool = False, topic: str = "",
                      question: str = "") -> list[Message]:
        """The citizen (or the bot on their behalf) asks for a person."""
        meta = await self._meta(conversation_id)
        if meta.mode == "adviser":
            return [await self._system(conversation_id, already_with_adviser())]
        if meta.mode == "queued":
            state = await self.state(conversation_id, meta)
            return [await self._system(conversation_id,
                                       still_queued(state.queue_position or 1, state.eta_seconds))]
        open_now = await self.open_now()
        if not open_now or await self.presence.count() == 0:
            await self._record_gap(conversation_id, question)
            return await self.offer_callback(conversation_id, open_now)
        priority = priority or reason == "safety"
        queue = self.choose_queue(reason, topic)
        status, detail = await self.queue.enqueue(conversation_id, queue, priority, reason, topic)
        if status != 1:  # raced with another request: report the current state instead
            return await self.request(conversation_id, reason, priority, topic)
        position = await self.queue.position(queue, conversation_id) or int(detail)
        eta = await self.queue.eta(queue, position, priority)
        message = await self._system(conversation_id, queued(position, eta, self.settings,
                                                             await self.hours_text()))
        await self._changed(conversation_id, positions=priority)  # advisers see it now
        await self.resume_bot(conversation_id, meta=meta)  # the citizen may keep asking the bot
        await self._record_gap(conversation_id, question)
        await self.analytics.event("handoff_queued", conversation_id, reason=reason,
                                   queue=queue, priority=int(priority), position=position)
        return [message]

    async def _record_gap(self, conversation_id: str, question: str) -> None:
        """A handoff is a guidance gap: record the question (redacted) for the editors."""
        question = question or await self.store.last_citizen_text(conversation_id)
        if question:
            await self.analytics.gap("handoff", conversation_id, question)

    async def offer_callback(self, conversation_id: str, open_now: bool) -> list[Message]:
        """Out of hours or nobody online: say so once (closed and when advisers are back, from
        the schedule in force; or nobody free), with the phone line, then the bot asks whether
        the citizen wants a call back (``handoff_unavailable`` starts its callback offer)."""
        await self.conversations.set(conversation_id, out_of_hours="1")
        schedule = await self.schedule.current()
        truth = advisers_unavailable(self.settings, open_now,
                                     None if open_now else opening_words(schedule),
                                     weekly_words(schedule))
        messages = [await self._system(conversation_id, truth)]
        await self.resume_bot(conversation_id)
        try:
            items = await self.rasa.trigger_intent(conversation_id, "handoff_unavailable")
        except RasaUnavailable as exc:
            log.warning("callback offer failed conv=%s: %s", short(conversation_id), exc.reason)
            items = []
        messages += await store_drafts(self.store, conversation_id, parse_output(items).drafts)
        await self.analytics.event("handoff_unavailable", conversation_id,
                                   open_now=int(open_now))
        await self._changed(conversation_id, queues=False)
        return messages

    async def leave(self, conversation_id: str) -> list[Message]:
        """The citizen leaves the queue and goes back to the bot."""
        await self._meta(conversation_id)
        if not await self.queue.leave(conversation_id):
            return []
        message = await self._system(conversation_id, left_queue())
        await self.analytics.event("handoff_left", conversation_id)
        await self._changed(conversation_id)
        return [message]

    async def claim(self, conversation_id: str, adviser: Adviser) -> None:
        """An adviser takes a waiting conversation (atomic; 409 if it is not waiting)."""
        await self._meta(conversation_id)
        if not await self.queue.claim(conversation_id, adviser.username, adviser.public_name):
            raise ApiError(409, "not_waiting", "That conversation is no longer waiting: "
                           "someone else has it or it left.")
        await self.pause_bot(conversation_id)
        await self._system(conversation_id, adviser_joined(adviser.author), author=adviser.author)
        await self.analytics.audit("claim", adviser.username, conversation_id=conversation_id)
        await self._changed(conversation_id)

    async def reply(self, conversation_id: str, adviser: Adviser, text: str,
                    client_id: str | None) -> Appended:
        """Store an adviser's message (only if they hold the conversation)."""
        try:
            appended = await self.store.append(conversation_id, "adviser", text,
                                               client_id=client_id, author=adviser.author,
                                               holder=adviser.username)
        except NotHolder as exc:
            raise ApiError(403, "not_holder", "You are not handling this conversation.") from exc
        return appended

    async def transfer(self, conversation_id: str, adviser: Adviser, queue: str) -> None:
        """Send a held conversation to another queue."""
        if queue not in self.settings.handoff_queues:
            raise ApiError(422, "unknown_queue", f"There is no queue called {queue!r}.")
        await self._meta(conversation_id)
        if not await self.queue.transfer(conversation_id, adviser.username, queue):
            raise ApiError(403, "not_holder", "You are not handling this conversation.")
        position = await self.queue.position(queue, conversation_id) or 1
        meta = await self._meta(conversation_id)
        eta = await self.queue.eta(queue, position, meta.priority)
        await self._system(conversation_id, transferred(position, eta))
        await self.analytics.audit("transfer", adviser.username,
                                   conversation_id=conversation_id, queue=queue)
        await self._changed(conversation_id)

    async def end(self, conversation_id: str, adviser: Adviser, outcome: str,
                  hand_back: bool) -> None:
        """Finish the adviser's part with an outcome; optionally hand back to the bot."""
        await self._meta(conversation_id)
        mode = "bot" if hand_back else "closed"
        if not await self.queue.end(conversation_id, adviser.username, mode, outcome):
            raise ApiError(403, "not_holder", "You are not handling this conversation.")
        await self._system(conversation_id, adviser_left(adviser.public_name, hand_back))
        if hand_back:
            await self.resume_bot(conversation_id, force=True)
        await self.analytics.event("handoff_outcome", conversation_id, outcome=outcome,
                                   hand_back=int(hand_back))
        await self.analytics.audit("end", adviser.username, conversation_id=conversation_id,
                                   outcome=outcome)
        await self._changed(conversation_id, positions=False)
