"""Everything the app holds while it runs, built once in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from gateway.analytics import Analytics
from gateway.auth.sessions import SessionStore
from gateway.auth.throttle import LoginThrottle
from gateway.auth.users import UserStore
from gateway.console.callbacks import CallbackStore
from gateway.console.canned import CannedReplies
from gateway.console.notes import NoteStore
from gateway.conversations import ConversationStore
from gateway.crisis_fallback import CrisisFallback, load_helplines
from gateway.events import EventHub
from gateway.fanout import StreamFanout
from gateway.handoff.board import QueueBoard
from gateway.handoff.presence import Presence
from gateway.handoff.queue import HandoffQueue
from gateway.handoff.schedule import ScheduleStore
from gateway.handoff.service import HandoffService
from gateway.messages import MessageStore
from gateway.rasa_client import RasaClient
from gateway.rate_limits import RateLimits, SocketCaps
from gateway.redis_client import StrRedis, connect
from gateway.refusals import RefusalAudit
from gateway.settings import Settings
from gateway.tasks import cancel
from gateway.turns import CitizenTurns

log = logging.getLogger("gateway.runtime")


@dataclass
class Runtime:
    """The gateway's live services (one set per process)."""

    settings: Settings
    redis: StrRedis
    rasa: RasaClient
    hub: EventHub
    store: MessageStore
    conversations: ConversationStore
    queue: HandoffQueue
    handoff: HandoffService
    turns: CitizenTurns
    analytics: Analytics
    users: UserStore
    sessions: SessionStore
    throttle: LoginThrottle
    presence: Presence
    schedule: ScheduleStore
    notes: NoteStore
    canned: CannedReplies
    callbacks: CallbackStore
    board: QueueBoard
    limits: RateLimits
    sockets: SocketCaps
    fanout: StreamFanout
    refusals: RefusalAudit
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        """Wire the services together (connects lazily, on first use)."""
        redis = connect(settings)
        rasa = RasaClient(settings)
        hub = EventHub(redis, settings)
        store = MessageStore(redis, settings)
        conversations = ConversationStore(redis, settings)
        queue = HandoffQueue(redis, settings)
        analytics = Analytics(redis, settings)
        presence = Presence(redis, settings)
        schedule = ScheduleStore(redis, settings)
        handoff = HandoffService(settings, store, conversations, queue, hub, rasa, analytics,
                                 schedule, presence)
        crisis = CrisisFallback(load_helplines(settings.bot_domain_file))
        turns = CitizenTurns(settings, store, conversations, rasa, handoff, hub, analytics,
                             crisis)
        board = QueueBoard(queue, presence, schedule)
        hub.queue_observers.append(board.invalidate)
        return cls(
            settings=settings, redis=redis, rasa=rasa, hub=hub, store=store,
            conversations=conversations, queue=queue, handoff=handoff, turns=turns,
            analytics=analytics, users=UserStore(redis, settings),
            sessions=SessionStore(redis, settings), throttle=LoginThrottle(redis, settings),
            presence=presence, schedule=schedule, notes=NoteStore(redis, settings),
            canned=CannedReplies(redis, settings), callbacks=CallbackStore(redis, settings),
            board=board, limits=RateLimits(redis, settings), sockets=SocketCaps(settings),
            fanout=StreamFanout(redis, store, settings),
            refusals=RefusalAudit(redis, analytics, settings),
        )

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run work that must finish even if the socket that asked for it closes."""
        task = asyncio.create_task(coro, name=name)
        self.tasks.add(task)

        def done(finished: asyncio.Task[Any]) -> None:
            self.tasks.discard(finished)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("background task %s failed: %s", name,
                          type(finished.exception()).__name__)

        task.add_done_callback(done)
        return task

    async def start(self) -> None:
        """Start the event subscription."""
        self.hub.start()
        self.fanout.start()

    async def stop(self, grace: float = 5.0) -> None:
        """Let running turns finish (briefly), then close everything."""
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=grace)
        await cancel(*self.tasks)
        await self.hub.stop()
        await self.fanout.stop()
        await self.rasa.aclose()
        with contextlib.suppress(Exception):
            await self.redis.aclose()
