"""One shared, single-flight view of the queues per gateway instance.

Every console socket needs the same queue view after each change; computing it once per change
(not once per socket) keeps a burst of handoffs from starving the event loop.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from gateway.handoff.presence import Presence
from gateway.handoff.queue import HandoffQueue
from gateway.handoff.schedule import ScheduleStore

MAX_AGE = 5.0


class QueueBoard:
    """Caches the queue view until the next change; concurrent callers share one computation."""

    def __init__(self, queue: HandoffQueue, presence: Presence, schedule: ScheduleStore) -> None:
        self.queue = queue
        self.presence = presence
        self.schedule = schedule
        self.version = 0
        self._value: dict[str, Any] | None = None
        self._value_version = -1
        self._value_time = 0.0
        self._task: asyncio.Task[dict[str, Any]] | None = None
        self._task_version = -1

    def invalidate(self) -> None:
        """Called (synchronously) for every queue-change hint this instance receives."""
        self.version += 1

    async def _compute(self) -> dict[str, Any]:
        board = await self.queue.board()
        board["advisers_online"] = await self.presence.count()
        board["open_now"] = (await self.schedule.current()).is_open()
        return board

    async def shared(self) -> dict[str, Any]:
        """The current view (recomputed if something changed since the last one, or if it is
        older than ``MAX_AGE`` seconds in case a hint was lost)."""
        fresh = time.monotonic() - self._value_time < MAX_AGE
        if self._value is not None and self._value_version == self.version and fresh:
            return self._value
        if not fresh:
            self.version += 1
        if self._task is None or self._task_version != self.version:
            self._task_version = self.version
            self._task = asyncio.ensure_future(self._compute())
        task, version = self._task, self._task_version
        value = await asyncio.shield(task)
        if version >= self._value_version:
            self._value, self._value_version = value, version
            self._value_time = time.monotonic()
        return value

    async def view(self, username: str, fresh: bool = False) -> dict[str, Any]:
        """The view for one adviser: all queues, plus the conversations they hold."""
        if fresh:
            self.invalidate()
        board = await self.shared()
        return {
            "queues": board["queues"],
            "mine": [item for item in board["held"] if item["adviser"] == username],
            "advisers_online": board["advisers_online"],
            "open_now": board["open_now"],
        }
