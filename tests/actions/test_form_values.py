"""Parsing what citizens type into the forms."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from actions.form_values import (
    looks_like_payload,
    parse_bin_type,
    parse_callback_time,
    parse_contact_preference,
    parse_email,
    parse_missed_date,
    parse_name,
    parse_postcode,
    parse_uk_mobile,
    parse_uk_phone,
    parse_yes_no,
)

SUNDAY = date(2026, 11, 29)
WEDNESDAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mb1 2ab", "MB1 2AB"),
        ("SW1A1AA", "SW1A 1AA"),
        (" m1 1ae ", "M1 1AE"),
        ("EC1A 1BB", "EC1A 1BB"),
    ],
)
def test_uk_postcodes_are_normalised(text: str, expected: str) -> None:
    assert parse_postcode(text) == expected


@pytest.mark.parametrize(
    "text", ["", "hello", "12345", "QQ1 1AA", "/inform", "SW1A 1AAA", "x" * 1000]
)
def test_non_postcodes_are_refused(text: str) -> None:
    assert parse_postcode(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rubbish", "rubbish"),
        ("the black general waste one", "rubbish"),
        ("recycling box", "recycling"),
        ("garden waste", "garden waste"),
        ("my food caddy", "food waste"),
        ("no idea", None),
        ("recycling and garden", None),
        # the colours the council's own guidance gives: green is rubbish, brown garden waste
        ("the green one", "rubbish"),
        ("brown bin", "garden waste"),
        # a bin named only to be ruled out does not count
        ("actually its the green bin not the blue", "rubbish"),
        ("not the blue one, the brown", "garden waste"),
        ("the recycling wasn't collected", "recycling"),
        ("not recycling", None),
    ],
)
def test_bin_types(text: str, expected: str | None) -> None:
    assert parse_bin_type(text) == expected


@pytest.mark.parametrize(
    "text",
    ["why do you need my name", "I'd rather not say", "i dont want to give my name",
     "what do you need it for"],
)
def test_a_question_or_refusal_is_not_a_name(text: str) -> None:
    """What must hold: the callback form never books a call for "why do you need my name"."""
    assert parse_name(text) is None


@pytest.mark.parametrize("text", ["Jo Bloggs", "Will May", "Do Van Minh", "it's Sam"])
def test_names_that_look_like_words_are_still_names(text: str) -> None:
    assert parse_name(text) is not None


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("today", SUNDAY, (SUNDAY, "ok")),
        ("yesterday", SUNDAY, (date(2026, 11, 28), "ok")),
        ("Friday", SUNDAY, (date(2026, 11, 27), "ok")),
        ("thursday", SUNDAY, (date(2026, 11, 26), "ok")),
        ("27/11", SUNDAY, (date(2026, 11, 27), "ok")),
        ("26th November", SUNDAY, (date(2026, 11, 26), "ok")),
        ("2 days ago", WEDNESDAY, (date(2026, 11, 23), "ok")),
        ("monday", WEDNESDAY, (date(2026, 11, 23), "ok")),
        ("tuesday", SUNDAY, (None, "too_old")),
        ("2026-11-01", SUNDAY, (None, "too_old")),
        ("tomorrow", SUNDAY, (None, "future")),
        # issue 14 item 6: "next tuesday" is the coming Tuesday (refused: in the future),
        # never the Tuesday just gone
        ("next tuesday", SUNDAY, (None, "future")),
        ("next Monday", WEDNESDAY, (None, "future")),
        ("coming friday", SUNDAY, (None, "future")),
        ("last friday", SUNDAY, (date(2026, 11, 27), "ok")),
        ("last monday", WEDNESDAY, (date(2026, 11, 23), "ok")),
        ("last wednesday", WEDNESDAY, (None, "too_old")),
        ("31/12", SUNDAY, (None, "future")),
        ("banana", SUNDAY, (None, "unclear")),
        ("31/02", SUNDAY, (None, "unclear")),
        ("x" * 500, SUNDAY, (None, "unclear")),
    ],
)
def test_missed_dates_within_two_working_days(
    text: str, today: date, expected: tuple[date | None, str]
) -> None:
    assert parse_missed_date(text, today) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07700 900123", "07700 900123"),
        ("+44 7700 900123", "07700 900123"),
        ("(01632) 960-100", "01632 960100"),
        ("020 7946 0000", "020 7946 0000"),
        ("0044 1632 960100", "01632 960100"),
        ("12345", None),
        ("09098 790000", None),
        ("07600 123456", None),
        ("call me", None),
    ],
)
def test_uk_phone_numbers(text: str, expected: str | None) -> None:
    assert parse_uk_phone(text) == expected


def test_mobile_only_accepts_07() -> None:
    assert parse_uk_mobile("07700 900123") == "07700 900123"
    assert parse_uk_mobile("01632 960100") is None


def test_emails_names_times_preferences_yes_no() -> None:
    assert parse_email("Sam@Example.org") == "sam@example.org"
    assert parse_email("sam at example") is None
    assert parse_name("my name is Aoife O'Neil") == "Aoife O'Neil"
    assert parse_name("R2D2") is None
    assert parse_name("x" * 61) is None
    assert parse_callback_time("in the morning please") == "morning"
    assert parse_callback_time("whenever") == "any time"
    assert parse_callback_time("never") is None
    assert parse_contact_preference("no updates") == "none"
    assert parse_contact_preference("by email") == "email"
    assert parse_contact_preference("text message") == "text message"
    assert parse_yes_no("Yes, send it") is True
    assert parse_yes_no("no") is False
    assert parse_yes_no("maybe") is None
    assert parse_yes_no("whatever", "affirm") is True


def test_hand_typed_commands_are_spotted() -> None:
    assert looks_like_payload('/inform{"bin_postcode": "MB1 2AB"}')
    assert looks_like_payload("{json}")
    assert not looks_like_payload("MB1 2AB")


@pytest.mark.parametrize("text", ["😀", "👍", "", "...", "?"])
def test_emoji_or_empty_is_never_consent(text: str) -> None:
    assert parse_yes_no(text, "affirm") is None
    assert parse_yes_no(text, "deny") is None


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (parse_uk_phone, "my number is 01632 960 123", "01632 960123"),
        (parse_uk_phone, "call me on 07700900123 please", "07700 900123"),
        (parse_uk_phone, "07700 900123 or 01632 960 100", None),  # two numbers: ask again
        (parse_email, "my email is jo@example.org", "jo@example.org"),
        (parse_email, "it's JO@Example.org.", "jo@example.org"),
        (parse_email, "a@b.co and c@d.co", None),
        (parse_postcode, "my postcode is mb1 2ab", "MB1 2AB"),
        (parse_postcode, "12 Oak Road, MB1 2AB please", "MB1 2AB"),
        (parse_postcode, "MB1 2AB or SW1A 1AA", None),
    ],
)
def test_a_detail_given_in_a_short_sentence(parse: Any, text: str, expected: str | None) -> None:
    """Twenty-fifth session: "my number is 01632 960 123" was refused as not a UK number and
    "my email is jo@example.org" was asked for again. The one number, address or postcode in
    a short sentence is the answer; two different ones are asked again."""
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("the day before yesterday", date(2026, 12, 2)), ("thurs", date(2026, 12, 3)),
     ("weds", date(2026, 12, 2)), ("on the 3rd", date(2026, 12, 3)),
     ("the 30th", None)],  # 30 November: more than 2 working days ago
)
def test_days_as_people_type_them(text: str, expected: date | None) -> None:
    """Twenty-fifth session: "the day before yesterday" was read as yesterday, and "thurs" or
    "on the 3rd" were not understood. Today is Friday 4 December 2026."""
    assert parse_missed_date(text, date(2026, 12, 4))[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("not mornings", None), ("not in the morning, afternoon is better", "afternoon"),
     ("mornings are best", "morning")],
)
def test_a_time_ruled_out_does_not_count(text: str, expected: str | None) -> None:
    """Twenty-fifth session: "not mornings" booked a morning call."""
    assert parse_callback_time(text) == expected
