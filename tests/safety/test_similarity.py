"""The semantic crisis check: fitted settings, the rules, its exemplars, and the real model.

What must hold: the k-NN rule needs the message nearer crisis phrasings than ordinary ones; the
linear rule scores the vector and the same neighbour features; its veto lets the classifier's
second opinion stand only at a score of at least ``t_low``; the fit flags no ordinary
phrasing when the data allow it; no line of a blind set not yet reported is an exemplar, and
such a set is never read as training data (else its one report would be in-sample); the
settings were fitted for the k the check uses, on the shipped model files; with the real model,
phrasings the patterns miss are flagged and ordinary questions are not (and would veto a
second opinion).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from safety import labelled
from safety.detection import detect_safety_concern
from safety.learn import budget_threshold, veto_threshold
from safety.similarity import (
    NEIGHBOURS,
    SETTINGS_FILE,
    CrisisSimilarity,
    LinearHead,
    build_check,
    exemplar_texts,
    fit,
    fitted_fingerprint,
    fitted_model,
    load_head,
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


def test_linear_rule_scores_the_vector_and_the_neighbour_features() -> None:
    crisis = np.stack([_unit(1, 0, 0), _unit(1, 0.2, 0)])
    ordinary = np.stack([_unit(0, 1, 0), _unit(0.2, 1, 0)])
    head = LinearHead(
        weights=np.array([1.0, -2.0, 0.0], np.float32),
        knn_weights=np.array([0.0, 1.0]),
        bias=0.0,
        threshold=1.0,
    )
    check = CrisisSimilarity(crisis, ordinary, threshold=-1.0, margin=-1.0, k=1, head=head)
    assert check.is_crisis(_unit(1, 0.1, 0))
    assert not check.is_crisis(_unit(0.1, 1, 0))
    assert not check.is_crisis(_unit(0, 0, 1))  # score 0 + (0 - 0) < 1
    # the neighbour features count: the same vector with no crisis phrasing near it
    far = CrisisSimilarity(np.stack([_unit(0, -1, 0)]), ordinary, -1.0, -1.0, 1, head)
    assert not far.is_crisis(_unit(0.6, 0, 0.8)) and check.is_crisis(_unit(0.6, 0, 0.8))


def vector_scored(**thresholds: float) -> CrisisSimilarity:
    """The ``linear`` rule over two crisis and two ordinary unit vectors, with a head that
    scores the vector alone (x − 2y, no neighbour weight), crisis at 1, and ``thresholds``
    (``veto_threshold``, ``phrase_threshold``, ``note_threshold``) set."""
    crisis = np.stack([_unit(1, 0, 0), _unit(1, 0.2, 0)])
    ordinary = np.stack([_unit(0, 1, 0), _unit(0.2, 1, 0)])
    head = LinearHead(np.array([1.0, -2.0, 0.0], np.float32), np.array([0.0, 0.0]), 0.0, 1.0,
                      **thresholds)
    return CrisisSimilarity(crisis, ordinary, threshold=-1.0, margin=-1.0, k=1, head=head)


def test_level_is_crisis_at_the_threshold_and_a_note_between_the_two_thresholds() -> None:
    """ADR 0202, twenty-third round: one score gives both verdicts; a score at or above
    ``threshold`` is a crisis (never a note), one in [note_threshold, threshold) a note, one
    below nothing; with no note threshold (older settings) or the knn rule, never a note."""
    check = vector_scored(note_threshold=-1.0)
    crisis, ordinary = check.crisis, check.ordinary
    assert check.level(_unit(1, 0, 0)) == "crisis" and check.is_crisis(_unit(1, 0, 0))
    assert check.level(_unit(0, 0, 1)) == "note"  # score 0
    assert not check.is_crisis(_unit(0, 0, 1))
    assert check.level(_unit(0, 1, 0)) is None  # score -2
    without = vector_scored()
    assert without.level(_unit(0, 0, 1)) is None
    assert CrisisSimilarity(crisis, ordinary, 0.5, 0.0).level(_unit(0, 0, 1)) is None
    assert CrisisSimilarity(crisis[:0], ordinary, -1.0, -1.0, 1, check.head).level(
        _unit(1, 0, 0)) is None


def test_the_veto_lets_a_second_opinion_stand_only_at_a_score_of_at_least_t_low() -> None:
    check = vector_scored(veto_threshold=-1.0)
    crisis, ordinary = check.crisis, check.ordinary
    assert check.second_opinion_stands(_unit(1, 0.1, 0))  # at or above the check's threshold
    assert check.second_opinion_stands(_unit(0, 0, 1))  # score 0: below the check, above t_low
    assert not check.second_opinion_stands(_unit(0, 1, 0))  # score -2 < t_low
    # no veto threshold (older settings, the knn rule) or no exemplars: it stands
    no_veto = vector_scored()
    assert no_veto.second_opinion_stands(_unit(0, 1, 0))
    assert CrisisSimilarity(crisis, ordinary, 0.5, 0.0).second_opinion_stands(_unit(0, 1, 0))


def test_the_phrase_veto_lets_a_crisis_phrase_stand_only_at_its_threshold_or_above() -> None:
    """ADR 0202, ninth round: a crisis phrase on a message the check scores below the phrase
    veto threshold does not decide alone; at or above it (or with no threshold) it stands."""
    check = vector_scored(veto_threshold=-0.5, phrase_threshold=-1.5)
    crisis, ordinary = check.crisis, check.ordinary
    assert check.phrase_stands(_unit(1, 0.1, 0))  # at or above the check's threshold
    assert check.phrase_stands(_unit(0, 0.6, 0.8))  # score -1.2: below the opinion's veto only
    assert not check.second_opinion_stands(_unit(0, 0.6, 0.8))
    assert not check.phrase_stands(_unit(0, 1, 0))  # score -2 < the phrase veto threshold
    no_veto = vector_scored(veto_threshold=-0.5)
    assert no_veto.phrase_stands(_unit(0, 1, 0))
    assert CrisisSimilarity(crisis, ordinary, 0.5, 0.0).phrase_stands(_unit(0, 1, 0))


def test_veto_threshold_loses_at_most_the_allowed_rows_on_average() -> None:
    scores = (np.arange(100, dtype=float), np.arange(100, dtype=float) + 0.5)
    rows = np.arange(0, 100, 2)  # 50 rows: 0, 2, 4, ...
    t_low = veto_threshold(scores, rows, 3.0)
    assert np.mean([np.sum(s[rows] < t_low) for s in scores]) <= 3
    assert np.mean([np.sum(s[rows] < t_low + 1) for s in scores]) > 3
    assert veto_threshold(scores, rows, 0.0) == 0.0  # the lowest row score: nothing lost
    assert veto_threshold(scores, np.array([], int), 3.0) == -np.inf


def test_budget_threshold_lets_through_at_most_the_share_of_ordinary_scores() -> None:
    scores = [np.arange(1000, dtype=float), np.arange(1000, dtype=float) + 0.5]
    threshold = budget_threshold(scores, 0.002)  # at most 2 of 1,000 on average
    assert np.mean([np.sum(s >= threshold) for s in scores]) <= 2
    assert np.mean([np.sum(s >= threshold - 1) for s in scores]) > 2


def test_exemplars_and_settings() -> None:
    crisis, ordinary = exemplar_texts()
    assert len(crisis) >= 1400 and len(ordinary) >= 3000
    assert len({labelled.key(t) for t in crisis + ordinary}) == len(crisis) + len(ordinary)
    settings = json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
    assert settings["k"] == NEIGHBOURS and settings["rule"] in ("linear", "knn")
    threshold, margin = load_settings()
    head = load_head()
    if settings["rule"] == "knn":
        assert head is None and -1.0 <= threshold <= 1.0 and 0.0 <= margin < 1.0
    else:
        assert head is not None and head.weights.ndim == 1 and head.knn_weights.shape == (2,)
        assert head.threshold == threshold
        # the veto on the classifier's second opinion sits well below the check's threshold
        assert head.veto_threshold is not None and head.veto_threshold < threshold
        # the phrase veto lies lower still: below every crisis phrasing a pattern catches
        assert head.phrase_threshold is not None
        assert head.phrase_threshold < head.veto_threshold
        assert settings["phrase_veto_pool"] >= 1000


def test_settings_were_fitted_on_the_current_training_phrasings() -> None:
    """Adding a seen set or exemplars without ``python -m safety.fit_similarity`` would serve
    weights fitted on other data (the counts in similarity.json must match)."""
    crisis, ordinary = exemplar_texts()
    fitted = json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))["fitted"]
    assert (fitted["crisis_phrasings"], fitted["ordinary_phrasings"]) == (
        len(crisis),
        len(ordinary),
    )


def test_seen_sets_are_training_data_and_unseen_ones_are_never_read(tmp_path: Path) -> None:
    """A blind set not yet reported (``labelled.UNSEEN_SETS``) must never reach the check: the
    training data name their folders, so a new folder under safety/eval is not read."""
    assert not set(labelled.SEEN_SETS) & set(labelled.UNSEEN_SETS)
    with pytest.raises(ValueError):
        labelled.seen_group(labelled.UNSEEN_SETS[0])
    root = tmp_path
    (root / "safety" / "exemplars").mkdir(parents=True)
    (root / "knowledge" / "eval").mkdir(parents=True)
    row = '{{"text": "{}", "split": "tune"}}\n'
    for name in ("crisis", "ordinary"):
        (root / "safety" / "exemplars" / f"{name}.jsonl").write_text(row.format(f"ex {name}"))
    (root / "knowledge" / "eval" / "questions.jsonl").write_text(
        '{"question": "when is my bin collected", "split": "tune"}\n'
    )
    for folder in ("", *labelled.SEEN_SETS, *labelled.UNSEEN_SETS):
        path = root / "safety" / "eval" / folder
        path.mkdir(parents=True, exist_ok=True)
        for name in ("crisis", "benign"):
            (path / f"{name}.jsonl").write_text(row.format(f"{folder or 'original'} {name}"))
    found = labelled.training(root)
    texts = found.crisis + found.ordinary
    assert f"{labelled.SEEN_SETS[-1]} crisis" in found.crisis
    assert "original benign" in found.ordinary
    assert not [t for t in texts if t.split()[0] in labelled.UNSEEN_SETS]
    left_out = labelled.training(root, leave_out="fresh3")
    assert "fresh3 crisis" not in left_out.crisis and "fresh4 crisis" in left_out.crisis


# Lines of an unseen set that may equal a training line: independent writers sometimes write
# the same short sentence ("I want to kill myself", "when is my bin collected"), and the
# benchmark reports an unseen set with and without such lines (``safety_sets.py``). More would
# mean copying: at most this share equal a seen set's line or a guidance question (written by
# others before the unseen set), and at most ``MAX_WRITTEN_OVERLAP`` a written exemplar.
MAX_TRAINING_OVERLAP = 0.05
MAX_WRITTEN_OVERLAP = 0.01


def test_no_line_of_an_unseen_blind_set_is_an_exemplar() -> None:
    """Counts only: the unseen sets' lines are never printed (nor looked at by whoever runs
    this); a failure names how many lines equal one of each training source's. A set not
    written yet passes."""
    written_keys = {
        labelled.key(json.loads(line)["text"])
        for path in sorted((ROOT / "safety" / "exemplars").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    sources = {"guidance questions": labelled.base(), **labelled.groups()}
    keys = {
        name: {labelled.key(t) for t in found.crisis + found.ordinary}
        for name, found in sources.items()
    }
    keys["guidance questions"] -= written_keys
    keys["written exemplars"] = written_keys
    for name in labelled.UNSEEN_SETS:
        for part in ("crisis", "benign"):
            path = ROOT / "safety" / "eval" / name / f"{part}.jsonl"
            if not path.exists():
                continue
            texts = {
                labelled.key(json.loads(line)["text"])
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()
            }
            # plain numbers only below: an assertion must never show the lines themselves
            lines = len(texts)
            by_source = {source: len(texts & known) for source, known in keys.items()}
            overlap = len(texts & set().union(*keys.values()))
            written = by_source["written exemplars"]
            del texts
            message = (
                f"{overlap} of {lines} lines of {name}/{part}.jsonl equal training "
                f"lines: {by_source}"
            )
            assert written <= MAX_WRITTEN_OVERLAP * lines, message
            assert overlap <= MAX_TRAINING_OVERLAP * lines, message


@pytest.fixture(scope="module")
def real_check() -> tuple[Any, CrisisSimilarity]:
    """The check as the action server builds it: the real model its settings name, and the
    exemplars' vectors kept under ``var/onnx-cache`` for that model's fingerprint and those texts
    (``safety/vector_cache.py``), so a test session embeds them once, whichever of this module,
    the action tests or a live action server builds the check first."""
    from knowledge.embedding import load_embedder
    from safety.vector_cache import cached_vectors

    cache = ROOT / "var" / "onnx-cache"
    embedder = load_embedder(cache, model=fitted_model())

    def kept(texts: list[str]) -> np.ndarray:
        return cached_vectors(texts, embedder.embed, cache, embedder.fingerprint)

    return embedder, build_check(kept)


def test_settings_were_fitted_on_the_shipped_model_files(
    real_check: tuple[Any, CrisisSimilarity],
) -> None:
    """Retraining the search model without refitting the check would leave its threshold and
    margin measured on other vectors: ``python -m safety.fit_similarity`` must follow."""
    embedder, _ = real_check
    assert fitted_fingerprint() == embedder.fingerprint


@pytest.mark.parametrize(
    ("text", "stands"),
    [
        ("what time does the library open on saturday", False),
        ("how do I book a bulky waste collection", False),
        ("I'm not coping and I keep thinking about not waking up", True),
    ],
)
def test_real_model_vetoes_a_second_opinion_only_on_an_ordinary_question(
    real_check: tuple[Any, CrisisSimilarity], text: str, stands: bool
) -> None:
    embedder, check = real_check
    assert check.second_opinion_stands(embedder.embed([text])[0]) is stands


@pytest.mark.parametrize(
    ("text", "stands"),
    [
        # strong crisis phrases are never vetoed
        ("I want to kill myself", True),
        ("my husband hits me", True),
        ("I've taken an overdose", True),
        ("I was raped", True),
        ("there's a fire in my flat", True),
        ("I need the police, he has a knife", True),
        # a pattern hit inside an ordinary service question is
        (
            "how do I book a pitch at the leisure centre, our team is on fire and needs more games",
            False,
        ),
        ("can I renew my library card online, the reading group is on fire lately", False),
    ],
)
def test_real_model_vetoes_a_crisis_phrase_only_on_an_ordinary_question(
    real_check: tuple[Any, CrisisSimilarity], text: str, stands: bool
) -> None:
    assert detect_safety_concern(text) is not None, "pick a phrasing the patterns catch"
    embedder, check = real_check
    assert check.phrase_stands(embedder.embed([text])[0]) is stands


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


def test_threshold_is_clear_of_the_original_pairs_ordinary_lines() -> None:
    """ADR 0202, tenth round (Z(orig)): the served threshold is the budget's own or, when the
    fitted check scores an ordinary line of the original pair (the issue's benign set, of which
    the live slice is a part) higher, at least ``CLEAR_MARGIN`` above that line's score."""
    from safety.fit_similarity import CLEAR_MARGIN, KEEP_CLEAR

    settings = json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
    assert KEEP_CLEAR == labelled.ORIGINAL
    assert settings["threshold"] >= settings["budget_threshold"]
    assert settings["threshold"] >= settings["keep_clear_high"] + CLEAR_MARGIN - 1e-9


