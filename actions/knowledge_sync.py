"""Keep the action server's guidance up to date with what editors publish.

At start-up the published overlay in Redis (``knowledge:published``) is applied over the
article files; then a daemon thread listens on ``knowledge:events`` and applies each
upsert or delete incrementally (see "Live guidance updates" in docs/contracts.md).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import redis

logger = logging.getLogger(__name__)

EVENTS_CHANNEL = "knowledge:events"


def apply_event(service: Any, message: dict[str, Any]) -> str | None:
    """Apply one published event to ``service``; return the op applied, or None if ignored."""
    op = message.get("op")
    if op == "upsert" and isinstance(message.get("markdown"), str):
        service.upsert_markdown(message["markdown"])
        return "upsert"
    if op == "delete" and isinstance(message.get("article_id"), str):
        service.delete(message["article_id"])
        return "delete"
    logger.warning("ignored knowledge event without a usable op: %r", message.get("op"))
    return None


def handle_raw(service: Any, data: Any) -> str | None:
    """Decode a pub/sub payload and apply it; bad payloads are logged and skipped."""
    try:
        message = json.loads(data)
    except (TypeError, ValueError):
        logger.warning("ignored knowledge event that is not JSON")
        return None
    if not isinstance(message, dict):
        return None
    try:
        return apply_event(service, message)
    except Exception:  # one bad article must not stop the listener
        logger.exception("could not apply knowledge event for %r", message.get("article_id"))
        return None


def _listen(service: Any, client: redis.Redis, channel: str, ready: threading.Event) -> None:
    while True:
        try:
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(channel)
            ready.set()
            for item in pubsub.listen():
                if item.get("type") == "message":
                    handle_raw(service, item.get("data"))
        except redis.RedisError:
            logger.warning("knowledge event listener lost Redis; retrying in 2 seconds")
            time.sleep(2)


def start_knowledge_sync(
    service: Any, client: redis.Redis, key_prefix: str, apply_overlay: bool = True
) -> threading.Thread:
    """Apply the published overlay, then follow ``knowledge:events`` in a daemon thread.

    Subscribes before applying the overlay so no publish in between is lost (applying the
    same upsert twice is harmless: it is idempotent).
    """
    ready = threading.Event()
    thread = threading.Thread(
        target=_listen,
        args=(service, client, key_prefix + EVENTS_CHANNEL, ready),
        name="knowledge-sync",
        daemon=True,
    )
    thread.start()
    ready.wait(timeout=5)
    if apply_overlay and hasattr(service, "apply_overlay"):
        try:
            service.apply_overlay(client, key_prefix)
        except redis.RedisError:
            logger.warning("could not read the published guidance overlay from Redis")
    return thread
