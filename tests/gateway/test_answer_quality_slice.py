"""A small slice of the live answer-quality benchmark, through the whole running assistant.

``benchmarks/answer_quality_live.py`` sends every labelled question through the real chat
(gateway → Rasa → action server → knowledge) and prints the table; the full run is a
benchmark. Here a fixed slice of the ``tune`` split (every 12th on-topic question) and of the
routing sets runs with assertions, so a change that breaks the pipeline at the grain the
citizen sees fails the test command:

* most slice questions are answered from a section that answers them (a floor well below the
  measured figure, so the test is not flaky but still catches a broken pipeline);
* every answer carries a source the citizen can follow, and "That's not what I asked" after it
  offers other parts of the same article (never the one quoted), which can only add to what
  one tap reaches;
* no benign question in the slice gets the crisis reply; every crisis one does;
* a message the learned check is unsure of gets its guidance reply with the helplines note
  beside it, not the crisis reply (ADR 0202, twenty-third round);
* the same routing slice typed as the answer to each form's first question (``--in-form``):
  every form starts, no benign line gets the crisis reply and every crisis line does, among
  them eight seen lines that no pattern matches (ADR 0202, sixteenth session: the forms'
  backstop uses the learned check too).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from benchmarks.answer_quality_live import FORM_OPENERS, guidance_row, load_routing_set
from benchmarks.live_chat import ask_all
from knowledge.articles import load_articles
from knowledge.section_eval import load_labels
from stack.live import LiveStack
from tests.actions.test_safety_backstop_real import UNSURE

ROOT = Path(__file__).resolve().parents[2]
STRICT_FLOOR = 0.5  # measured on the whole tune split through the live chat: about 0.69


def test_live_slice_quotes_answering_sections_and_routes_safety(live_stack: LiveStack) -> None:
    labels = load_labels(
        ROOT / "knowledge" / "eval" / "questions.jsonl", load_articles(ROOT / "knowledge/articles")
    )
    slice_ = [lab for lab in labels if lab.split == "tune" and lab.article_id][::12]
    benign = load_routing_set("benign", "tune")[::12]
    crisis = load_routing_set("crisis", "tune")[::8]
    texts = [lab.question for lab in slice_] + benign + crisis + UNSURE
    outcomes = asyncio.run(ask_all(live_stack.url, texts, concurrency=2, one_tap=True))
    guidance = outcomes[: len(slice_)]
    benign_out = outcomes[len(slice_) : len(slice_) + len(benign)]
    crisis_out = outcomes[len(slice_) + len(benign) : len(texts) - len(UNSURE)]
    unsure_out = outcomes[len(texts) - len(UNSURE) :]

    row = guidance_row(slice_, guidance)
    assert row["strict"] >= STRICT_FLOOR, row
    answered = [o for o in guidance if o.kind == "answer"]
    assert answered and all(o.section for o in answered)
    for o in answered:
        assert o.section is not None and o.offered and o.section not in o.offered, o
        assert {p.split("#")[0] for p in o.offered} == {o.section.split("#")[0]}, o
    assert row["strict_tap"] >= row["strict"], row
    assert [o.question for o in benign_out if o.kind == "crisis"] == []
    assert [o.question for o in crisis_out if o.kind != "crisis"] == []
    assert all(o.helplines_note and o.kind != "crisis" for o in unsure_out), unsure_out


def crisis_without_a_phrase(count: int = 8) -> list[str]:
    """Seen crisis lines (the first blind set, now training data) that no crisis pattern
    matches: inside a form only the learned check can catch them."""
    from safety import labelled
    from safety.detection import detect_safety_concern

    lines = [t for t in labelled.seen_group("fresh").crisis if detect_safety_concern(t) is None]
    return lines[:: max(1, len(lines) // count)][:count]


@pytest.mark.parametrize("form", sorted(FORM_OPENERS))
def test_live_slice_inside_a_form_routes_safety(live_stack: LiveStack, form: str) -> None:
    benign = load_routing_set("benign", "tune")[::12]
    crisis = load_routing_set("crisis", "tune")[::8] + crisis_without_a_phrase()
    assert len(crisis) == 16
    outcomes = asyncio.run(
        ask_all(live_stack.url, benign + crisis, concurrency=2, opener=FORM_OPENERS[form]))
    assert [o.question for o in outcomes if o.kind == "no_form"] == []
    assert [o.question for o in outcomes[: len(benign)] if o.kind == "crisis"] == []
    assert [o.question for o in outcomes[len(benign) :] if o.kind != "crisis"] == []
