"""The semantic crisis check: fitted settings, the rule, its exemplars, and the real model.

What must hold: the rule needs the message nearer crisis phrasings than ordinary ones; the
fit flags no ordinary phrasing when the data allow it; the written exemplars hold no held-out
or blind line (else the figures on those sets would be in-sample); the settings were fitted
for the k the check uses; with the real model, phrasings the patterns miss are flagged and
ordinary questions are not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from safety.detection import detect_safety_concern
from safety.similarity import (
    NEIGHBOURS,
    SETTINGS_FILE,
    CrisisSimilarity,
    build_check,
    exemplar_texts,
    fit,
    fitted_fingerprint,
    fitted_model,
    load_settings,
)

ROOT = Path(__file__).resolve().parents[2]


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_rule_needs_a_near_crisis_phrasing_nearer_than_any_ordinary_one() -> None:
    check = CrisisSimilarity(
        crisis=np.stack([_unit(1, 0, 0)]),
        ordinary=np.stack([_unit(0, 1, 0)]),
        threshold=0.5,
        margin=0.1,
        k=1,
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


def test_k_nearest_means_one_stray_crisis_phrasing_is_not_enough() -> None:
    crisis = np.stack([_unit(1, 0, 0), _unit(0, 0, 1), _unit(0, 0.1, 1)])
    ordinary = np.stack([_unit(1, 0.2, 0), _unit(1, -0.2, 0), _unit(0, 1, 0)])
    check = CrisisSimilarity(crisis, ordinary, threshold=0.2, margin=0.0, k=2)
    assert not check.is_crisis(_unit(1, 0.05, 0))  # one crisis neighbour, two ordinary ones
    assert check.is_crisis(_unit(0, 0.05, 1))


def test_exemplars_and_settings() -> None:
    crisis, ordinary = exemplar_texts()
    assert len(crisis) >= 300 and len(ordinary) >= 1000
    threshold, margin = load_settings()
    assert -1.0 <= threshold <= 1.0 and 0.0 <= margin < 1.0
    assert json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))["k"] == NEIGHBOURS


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def test_no_held_out_or_blind_line_is_a_written_exemplar() -> None:
    written = {
        _norm(json.loads(line)["text"])
        for path in sorted((ROOT / "safety" / "exemplars").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    eval_dir = ROOT / "safety" / "eval"
    for path in [eval_dir / "crisis.jsonl", eval_dir / "benign.jsonl",
                 *sorted(eval_dir.glob("fresh*/*.jsonl"))]:
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        unseen = [line["text"] for line in lines if line["split"] != "tune"]
        overlap = sum(_norm(text) in written for text in unseen)
        # only a count: the blind sets' lines are never printed
        assert overlap == 0, f"{overlap} lines of {path.parent.name}/{path.name} are exemplars"


@pytest.fixture(scope="module")
def real_check() -> tuple[Any, CrisisSimilarity]:
    """The check as the action server builds it, with the real model its settings name."""
    from knowledge.embedding import load_embedder

    embedder = load_embedder(ROOT / "var" / "onnx-cache", model=fitted_model())
    return embedder, build_check(embedder.embed)


def test_settings_were_fitted_on_the_shipped_model_files(
    real_check: tuple[Any, CrisisSimilarity],
) -> None:
    """Retraining the search model without refitting the check would leave its threshold and
    margin measured on other vectors: ``python -m safety.fit_similarity`` must follow."""
    embedder, _ = real_check
    assert fitted_fingerprint() == embedder.fingerprint


@pytest.mark.parametrize(
    ("text", "crisis"),
    [
        ("how do I book a bulky waste collection", False),
        ("what time does the library open on saturday", False),
        ("my husband died and I need to stop his council tax", False),
        ("can I get help with a walk in shower, I'm disabled", False),
        # written around the patterns (asserted below): only the semantic check can catch them
        ("honestly I just want to stop existing", True),
        ("I'm not coping and I keep thinking about not waking up", True),
        ("he gets angry and I end up with marks on me", True),
    ],
)
def test_real_model_flags_crisis_and_leaves_ordinary_questions_alone(
    real_check: tuple[Any, CrisisSimilarity], text: str, crisis: bool
) -> None:
    if crisis:
        assert detect_safety_concern(text) is None, "pick a phrasing the patterns miss"
    embedder, check = real_check
    assert check.is_crisis(embedder.embed([text])[0]) is crisis
