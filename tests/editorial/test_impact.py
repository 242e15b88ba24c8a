"""What an edit changes, in plain words; the labelled questions that target an article."""

from __future__ import annotations

from pathlib import Path

from editorial.impact import Outcome, labelled_questions, outcome, verdict

ROOT = Path(__file__).resolve().parents[2]


def test_outcome_from_a_guidance_result_like_object() -> None:
    result = {
        "status": "answer",
        "answer": {"article_id": "missed-bin", "title": "T", "heading": "H"},
        "candidates": [{"article_id": "missed-bin", "score": 0.81234}],
    }
    assert outcome(result) == Outcome("answer", "missed-bin", "T", "H", 0.812)
    assert outcome({"status": "abstain", "answer": None, "candidates": []}) == Outcome("abstain")


def test_verdicts() -> None:
    mine = Outcome("answer", "missed-bin", "T", "Report it")
    other = Outcome("answer", "bin-days", "T", "Days")
    none = Outcome("abstain")
    assert verdict("missed-bin", mine, mine) == "no change (answered from this article)"
    assert verdict("missed-bin", other, mine) == "now answered from this article"
    assert verdict("missed-bin", mine, none).startswith("no longer answered from this article")
    assert "would not know" in verdict("missed-bin", mine, none)
    moved = Outcome("answer", "missed-bin", "T", "What happens next")
    assert (
        verdict("missed-bin", mine, moved) == "answered from a different section: What happens next"
    )
    assert verdict("missed-bin", other, none) == "changed, still not answered from this article"


def test_labelled_questions_for_an_article() -> None:
    questions = labelled_questions(ROOT / "knowledge" / "eval" / "questions.jsonl", "missed-bin")
    assert len(questions) == 12  # six from 2026-11, six written in 2026-12
    assert labelled_questions(ROOT / "nope.jsonl", "missed-bin") == []