def test_ordinary_high_is_the_served_score_of_the_highest_line() -> None:
    from safety.fit_similarity import ordinary_high

    crisis = np.stack([_unit(1, 0, 0), _unit(1, 0.2, 0)])
    ordinary = np.stack([_unit(0, 1, 0), _unit(0, 0, 1)])
    weights, knn_weights, bias = np.array([1.0, -1.0, 0.5]), np.array([2.0, 3.0]), -0.5
    head = LinearHead(weights.astype(np.float32), knn_weights, bias, threshold=0.0)
    check = CrisisSimilarity(crisis, ordinary, threshold=0.0, margin=0.0, k=1, head=head)
    lines = np.stack([_unit(0, 1, 0.1), _unit(0.3, 0, 1)])
    served = max(check._score(head, v) for v in lines)
    found = ordinary_high(crisis, ordinary, lines, weights, knn_weights, bias, k=1)
    assert found == pytest.approx(served, abs=1e-6)
    assert ordinary_high(crisis, ordinary, lines[:0], weights, knn_weights, bias) == -np.inf


def test_real_model_flags_no_ordinary_line_of_the_original_pair(
    real_check: tuple[Any, CrisisSimilarity],
) -> None:
    """Each line embedded alone, as the action server embeds a message: none is flagged by the
    check (the live slice's benign lines are among them; ADR 0202, tenth round)."""
    embedder, check = real_check
    lines = labelled.seen_group(labelled.ORIGINAL).ordinary
    flagged = sum(check.is_crisis(embedder.embed([text])[0]) for text in lines)
    assert flagged == 0, f"{flagged} of {len(lines)} ordinary lines of the original pair"
