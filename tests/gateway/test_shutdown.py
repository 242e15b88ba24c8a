"""The gateway's shutdown ends its background tasks even when one swallows a cancellation.

On Python 3.11 redis-py's ``asyncio.wait_for`` can drop a cancellation (CPython gh-86296; see
``gateway.tasks``). The event hub's subscriber was stopped with a plain ``cancel(); await``, so a
dropped cancellation kept it running and the app's shutdown waited for ever (seen once in the
test command: a ``TestClient`` never left its ``with`` block). Each stop must re-cancel.
"""

from __future__ import annotations

import asyncio
import contextlib

import redis.asyncio

from gateway.events import EventHub
from gateway.settings import Settings
from records.client import str_replies
from tests.gateway.conftest import gateway_settings


async def _stubborn(started: asyncio.Event) -> None:
    started.set()
    with contextlib.suppress(asyncio.CancelledError):  # swallowed, like the wait_for race
        await asyncio.sleep(30)
    await asyncio.sleep(30)


async def test_event_hub_stop_ends_a_subscriber_that_swallowed_its_cancellation(
    redis_url: str,
) -> None:
    settings: Settings = gateway_settings(redis_url)
    client = str_replies(redis.asyncio.Redis.from_url(redis_url, decode_responses=True))
    hub = EventHub(client, settings)
    started = asyncio.Event()
    hub._task = asyncio.create_task(_stubborn(started))  # stands in for a subscriber mid-call
    await started.wait()
    stopping = asyncio.create_task(hub.stop())
    done, _ = await asyncio.wait({stopping}, timeout=5)  # not wait_for: it would cancel stop()
    assert stopping in done, "EventHub.stop waited on a subscriber that ignored its cancellation"
    assert hub._task.done()
    await client.aclose()
