"""A follow-up answered from the conversation's article ("how much is it" after an answer about
resident parking permits).

The guidance action passes the article it last quoted in this conversation (its ``context``).
That article's chunks are always among the candidates scored (``KnowledgeBase.score``'s
``include``), and its article score gets the calibrated ``follow_up_bonus`` before the gates.
A question that names no other topic then stays on the conversation's article; one that names
another topic strongly enough still goes there (ADR 0104, twenty-fourth session).

A question that names no topic at all ("how much is it") matches the like-worded example
questions of many articles about equally: its top article stands less than ``follow_up_spread``
above its eighth (a topic may be shared by a few articles: opening hours by the contact page,
the libraries and the tip). Such a question is asked again with the conversation's article's
title in front ("Resident parking permits. how much is it"), as chunks are embedded with theirs,
and only that article is ranked: a question with no topic of its own is about the
conversation's, and is answered from it or not at all. A message that asks nothing ("thanks
that helped", "interesting") is not asked again. With no context, or a bonus of 0 (an
uncalibrated corpus), nothing changes.

A question that abstains on its own may lean on the one before it ("my council tax bill is
wrong" … "they've charged me for 2 adults but i live alone"): it is asked again after the
citizen's earlier question, and that answer stands only when its article is among the
question's own first ``EARLIER_ARTICLES``. The earlier question helps choose between what this
one is about; it never answers a new topic from the old one ("how do I pay council tax" …
"can I park on the pavement" stays unanswered). The gates are the same calibrated ones.
"""

from __future__ import annotations

import re

from knowledge.fusion import ArticleHit
from knowledge.questions import MAX_QUESTION_CHARS

# A follow-up asks something: a question word or a question mark. "thanks that helped",
# "interesting" or "hmm" after an answer ask nothing, and are not answered again from it.
_ASKS = re.compile(
    r"\?|\b(?:how|what|whats|what's|when|where|who|which|why|can|could|do|does|did|is|are|"
    r"will|would|should|much|long|many|any|need)\b",
    re.IGNORECASE,
)
SPREAD_RANK = 8  # the spread is the top article's score minus this one's
# The answer to a question asked again after the earlier one stands only if its article is
# among the question's own first this many (as many as the section stage looks at).
EARLIER_ARTICLES = 3


def asks_something(question: str) -> bool:
    """True when a message asks something (a question word or mark), as a follow-up does."""
    return bool(_ASKS.search(question))


def names_no_topic(hits: list[ArticleHit], spread: float) -> bool:
    """True when the top article stands less than ``spread`` above the eighth (or last)."""
    if len(hits) < 2 or spread <= 0:
        return False
    return hits[0].score - hits[min(SPREAD_RANK, len(hits)) - 1].score < spread


def with_topic(title: str, question: str) -> str:
    """The question asked about the conversation's article: its title in front."""
    return f"{title}. {question}"


def follow_conversation(
    hits: list[ArticleHit], context: str | None, bonus: float
) -> tuple[list[ArticleHit], bool]:
    """``hits`` with the ``context`` article's score raised by ``bonus`` and ranked again, and
    whether that article is now first (the question followed the conversation)."""
    if not context or bonus <= 0:
        return hits, False
    at = next((i for i, h in enumerate(hits) if h.article_id == context), None)
    if at is None:
        return hits, False
    lifted = hits[at]._replace(score=hits[at].score + bonus)
    ranked = sorted([lifted, *hits[:at], *hits[at + 1:]], key=lambda h: (-h.score, h.article_id))
    return ranked, ranked[0].article_id == context


def with_earlier(earlier: str | None, question: str) -> str | None:
    """The question asked after the citizen's earlier one, or None when there is none, it is
    the same, or the two are too long together."""
    if not earlier or not earlier.strip() or earlier.strip().casefold() == question.casefold():
        return None
    joined = f"{earlier.strip().rstrip('.?!')}. {question}"
    return joined if len(joined) <= MAX_QUESTION_CHARS else None


def completes(own_hits: list[ArticleHit], status: str, article_id: str | None) -> bool:
    """Whether the answer to the joined question stands: it answers, from an article among
    the question's own first ``EARLIER_ARTICLES``."""
    own = {h.article_id for h in own_hits[:EARLIER_ARTICLES]}
    return status == "answer" and article_id in own
