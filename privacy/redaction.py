"""Find personal data a citizen typed by mistake and replace it with a short placeholder.

The module is pure Python (it must import on Python 3.10 inside the Rasa venv and on 3.11).
Kinds:

- ``ni_number``: a UK National Insurance number (two letters, six digits, one letter A-D)
- ``card_number``: 13 to 19 digits, spaces or dashes allowed, that pass the Luhn check
- ``bank_details``: a sort code (``12-34-56``) with an 8-digit account number, or a
  sort code / account number named as such
- ``email``: an email address
- ``phone``: a UK phone number; *not* redacted by default, because the callback form needs
  the number the citizen gives us
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

PLACEHOLDERS: dict[str, str] = {
    "ni_number": "[NI number removed]",
    "card_number": "[card number removed]",
    "bank_details": "[bank details removed]",
    "email": "[email removed]",
    "phone": "[phone number removed]",
}

DEFAULT_KINDS: tuple[str, ...] = ("ni_number", "card_number", "bank_details", "email")

# Deliberately lenient (any two letters): HMRC's example prefixes like QQ are still the
# citizen's attempt to type a number, and over-redacting here costs nothing.
_NI = re.compile(r"\b[A-Z]{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D]\b", re.IGNORECASE)
_CARD_CANDIDATE = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_SORT_CODE = r"\d{2}[- ]?\d{2}[- ]?\d{2}"
_BANK_PAIR = re.compile(
    rf"(?<!\d)(?:{_SORT_CODE}[\s,/]+(?:account\s*(?:no\.?|number)?\s*:?\s*)?\d{{8}}"
    rf"|\d{{8}}[\s,/]+(?:sort\s*code\s*:?\s*)?{_SORT_CODE})(?!\d)",
    re.IGNORECASE,
)
_BANK_NAMED = re.compile(
    rf"\b(?:sort\s*code(?:\s*is)?\s*:?\s*{_SORT_CODE}"
    r"|account\s*(?:no\.?|number)(?:\s*is)?\s*:?\s*\d{8})(?!\d)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b")
_PHONE = re.compile(
    r"(?<![\d+])(?:\+44\s?\(?0?\)?\s?|0)(?:7\d{3}\s?\d{3}\s?\d{3}|[123]\d{2,4}\s?\d{3}\s?\d{3,4})(?!\d)"
)


@dataclass(frozen=True)
class RedactionResult:
    """The text with personal data replaced, and which kinds were found (sorted, unique)."""

    text: str
    kinds: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """True when anything was redacted."""
        return bool(self.kinds)


def luhn_valid(digits: str) -> bool:
    """Return True when ``digits`` (digits only) passes the Luhn checksum."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _replace_cards(text: str, found: set[str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.add("card_number")
            return PLACEHOLDERS["card_number"]
        return match.group(0)

    return _CARD_CANDIDATE.sub(substitute, text)


def _replace(pattern: re.Pattern[str], kind: str, text: str, found: set[str]) -> str:
    new_text, count = pattern.subn(PLACEHOLDERS[kind], text)
    if count:
        found.add(kind)
    return new_text


def redact(text: str, kinds: Iterable[str] = DEFAULT_KINDS) -> RedactionResult:
    """Replace the personal data of the given ``kinds`` in ``text`` with placeholders.

    Cards are checked before bank details and phone numbers, so a 16-digit card number is
    never half-redacted as something else.
    """
    wanted = set(kinds)
    unknown = wanted - PLACEHOLDERS.keys()
    if unknown:
        raise ValueError(f"unknown personal-data kinds: {sorted(unknown)}")
    found: set[str] = set()
    result = text
    if "email" in wanted:
        result = _replace(_EMAIL, "email", result, found)
    if "card_number" in wanted:
        result = _replace_cards(result, found)
    if "ni_number" in wanted:
        result = _replace(_NI, "ni_number", result, found)
    if "bank_details" in wanted:
        result = _replace(_BANK_PAIR, "bank_details", result, found)
        result = _replace(_BANK_NAMED, "bank_details", result, found)
    if "phone" in wanted:
        result = _replace(_PHONE, "phone", result, found)
    return RedactionResult(text=result, kinds=tuple(sorted(found)))


def kinds_already_redacted(text: str) -> tuple[str, ...]:
    """Return the kinds whose placeholder already appears in ``text`` (redacted upstream)."""
    return tuple(sorted(kind for kind, mark in PLACEHOLDERS.items() if mark in text))
