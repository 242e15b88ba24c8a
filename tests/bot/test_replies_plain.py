"""Every bot reply is plain English, short and kind (domain.yml and replies.yml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FILES = (ROOT / "bot" / "domain.yml", ROOT / "bot" / "replies.yml")
JARGON = re.compile(
    r"\b(e\.g\.|i\.e\.|etc\.?|via|utilise|in order to|please be advised|kindly|invalid|"
    r"error|input|submit|query|null|slot|intent|payload|transaction|escalat\w*)\b",
    re.IGNORECASE,
)


def replies() -> list[tuple[str, str]]:
    found = []
    for path in FILES:
        for name, variations in yaml.safe_load(path.read_text(encoding="utf-8"))[
            "responses"
        ].items():
            for variation in variations:
                found.append((name, variation.get("text", "")))
    return found


# Replies given in Welsh and then in English: each language's half is held to the limits.
BILINGUAL = {"utter_welsh_help"}


@pytest.mark.parametrize(("name", "text"), replies())
def test_reply_is_short_and_plain(name: str, text: str) -> None:
    halves = text.split("\n\n") if name in BILINGUAL else [text]
    assert len(halves) == (2 if name in BILINGUAL else 1), name
    for half in halves:
        plain = re.sub(r"\{[a-z_]+\}", "it", half)
        sentences = [s for s in re.split(r"[.!?\n]+", plain) if s.strip()]
        assert sentences, name
        assert len(plain.split()) <= 45, name
        assert max(len(s.split()) for s in sentences) <= 22, name
    plain = re.sub(r"\{[a-z_]+\}", "it", halves[-1])
    assert not JARGON.search(plain), (name, JARGON.search(plain))


def test_reply_names_are_unique_across_files() -> None:
    names = [name for name, _ in replies()]
    assert len(names) == len(set(names))


def test_every_reply_an_action_sends_exists() -> None:
    """Each ``say(dispatcher, "utter_...")`` in actions/ names a reply in bot/replies.yml."""
    known = {name for name, _ in replies()}
    used = set()
    for path in (ROOT / "actions").glob("*.py"):
        used |= set(re.findall(r"\"(utter_[a-z_]+)\"", path.read_text(encoding="utf-8")))
    assert used - known == set()


def test_the_helplines_note_gives_only_numbers_the_crisis_reply_gives() -> None:
    """The helplines' numbers have one owner, ``utter_safety_helplines``: the quieter note
    beside an answer (ADR 0202, twenty-third round) may name fewer, never another or a changed
    one."""
    texts = dict(replies())
    numbers = re.compile(r"\b\d[\d ]*\d\b")
    note = {n.strip() for n in numbers.findall(texts["utter_helplines_note"])}
    crisis = {n.strip() for n in numbers.findall(texts["utter_safety_helplines"])}
    assert note and note <= crisis, note - crisis
