"""Real-time notifications between gateway instances: Redis pub/sub fanned out to local sockets.

Only hints travel here (state changed, queue changed, typing). Messages are read from their
stream, so a notification lost while an instance restarts loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

from gateway.redis_client import StrRedis
from gateway.settings import Settings
from gateway.tasks import cancel

log = logging.getLogger("gateway.events")

RESYNC: dict[str, Any] = {"kind": "resync"}


class EventHub:
    """One pub/sub subscription per instance, dispatching to in-process listeners."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.listeners: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        self.queue_observers: list[Callable[[], None]] = []

    def conv_channel(self, conversation_id: str) -> str:
        """The channel of one conversation's hints."""
        return self.settings.key("events", "conv", conversation_id)

    @property
    def queue_channel(self) -> str:
        """The channel announcing that some queue or held conversation changed."""
        return self.settings.key("events", "queue")

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        """Send a hint to every instance (best effort)."""
        try:
            await self.redis.publish(channel, json.dumps(event))
        except Exception as exc:  # a lost hint is repaired by the next resync
            log.warning("publish failed on %s: %s", channel, type(exc).__name__)

    async def changed(self, conversation_id: str, positions: bool) -> None:
        """A conversation's state and the queues changed: both hints in one round trip."""
        for observer in self.queue_observers:
            observer()
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.publish(self.conv_channel(conversation_id), json.dumps(
                {"kind": "state", "conversation_id": conversation_id}))
            pipe.publish(self.queue_channel, json.dumps({"kind": "queue", "positions": positions}))
            await pipe.execute()
        except Exception as exc:
            log.warning("publish failed: %s", type(exc).__name__)

    async def conv_event(self, conversation_id: str, kind: str, **data: Any) -> None:
        """Publish a hint about one conversation."""
        await self.publish(self.conv_channel(conversation_id),
                           {"kind": kind, "conversation_id": conversation_id, **data})

    async def queue_changed(self, positions: bool = False) -> None:
        """Publish that the queues changed; ``positions``: places of waiting citizens may have
        changed (someone left or was taken, or a priority case went ahead)."""
        for observer in self.queue_observers:
            observer()
        await self.publish(self.queue_channel, {"kind": "queue", "positions": positions})

    @contextlib.asynccontextmanager
    async def listen(self, *channels: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """Receive this instance's hints on ``channels`` in a queue while the block runs."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        for channel in channels:
            self.listeners[channel].add(queue)
        try:
            yield queue
        finally:
            for channel in channels:
                self.listeners[channel].discard(queue)
                if not self.listeners[channel]:
                    del self.listeners[channel]

    def add_channel(self, queue: asyncio.Queue[dict[str, Any]], channel: str) -> None:
        """Let an existing listener also hear ``channel``."""
        self.listeners[channel].add(queue)

    def remove_channel(self, queue: asyncio.Queue[dict[str, Any]], channel: str) -> None:
        """Stop a listener hearing ``channel``."""
        self.listeners.get(channel, set()).discard(queue)

    def _dispatch(self, channel: str, event: dict[str, Any]) -> None:
        if channel == self.queue_channel or event is RESYNC:
            for observer in self.queue_observers:
                observer()
        for queue in list(self.listeners.get(channel, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(event)

    def _resync_all(self) -> None:
        for channel in list(self.listeners):
            self._dispatch(channel, RESYNC)

    async def _run(self) -> None:
        pattern = self.settings.key("events", "*")
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(pattern)
                self.ready.set()
                self._resync_all()
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is None or message.get("type") != "pmessage":
                        continue
                    try:
                        event = json.loads(message["data"])
                    except (TypeError, ValueError):
                        continue
                    self._dispatch(message["channel"], event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("event subscription lost (%s); reconnecting", type(exc).__name__)
                self.ready.clear()
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def start(self) -> None:
        """Start the subscription task."""
        self._task = asyncio.create_task(self._run(), name="event-hub")

    async def stop(self) -> None:
        """Stop the subscription task."""
        await cancel(self._task)  # re-cancels if redis-py dropped the cancellation
