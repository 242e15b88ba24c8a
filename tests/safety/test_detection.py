"""The lexical safety backstop: many risky phrasings caught, service questions left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from safety.detection import detect_safety_concern

ROOT = Path(__file__).resolve().parents[2]

RISKY = {
    "suicide_self_harm": [
        "I want to kill myself",
        "i'm going to end it all tonight",
        "I have been feeling suicidal for weeks",
        "I don't want to be alive any more",
        "I don’t want to live",
        "thinking about taking my own life",
        "I've been self-harming again",
        "I keep hurting myself",
        "i took all my tablets",
        "everyone would be better off without me",
        "I wish I was dead",
        "there's no point in living",
        "I can't go on",
        "I've taken an overdose",
    ],
    "abuse": [
        "my husband hits me",
        "my partner beats me when he's drunk",
        "I'm experiencing domestic abuse",
        "I'm being abused by my carer",
        "my boyfriend is abusive",
        "he threatened to kill me",
        "I'm scared of my partner",
        "my ex threatens to stab me",
        "I think it's coercive control",
        "I was raped",
        "she punches me",
    ],
    "immediate_danger": [
        "I'm in danger",
        "I am not safe",
        "someone is trying to break in",
        "a man with a knife is outside",
        "I'm being followed",
        "they're going to hurt me",
        "I need an ambulance",
        "my house is on fire",
        "I can't breathe",
    ],
}

SAFE = [
    "how do I report an emergency repair",
    "there is a dangerous pothole near the school",
    "how do I report blue badge abuse",
    "how do I end my tenancy",
    "end my council tax direct debit",
    "can you kill the weeds on the verge",
    "my bin is a danger to pedestrians",
    "fire safety in council flats",
    "how do I cancel my garden waste subscription",
    "the street light is dead",
]


@pytest.mark.parametrize(
    ("category", "text"),
    [(category, text) for category, texts in RISKY.items() for text in texts],
)
def test_risky_messages_are_caught(category: str, text: str) -> None:
    finding = detect_safety_concern(text)
    assert finding is not None, text
    assert finding.category == category


@pytest.mark.parametrize("text", SAFE)
def test_service_questions_are_not_caught(text: str) -> None:
    assert detect_safety_concern(text) is None


def test_no_service_question_in_the_nlu_data_trips_the_backstop() -> None:
    """Every ask_question example, trained or held out, still gets a guidance answer."""
    for path in (ROOT / "bot/data/nlu.yml", ROOT / "tests/bot/nlu_heldout.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if block.get("intent") not in ("ask_question", "report_missed_bin"):
                continue
            for line in block["examples"].splitlines():
                text = line.strip()[2:]
                assert detect_safety_concern(text) is None, text


def test_empty_and_huge_input() -> None:
    assert detect_safety_concern("") is None
    assert detect_safety_concern("word " * 1000) is None
