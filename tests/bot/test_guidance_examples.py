"""The articles' example questions as ``ask_question`` training data, generated at training time."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import stack.model
from bot.guidance_examples import (
    FILE_NAME,
    build,
    meant_as_another_intent,
    nlu_sentences,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def examples() -> list[str]:
    data = yaml.safe_load(build(ROOT))
    [block] = data["nlu"]
    assert block["intent"] == "ask_question"
    return [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]


def test_guidance_topics_are_in_and_reports_and_requests_are_out(examples: list[str]) -> None:
    assert len(examples) > 3000
    assert "bulky waste collection" in examples  # was taken for a missed-bin report
    assert "dfg means test" in examples  # was taken for off topic
    assert "child benefit" in examples  # was taken for "stop"
    for meant_otherwise in ("my bin wasn't emptied", "talk to a human", "ask for a callback",
                            "domestic abuse helpline number"):
        assert meant_otherwise not in examples
    assert [text for text in examples if meant_as_another_intent(text)] == []


def test_held_out_and_hand_written_sentences_are_left_out(examples: list[str]) -> None:
    taken = nlu_sentences(ROOT / "bot/data/nlu.yml") | nlu_sentences(
        ROOT / "tests/bot/nlu_heldout.yml"
    )
    assert [text for text in examples if text.lower() in taken] == []
    assert len({text.lower() for text in examples}) == len(examples)


def test_generation_is_deterministic_and_counted_in_the_model_hash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert build(ROOT) == build(ROOT)
    before = stack.model.bot_hash(ROOT / "bot")
    monkeypatch.setattr(stack.model, "generated_data", lambda _bot: {FILE_NAME: "changed"})
    assert stack.model.bot_hash(ROOT / "bot") != before
