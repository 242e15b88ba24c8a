"""The other parts of an answered article, offered when the quoted part was not what was asked.

The article is usually right when the quoted section is not (issue 10: the right article 0.94
of the time on held-out questions, the right section 0.77), so after "That's not what I
asked" the citizen is offered the article's other parts, one tap each, before anything else.
The order is decided here, once: the section model's order for the question where it ranked
the article's sections, then the article's own order. Pure; the facade supplies both.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.articles import Article
from knowledge.results import MAX_OTHER_SECTIONS, SectionChoice


def parts(article: Article) -> list[SectionChoice]:
    """Every part of ``article`` in its own order: the introduction (labelled with the
    article's title), then each ``##`` section (labelled with its heading)."""
    return [SectionChoice("", article.title)] + [
        SectionChoice(section.anchor, section.heading) for section in article.sections
    ]


def has_part(article: Article, anchor: str | None) -> bool:
    """Whether ``anchor`` names a part of ``article`` (``""`` is its introduction)."""
    return anchor is not None and any(part.anchor == anchor for part in parts(article))


def other_sections(
    article: Article, quoted_anchor: str, ranked: Sequence[str] = ()
) -> list[SectionChoice]:
    """The parts of ``article`` other than the one quoted, at most ``MAX_OTHER_SECTIONS``:
    the anchors in ``ranked`` first, in that order, then the rest in the article's order."""
    by_anchor = {part.anchor: part for part in parts(article)}
    order = [a for a in ranked if a in by_anchor] + list(by_anchor)
    chosen = [by_anchor[a] for a in dict.fromkeys(order) if a != quoted_anchor]
    return chosen[:MAX_OTHER_SECTIONS]
