"""Inside a form, a question is met with the way out, not "that isn't a postcode" (issue 14
item 6); dates in the future are refused in plain words.

What must hold: a question or "how do I get out of this" typed as any answer gets the
way-out reply with a Stop button and sets nothing; a plain wrong answer still gets the form's
own hint; "next tuesday" is refused as a day that has not come yet.
"""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ValidateCallbackForm
from actions.missed_bin import ValidateMissedBinForm
from tests.actions.fakes import make_tracker

QUESTIONS = [
    "how do I get out of this",
    "what time are you open?",
    "can I pay my council tax here",
    "I want to leave this",
]


@pytest.mark.parametrize("text", QUESTIONS)
async def test_a_question_instead_of_a_postcode_gets_the_way_out(text: str) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateMissedBinForm().validate_bin_postcode(
        text, dispatcher, make_tracker(text, "ask_question"), {}
    )
    assert result == {"bin_postcode": None}
    reply = dispatcher.messages[0]
    assert "stop" in reply["text"].lower() and "postcode" not in reply["text"].lower()
    assert {"title": "Stop the form", "payload": "/stop"} in reply["buttons"]


@pytest.mark.parametrize("text", QUESTIONS)
async def test_a_question_at_any_step_gets_the_way_out(text: str) -> None:
    form, callback = ValidateMissedBinForm(), ValidateCallbackForm()
    tracker = make_tracker(text, "ask_question")
    checks = [
        form.validate_missed_date(text, (d1 := CollectingDispatcher()), tracker, {}),
        form.validate_contact_preference(text, (d2 := CollectingDispatcher()), tracker, {}),
        form.validate_missed_bin_confirm(text, (d3 := CollectingDispatcher()), tracker, {}),
        callback.validate_callback_phone(text, (d4 := CollectingDispatcher()), tracker, {}),
        callback.validate_callback_consent(text, (d5 := CollectingDispatcher()), tracker, {}),
    ]
    for result in checks:
        assert all(value is None for value in result.values()), result
    for dispatcher in (d1, d2, d3, d4, d5):
        assert dispatcher.messages[0]["buttons"][-1]["payload"] == "/stop"


async def test_a_plain_wrong_answer_still_gets_the_forms_hint() -> None:
    dispatcher = CollectingDispatcher()
    ValidateMissedBinForm().validate_bin_postcode(
        "my house", dispatcher, make_tracker("my house", "ask_question"), {}
    )
    assert "MB1 2AB" in dispatcher.messages[0]["text"]


async def test_next_tuesday_is_refused_in_plain_words() -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateMissedBinForm().validate_missed_date(
        "next tuesday", dispatcher, make_tracker("next tuesday", "ask_question"), {}
    )
    assert result == {"missed_date": None}
    assert "hasn't come yet" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("step", "text", "reply"),
    [
        ("callback_name", "why do you need my name?", "speaking to the right person"),
        ("callback_name", "why do you need my name", "speaking to the right person"),
        ("callback_phone", "what do you want my number for", "only use it for this call"),
        ("bin_postcode", "why do you need that", "which street"),
    ],
)
async def test_asking_why_a_detail_is_needed_gets_what_it_is_used_for(
    step: str, text: str, reply: str
) -> None:
    """What must hold: asking why the form wants a personal detail sets nothing and is told
    what the detail is used for; the form then asks its question again."""
    form = ValidateCallbackForm() if step.startswith("callback") else ValidateMissedBinForm()
    dispatcher = CollectingDispatcher()
    result = getattr(form, f"validate_{step}")(
        text, dispatcher, make_tracker(text, "ask_question"), {}
    )
    assert result == {step: None}
    assert reply in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("text", ["i dont know what my postcode is", "whats a postcode", "no idea"])
async def test_someone_who_does_not_know_their_postcode_is_told_where_to_find_it(
    text: str,
) -> None:
    """Twenty-fifth session: "whats a postcode" got the way-out reply and "i dont know what my
    postcode is" got "That doesn't look like a UK postcode". What must hold: both are told
    where a postcode is found, and the form asks again."""
    dispatcher = CollectingDispatcher()
    result = ValidateMissedBinForm().validate_bin_postcode(
        text, dispatcher, make_tracker(text, "ask_question"), {}
    )
    assert result == {"bin_postcode": None}
    assert "council tax bill" in dispatcher.messages[0]["text"]
