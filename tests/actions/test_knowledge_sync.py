"""Live guidance updates reach the action server's guidance service (real Redis pub/sub)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import redis

from actions.knowledge_sync import handle_raw, start_knowledge_sync


@dataclass
class RecordingService:
    """Records what the sync asks of a guidance service."""

    calls: list[tuple[str, Any]] = field(default_factory=list)
    changed: threading.Event = field(default_factory=threading.Event)

    def apply_overlay(self, client: Any, key_prefix: str) -> int:
        self.calls.append(("overlay", key_prefix))
        return 0

    def upsert_markdown(self, markdown: str) -> None:
        self.calls.append(("upsert", markdown))
        self.changed.set()

    def delete(self, article_id: str) -> None:
        self.calls.append(("delete", article_id))
        if article_id == "missing":
            raise KeyError(article_id)
        self.changed.set()


def test_overlay_then_events_through_real_redis(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    service = RecordingService()
    start_knowledge_sync(service, client, prefix)
    assert service.calls[0] == ("overlay", prefix)

    client.publish(
        f"{prefix}knowledge:events",
        json.dumps({"op": "upsert", "article_id": "x", "markdown": "---\nid: x\n---"}),
    )
    assert service.changed.wait(5)
    assert service.calls[-1] == ("upsert", "---\nid: x\n---")

    service.changed.clear()
    client.publish(f"{prefix}knowledge:events", "not json")
    client.publish(
        f"{prefix}knowledge:events", json.dumps({"op": "delete", "article_id": "missing"})
    )
    client.publish(f"{prefix}knowledge:events", json.dumps({"op": "delete", "article_id": "old"}))
    assert service.changed.wait(5)
    assert service.calls[-1] == ("delete", "old")  # bad events did not stop the listener
    time.sleep(0.1)


def test_bad_events_are_ignored() -> None:
    service = RecordingService()
    assert handle_raw(service, "[1, 2]") is None
    assert handle_raw(service, json.dumps({"op": "upsert"})) is None
    assert handle_raw(service, json.dumps({"op": "drop", "article_id": "x"})) is None
    assert service.calls == []
