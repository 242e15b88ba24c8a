"""Keep an in-process GuidanceService in step with what editors publish, on every instance.

At start the overlay (``knowledge:published``) is applied over the files; then a background
thread listens on ``knowledge:events`` and applies each upsert/delete incrementally (ADR 0501).
If the subscription drops, the thread reconnects and re-applies the overlay, so an event
missed while disconnected is not lost.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from typing import Any

import redis

from editorial.keys import EditorKeys

log = logging.getLogger("editorial.live_updates")


def apply_event(service: Any, payload: str) -> str | None:
    """Apply one ``knowledge:events`` message to ``service``; return the article id it touched."""
    try:
        event = json.loads(payload)
    except (TypeError, ValueError):
        log.warning("ignored a knowledge event that is not JSON")
        return None
    op, article_id = event.get("op"), event.get("article_id")
    if op == "upsert" and event.get("markdown"):
        service.upsert_markdown(event["markdown"])
    elif op == "delete" and article_id:
        try:
            service.delete(article_id)
        except KeyError:  # not in this index: a draft that was never published
            return None
    else:
        log.warning("ignored a knowledge event with op %r", op)
        return None
    return str(article_id) if article_id else None


class LiveUpdates:
    """A daemon thread applying ``knowledge:events`` to one service."""

    def __init__(self, client: redis.Redis, keys: EditorKeys, service: Any) -> None:
        self.redis = client
        self.keys = keys
        self.service = service
        self.applied = 0
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, wait: float = 5.0) -> None:
        """Subscribe, apply the overlay, and start listening (returns once subscribed)."""
        self._thread = threading.Thread(target=self._run, name="knowledge-events", daemon=True)
        self._thread.start()
        self._ready.wait(wait)

    def stop(self) -> None:
        """Stop listening."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def _run(self) -> None:
        while not self._stop.is_set():
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.keys.events)
                # Subscribe first, then read the overlay: nothing published in between is lost.
                self.service.apply_overlay(self.redis, self.keys.prefix)
                self._ready.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message and message.get("type") == "message":
                        try:
                            apply_event(self.service, message["data"])
                            self.applied += 1
                        except Exception:  # a bad article must not stop the listener
                            log.exception("could not apply a knowledge event")
            except redis.RedisError:
                log.warning("knowledge events: Redis connection lost; retrying in 1 s")
                time.sleep(1)
            finally:
                with contextlib.suppress(redis.RedisError):
                    pubsub.close()
