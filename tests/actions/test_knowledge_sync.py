"""The action server keeps serving what editors publish across a lost Redis connection.

Real Redis, the real GuidanceService (index, embeddings) loaded through the action server's
own resources (so the production wiring starts the subscriber), and the real guidance action.
What must hold: with every action-server connection killed and a change published in the same
Redis transaction (so the event cannot reach it), the action answers with the change once the
subscriber has reconnected and re-applied the overlay; nothing restarted.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.guidance import ActionGuidanceAnswer
from actions.settings import get_settings
from knowledge.live import LiveKeys, stage_publish
from tests.actions.fakes import make_tracker

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "can I borrow a canoe from the library boathouse"
MARKER = "Canoes can be borrowed from the library boathouse on Saturdays."


@pytest.fixture()
def action_server(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveKeys]:
    """The action server's resources configured for the test Redis under a private prefix."""
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    index_dir = ROOT / "var" / "index"
    if not (index_dir / "CURRENT").exists():
        index_dir = tmp_path_factory.mktemp("index")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", prefix)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(ROOT / "knowledge" / "articles"))
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(index_dir))
    get_settings.cache_clear()
    resources.set_guidance(None)
    resources.set_redis(None)
    try:
        yield LiveKeys(prefix)
    finally:
        resources.set_guidance(None)
        resources.set_redis(None)
        get_settings.cache_clear()


async def answer_text(question: str) -> str:
    """What the guidance action says to ``question``."""
    dispatcher = CollectingDispatcher()
    await ActionGuidanceAnswer().run(dispatcher, make_tracker(question), {})
    return str(dispatcher.messages[0].get("text") or "")


async def test_change_published_while_disconnected_is_served_after_reconnect(
    action_server: LiveKeys, redis_url: str
) -> None:
    resources.get_guidance()  # loads the service and starts the subscriber
    assert MARKER not in await answer_text(QUESTION)
    admin = redis.Redis.from_url(redis_url, decode_responses=True)
    original = (ROOT / "knowledge" / "articles" / "libraries.md").read_text(encoding="utf-8")
    changed = original.replace("## ", f"## Borrowing a canoe\n\n{MARKER}\n\n## ", 1)
    ids = [c["id"] for c in admin.client_list() if c.get("name") == resources.CLIENT_NAME]
    assert ids, "the action server's Redis connections are not named"
    with admin.pipeline(transaction=True) as pipe:  # kill, then publish: the event is lost
        for client_id in ids:
            pipe.execute_command("CLIENT", "KILL", "ID", client_id)
        stage_publish(pipe, action_server, "libraries", changed)
        pipe.execute()
    text = ""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and MARKER not in text:
        time.sleep(0.2)
        text = await answer_text(QUESTION)
    admin.delete(action_server.published)
    admin.close()
    assert MARKER in text, f"still served the old text after reconnecting: {text!r}"


def test_bad_events_leave_the_service_alone(action_server: LiveKeys, redis_url: str) -> None:
    """Junk on the channel is logged and ignored; the next good event is still applied."""
    service: Any = resources.get_guidance()
    admin = redis.Redis.from_url(redis_url, decode_responses=True)
    before = service.fingerprint()
    admin.publish(action_server.events, "not json")
    admin.publish(action_server.events, '{"op": "delete", "article_id": "no-such-article"}')
    admin.publish(action_server.events, '{"op": "upsert", "markdown": "---\\nid: x\\n"}')
    admin.publish(action_server.events, '{"op": "delete", "article_id": "pest-control"}')
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "pest-control" in service.kb.articles:
        time.sleep(0.05)
    assert "pest-control" not in service.kb.articles and service.fingerprint() != before
    service.upsert_markdown((ROOT / "knowledge/articles/pest-control.md").read_text())
    admin.close()
