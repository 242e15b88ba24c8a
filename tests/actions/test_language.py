"""A Welsh message gets where Welsh-language help is, in Welsh and English (issue 14 item 7).

What must hold: Welsh messages are recognised; English service questions (including every
line of the safety sets and the NLU ``ask_question`` examples) are not; the Welsh reply gives
the council's phone number in both languages; other languages still get the interpreter reply.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionLanguageHelp
from actions.welsh import looks_welsh
from tests.actions.fakes import make_tracker

ROOT = Path(__file__).resolve().parents[2]
WELSH = [
    "Dw i eisiau siarad Cymraeg",
    "Sut mae talu treth y cyngor?",
    "pryd mae fy miniau yn cael eu casglu",
    "diolch",
    "ble mae swyddfa'r cyngor",
]


@pytest.mark.parametrize("text", WELSH)
def test_welsh_is_recognised(text: str) -> None:
    assert looks_welsh(text)


def english_lines() -> list[str]:
    lines = []
    for name in ("benign", "crisis"):
        path = ROOT / "safety" / "eval" / f"{name}.jsonl"
        lines += [json.loads(line)["text"] for line in path.read_text().splitlines() if line]
    for block in yaml.safe_load((ROOT / "bot/data/nlu.yml").read_text())["nlu"]:
        if block.get("intent") == "ask_question":
            lines += [line.strip()[2:] for line in block["examples"].splitlines() if line.strip()]
    return lines


def test_english_is_not_taken_for_welsh() -> None:
    wrong = [text for text in english_lines() if looks_welsh(text)]
    assert not wrong, wrong


async def test_welsh_gets_the_phone_line_in_both_languages() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("Dw i eisiau siarad Cymraeg", "other_language")
    await ActionLanguageHelp().run(dispatcher, tracker, {})
    text = dispatcher.messages[0]["text"]
    welsh, english = text.split("\n\n")
    assert "01632 960 000" in welsh and "Gymraeg" in welsh
    assert "01632 960 000" in english and "Welsh" in english


async def test_other_languages_get_the_interpreter_reply() -> None:
    dispatcher = CollectingDispatcher()
    await ActionLanguageHelp().run(dispatcher, make_tracker("hola, necesito ayuda"), {})
    assert "interpreter" in dispatcher.messages[0]["text"]
