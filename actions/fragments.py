"""A message that finishes the one before it ("I need help" … "with my rent").

On a phone many people send one sentence as two messages. When the first named no topic
("I need help", "can you help me") or was not answered, and the second reads as its
continuation (it opens with "with", "about", "for" …), the question is the two together:
"with my rent" alone names a topic but asks nothing; "I need help with my rent" asks.
Pure Python (3.10 and 3.11).
"""

from __future__ import annotations

import re

MAX_FRAGMENT_WORDS = 10
# How a continuation opens: a preposition or "and", or "it's about …".
_CONTINUES = re.compile(
    r"^\W*(?:with|about|for|regarding|re|concerning|and|to do with|it'?s about|its about"
    r"|it is about)\s+\S",
    re.IGNORECASE,
)


def continues(text: str) -> bool:
    """True when ``text`` reads as the rest of the message before ("with my rent", "about
    council tax", "and my bins"), not as a question of its own."""
    cleaned = text.replace("\u2019", "'").strip()
    return bool(_CONTINUES.match(cleaned)) and len(cleaned.split()) <= MAX_FRAGMENT_WORDS


def whole_question(text: str, previous: str | None, previous_unanswered: bool) -> str:
    """The question ``text`` asks: joined to ``previous`` (the citizen's last question) when it
    continues it and that question got no answer; otherwise ``text`` itself."""
    if not previous or not previous_unanswered or not continues(text):
        return text
    return f"{previous.strip().rstrip('.?!')} {text.strip()}"
