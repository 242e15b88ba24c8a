"""The semantic crisis check: fitted settings, the rule, and the real model on clear cases."""

from __future__ import annotations

import numpy as np
import pytest

from safety.similarity import CrisisSimilarity, exemplar_texts, fit, load_settings


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_rule_needs_a_near_crisis_phrasing_nearer_than_any_ordinary_one() -> None:
    check = CrisisSimilarity(
        crisis=np.stack([_unit(1, 0, 0)]),
        ordinary=np.stack([_unit(0, 1, 0)]),
        threshold=0.5,
        margin=0.1,
    )
    assert check.is_crisis(_unit(1, 0.1, 0))
    assert not check.is_crisis(_unit(0.1, 1, 0))  # nearer the ordinary question
    assert not check.is_crisis(_unit(0, 0, 1))  # near nothing
    empty = CrisisSimilarity(np.zeros((0, 3)), np.zeros((0, 3)), 0.5, 0.1)
    assert not empty.is_crisis(_unit(1, 0, 0))


def test_fit_flags_no_ordinary_phrasing() -> None:
    rng = np.random.default_rng(3)
    crisis = np.stack([_unit(1, *rng.normal(0, 0.1, 3)) for _ in range(10)])
    ordinary = np.stack([_unit(0, 1, *rng.normal(0, 0.1, 2)) for _ in range(20)])
    best = fit(crisis, ordinary)
    check = CrisisSimilarity(crisis, ordinary, best["threshold"], best["margin"])
    assert best["recall"] == 1.0
    assert not any(check.is_crisis(v) for v in ordinary)


def test_exemplars_and_settings_are_the_tune_halves() -> None:
    crisis, ordinary = exemplar_texts()
    assert len(crisis) >= 50 and len(ordinary) >= 300
    threshold, margin = load_settings()
    assert -1.0 <= threshold <= 1.0 and 0.0 <= margin < 1.0


@pytest.mark.parametrize(
    ("text", "crisis"),
    [
        ("how do I book a bulky waste collection", False),
        ("what time does the library open on saturday", False),
    ],
)
def test_real_model_leaves_ordinary_questions_alone(text: str, crisis: bool) -> None:
    from pathlib import Path

    from knowledge.embedding import load_embedder

    root = Path(__file__).resolve().parents[2]
    embedder = load_embedder(root / "var" / "onnx-cache")
    phrasings, others = exemplar_texts()
    threshold, margin = load_settings()
    check = CrisisSimilarity(embedder.embed(phrasings), embedder.embed(others), threshold, margin)
    assert check.is_crisis(embedder.embed([text])[0]) is crisis
