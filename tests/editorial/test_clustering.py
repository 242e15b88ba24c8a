"""Gap questions grouped by meaning with the real embedding model, read from a real Redis."""

from __future__ import annotations

import numpy as np
import pytest
import redis

from editorial.clustering import CachedEmbedder, cluster_labels, group_gaps
from editorial.gaps import read_gaps, record_gap
from editorial.keys import EditorKeys


@pytest.fixture(scope="module")
def embedder() -> CachedEmbedder:
    from knowledge.embedding import load_embedder

    return CachedEmbedder(load_embedder(cache_dir=None, backend="torch", model="base"))


def test_labels_without_a_model() -> None:
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    vectors = np.stack([a, a * 0.99 + b * 0.01, b])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = cluster_labels(vectors, max_distance=0.2)
    assert labels[0] == labels[1] != labels[2]
    assert cluster_labels(vectors[:1]).tolist() == [0]


def test_gap_report_groups_by_meaning_redacts_and_sorts_newest_first(
    client: redis.Redis, keys: EditorKeys, embedder: CachedEmbedder
) -> None:
    questions = [
        ("can I keep chickens in my back garden", "abstained", 100.0),
        ("am i allowed to keep hens at home", "abstained", 110.0),
        ("rules on keeping chickens, email me at jo@example.com", "handoff", 120.0),
        ("where do I get a fishing licence", "not_helpful", 300.0),
        ("how do I buy a rod licence for fishing", "abstained", 310.0),
    ]
    for n, (text, reason, ts) in enumerate(questions):
        record_gap(client, keys, text, reason, f"conv{n}", ts=ts)
    gaps = read_gaps(client, keys)
    assert len(gaps) == 5 and gaps[0].ts == 310.0
    assert "jo@example.com" not in " ".join(g.question for g in gaps)
    groups = group_gaps(gaps, embedder)
    assert [g.count for g in groups] == [2, 3]  # fishing is newest
    assert "fishing" in groups[0].label or "rod" in groups[0].label
    assert groups[1].reasons == {"abstained": 2, "handoff": 1}
    assert groups[1].examples[0].question.endswith("[email removed]")


def test_bad_reason_is_refused(client: redis.Redis, keys: EditorKeys) -> None:
    with pytest.raises(ValueError):
        record_gap(client, keys, "x", "bored", "c")
    assert client.xlen(keys.gaps) == 0


def test_a_group_lists_the_parts_citizens_picked_most_picked_first() -> None:
    """What must hold: only "picked" entries count; each part once, with its article, its key
    in the article's ``questions`` and the newest question it was picked for."""
    from editorial.clustering import picks
    from editorial.gaps import GapQuestion

    def gap(question: str, reason: str, ts: float, section: str | None = None) -> GapQuestion:
        return GapQuestion(f"{ts}-0", question, reason, "ref", ts, None, section)

    items = [  # newest first, as read_gaps returns them
        gap("blue badge for my dad", "picked", 30.0,
            "blue-badge#Who else can apply for a Blue Badge"),
        gap("blue badge for my mum", "picked", 20.0, "blue-badge#(introduction)"),
        gap("blue badge for my mum", "abstained", 19.0),
        gap("blue badge for my nan", "picked", 10.0, "blue-badge#(introduction)"),
    ]
    assert picks(items) == [
        {"article_id": "blue-badge", "section": "(introduction)",
         "question": "blue badge for my mum", "count": 2},
        {"article_id": "blue-badge", "section": "Who else can apply for a Blue Badge",
         "question": "blue badge for my dad", "count": 1},
    ]
    assert picks(items[2:3]) == []
