"""Replies and yes/no answers: the two small defects of issue 15 item 6.

What must hold: a reply whose template names a field the action did not pass still reaches
the citizen (the field left empty) and the gap is logged as an error naming the reply and the
field, instead of being blanked silently; the words of a yes/no answer decide before the NLU
intent, and without clear words the intent decides.
"""

from __future__ import annotations

import logging

import pytest

from actions.form_values import parse_yes_no
from actions.replies import reply


def test_a_missing_template_field_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, "actions.replies")
    message = reply("utter_callback_booked", callback_name="Jo", callback_phone="07700 900123")
    assert message["text"].startswith("Thank you, Jo.")
    assert "utter_callback_booked" in caplog.text and "{callback_id}" in caplog.text
    assert "{callback_time}" in caplog.text


def test_a_complete_reply_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, "actions.replies")
    reply(
        "utter_callback_booked",
        callback_name="Jo",
        callback_phone="07700 900123",
        callback_time="morning",
        callback_id="CB-X",
    )
    assert caplog.text == ""


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("yes please", "deny", True),
        ("no thanks", "affirm", False),
        ("go on then", "affirm", True),
        ("rather not", "deny", False),
        ("go on then", None, None),
        ("👍", "affirm", None),
    ],
)
def test_words_decide_then_the_intent(text: str, intent: str | None, expected: bool | None) -> None:
    assert parse_yes_no(text, intent) is expected
