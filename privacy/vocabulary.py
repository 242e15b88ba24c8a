"""Words that make a capitalised phrase a place, a service or an organisation, not a person.

spaCy's small English model (and the "my name is" rule) sometimes takes "Universal Credit",
"Victoria Road" or "St Mary's" for a person; these lists let both detectors say no.
"""

from __future__ import annotations

import re

# Service, benefit and place names a council's citizens use (lower case, whole phrases).
SERVICE_TERMS: frozenset[str] = frozenset({
    "millbrook", "blue badge", "universal credit", "council tax", "housing benefit",
    "pension credit", "carer's allowance", "attendance allowance", "winter fuel payment",
    "warm homes discount", "household support fund", "local welfare assistance",
    "free school meals", "citizens advice", "food bank", "high street", "town hall",
    "disabled facilities grant", "discretionary housing payment", "housing options",
    "housing register", "council tax reduction", "council tax support", "mayor",
    "highways", "electoral roll", "social care", "direct debit", "bank holiday",
})

# A name directly followed (or containing) one of these is a place: "Victoria Road",
# "St John's Nursery", "Elizabeth House".
PLACE_WORDS: frozenset[str] = frozenset({
    "street", "st", "road", "rd", "lane", "avenue", "ave", "close", "drive", "way", "crescent",
    "grove", "place", "terrace", "gardens", "court", "walk", "view", "row", "hill", "square",
    "mews", "rise", "parade", "green", "park", "gate", "wharf", "yard", "vale", "bridge",
    "school", "primary", "academy", "college", "nursery", "library", "centre", "center",
    "hall", "house", "church", "chapel", "station", "market", "pool", "hub", "council",
    "surgery", "hospital", "estate", "meadow", "fund", "allowance", "credit", "badge",
    "payment", "grant", "cafe", "car", "leisure", "community", "youth", "carnival",
})

# Inside the phrase only the words that are never surnames ("Samuel Green", "Ann Hill" are
# people; "Victoria Road", "Riverside Library" are not).
PLACE_WORDS_INSIDE: frozenset[str] = frozenset({
    "street", "st", "road", "rd", "avenue", "ave", "crescent", "gardens", "terrace", "mews",
    "school", "primary", "academy", "college", "nursery", "library", "centre", "center",
    "station", "surgery", "hospital", "council", "badge", "credit", "allowance", "payment",
    "grant", "fund", "leisure", "community", "youth", "carnival", "cafe", "estate",
})

# Capitalised words that open sentences and questions and are never anyone's name: a message
# whose only capitals are these gets spaCy's tokenizer without its NER model
# (``privacy.detection.may_hold_a_name``). Words that are also names (Will, May, Mark, Bill,
# Grace, Hope, Rose, Sue...) are left out on purpose.
SENTENCE_WORDS: frozenset[str] = frozenset({
    "i", "i'm", "i've", "i'd", "i'll", "im", "ive", "my", "me", "we", "our", "you", "your",
    "how", "what", "when", "where", "why", "who", "which", "whose",
    "can", "could", "do", "does", "did", "is", "are", "am", "was", "were", "has", "have",
    "had", "should", "would", "shall", "must", "need", "want",
    "the", "a", "an", "if", "and", "but", "or", "so", "there", "this", "that", "it", "its",
    "it's", "hi", "hello", "hey", "please", "thanks", "thank", "help", "yes", "no", "ok",
    "okay", "sorry", "dear", "good", "morning", "afternoon", "evening",
})

SAINT = re.compile(r"\b(?:st|saint)\.?\s*$", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z']+")
_NEXT_WORD = re.compile(r"(?:'s|’s)?\s*([A-Za-z]+)")


def is_not_a_person(text: str, start: int, end: int, named_as_such: bool = True) -> bool:
    """True when ``text[start:end]`` (taken for a name) is a place, service or organisation.

    Looks at the phrase itself, the word after it and the word before it ("St"). A phrase the
    citizen did not introduce as a name (``named_as_such`` false: spaCy's guess) is also a place
    when it ends like one ("Mill Lane", "Victoria Park").
    """
    phrase = text[start:end].lower().replace("’", "'")
    words = [word.removesuffix("'s") for word in _WORD.findall(phrase)]
    if not words:
        return True
    if phrase in SERVICE_TERMS or any(term in phrase for term in SERVICE_TERMS):
        return True
    if any(word in PLACE_WORDS_INSIDE for word in words):
        return True
    if not named_as_such and words[-1] in PLACE_WORDS:
        return True
    if any(char.isdigit() for char in phrase):
        return True
    following = _NEXT_WORD.match(text, end)
    if following is not None and following.group(1).lower() in PLACE_WORDS:
        return True
    return bool(SAINT.search(text[:start]))
