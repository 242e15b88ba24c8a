"""When "stop"/"start" mean leaving, and when a message inside a form is a question.

What must hold: every ``stop`` and ``restart`` training and held-out example counts as meant;
service questions that merely contain "start"/"stop" do not (issue 10: "i want to start
selling cakes from home" restarted the conversation).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.form_exits import asks_way_out, is_question, meant_as_control

ROOT = Path(__file__).resolve().parents[2]


def control_examples() -> list[str]:
    texts = []
    for path in (ROOT / "bot/data/nlu.yml", ROOT / "tests/bot/nlu_heldout.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if block.get("intent") in ("stop", "restart"):
                lines = block["examples"].splitlines()
                texts += [line.strip()[2:] for line in lines if line.strip()]
    return texts


@pytest.mark.parametrize("text", control_examples())
def test_every_stop_and_restart_example_is_meant(text: str) -> None:
    assert meant_as_control(text), text


@pytest.mark.parametrize(
    "text",
    [
        "i want to start selling cakes from home",
        "how do I stop junk mail",
        "can you stop my direct debit, I'm moving",
        "when does school start after the holidays",
        "stop people parking on the grass verge outside my house",
        "I want to start fostering, what do I need to do",
        "child benefit",  # short topics the classifier has taken for stop/restart
        "minicab licence",
        "new keeper slip",
        "👍",
    ],
)
def test_service_sentences_with_start_or_stop_are_not_control(text: str) -> None:
    assert not meant_as_control(text)


def test_questions_and_ways_out() -> None:
    assert is_question("how do I get out of this") and asks_way_out("how do I get out of this")
    assert is_question("what time are you open?")
    assert asks_way_out("I want to leave this")
    assert not is_question("MB1 2AB") and not is_question("recycling")
    assert not asks_way_out("yesterday")


def test_cancel_it_in_a_longer_question_is_about_its_subject() -> None:
    """The live benchmark's tune split: a question about cancelling a passport is not "stop"."""
    from actions.form_exits import meant_as_control

    assert not meant_as_control("cant find my passport anywhere, do i have to cancel it")
    assert meant_as_control("cancel it")


@pytest.mark.parametrize(
    "text",
    [
        "ok that's enough, stop",
        "please just stop",
        "no, stop!",
        "I've changed my mind. cancel",
        "can you stop",
        "I want to cancel",
    ],
)
def test_a_stop_opening_its_clause_at_the_end_is_meant(text: str) -> None:
    assert meant_as_control(text), text


@pytest.mark.parametrize(
    "text",
    [
        "the noise from next door goes on all night and they won't stop",  # about someone else
        "my neighbour keeps parking across my drive and just won't stop",
        "I said stop but the workmen carried on",
        "when will the roadworks on the high street stop",  # a question about something stopping
        "will my pension stop if I move abroad",
        "the letters keep coming and I can't make them stop",
        # short, with a control word that is denied (twenty-fourth session: "No problem")
        "cant stop cutting",
        "can't stop drinking",
        "won't stop crying",
    ],
)
def test_a_sentence_that_reports_or_denies_stopping_is_not_control(text: str) -> None:
    """ADR 0202, later: "... and I can't stop" ends in "stop" but asks nothing to stop; Rasa's
    gate sends it to guidance (and the crisis backstop) instead of "anything else?"."""
    assert not meant_as_control(text), text
