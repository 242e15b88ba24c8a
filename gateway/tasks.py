"""Ending background tasks for certain (one helper, used by sockets and the shared readers)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger("gateway.tasks")

# How long a cancelled task may take to end before it is cancelled again.
CANCEL_GRACE_SECONDS = 1.0


async def cancel(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel tasks and return once every one has ended.

    A task still running ``CANCEL_GRACE_SECONDS`` after its cancellation is cancelled again: on
    Python 3.11, ``asyncio.wait_for`` (which redis-py uses to send each command when
    ``socket_timeout`` is set) drops a cancellation that arrives in the loop turn in which the
    send completes (CPython gh-86296, fixed in 3.12), and the task carries on. Waiting on such a
    task with a plain ``await`` hung the citizen socket that restarted its reader (issue 12).
    The tasks' own exceptions are retrieved and dropped; the caller's cancellation propagates.
    """
    live = {task for task in tasks if task is not None and not task.done()}
    for task in live:
        task.cancel()
    while live:
        _, live = await asyncio.wait(live, timeout=CANCEL_GRACE_SECONDS)
        for task in live:
            log.warning("task %s did not end when cancelled; cancelling it again",
                        task.get_name())
            task.cancel()
    for ended in tasks:
        if ended is not None and ended.done() and not ended.cancelled():
            ended.exception()  # retrieved, so asyncio does not log it as never retrieved
