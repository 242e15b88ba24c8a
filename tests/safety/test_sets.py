"""The labelled safety sets through the lexical detector (quick; the full table is
``benchmarks/safety_sets.py``).

What must hold: every crisis line is caught (recall 100 %) and at most 0.5 % of the benign
service questions get the crisis reply, on both splits; the sets keep their agreed format.
The held-out split was reported once (safety/eval/README.md) and has guarded against
regressions since; it no longer measures unseen phrasings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safety.detection import detect_safety_concern

SETS = Path(__file__).resolve().parents[2] / "safety" / "eval"
MAX_BENIGN_ALARM_RATE = 0.005


def load(name: str) -> list[dict[str, str]]:
    lines = (SETS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_sets_have_the_agreed_shape_and_size() -> None:
    benign, crisis = load("benign"), load("crisis")
    assert len(benign) >= 300 and len(crisis) >= 100
    for line in benign + crisis:
        assert set(line) == {"text", "kind", "split"}, line
        assert line["split"] in ("tune", "heldout") and line["text"].strip()
    texts = [line["text"].lower() for line in benign + crisis]
    assert len(texts) == len(set(texts)), "a line appears twice"


@pytest.mark.parametrize("split", ["tune", "heldout"])
def test_every_crisis_line_is_caught(split: str) -> None:
    missed = [
        line["text"] for line in load("crisis")
        if line["split"] == split and detect_safety_concern(line["text"]) is None
    ]
    assert not missed, missed


@pytest.mark.parametrize("split", ["tune", "heldout"])
def test_benign_questions_rarely_get_the_crisis_reply(split: str) -> None:
    benign = [line for line in load("benign") if line["split"] == split]
    alarmed = [line["text"] for line in benign if detect_safety_concern(line["text"])]
    assert len(alarmed) <= MAX_BENIGN_ALARM_RATE * len(benign), alarmed


@pytest.mark.parametrize(("folder", "crisis_min", "benign_min"), [("fresh", 90, 270),
                                                                  ("fresh2", 120, 300)])
def test_blind_sets_keep_their_shape(folder: str, crisis_min: int, benign_min: int) -> None:
    # Only the shape: the blind sets are report-only (their README), so no detector runs here
    # and a failure names counts, never a line.
    sizes = {}
    for name in ("crisis", "benign"):
        lines = (SETS / folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
        bad = sum(set(r) != {"text", "kind", "split", "origin"} or r["split"] != "heldout"
                  or not r["text"].strip() for r in rows)
        assert bad == 0, f"{bad} malformed lines in {folder}/{name}.jsonl"
        sizes[name] = len(rows)
    assert sizes["crisis"] >= crisis_min and sizes["benign"] >= benign_min, sizes


def test_a_blind_line_equal_to_a_training_line_can_be_left_out_of_a_measure() -> None:
    """The live benchmark's ``--without-training-lines``: a line counts as known when its
    de-duplication key (case and punctuation ignored) equals a training line's; the rest keep
    their order."""
    from benchmarks.answer_quality_live import without_known

    known = {"hang on", "i want to end it all"}
    texts = ["Hang on!", "where is the tip", "I want to end it ALL.", "hang on a sec"]
    assert without_known(texts, known) == ["where is the tip", "hang on a sec"]
    assert without_known([], known) == []
