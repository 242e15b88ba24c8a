"""Which of the bot's slots an adviser sees (``gateway.handoff.context.CITIZEN_SLOTS``).

What must hold: every answer a form asks for, and the references the bot gives, are shown,
each with a label in the console; nothing else is (the bot's bookkeeping, such as the parts
of an article it may offer, once reached the console as raw JSON because a deny-list had not
been told of a new slot).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from gateway.handoff.context import CITIZEN_SLOTS, build_context

ROOT = Path(__file__).resolve().parents[2]


def domain() -> dict:
    return yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))


def test_every_form_answer_is_shown_and_every_shown_slot_exists() -> None:
    data = domain()
    asked = {slot for form in data["forms"].values() for slot in form["required_slots"]}
    assert asked <= CITIZEN_SLOTS
    assert set(CITIZEN_SLOTS) <= set(data["slots"])


def test_the_console_labels_exactly_the_slots_shown() -> None:
    text = (ROOT / "widget" / "console" / "strings.js").read_text(encoding="utf-8")
    block = re.search(r"slotLabels:\s*\{(.*?)\}", text, re.S)
    assert block is not None
    assert set(re.findall(r"(\w+):\s*\"", block.group(1))) == set(CITIZEN_SLOTS)


def test_bookkeeping_is_never_shown() -> None:
    slots = {name: "x" for name in domain()["slots"]}
    shown = build_context({"slots": slots, "events": []})["slots"]
    assert set(shown) == set(CITIZEN_SLOTS)
    assert "other_sections" not in shown and "last_question" not in shown
