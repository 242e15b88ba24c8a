"""Parse and check what citizens type into the forms (postcodes, dates, phone numbers...).

Each parser takes free text and returns a clean value or ``None`` (or a reason string for
dates). Pure functions: no Rasa types, easy to test.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

MAX_NAME_LENGTH = 60
# Words no name is made of: a question or a refusal typed where the callback form asks for a
# name ("why do you need my name", "I'd rather not say") is not a name.
_NOT_NAME_WORDS = frozenset({
    "why", "what", "how", "when", "where", "who", "which", "need", "needs", "want", "wants",
    "you", "your", "my", "me", "i", "i'd", "i'm", "im", "dont", "don't", "not", "rather", "say",
    "tell", "give", "name", "names", "number", "phone",
})
REPORT_WITHIN_WORKING_DAYS = 2
# A phone number or an email address may come in a short sentence ("my number is 01632 960
# 123", "it's jo@example.org thanks"): the one number or address in it is the answer.
MAX_DETAIL_SENTENCE = 80
_PHONE_RUN = re.compile(r"(?<![\w+])(?:\+44|0044|0)(?:[\s\-().]*\d){9,12}(?!\d)")
_POSTCODE_RUN = re.compile(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b")
_UNSURE_OF_POSTCODE = re.compile(
    r"\b(?:don'?t|do not|not sure|no idea|can'?t|cannot|forg[eo]t\w*|unsure)\b.{0,30}"
    r"\bpost ?code\b|\bwhat(?:'s|s| is)? (?:a|my|the) post ?code\b"
    r"|^\W*(?:i )?(?:don'?t|do not) know\W*$|^\W*no idea\W*$|^\W*not sure\W*$",
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)

_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})$",
    re.IGNORECASE,
)

# Bin colours as the council's own guidance names them (knowledge/articles/
# recycling-what-goes-where.md): blue recycling, green rubbish, brown garden waste.
BIN_TYPES: dict[str, tuple[str, ...]] = {
    "rubbish": (
        "rubbish",
        "general",
        "waste bin",
        "green",
        "black",
        "grey",
        "gray",
        "refuse",
        "landfill",
        "household waste",
        "residual",
    ),
    "recycling": ("recycl", "blue", "box", "glass", "paper", "cardboard", "plastic", "cans"),
    "garden waste": ("garden", "brown", "grass", "hedge"),
    "food waste": ("food", "caddy", "kitchen"),
}

CONTACT_PREFERENCES: dict[str, tuple[str, ...]] = {
    "email": ("email", "e-mail", "mail"),
    "text message": ("text", "sms", "mobile", "message"),
    "none": ("no", "none", "nope", "not", "don't", "dont", "skip", "nothing", "without"),
}

CALLBACK_TIMES: dict[str, tuple[str, ...]] = {
    "morning": ("morning", "am", "before noon", "before lunch", "early"),
    "afternoon": ("afternoon", "pm", "after lunch", "after noon", "later"),
    "any time": (
        "any",
        "whenever",
        "don't mind",
        "dont mind",
        "either",
        "doesn't matter",
        "anytime",
        "all day",
    ),
}

# Each weekday as people type it, Monday first.
_WEEKDAY_WORDS = (
    "monday|mon", "tuesday|tues|tue", "wednesday|weds|wed", "thursday|thurs|thur|thu",
    "friday|fri", "saturday|sat", "sunday|sun",
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_YES = re.compile(
    r"^\s*(y|yes|yeah|yep|yup|sure|ok|okay|correct|send( it)?|go ahead|please do|"
    r"yes,? (please|send it|you can( call me)?|that'?s (fine|right|correct))|"
    r"that'?s (fine|right|correct)|aye|of course|absolutely)\W*$",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(n|no|nope|nah|no thanks?|no thank you|no,? (start again|don'?t)|"
    r"don'?t|please don'?t|wrong|not right|start again)\W*$",
    re.IGNORECASE,
)


def looks_like_payload(text: str) -> bool:
    """True for text that looks like a hand-typed ``/intent{...}`` command, not an answer."""
    stripped = text.strip()
    return stripped.startswith("/") or "{" in stripped or "}" in stripped


def parse_postcode(text: str) -> str | None:
    """Return the postcode in standard form (``MB1 2AB``) or None: ``text`` is one, or a short
    sentence with exactly one in it ("my postcode is mb1 2ab", "12 Oak Road, MB1 2AB")."""
    whole = _one_postcode(text)
    if whole is not None or len(text) > MAX_DETAIL_SENTENCE:
        return whole
    found = {code for code in map(_one_postcode, _POSTCODE_RUN.findall(text)) if code}
    return found.pop() if len(found) == 1 else None


def unsure_of_postcode(text: str) -> bool:
    """True for "I don't know my postcode", "what's a postcode?", "can't find it": the citizen
    needs to know where to find it, not that their answer is not one."""
    return bool(_UNSURE_OF_POSTCODE.search(text.replace("\u2019", "'")))


def _one_postcode(text: str) -> str | None:
    compact = re.sub(r"\s+", "", text.strip().upper())
    if not 5 <= len(compact) <= 7 or not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def _match_keywords(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    lowered = text.lower()
    found = {
        value
        for value, words in table.items()
        if any(re.search(rf"(?<![a-z]){re.escape(word)}", lowered) for word in words)
    }
    return found.pop() if len(found) == 1 else None


# A choice named only to rule it out ("the green one, not the blue", "not mornings").
_RULED_OUT = re.compile(
    r"\b(?:not|isn'?t|wasn'?t)\s+(?:(?:in|on|at|by)\s+)?(?:the\s+|my\s+|a\s+)?[a-z]+"
    r"(?:\s+(?:one|bin|box|waste))?",
    re.IGNORECASE,
)


def _without_ruled_out(text: str) -> str:
    """``text`` without the choices it names only to rule them out."""
    return _RULED_OUT.sub(" ", text.replace("\u2019", "'"))


def parse_bin_type(text: str) -> str | None:
    """Return one of ``BIN_TYPES`` named in ``text``, or None if none or several match. A bin
    named only to be ruled out ("actually it's the green bin not the blue") does not count."""
    if len(text) > 200:
        return None
    return _match_keywords(_without_ruled_out(text), BIN_TYPES)


def parse_contact_preference(text: str) -> str | None:
    """Return ``email``, ``text message`` or ``none``; None if the answer is unclear."""
    if len(text) > 200:
        return None
    lowered = text.lower()
    if "@" in lowered:
        return "email"
    return _match_keywords(lowered, CONTACT_PREFERENCES)


def parse_callback_time(text: str) -> str | None:
    """Return ``morning``, ``afternoon`` or ``any time``; None if unclear. A time named only to
    be ruled out ("not mornings") does not count."""
    if len(text) > 200:
        return None
    return _match_keywords(_without_ruled_out(text), CALLBACK_TIMES)


def parse_yes_no(text: str, intent: str | None = None) -> bool | None:
    """Interpret a yes/no answer from the words, then from the NLU intent.

    The intent counts only when the text has letters: an emoji or an empty message is not
    an answer (consent must be explicit).
    """
    if _YES.match(text):
        return True
    if _NO.match(text):
        return False
    if not re.search(r"[^\W\d_]{2}", text):
        return None
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    return None


def _working_days_between(start: date, end: date) -> int:
    """Count Monday-to-Friday days after ``start`` up to and including ``end``."""
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


def _parse_day(text: str, today: date) -> date | None:
    lowered = text.lower().strip()
    if re.search(r"\btomorrow\b", lowered):
        return today + timedelta(days=1)
    if re.search(r"\btoday\b|\bthis morning\b", lowered):
        return today
    if re.search(r"\bday before yesterday\b", lowered):
        return today - timedelta(days=2)
    if re.search(r"\byesterday\b", lowered):
        return today - timedelta(days=1)
    if match := re.search(r"\b(\d{1,2}|one|two|three|four|five)\s+days?\s+ago\b", lowered):
        words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
        count = words.get(match.group(1)) or int(match.group(1))
        return today - timedelta(days=count)
    for index, names in enumerate(_WEEKDAY_WORDS):
        qualified = rf"\b(?:(next|this coming|coming|last|this) )?(?:{names})\b"
        if match := re.search(qualified, lowered):
            return _weekday(today, index, match.group(1))
    if match := re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", lowered):
        year, month, day = (int(part) for part in match.groups())
        return _safe_date(year, month, day)
    if match := re.search(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b", lowered):
        day, month = int(match.group(1)), int(match.group(2))
        year = _year(match.group(3), today)
        return _safe_date(year, month, day)
    if match := re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9})\b", lowered):
        named = _month(match.group(2))
        if named:
            return _safe_date(today.year, named, int(match.group(1)))
    if match := re.search(r"\b([a-z]{3,9})\s+(\d{1,2})(?:st|nd|rd|th)?\b", lowered):
        named = _month(match.group(1))
        if named:
            return _safe_date(today.year, named, int(match.group(2)))
    if match := re.search(r"\b(\d{1,2})(?:st|nd|rd|th)\b", lowered):  # "the 3rd": this month's
        this_month = _safe_date(today.year, today.month, int(match.group(1)))
        if this_month is None or this_month <= today:
            return this_month
        return _safe_date(today.year - (today.month == 1), (today.month - 2) % 12 + 1,
                          this_month.day)
    return None


def _weekday(today: date, index: int, qualifier: str | None) -> date:
    """The weekday ``index`` that ``qualifier`` points at: "next"/"coming" is the next one
    after today; "last" the one before today; none or "this", the most recent (today counts).
    """
    if qualifier in ("next", "this coming", "coming"):
        return today + timedelta(days=(index - today.weekday()) % 7 or 7)
    if qualifier == "last":
        return today - timedelta(days=(today.weekday() - index) % 7 or 7)
    return today - timedelta(days=(today.weekday() - index) % 7)


def _year(raw: str | None, today: date) -> int:
    if not raw:
        return today.year
    year = int(raw)
    return year + 2000 if year < 100 else year


def _month(word: str) -> int | None:
    prefix = word[:3]
    return _MONTHS.index(prefix) + 1 if prefix in _MONTHS else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_missed_date(text: str, today: date) -> tuple[date | None, str]:
    """Parse the day a bin should have been collected.

    Returns ``(date, "ok")``, or ``(None, reason)`` where reason is ``"unclear"``,
    ``"future"`` or ``"too_old"`` (more than ``REPORT_WITHIN_WORKING_DAYS`` working days).
    """
    if len(text) > 100:
        return None, "unclear"
    day = _parse_day(text, today)
    if day is None:
        return None, "unclear"
    if day > today:
        return None, "future"
    if _working_days_between(day, today) > REPORT_WITHIN_WORKING_DAYS:
        return None, "too_old"
    return day, "ok"


def parse_uk_phone(text: str) -> str | None:
    """Return a UK phone number in national form (``07700 900123``) or None.

    Accepts mobiles (07), geographic and non-geographic numbers (01, 02, 03) with or without
    ``+44``; spaces, dashes and brackets are ignored. Premium and short numbers are refused.
    """
    if len(text) > MAX_DETAIL_SENTENCE:
        return None
    runs = {re.sub(r"[\s\-().]", "", run) for run in _PHONE_RUN.findall(text)}
    if len(runs) != 1:  # none, or two different numbers: ask again
        return None
    digits = runs.pop()
    if digits.startswith("+44"):
        digits = "0" + digits[3:].lstrip("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].lstrip("0")
    if not re.fullmatch(r"0[1237]\d{9}", digits):
        return None
    if digits.startswith("07") and digits[2] == "6" and not digits.startswith("07624"):
        return None  # 076 is pagers, except the Isle of Man mobile range
    if digits.startswith(("02", "03")):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"


def parse_uk_mobile(text: str) -> str | None:
    """Return a UK mobile number (07...) in national form, or None."""
    number = parse_uk_phone(text)
    return number if number and number.startswith("07") else None


def parse_email(text: str) -> str | None:
    """Return the one plausible email address in ``text`` ("my email is jo@example.org"),
    lower-cased, or None (none, or two different ones)."""
    if len(text) > 254 + MAX_DETAIL_SENTENCE:
        return None
    found = {match.lower() for match in _EMAIL.findall(text)}
    if len(found) != 1:
        return None
    email = found.pop()
    return email if len(email) <= 254 else None


def parse_name(text: str) -> str | None:
    """Return a tidy personal name (letters, spaces, hyphens, apostrophes), or None."""
    name = re.sub(r"\s+", " ", text.strip())
    name = re.sub(r"^(?:my name is|i'?m|i am|it'?s|call me|this is)\s+", "", name, flags=re.I)
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        return None
    if not re.fullmatch(r"[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?", name):
        return None
    if _NOT_NAME_WORDS.intersection(name.lower().replace("\u2019", "'").split()):
        return None
    return name
