"""The one live-update subscriber (knowledge.live) against a real Redis and the real service.

What must hold: the overlay is applied at start, on every reconnect and alongside each event;
a change published while the subscriber's connection was killed is served after it
reconnects; Redis being down at start is retried with back-off until it answers; an article
that cannot be applied is logged with its reason, never skipped silently; bad events change
nothing and do not stop the subscriber.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from knowledge.answering import GuidanceService
from knowledge.articles import ArticleError
from knowledge.live import (
    TOMBSTONE,
    LiveKeys,
    LiveUpdates,
    apply_event,
    apply_overlay,
    published_text,
    stage_publish,
    stage_publish_set,
    stage_retire,
)
from stack.redis_server import free_port, start_embedded_redis

from .conftest import ARTICLES


@dataclass
class Recorder:
    """A fake service recording what the subscriber asks of it."""

    calls: list[tuple[str, str]] = field(default_factory=list)

    def upsert_markdown(self, markdown: str, source: str = "") -> None:
        self.calls.append(("upsert", markdown))

    def upsert_many(self, markdowns: Sequence[str], source: str = "") -> None:
        self.calls.append(("upsert_set", "|".join(markdowns)))

    def delete(self, article_id: str) -> None:
        if article_id == "never-published":
            raise KeyError(article_id)
        self.calls.append(("delete", article_id))


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Poll ``condition`` until true or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def kill_and_publish(admin: redis.Redis, name: str, keys: LiveKeys, markdown: str) -> int:
    """In one MULTI: kill every connection named ``name``, then publish ``markdown``.

    Redis runs the three commands back to back, so the killed subscriber cannot receive the
    event: it can only learn of the change by re-applying the overlay after it reconnects.
    """
    ids = [c["id"] for c in admin.client_list() if c.get("name") == name]
    assert ids, f"no connection named {name}"
    article_id = markdown.split("id: ", 1)[1].split("\n", 1)[0]
    with admin.pipeline(transaction=True) as pipe:
        for client_id in ids:
            pipe.execute_command("CLIENT", "KILL", "ID", client_id)
        stage_publish(pipe, keys, article_id, markdown)
        pipe.execute()
    return len(ids)


@pytest.fixture()
def keys() -> LiveKeys:
    return LiveKeys(f"t{uuid.uuid4().hex[:8]}:")


@pytest.fixture()
def admin(sync_redis: redis.Redis) -> redis.Redis:
    return sync_redis


def test_events_apply_and_bad_ones_are_logged_and_change_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = Recorder()
    caplog.set_level(logging.INFO, "knowledge.live")
    event = {"op": "upsert", "article_id": "a", "markdown": "M"}
    assert apply_event(service, json.dumps(event)) == "upsert"
    assert apply_event(service, json.dumps({"op": "delete", "article_id": "a"})) == "delete"
    assert (
        apply_event(service, json.dumps({"op": "delete", "article_id": "never-published"})) is None
    )
    assert apply_event(service, "not json") is None
    assert apply_event(service, "[1, 2]") is None
    assert apply_event(service, json.dumps({"op": "explode", "article_id": "a"})) is None
    assert apply_event(service, json.dumps({"op": "upsert", "article_id": "a"})) is None
    assert apply_event(service, json.dumps({"op": "upsert_set", "articles": []})) is None
    assert apply_event(service, json.dumps({"op": "upsert_set", "articles": [{"x": 1}]})) is None
    both = [{"article_id": "a", "markdown": "A"}, {"article_id": "b", "markdown": "B"}]
    assert apply_event(service, json.dumps({"op": "upsert_set", "articles": both})) == "upsert_set"
    assert service.calls == [("upsert", "M"), ("delete", "a"), ("upsert_set", "A|B")]
    logged = caplog.text
    assert "not a JSON object" in logged and "'explode'" in logged and "never-published" in logged


def test_writers_and_reader_agree(admin: redis.Redis, keys: LiveKeys) -> None:
    """stage_publish / stage_retire are the writers; published_text reads what they wrote."""
    with admin.pipeline(transaction=True) as pipe:
        stage_publish(pipe, keys, "libraries", "---\nid: libraries\n---\ntext")
        stage_retire(pipe, keys, "pest-control")
        pipe.execute()
    assert published_text(admin, keys, "libraries") == "---\nid: libraries\n---\ntext"
    assert admin.hget(keys.published, "pest-control") == TOMBSTONE
    assert published_text(admin, keys, "pest-control") is None
    assert published_text(admin, keys, "never-there") is None
    admin.delete(keys.published)


def new_article(article_id: str, heading: str, sentence: str, related: str = "") -> str:
    """A valid article derived from libraries.md with one extra section."""
    text = (ARTICLES / "libraries.md").read_text(encoding="utf-8")
    text = text.replace("id: libraries", f"id: {article_id}", 1)
    if related:
        text = text.replace("\n---\n", f"\nrelated: [{related}]\n---\n", 1)
    return text.replace("## ", f"## {heading}\n\n{sentence}\n\n## ", 1)


def forget(
    service: GuidanceService, admin: redis.Redis, keys: LiveKeys, article_ids: Sequence[str]
) -> None:
    """Clear the overlay and take the test's articles out of the shared service."""
    admin.delete(keys.published)
    for article_id in article_ids:
        if article_id in service.kb.articles:
            service.delete(article_id)


