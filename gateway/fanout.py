"""Live messages for every socket of a process from a few Redis readers (issue 12).

Each socket used to hold its own blocking ``XREAD`` (one pooled Redis connection per idle socket).
Here a fixed number of reader tasks (``SOCKET_READER_SHARDS``, default 4) each block on one
``XREAD`` over all the conversation streams their sockets follow, and hand each new entry to those
sockets' queues. A conversation always maps to the same reader. When a socket starts following a
stream its reader does not read yet, a tiny private "wake" stream is appended to, so the blocked
read returns at once and is reissued with the new key.

Nothing can be skipped: a follower reads the stored history itself (``XRANGE``) after it is
registered, then takes live entries newer than the last one it delivered; ids only grow, so the
overlap is dropped and nothing is delivered twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from redis.exceptions import RedisError

from gateway.messages import MessageStore
from gateway.redis_client import StrRedis
from gateway.schemas import Message
from gateway.settings import Settings
from gateway.tasks import cancel

log = logging.getLogger("gateway.fanout")

QUEUE_SIZE = 500
BLOCK_MS = 10_000


def id_key(entry_id: str) -> tuple[int, int]:
    """A stream id as a comparable pair (``"1700000000000-3"`` → ``(1700000000000, 3)``)."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass(eq=False)
class Follower:
    """One socket's interest in one conversation's stream.

    ``close`` ends the ``follow`` that uses it at its next step, without cancelling it in the
    middle of a Redis call (see ``gateway.tasks.cancel`` for why that is fragile)."""

    conversation_id: str
    queue: asyncio.Queue[Message | None] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    lagging: bool = False  # its queue overflowed: it re-reads from the stream
    closed: bool = False

    def close(self) -> None:
        """Stop following: a waiting ``follow`` wakes and returns; a busy one returns after
        its current step."""
        self.closed = True
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)  # a full queue wakes its reader anyway


class ReaderShard:
    """One blocking ``XREAD`` over the streams some followers watch."""

    def __init__(self, redis: StrRedis, store: MessageStore, wake_key: str) -> None:
        self.redis = redis
        self.store = store
        self.wake_key = wake_key
        self.followers: dict[str, set[Follower]] = {}
        self.cursors: dict[str, str] = {}  # stream key -> last entry id read
        self._wake_cursor = "0-0"
        self._task: asyncio.Task[None] | None = None

    async def add(self, follower: Follower, after: str) -> None:
        """Deliver entries after ``after`` (or after the reader's cursor) to ``follower``."""
        key = self.store.stream_key(follower.conversation_id)
        new_key = key not in self.followers
        self.followers.setdefault(key, set()).add(follower)
        if new_key:
            self.cursors[key] = after
            pipe = self.redis.pipeline(transaction=False)
            pipe.xadd(self.wake_key, {"k": "1"}, maxlen=8, approximate=False)
            pipe.expire(self.wake_key, 3600)
            await pipe.execute()

    def remove(self, follower: Follower) -> None:
        """Stop delivering to ``follower`` (an unwatched stream leaves the next read)."""
        key = self.store.stream_key(follower.conversation_id)
        watchers = self.followers.get(key)
        if watchers is None:
            return
        watchers.discard(follower)
        if not watchers:
            del self.followers[key]
            self.cursors.pop(key, None)

    def _deliver(self, key: str, entries: list[tuple[str, dict[str, str]]]) -> None:
        if key not in self.followers:
            return
        for entry_id, fields in entries:
            self.cursors[key] = entry_id
            message = Message.from_stream(entry_id, fields)
            for follower in list(self.followers.get(key, ())):
                try:
                    follower.queue.put_nowait(message)
                except asyncio.QueueFull:
                    follower.lagging = True

    async def run(self) -> None:
        """Read until cancelled; a Redis error is retried from the same cursors."""
        while True:
            streams = {self.wake_key: self._wake_cursor, **self.cursors}
            try:
                response = await self.redis.xread(streams, count=200, block=BLOCK_MS)
            except RedisError as exc:
                log.warning("fan-out read failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(0.5)
                continue
            for key, entries in response or []:
                if key == self.wake_key:
                    self._wake_cursor = entries[-1][0]
                else:
                    self._deliver(key, entries)

    def start(self) -> None:
        """Start the reader task."""
        self._task = asyncio.create_task(self.run(), name="fanout-reader")

    async def stop(self) -> None:
        """Cancel the reader and remove the wake stream."""
        await cancel(self._task)
        with contextlib.suppress(Exception):
            await self.redis.delete(self.wake_key)


class StreamFanout:
    """The process's readers, and ``follow`` for sockets."""

    def __init__(self, redis: StrRedis, store: MessageStore, settings: Settings) -> None:
        self.store = store
        process = secrets.token_hex(6)
        self.shards = [
            ReaderShard(redis, store, settings.key("fanout", "wake", process, str(n)))
            for n in range(settings.socket_reader_shards)
        ]

    def shard_of(self, conversation_id: str) -> ReaderShard:
        """The reader that serves a conversation (always the same one)."""
        return self.shards[zlib.crc32(conversation_id.encode()) % len(self.shards)]

    @property
    def followed(self) -> int:
        """How many socket-stream pairs are being served."""
        return sum(len(w) for shard in self.shards for w in shard.followers.values())

    async def follow(self, conversation_id: str, after: str | None,
                     caught_up: Callable[[], Awaitable[None]] | None = None,
                     follower: Follower | None = None) -> AsyncIterator[Message]:
        """Every stored message after ``after``, then each new one, once each, in order.

        ``caught_up`` is awaited once, between the stored history and the first live message.
        Pass a ``follower`` (for ``conversation_id``) to be able to end this with its ``close``.
        """
        store = self.store
        follower = follower or Follower(conversation_id)
        shard = self.shard_of(conversation_id)
        try:
            history = await store.history(conversation_id, after)
            last = history[-1].id if history else after
            if follower.closed:
                return
            await shard.add(follower, last or "0-0")
            # Entries stored before the registration took effect may have been read for another
            # socket already: read the stream again from the same point (the overlap is dropped).
            history += await store.history(conversation_id, last)
            delivered: tuple[int, int] = id_key(after) if after else (0, 0)
            for message in history:
                if follower.closed:
                    return
                if id_key(message.id) > delivered:
                    delivered = id_key(message.id)
                    yield message
            if caught_up is not None and not follower.closed:
                await caught_up()
            while not follower.closed:
                if follower.lagging:
                    follower.lagging = False
                    while not follower.queue.empty():
                        follower.queue.get_nowait()
                    since = f"{delivered[0]}-{delivered[1]}"
                    for message in await store.history(conversation_id, since):
                        delivered = id_key(message.id)
                        yield message
                    continue
                live = await follower.queue.get()
                if live is not None and id_key(live.id) > delivered:
                    delivered = id_key(live.id)
                    yield live
        finally:
            shard.remove(follower)

    def start(self) -> None:
        """Start every reader."""
        for shard in self.shards:
            shard.start()

    async def stop(self) -> None:
        """Stop every reader."""
        for shard in self.shards:
            await shard.stop()
