"""A message that finishes the one before it ("I need help" … "with my rent").

On a phone many people send one sentence as two messages. When the first named no topic
("I need help", "can you help me") or was not answered, and the second reads as its
continuation (it opens with "with", "about", "for" …), the question is the two together:
"with my rent" alone names a topic but asks nothing; "I need help with my rent" asks. So is a
second message that names no topic of its own after an unanswered one ("i think my neighbour
is running a business from home" … "who do i tell"): alone it would be answered about
whatever its words match best. Pure Python (3.10 and 3.11).
"""

from __future__ import annotations

import re

from actions.intent_checks import names_no_topic

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
    """The question ``text`` asks: joined to ``previous`` (the citizen's last question) when
    that question got no answer and ``text`` continues it or names no topic of its own;
    otherwise ``text`` itself."""
    if not previous or not previous_unanswered:
        return text
    if not continues(text) and not names_no_topic(text):
        return text
    return f"{previous.strip().rstrip('.?!')} {text.strip()}"
