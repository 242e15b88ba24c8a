"""Regular-expression finders for each kind of personal data (pure Python, 3.10 and 3.11).

Each finder takes the text and returns ``(start, end)`` pairs of what it found. They are used
alone by ``privacy.redaction`` (inside Rasa's Python 3.10 venv, where spaCy 3.8 cannot be
imported) and, wrapped as Presidio recognizers, next to spaCy's named entities by
``privacy.detection`` in the app venv.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

Finder = Callable[[str], Iterator[tuple[int, int]]]

# Deliberately lenient (any two letters): HMRC's example prefixes like QQ are still the
# citizen's attempt to type a number, and over-redacting here costs nothing.
NI = re.compile(r"\b[A-Z]{2}[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D]\b", re.IGNORECASE)
CARD_CANDIDATE = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
SORT_CODE = r"\d{2}[- ]\d{2}[- ]\d{2}"
BANK_PAIR = re.compile(
    rf"(?<!\d)(?:{SORT_CODE}[\s,/]+(?:account\s*(?:no\.?|number)?\s*:?\s*)?\d{{8}}"
    rf"|\d{{8}}[\s,/]+(?:sort\s*code\s*:?\s*)?{SORT_CODE})(?!\d)",
    re.IGNORECASE,
)
BANK_NAMED = re.compile(
    rf"\b(?:sort\s*code(?:\s*is)?\s*:?\s*{SORT_CODE}"
    r"|sort\s*code(?:\s*is)?\s*:?\s*\d{6}"
    r"|account\s*(?:no\.?|number)?(?:\s*is)?\s*:?\s*\d{8})(?!\d)",
    re.IGNORECASE,
)
EMAIL = re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b")
PHONE = re.compile(
    r"(?<![\d+])(?:\+44\s?\(?0?\)?\s?|0|\(0)"
    r"(?:7\d{3}\s?\d{3}\s?\d{3}|[123]\d{2,4}\)?\s?\d{3}\s?\d{3,4})(?!\d)"
)
# A full UK postcode (outward and inward code), in the shapes Royal Mail issues.
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRVWXY])"
    r" ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+(?:19|20)\d{{2}}"
         rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})")
# A date is a date of birth only when the words around it say so.
DATE_OF_BIRTH = re.compile(
    rf"\b(?:born|date\s+of\s+birth|d\.?o\.?b\.?|birthday|birth\s+date)"
    rf"(?:\s+(?:is|was|on|:|-))*\s*:?\s*(?P<value>{_DATE})",
    re.IGNORECASE,
)
STREET_SUFFIXES = (
    "street", "st", "road", "rd", "lane", "avenue", "ave", "close", "drive", "way", "crescent",
    "grove", "place", "terrace", "gardens", "court", "walk", "view", "row", "hill", "square",
    "mews", "rise", "parade", "green", "park", "gate", "wharf", "yard", "end", "vale",
)
_STREET_WORD = r"[A-Z][a-z']+"
# House number (optionally a flat first) followed by a capitalised street name with a suffix,
# or by a one-word street such as "Kingsway" / "Northgate".
ADDRESS = re.compile(
    rf"(?<![\w£$.,/-])(?:(?:flat|apartment|unit)\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+"
    rf"(?:(?:{_STREET_WORD}\s+){{1,3}}(?:{'|'.join(s.title() for s in STREET_SUFFIXES)})\b"
    rf"|[A-Z][a-z]+(?:way|gate|side)\b)",
)
# A name given as one ("my name is jane smith", "I'm called Tom"): the words after the cue.
_RELATIVE = (r"mum|mother|dad|father|son|daughter|wife|husband|partner|neighbour|neighbor"
             r"|brother|sister|nan|gran|grandma|grandad|grandfather|grandmother|friend|carer"
             r"|child|aunt|uncle|landlord|landlady|tenant")
_NAME = r"[A-Z][a-z'-]+(?:\s+(?:Mc|Mac|O')?[A-Z][a-z'-]+)?"
# A name given as one ("my name is jane smith", "I'm called Tom", "my son Harry",
# "Sophie here"): the words after (or before) the cue.
NAME_CUE = re.compile(
    rf"\b(?i:my\s+name\s+is|my\s+name's|name:|i'?m\s+called|i\s+am\s+called|this\s+is"
    rf"|it'?s|i'?m|i\s+am|my\s+(?:{_RELATIVE}))\s+(?P<value>{_NAME})\b"
    rf"|\b(?i:my\s+name\s+is)\s+(?P<lower>[a-z][a-z'-]+(?:\s+[a-z][a-z'-]+)?)\b"
    rf"|^\s*(?P<here>[A-Z][a-z'-]+)\s+here\b"
    rf"|(?:^|[:;]\s*)(?P<lead>[A-Z][a-z'-]+\s+(?:Mc|Mac|O')?[A-Z][a-z'-]+)\s*,"
    rf"|\b(?i:thanks|thank\s+you|cheers|regards|best\s+wishes|many\s+thanks|from)\s*,?\s+"
    rf"(?P<signoff>{_NAME})\s*[.!]?\s*$",
)


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


def _whole(pattern: re.Pattern[str]) -> Finder:
    def find(text: str) -> Iterator[tuple[int, int]]:
        for match in pattern.finditer(text):
            yield match.span()
    return find


def _group(pattern: re.Pattern[str], *groups: str) -> Finder:
    def find(text: str) -> Iterator[tuple[int, int]]:
        for match in pattern.finditer(text):
            for group in groups:
                if match.group(group) is not None:
                    yield match.span(group)
    return find


def find_cards(text: str) -> Iterator[tuple[int, int]]:
    """13 to 19 digits (spaces or dashes allowed) that pass the Luhn check."""
    for match in CARD_CANDIDATE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            yield match.span()


def find_bank_details(text: str) -> Iterator[tuple[int, int]]:
    """A sort code with an account number, or either one named as such."""
    yield from _whole(BANK_PAIR)(text)
    yield from _whole(BANK_NAMED)(text)


FINDERS: dict[str, Finder] = {
    "email": _whole(EMAIL),
    "card_number": find_cards,
    "ni_number": _whole(NI),
    "bank_details": find_bank_details,
    "date_of_birth": _group(DATE_OF_BIRTH, "value"),
    "phone": _whole(PHONE),
    "postcode": _whole(POSTCODE),
    "address": _whole(ADDRESS),
    "person": _group(NAME_CUE, "value", "lower", "here", "lead", "signoff"),
}
