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

The same masking, taken to its end, gives :func:`without_examples`: a copy of the knowledge
base with every example question out, which is what a corpus nobody has written example
questions for looks like (another organisation's imported guidance). The text-only gates are
fitted on it (``calibration.fit_text_only_gates``).

This lives in the evaluation and fitting code only (``evaluation.score_questions``,
``section_fit.gather``, ``section_eval.compare_methods``, ``eval --calibrate``); serving never
masks anything.
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


def _without(article: Article, folded: str | None) -> Article:
    """``article`` with every example question equal to ``folded`` removed, or every one of
    them when ``folded`` is None (in memory only)."""

    def keep(question: str) -> bool:
        return folded is not None and fold_question(question) != folded

    sections = tuple(
        replace(s, questions=tuple(q for q in s.questions if keep(q))) for s in article.sections
    )
    intro = tuple(q for q in article.intro_questions if keep(q))
    # A different Markdown gives a different content hash, so the knowledge base re-chunks it.
    what = "any example question" if folded is None else f"the example question {folded!r}"
    marker = f"\n<!-- scored without {what} -->\n"
    return replace(
        article, sections=sections, intro_questions=intro, markdown=article.markdown + marker
    )


def without_examples(kb: KnowledgeBase) -> KnowledgeBase:
    """A copy of ``kb`` with every example question taken out; ``kb`` is not changed.

    Section text keeps its vectors (its content hash does not depend on the questions), so
    nothing is embedded; only the question vectors and the questions' words go. The copy is an
    exact (flat) index: the same ranking as ``kb`` up to 8,000 chunks (ADR 0100).
    """
    bare = kb.copy()
    bare.upsert_many([_without(a, None) for a in kb.articles.values()])
    bare.keywords.prepare()
    return bare


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
