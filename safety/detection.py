"""A lexical backstop for messages that must never be answered from guidance.

The Rasa intent ``safety_concern`` is the first line; this module is the second. The
guidance action consults it before it ever answers, so a risky message that the classifier
put somewhere else still gets the helplines. Patterns are phrases, not single words, so
that service questions ("emergency repair", "dangerous pothole", "blue badge abuse") are
not caught. Pure Python, importable on 3.10 and 3.11.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = r"(?:i|i'm|im|i am|i've|ive|i have|i feel|i keep)"

_PATTERNS: dict[str, tuple[str, ...]] = {
    "suicide_self_harm": (
        r"\bsuicid",
        r"\bkill(?:ing)? my ?self\b",
        r"\bend(?:ing)? (?:it all|my (?:own )?life|things|everything)\b",
        r"\btak(?:e|ing) my (?:own )?life\b",
        r"\b(?:want|wanna|going|plan(?:ning)?|ready) to die\b",
        r"\bwish i (?:was|were) dead\b",
        r"\bbetter off dead\b",
        r"\bbetter off without me\b",
        r"\b(?:don'?t|do not|no longer) want to (?:be here|live|be alive|exist|wake up)\b",
        r"\bno (?:reason|point) (?:to|in) (?:live|living|go(?:ing)? on)\b",
        r"\bcan'?t (?:go on|cope any ?more|take (?:it|this) any ?more)\b",
        r"\bself[- ]?harm",
        r"\b(?:hurt|harm|cut|cutting|hurting|harming) my ?self\b",
        r"\boverdos",
        r"\b(?:took|taken?|swallowed) (?:all )?(?:of )?(?:my|the|a lot of|loads of)"
        r" (?:pills|tablets)\b",
        r"\bjump (?:off|in front of)\b",
    ),
    "abuse": (
        r"\bdomestic (?:abuse|violence)\b",
        r"\b(?:being|been|was|am|is being|getting) abused\b",
        r"\babus(?:es|ing|ed|ive)\b.{0,30}\b(?:me|my|mum|child|children|kids?)\b",
        r"\b(?:my|an?) abusive\b",
        r"\b(?:is|are|was|being|gets|got) (?:really |very )?(?:abusive|violent)\b",
        r"\b(?:child|sexual|elder|emotional|financial|physical) abuse\b",
        r"\b(?:he|she|they|partner|husband|wife|boyfriend|girlfriend|dad|mum|father|mother|son|carer)"
        r" (?:hits|hit|beats|beat|punches|punched|kicks|kicked|chokes|choked|strangled|hurts|hurt)"
        r" (?:me|us|my)\b",
        r"\b(?:hits|beats|punches|kicks|chokes|strangles) (?:me|us)\b",
        r"\bthreaten(?:s|ed|ing)? to (?:kill|hurt|beat|stab)\b",
        r"\b(?:scared|afraid|frightened|terrified) of (?:my )?(?:partner|husband|wife|boyfriend|"
        r"girlfriend|ex|dad|father|mum|mother|son|daughter|him|her)\b",
        r"\bcoercive control\b",
        r"\bforced (?:me )?(?:to have sex|into marriage)\b",
        r"\braped\b|\brape\b|\bsexual(?:ly)? assault",
    ),
    "immediate_danger": (
        r"\b(?:in|immediate|serious) danger\b(?!ous)",
        rf"\b{_I} (?:not|don'?t feel) safe\b",
        r"\bnot safe (?:at home|here|to go home)\b",
        r"\b(?:someone|somebody|a man|a woman|he|she|they)(?:'?s| is| are)? (?:trying to )?"
        r"(?:break(?:ing)? in|attack(?:ing)? (?:me|us)|follow(?:ing)? me)\b",
        r"\b(?:being|been|was) (?:attacked|stabbed|assaulted|followed)\b",
        r"\b(?:has|with|got|holding) a (?:knife|gun|weapon)\b",
        r"\b(?:going|gonna|trying) to (?:kill|hurt|stab|attack) (?:me|us|my)\b",
        r"\bneed (?:an ambulance|the police)\b",
        r"\bcall (?:an ambulance|the police|999)\b",
        r"\b(?:can'?t|cannot) breathe\b",
        r"\b(?:house|flat|home) is on fire\b",
        r"\bhelp me,? (?:please,? )?(?:he|she|they|someone)\b",
    ),
}

_COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    category: tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)
    for category, patterns in _PATTERNS.items()
}


@dataclass(frozen=True)
class SafetyFinding:
    """What kind of risk a message suggests and the phrase that matched."""

    category: str
    matched: str


def _normalise(text: str) -> str:
    """Lower-case, straighten quotes and collapse whitespace so patterns stay simple."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip().lower()


def detect_safety_concern(text: str) -> SafetyFinding | None:
    """Return a finding when ``text`` suggests suicide, self-harm, abuse or immediate danger.

    Categories are checked in order of urgency of the helpline we lead with:
    suicide and self-harm, then abuse, then immediate danger.
    """
    normalised = _normalise(text)
    if not normalised:
        return None
    for category, patterns in _COMPILED.items():
        for pattern in patterns:
            match = pattern.search(normalised)
            if match:
                return SafetyFinding(category=category, matched=match.group(0))
    return None
