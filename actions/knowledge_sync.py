"""Keep the action server's guidance up to date with what editors publish.

A thin caller of :class:`knowledge.live.LiveUpdates` (the one subscriber every process uses):
it applies the published overlay at start and after every reconnect, and each event on
``knowledge:events`` as it arrives (see "Live guidance updates" in docs/contracts.md).
"""

from __future__ import annotations

import redis

from knowledge.live import LiveKeys, LiveService, LiveUpdates


def start_knowledge_sync(
    service: LiveService, client: redis.Redis, key_prefix: str, wait: float = 5.0
) -> LiveUpdates:
    """Start following published changes for ``service``; returns the running subscriber."""
    live = LiveUpdates(service, client, LiveKeys(key_prefix))
    live.start(wait)
    return live
