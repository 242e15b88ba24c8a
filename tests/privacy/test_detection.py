"""Presidio + spaCy detection (privacy.detection) and the redacted copies (privacy.redactor).

What must hold: each kind is found in a UK-format example and replaced by its placeholder;
council place and service names are not people; nothing is downloaded (the model loads from
its package); the transcript copy keeps what an adviser needs (name, address, phone) while the
full copy removes everything; bad kinds are refused with a clear message.
"""

from __future__ import annotations

import pytest

from privacy.detection import shared_detector
from privacy.redaction import PLACEHOLDERS
from privacy.redactor import redactions


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("Hello, I'm Ruth Okonkwo and I need help", "person", "Ruth Okonkwo"),
    ("my name is tom baker", "person", "tom baker"),
    ("we live at 27 Foxglove Road now", "address", "27 Foxglove Road"),
    ("postcode is MB3 8QL", "postcode", "MB3 8QL"),
    ("my date of birth is 2nd May 1990", "date_of_birth", "2nd May 1990"),
    ("ring me on 07700 900888", "phone", "07700 900888"),
    ("or +44 20 7946 0321 at work", "phone", "+44 20 7946 0321"),
    ("write to r.ok@example.org", "email", "r.ok@example.org"),
    ("NI AB 12 34 56 C", "ni_number", "AB 12 34 56 C"),
    ("card 4111-1111-1111-1111", "card_number", "4111-1111-1111-1111"),
    ("sort code 11-22-33 account 44556677", "bank_details", "44556677"),
])
def test_each_kind_is_found_and_replaced(text: str, kind: str, value: str) -> None:
    result = shared_detector().redact(text)
    assert kind in result.kinds
    assert value not in result.text
    assert PLACEHOLDERS[kind] in result.text


@pytest.mark.parametrize("text", [
    "there's a pothole on High Street by the bank",
    "how do I renew my Blue Badge",
    "I get Universal Credit, can I get council tax help",
    "is Millbrook Leisure Centre open on Sunday",
    "Victoria Road bins were missed on 14/01/2027",
    "my reference is MB-2026-004512 and I paid £120.50",
    "St Mary's School admissions",
])
def test_look_alikes_are_left_alone(text: str) -> None:
    assert shared_detector().redact(text).text == text


def test_copies_for_transcript_and_analytics() -> None:
    text = "I'm Ruth Okonkwo, 27 Foxglove Road, call 07700 900888, card 4111 1111 1111 1111"
    copies = redactions(text)
    for kept in ("Ruth Okonkwo", "27 Foxglove Road", "07700 900888"):
        assert kept in copies.transcript.text and kept not in copies.full.text
    assert "4111" not in copies.transcript.text and "4111" not in copies.full.text
    assert copies.transcript.kinds == ("card_number",)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown personal-data kinds"):
        shared_detector().find("hello", kinds=["shoe_size"])


def test_empty_text_finds_nothing() -> None:
    assert shared_detector().find("   ") == []