def test_overlay_keeps_an_article_linking_to_a_later_one_and_logs_what_it_skips(
    service: GuidanceService,
    admin: redis.Redis,
    keys: LiveKeys,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """'a-first' links to 'z-later', applied after it in id order: both must be served."""
    first = new_article("a-first", "Otters", "Otters nest under the old mill bridge.", "z-later")
    later = new_article("z-later", "Herons", "Herons fish at the weir at dawn.")
    assert "related: [z-later]" in first
    admin.hset(
        keys.published,
        mapping={
            "a-first": first,
            "z-later": later,
            "broken": "---\nid: broken\n",
            "not-libraries": later,  # the field and the article's id disagree
        },
    )
    caplog.set_level(logging.ERROR, "knowledge.live")
    try:
        report = apply_overlay(service, admin, keys)
        assert sorted(report.applied) == ["a-first", "z-later"]
        assert sorted(report.skipped) == ["broken", "not-libraries"]
        assert "'broken' not applied" in caplog.text
        assert "'not-libraries' not applied" in caplog.text and "has id 'z-later'" in caplog.text
        assert {"a-first", "z-later"} <= set(service.kb.articles)
    finally:
        forget(service, admin, keys, ("a-first", "z-later"))


def test_articles_naming_each_other_apply_together_or_not_at_all(
    service: GuidanceService, admin: redis.Redis, keys: LiveKeys
) -> None:
    """'m-one' and 'm-two' name each other: neither applies alone (the service refuses it),
    both apply as a set, from the event and from the overlay; a set with a link to an article
    that exists nowhere changes nothing."""
    one = new_article("m-one", "Kingfishers", "Kingfishers nest in the river bank.", "m-two")
    two = new_article("m-two", "Dippers", "Dippers bob on the stones below the weir.", "m-one")
    bad = new_article("m-bad", "Voles", "Water voles live by the canal.", "no-such-article")
    held = set(service.kb.articles)
    try:
        with pytest.raises(ArticleError, match="unknown article 'm-two'"):
            service.upsert_markdown(one)
        with pytest.raises(ArticleError, match="unknown article 'no-such-article'"):
            service.upsert_many([one, two, bad])
        assert set(service.kb.articles) == held
        with admin.pipeline(transaction=True) as pipe:
            stage_publish_set(pipe, keys, {"m-one": one, "m-two": two})
            pipe.execute()
        assert published_text(admin, keys, "m-two") == two
        event = {"op": "upsert_set", "articles": [
            {"article_id": "m-one", "markdown": one}, {"article_id": "m-two", "markdown": two}]}
        assert apply_event(service, json.dumps(event)) == "upsert_set"
        assert {"m-one", "m-two"} <= set(service.kb.articles)
        service.delete("m-one")
        service.delete("m-two")
        report = apply_overlay(service, admin, keys)  # a service starting after the publish
        assert sorted(report.applied) == ["m-one", "m-two"] and not report.skipped
        assert {"m-one", "m-two"} <= set(service.kb.articles)
    finally:
        forget(service, admin, keys, ("m-one", "m-two"))


def test_change_published_while_disconnected_is_served_after_reconnect(
    service: GuidanceService, redis_url: str, admin: redis.Redis, keys: LiveKeys
) -> None:
    name = f"live-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(redis_url, decode_responses=True, client_name=name)
    original = (ARTICLES / "libraries.md").read_text(encoding="utf-8")
    marker = "Canoes can be borrowed from the library boathouse on Saturdays."
    changed = original.replace("## ", f"## Borrowing a canoe\n\n{marker}\n\n## ", 1)
    live = LiveUpdates(service, client, keys, first_delay=0.05, poll=0.1)
    assert live.start(wait=10)
    try:
        overlays = live.overlays
        assert kill_and_publish(admin, name, keys, changed) >= 1

        def served() -> bool:
            top = service.search("can I borrow a canoe from the library boathouse").results[0]
            return top.url.endswith("#borrowing-a-canoe")

        assert wait_for(served, 15), "the change published while disconnected was not served"
        assert live.reconnects >= 1 and live.overlays > overlays
        assert live.events == 0  # it came from the overlay: the event itself was lost
    finally:
        live.stop()
        admin.delete(keys.published)
        service.upsert_markdown(original)
        client.close()


def test_redis_down_at_start_is_retried_until_it_answers(tmp_path: Path) -> None:
    port = free_port()
    service = Recorder()
    client = redis.Redis(
        port=port, decode_responses=True, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
    )
    keys = LiveKeys("down:")
    live = LiveUpdates(service, client, keys, first_delay=0.05, max_delay=0.4, poll=0.1)
    assert not live.start(wait=0.5)  # nothing listens yet: not ready, but still trying
    assert wait_for(lambda: live.reconnects >= 2, 30)  # retried, with back-off
    server = start_embedded_redis(tmp_path / "redis", port=port, appendonly=False)
    try:
        admin = redis.Redis.from_url(server.url, decode_responses=True)
        admin.hset(keys.published, "gone", TOMBSTONE)
        assert wait_for(lambda: live.overlays >= 1, 30)
        assert ("delete", "gone") in service.calls
        admin.publish(keys.events, json.dumps({"op": "delete", "article_id": "later"}))
        assert wait_for(lambda: ("delete", "later") in service.calls, 10)
        admin.close()
    finally:
        live.stop()
        server.stop()
        client.close()
