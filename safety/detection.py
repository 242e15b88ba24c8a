"""Lexical crisis detection: the first and deciding check for the crisis reply.

Two tiers (docs/adr/0202-crisis-detection-lexical-first.md):

- ``detect_safety_concern``: phrases that, in messages to a council, almost always mean
  suicide, self-harm, abuse or immediate danger. A match gets the helplines whatever the
  NLU classifier says, unless the learned check scores the message below every crisis phrasing
  a pattern catches (the phrase veto, ADR 0202's ninth round; ``safety.similarity``).
  Patterns are phrases, not single words, so service questions
  ("emergency repair", "dangerous pothole", "blue badge abuse", "kill the weeds") are not
  caught.
- ``has_risk_words``: single words that only *may* mean a crisis (hurt, scared, die,
  knife...). They never trigger the crisis reply alone; the safety gate in the Rasa pipeline
  (``safety.rasa_gate``) uses them to accept the classifier's ``safety_concern`` as a second
  opinion.

The phrases themselves are in ``safety/patterns.py``. Measured on ``safety/eval/`` by
``benchmarks/safety_sets.py``. Pure Python, importable on
3.10 (Rasa) and 3.11 (actions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from safety.patterns import PATTERNS

# Patterns are written in lower case and matched against ``normalise``'s lower-cased text, so
# they are compiled without ``re.IGNORECASE``, which doubled the cost of a check (0.8 -> 0.4 ms
# on this machine; the check runs in Rasa, the action server and the gateway for every
# guidance-bound message). tests/safety/test_detection.py holds the patterns to lower case.
_COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    category: tuple(re.compile(pattern) for pattern in patterns)
    for category, patterns in PATTERNS.items()
}

_RISK_WORDS = re.compile(
    r"\b(?:die|dying|kill\w*|suicid\w*|hurt\w*|harm\w*|hit|hits|hitting|beat\w*|"
    r"punch\w*|kick\w*|slap\w*|abus\w*|violen\w*|scared|afraid|frightened|terrified|unsafe|"
    r"danger|threat\w*|weapon|knife|gun|attack\w*|assault\w*|rape\w*|pills|tablets|"
    r"overdose|bleed\w*|blood|cut|cutting|police|ambulance|999|fire|breath\w*|touch\w*|"
    r"bruis\w*|refuge|flee\w*|escape|trapped|goodbye|end it|disappear\w*|alone|hopeless)\b",
)

# Common misspellings and shorthand, rewritten before matching so patterns stay readable.
_SPELLING = (
    (re.compile(r"\bwanna\b"), "want to"),
    (re.compile(r"\bgonna\b"), "going to"),
    (re.compile(r"\bkil\b"), "kill"),
    (re.compile(r"\b(?:killin|kilin|kiling)\b'?"), "killing"),
    (re.compile(r"\bslef"), "self"),
    (re.compile(r"\bslf\b"), "self"),
    (re.compile(r"\b(?:myslf|myslef|meself|mysef|mysel)\b"), "myself"),
    (re.compile(r"\bmy ?slef\b|\bmyselfe?\b"), "myself"),
    (re.compile(r"\b(?:sucid|suicd|suisid|suicied|sucicid|suiced)"), "suicid"),
    (re.compile(r"\bassul"), "assaul"),
    (re.compile(r"\bboyfreind"), "boyfriend"),
    (re.compile(r"\bgirlfreind"), "girlfriend"),
    (re.compile(r"\bim\b"), "i'm"),
    (re.compile(r"\bive\b"), "i've"),
    (re.compile(r"\b(there|he|she|what|that|it)s\b"), r"\1's"),
    (re.compile(r"\bu\b"), "you"),
)


@dataclass(frozen=True)
class SafetyFinding:
    """What kind of risk a message suggests and the phrase that matched."""

    category: str
    matched: str


def normalise(text: str) -> str:
    """Lower-case, straighten quotes, fix common misspellings and collapse whitespace."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    text = re.sub(r"\s+", " ", text).strip()
    for pattern, replacement in _SPELLING:
        text = pattern.sub(replacement, text)
    return text


def detect_safety_concern(text: str) -> SafetyFinding | None:
    """Return a finding when ``text`` suggests suicide, self-harm, abuse or immediate danger.

    Categories are checked in order of urgency of the helpline we lead with:
    suicide and self-harm, then abuse, then immediate danger.
    """
    normalised = normalise(text)
    if not normalised:
        return None
    for category, patterns in _COMPILED.items():
        for pattern in patterns:
            match = pattern.search(normalised)
            if match:
                return SafetyFinding(category=category, matched=match.group(0))
    return None


def has_risk_words(text: str) -> bool:
    """True when ``text`` holds a word that may signal a crisis (never enough on its own)."""
    return _RISK_WORDS.search(normalise(text)) is not None
