"""New articles that name each other can go live together on running services (issue 15).

Real gateway app (editor API), real Redis, real guidance services following ``knowledge.live``:
the app's own, a second editor runtime started before the publish (a running instance: it can
only learn through the ``knowledge:events`` event) and a third started after it (it can only
learn through the overlay hash at start-up).
What must hold: two new drafts whose ``related`` name each other can be previewed ("Try a
question"), are each refused when
published alone (with what to do), and nothing goes live; published together through the
editor API they both go live in one step, and every instance serves both; a set in which one
article names an article that exists nowhere is refused whole, so nothing any guidance service
would refuse is published.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.editor.runtime import EditorRuntime, start_editor
from gateway.settings import Settings

from .conftest import Editors
from .test_editor_instances import wait_until

pytestmark = pytest.mark.slow

A, B = "hen-keeping", "cockerel-noise"
TEXT = {
    A: ("Keeping hens at home", "You can keep up to 6 hens in your back garden without asking us. "
        "You do not need a licence for hens."),
    B: ("Noisy cockerels next door", "If a neighbour's cockerel crows at night, talk to them "
        "first. If that does not help, report the noise to our environmental health team."),
}
QUESTION = {A: "can I keep hens in my back garden", B: "a cockerel next door crows at night"}


def markdown(article_id: str, related: str) -> str:
    name = article_id.replace("-", " ").capitalize()
    heading, body = TEXT.get(article_id, (name, f"What to do about {name.lower()} near you."))
    return (
        f"---\nid: {article_id}\ntitle: {heading}\nsummary: {heading}.\n"
        f"url: https://www.millbrook.example/animals/{article_id}\nservice_area: Animals\n"
        "owner: Environmental health team\nlast_reviewed: 2026-11-01\nreview_by: 2027-05-01\n"
        f"status: draft\nlanguage: en\nrelated: [{related}]\n---\n"
        f"What you need to know about {heading.lower()}.\n\n## {heading}\n\n{body}\n"
    )


def create(editors: Editors, text: str) -> None:
    response = editors.call("eddie", "POST", "/api/editor/articles", json={"markdown": text})
    assert response.status_code == 201, response.text


def publish(editors: Editors, article_id: str, together: list[str] | None = None) -> Any:
    return editors.call(
        "eddie", "POST", f"/api/editor/articles/{article_id}/publish",
        json={"base_version": 1, "together_with": together or []},
    )


def serves(runtime: EditorRuntime, article_id: str) -> bool:
    assert runtime.guidance is not None
    hits = runtime.guidance.search(QUESTION[article_id], 3).results
    return any(hit.article_id == article_id for hit in hits)


@pytest.fixture(scope="module")
def running(editor_settings: Settings, editors: Editors) -> Iterator[EditorRuntime]:
    """Another instance's runtime, started before anything is published."""
    other = start_editor(editor_settings, background=False)
    assert other.guidance is not None, other.load_error
    try:
        yield other
    finally:
        other.stop()


def test_articles_naming_each_other_go_live_together_everywhere(
    editors: Editors, running: EditorRuntime, editor_settings: Settings
) -> None:
    runtime = editors.runtime
    create(editors, markdown(A, B))
    create(editors, markdown(B, A))

    tried = editors.call("eddie", "POST", "/api/editor/try", json={
        "question": QUESTION[A], "article_id": A, "markdown": markdown(A, B)})
    assert tried.status_code == 200, tried.text  # a draft naming a draft can be previewed
    assert tried.json()["draft_hits"][0]["article_id"] == A

    for alone, other in ((A, B), (B, A)):
        refused = publish(editors, alone)
        assert refused.status_code == 422, refused.text
        messages = " ".join(p["message"] for p in refused.json()["error"]["problems"])
        assert f"unknown article '{other}'" in messages
        assert f"'{other}' is not published yet" in messages and "together" in messages
    assert runtime.redis.hget(runtime.keys.published, A) is None
    assert runtime.redis.hget(runtime.keys.published, B) is None

    channel = runtime.redis.pubsub(ignore_subscribe_messages=True)
    channel.subscribe(runtime.keys.events)
    published = publish(editors, A, together=[B])
    assert published.status_code == 200, published.text
    assert published.json()["published_with"] == [B]
    assert published.json()["article"]["status"] == "published"
    assert runtime.store.get(B).status == "published"
    event, deadline = None, time.monotonic() + 2.0
    while event is None and time.monotonic() < deadline:
        event = channel.get_message(timeout=0.2)  # the subscribe reply reads as None
    channel.close()
    assert event is not None and json.loads(event["data"])["op"] == "upsert_set"
    assert {item["article_id"] for item in json.loads(event["data"])["articles"]} == {A, B}

    # served by the running instance (the 2-second figure is test_editor_instances' to time;
    # here a loaded machine must not turn "both served" into a timing failure)
    wait_until(lambda: serves(running, A) and serves(running, B), 10.0)
    wait_until(lambda: serves(runtime, A) and serves(runtime, B), 10.0)

    restarted = start_editor(editor_settings, background=False)
    try:
        assert serves(restarted, A) and serves(restarted, B)
    finally:
        restarted.stop()


def test_a_set_naming_an_article_that_exists_nowhere_is_refused_whole(
    editors: Editors, running: EditorRuntime
) -> None:
    runtime = editors.runtime
    create(editors, markdown("fox-visits", "badger-setts"))
    create(editors, markdown("badger-setts", "no-such-article"))
    refused = publish(editors, "fox-visits", together=["badger-setts"])
    assert refused.status_code == 422, refused.text
    assert "unknown article 'no-such-article'" in refused.text
    for article_id in ("fox-visits", "badger-setts"):
        assert runtime.redis.hget(runtime.keys.published, article_id) is None
        assert runtime.store.get(article_id).status == "draft"
    unknown = publish(editors, "fox-visits", together=["never-written"])
    assert unknown.status_code == 404, unknown.text
