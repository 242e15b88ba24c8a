"""The article store against a real Redis: versions, conflicts, restore, publish, audit."""

from __future__ import annotations

import json
import threading

import pytest
import redis

from editorial.keys import RETIRED_TOMBSTONE, EditorKeys
from editorial.markdown_doc import split_markdown
from editorial.store import (
    ArticleStore,
    DuplicateArticle,
    UnknownArticle,
    UnknownVersion,
    VersionConflict,
)


def next_message(pubsub: redis.client.PubSub, timeout: float = 2.0) -> dict:
    """The next published message (skipping subscribe confirmations)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.1)
        if message and message["type"] == "message":
            return message
    raise AssertionError("no message arrived")


def edited(markdown: str, old: str, new: str) -> str:
    assert old in markdown
    return markdown.replace(old, new)


def test_create_then_save_adds_versions_and_audit(store: ArticleStore, missed_bin: str) -> None:
    state = store.create(missed_bin, "Eddie")
    assert (state.article_id, state.head_version, state.status) == ("missed-bin", 1, "draft")
    assert state.owner == "Waste services team" and state.review_by == "2027-03-14"
    changed = edited(missed_bin, "within 2 working days of your report", "within 3 working days")
    state = store.save("missed-bin", changed, base_version=1, author="Eddie")
    assert state.head_version == 2
    assert store.version("missed-bin", 2).markdown == changed
    assert store.version("missed-bin", 1).markdown == missed_bin
    entries = store.audit.entries("missed-bin")
    assert [e.action for e in entries] == ["saved", "created"]
    assert entries[0].user == "Eddie" and entries[0].version == 2
    assert "body: +1 −1 lines" in entries[0].summary


def test_duplicate_id_is_refused_and_changes_nothing(store: ArticleStore, missed_bin: str) -> None:
    store.create(missed_bin, "Eddie")
    with pytest.raises(DuplicateArticle, match="already exists"):
        store.create(edited(missed_bin, "Report a missed bin collection\n", "Other\n"), "Sam")
    assert store.get("missed-bin").head_version == 1
    assert store.head("missed-bin").markdown == missed_bin


def test_second_save_on_same_base_is_a_conflict(store: ArticleStore, missed_bin: str) -> None:
    """Two editors open version 1; the first save wins, the second is told and keeps nothing."""
    store.create(missed_bin, "Eddie")
    first = edited(missed_bin, "7am to 6pm", "6am to 7pm")
    second = edited(missed_bin, "7am to 6pm", "8am to 5pm")
    store.save("missed-bin", first, 1, "Eddie")
    with pytest.raises(VersionConflict) as caught:
        store.save("missed-bin", second, 1, "Sam")
    assert caught.value.current.number == 2
    assert caught.value.current.author == "Eddie"
    assert caught.value.current.markdown == first
    assert "Eddie saved 'missed-bin' (version 2)" in str(caught.value)
    assert store.head("missed-bin").markdown == first
    assert [e.action for e in store.audit.entries("missed-bin")] == ["saved", "created"]


def test_simultaneous_saves_one_wins_one_conflicts(
    store: ArticleStore, missed_bin: str, client: redis.Redis, keys: EditorKeys
) -> None:
    store.create(missed_bin, "Eddie")
    results: list[str] = []
    barrier = threading.Barrier(8)

    def save(n: int) -> None:
        mine = ArticleStore(redis.Redis(connection_pool=client.connection_pool), keys)
        barrier.wait()
        try:
            mine.save("missed-bin", edited(missed_bin, "7am to 6pm", f"{n}am"), 1, f"ed{n}")
            results.append("saved")
        except VersionConflict:
            results.append("conflict")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 7 + ["saved"]
    assert store.get("missed-bin").head_version == 2
    assert len(store.versions("missed-bin")) == 2


def test_restore_brings_old_text_back_as_a_new_version(
    store: ArticleStore, missed_bin: str
) -> None:
    store.create(missed_bin, "Eddie")
    store.save("missed-bin", edited(missed_bin, "7am to 6pm", "broken"), 1, "Sam")
    state = store.restore("missed-bin", from_version=1, base_version=2, author="Eddie")
    assert state.head_version == 3
    head = store.head("missed-bin")
    assert head.markdown == missed_bin and head.restored_from == 1 and head.action == "restored"
    assert [v.number for v in store.versions("missed-bin")] == [3, 2, 1]
    assert store.audit.entries("missed-bin")[0].summary == "restored version 1"
    with pytest.raises(UnknownVersion):
        store.restore("missed-bin", from_version=9, base_version=3, author="Eddie")
    with pytest.raises(VersionConflict):
        store.restore("missed-bin", from_version=1, base_version=2, author="Eddie")


def test_publish_writes_overlay_and_announces(
    store: ArticleStore, missed_bin: str, client: redis.Redis, keys: EditorKeys
) -> None:
    store.create(missed_bin.replace("status: published", "status: draft"), "Eddie")
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(keys.events)
    state = store.publish("missed-bin", 1, "Eddie")
    assert (state.status, state.head_version, state.published_version) == ("published", 2, 2)
    live = str(client.hget(keys.published, "missed-bin"))
    assert split_markdown(live)[0]["status"] == "published"
    event = json.loads(next_message(pubsub)["data"])
    assert event == {"op": "upsert", "article_id": "missed-bin", "markdown": live}

    state = store.retire("missed-bin", 2, "Eddie")
    assert state.status == "retired" and state.published_version == 0
    assert client.hget(keys.published, "missed-bin") == RETIRED_TOMBSTONE
    event = json.loads(next_message(pubsub)["data"])
    assert event["op"] == "delete" and event["article_id"] == "missed-bin"
    pubsub.close()
    assert [e.action for e in store.audit.entries("missed-bin")] == [
        "retired",
        "published",
        "created",
    ]


def test_publish_of_a_stale_version_is_refused(
    store: ArticleStore, missed_bin: str, client: redis.Redis, keys: EditorKeys
) -> None:
    store.create(missed_bin, "Eddie")
    store.save("missed-bin", edited(missed_bin, "7am", "8am"), 1, "Sam")
    with pytest.raises(VersionConflict):
        store.publish("missed-bin", 1, "Eddie")
    assert client.hget(keys.published, "missed-bin") is None


def test_unknown_article(store: ArticleStore) -> None:
    with pytest.raises(UnknownArticle):
        store.get("nope")
    with pytest.raises(UnknownArticle):
        store.save("nope", "---\nid: nope\n---\nx", 0, "Eddie")


def test_list_filters_and_flags_overdue(store: ArticleStore, missed_bin: str) -> None:
    import datetime as dt

    store.create(missed_bin, "Eddie")
    store.create(
        missed_bin.replace("id: missed-bin", "id: old-bin").replace(
            "review_by: 2027-03-14", "review_by: 2020-01-01"
        ),
        "Eddie",
    )
    assert [s.article_id for s in store.list_articles("waste")] == ["old-bin", "missed-bin"] or [
        s.article_id for s in store.list_articles("waste")
    ] == ["missed-bin", "old-bin"]
    assert [s.article_id for s in store.list_articles("old")] == ["old-bin"]
    flags = {s.article_id: s.overdue(dt.date(2026, 11, 29)) for s in store.list_articles()}
    assert flags == {"missed-bin": False, "old-bin": True}
    assert store.list_articles(status="published") == []
