"""A follow-up answered from the conversation's article ("how much is it" after an answer about
resident parking permits).

The guidance action passes the article it last quoted in this conversation (its ``context``).
That article's chunks are always among the candidates scored (``KnowledgeBase.score``'s
``include``), and its article score gets the calibrated ``follow_up_bonus`` before the gates.
A question that names no other topic then stays on the conversation's article; one that names
another topic strongly enough still goes there (ADR 0104, twenty-fourth session). With no
context, or a bonus of 0 (an uncalibrated corpus), nothing changes.
"""

from __future__ import annotations

from knowledge.fusion import ArticleHit


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