async def test_detection_thread_keeps_thincs_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the first analysis, later ones reuse thinc's CPU backend instead of looking it up:
    long messages in the detection thread, and short ones on the event loop in tasks that
    copied a context where ``warm_up`` ran (as every task of ``python -m gateway`` does).

    Looking it up reads package entry points and tries imports that fail, on every message,
    when each analysis runs in a fresh copy of a context where it was never set
    (``asyncio.to_thread``).
    """
    import asyncio

    import thinc.backends

    from privacy.redactor import INLINE_MAX_CHARS, redactions_async, warm_up

    long_text = "I live at 4 Mill Lane. " * (INLINE_MAX_CHARS // 20)
    assert len(long_text) > INLINE_MAX_CHARS
    warm_up()
    await redactions_async(long_text)  # the thread's first one may set its backend
    lookups: list[str] = []
    real_get_ops = thinc.backends.get_ops

    def counting_get_ops(name: str, **kwargs: object) -> object:
        lookups.append(name)
        return real_get_ops(name, **kwargs)

    monkeypatch.setattr(thinc.backends, "get_ops", counting_get_ops)
    for text in ("I live at 4 Mill Lane", "Call Sam Patel tomorrow", "bin not emptied",
                 long_text):
        result = await asyncio.create_task(redactions_async(text))  # a copied context
        assert result.full.text  # the analysis itself still ran
    assert lookups == []


async def test_short_messages_are_analysed_here_long_ones_in_the_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Up to ``INLINE_MAX_CHARS`` characters the analysis runs in the calling task (no handing
    over to the thread and back); above, in the detection thread. Same findings either way."""
    import threading

    from privacy import redactor

    ran_in: list[str] = []
    real = redactor.redactions

    def recording(text: str) -> redactor.Redactions:
        ran_in.append(threading.current_thread().name)
        return real(text)

    monkeypatch.setattr(redactor, "redactions", recording)
    short = "Call Sam Patel on 07700 900123 at 4 Mill Lane"
    long_text = (short + ". ") * (redactor.INLINE_MAX_CHARS // len(short) + 1)
    assert len(short) <= redactor.INLINE_MAX_CHARS < len(long_text)
    assert await redactor.redactions_async(short) == real(short)
    assert await redactor.redactions_async(long_text) == real(long_text)
    assert ran_in[0] == threading.current_thread().name
    assert ran_in[1].startswith("redaction")


def test_text_that_cannot_hold_a_name_gets_the_same_findings_without_the_ner_model(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipping spaCy's NER model when a message has no capitalised word but sentence words
    ("How", "I", "My"...) changes no finding: every message of the personal-data set and of
    the guidance questions, as typed and lower-cased, gets exactly what the full model gives,
    and the model does not run for most of them."""
    import json
    from pathlib import Path

    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    from privacy.detection import may_hold_a_name

    root = Path(__file__).resolve().parents[2]
    typed = [json.loads(line)["text"]
             for line in (root / "privacy/eval/messages.jsonl").read_text().splitlines() if line]
    typed += [json.loads(line)["question"] for line in
              (root / "knowledge/eval/questions.jsonl").read_text().splitlines()[:300] if line]
    texts = typed + [text.lower() for text in typed]
    assert not any(may_hold_a_name(text.lower()) for text in typed)
    skipping = [text for text in texts if not may_hold_a_name(text)]
    assert len(skipping) > len(texts) * 0.6  # what the rule saves
    assert sum(1 for text in typed if not may_hold_a_name(text)) > 150  # typed ones too
    detector = shared_detector()
    engine = detector.analyzer.nlp_engine
    skipped = [detector.find(text) for text in texts]
    model_runs: list[str] = []
    real = SpacyNlpEngine.process_text

    def full_model(self: SpacyNlpEngine, text: str, language: str) -> object:
        model_runs.append(text)
        return real(self, text, language)

    monkeypatch.setattr(type(engine), "process_text", full_model)
    assert [detector.find(text) for text in texts] == skipped
    assert len(model_runs) == len(texts)  # the comparison really ran the model
    assert sum(1 for found in skipped if found) > 100  # and the set has personal data in it


def test_a_name_after_a_sentence_word_still_runs_the_model() -> None:
    """Sentence words only: no model; any other capitalised word (a name, "Will"): the model."""
    from privacy.detection import may_hold_a_name

    assert not may_hold_a_name("How do I renew my passport? I'm 70")
    assert not may_hold_a_name("Hi, my bin wasn’t emptied. Can you help")
    assert may_hold_a_name("Hi I'm Priya")
    assert may_hold_a_name("Will Smith phoned about the bins")
    assert may_hold_a_name("can DWP see my council tax")


def test_text_with_a_capital_still_gets_spacys_people() -> None:
    """A name spaCy alone recognises is still found when it is capitalised."""
    found = shared_detector().find("Yesterday Priya Venkatesan phoned about the bins")
    assert [(f.kind, f.start) for f in found] == [("person", 10)]
