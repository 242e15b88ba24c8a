"""Personal-data redaction used by the guidance action, Rasa's tracker store and the gateway."""

from __future__ import annotations

import pytest

from privacy.redaction import kinds_already_redacted, luhn_valid, redact


@pytest.mark.parametrize(
    ("text", "kind", "must_vanish"),
    [
        ("my NI number is AB 12 34 56 C", "ni_number", "12 34 56"),
        ("ni: ab123456c thanks", "ni_number", "ab123456c"),
        ("QQ123456C", "ni_number", "QQ123456C"),
        ("card 4111 1111 1111 1111 exp 12/27", "card_number", "4111"),
        ("5500-0000-0000-0004", "card_number", "5500"),
        ("378282246310005 is my amex", "card_number", "378282246310005"),
        ("sort code 12-34-56 account 12345678", "bank_details", "12345678"),
        ("12-34-56 12345678", "bank_details", "12-34-56"),
        ("account number 87654321", "bank_details", "87654321"),
        ("email me on sam.smith+bins@example.co.uk", "email", "sam.smith"),
    ],
)
def test_personal_data_is_replaced(text: str, kind: str, must_vanish: str) -> None:
    result = redact(text)
    assert kind in result.kinds
    assert must_vanish not in result.text
    assert result.changed


@pytest.mark.parametrize(
    "text",
    [
        "how do I pay my council tax band D",
        "my bin was missed on 27/11/2026",
        "order reference 1234567812345678",  # 16 digits that fail the Luhn check
        "my postcode is MB1 2AB",
        "call me on 07700 900123",  # phone numbers are kept unless asked for
        "I paid £1,234.56 on 12-11-2026",
        "",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.kinds == ()


def test_phone_numbers_only_when_asked() -> None:
    assert redact("07700 900123", kinds=["phone"]).kinds == ("phone",)
    assert "900123" not in redact("ring +44 7700 900123", kinds=["phone"]).text


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown"):
        redact("x", kinds=["shoe_size"])


def test_placeholders_are_recognised_downstream() -> None:
    once = redact("AB123456C and 4111111111111111")
    assert kinds_already_redacted(once.text) == ("card_number", "ni_number")
    assert redact(once.text).kinds == ()  # redacting twice changes nothing


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
