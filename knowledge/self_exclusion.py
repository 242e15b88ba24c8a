"""Leave-one-out for evaluation and fitting: a labelled question never matches itself.

Labelled questions may also be example questions of the sections that answer them (an
organisation attaches its labelled ``tune`` questions, ADR 0106, as editors attach missed
questions from the gap loop). Scored as they are, such a question would find its own example
vector (cosine 1) and its own words in its section's keyword text, and every figure fitted or
reported on it would be a memory test. So, while one labelled question is scored, every
example question with the same text (case and spacing ignored) is taken out of the knowledge
base — its vector and its words in the keyword index — and put back afterwards: the question
is scored as if nobody had attached it, exactly as an unseen question with the same wording
would be before anyone attached it.

This lives in the evaluation and fitting code only (``evaluation.score_questions``,
``section_fit.gather``, ``section_eval.compare_methods``); serving never masks anything.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace

from knowledge.articles import Article
from knowledge.example_questions import fold_question
from knowledge.knowledge_base import KnowledgeBase

Isolate = Callable[[str], AbstractContextManager[None]]


def _without(article: Article, folded: str) -> Article:
    """``article`` with every example question equal to ``folded`` removed (in memory only)."""
    sections = tuple(
        replace(s, questions=tuple(q for q in s.questions if fold_question(q) != folded))
        for s in article.sections
    )
    intro = tuple(q for q in article.intro_questions if fold_question(q) != folded)
    # A different Markdown gives a different content hash, so the knowledge base re-chunks it.
    marker = f"\n<!-- scored without the example question {folded!r} -->\n"
    return replace(
        article, sections=sections, intro_questions=intro, markdown=article.markdown + marker
    )


class SelfExclusion:
    """Takes a question's own example vectors out of a knowledge base while it is scored."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.owners: dict[str, set[str]] = {}
        for article in kb.articles.values():
            if not article.searchable:
                continue
            asked = [*article.intro_questions, *(q for s in article.sections for q in s.questions)]
            for question in asked:
                self.owners.setdefault(fold_question(question), set()).add(article.id)
        self.masked: set[str] = set()

    @contextlib.contextmanager
    def without(self, question: str) -> Iterator[None]:
        """Within the block, no example question equal to ``question`` is in the index."""
        folded = fold_question(question)
        owners = sorted(self.owners.get(folded, ()))
        if not owners:
            yield
            return
        originals = [self.kb.articles[a] for a in owners]
        self.masked.add(folded)
        self.kb.upsert_many([_without(a, folded) for a in originals])
        self.kb.keywords.prepare()
        try:
            yield
        finally:
            self.kb.upsert_many(originals)
            self.kb.keywords.prepare()


def no_isolation(question: str) -> AbstractContextManager[None]:
    """The serving case: nothing is masked."""
    return contextlib.nullcontext()
