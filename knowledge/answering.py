"""The guidance facade used by the action server and the gateway.

An answer is composed by an ordered list of small stages sharing one context; any stage may
end the pipeline early (for example the off-topic gate). Answers are extractive: the text is
the best section's own sentences.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import redis

from knowledge import calibration_store, index_store
from knowledge.abstention import Gates, Status, decide
from knowledge.articles import check_cross_links, check_unique_ids, parse_article
from knowledge.build import open_knowledge_base
from knowledge.calibration import Calibration
from knowledge.embedding import Embedder, load_embedder
from knowledge.extract import extract
from knowledge.follow_up import (
    asks_something,
    completes,
    follow_conversation,
    names_no_topic,
    with_earlier,
    with_topic,
)
from knowledge.fusion import ArticleHit, offtopic_score, top_two
from knowledge.index import set_threads
from knowledge.knowledge_base import KnowledgeBase, QueryScores
from knowledge.live import LiveKeys, apply_overlay
from knowledge.other_sections import has_part, other_sections
from knowledge.results import (  # the facade's own types, re-exported for its callers
    Answer,
    Candidate,
    GuidanceResult,
    Link,
    QuestionError,
    SearchResponse,
    SectionChoice,
    UnknownArticleError,
    check_question,
    clean_question,
)
from knowledge.section_ranking import SectionEvidence

__all__ = [
    "Answer",
    "Candidate",
    "GuidanceResult",
    "GuidanceService",
    "Link",
    "QuestionError",
    "SearchResponse",
    "SectionChoice",
    "UnknownArticleError",
    "check_question",
    "clean_question",
]

DEFAULT_CALIBRATION = Path(__file__).resolve().parent / "calibration.json"
log = logging.getLogger("knowledge.answering")


@dataclass
class AnswerContext:
    """State shared by the answering stages."""

    question: str
    context: str | None = None  # the article this conversation last quoted
    followed: bool = False  # the context article is first thanks to the follow-up bonus
    vector: np.ndarray | None = None
    scores: QueryScores | None = None
    hits: list[ArticleHit] = field(default_factory=list)
    gates: Gates | None = None
    status: Literal["answer", "clarify", "abstain"] = "abstain"
    answer: Answer | None = None
    candidates: list[Candidate] = field(default_factory=list)
    ranked_anchors: list[str] = field(default_factory=list)  # the answered article's parts
    done: bool = False


class GuidanceService:
    """Answers guidance questions from the articles; updates one article at a time."""

    def __init__(self, kb: KnowledgeBase, calibration: Calibration, index_dir: Path) -> None:
        self.kb = kb
        self.calibration = calibration
        self.index_dir = index_dir
        self._lock = threading.RLock()
        self.stages: list[Callable[[AnswerContext], None]] = [
            self._retrieve,
            self._choose_section,
            self._gate,
            self._clarify,
            self._extract,
            self._related,
        ]

    @classmethod
    def load(
        cls,
        articles_dir: Any,
        index_dir: Path | None = None,
        *,
        calibration_path: Path | None = None,
        cache_dir: Path | None = None,
        embedder: Embedder | None = None,
        save: bool = True,
    ) -> GuidanceService:
        """Load the model once and the index, building or updating it if missing or stale.

        ``articles_dir`` may also be a settings object with ``knowledge_dir`` and
        ``knowledge_index_dir`` attributes.
        """
        if hasattr(articles_dir, "knowledge_dir"):
            settings = articles_dir
            articles_dir = Path(settings.knowledge_dir)
            index_dir = Path(settings.knowledge_index_dir)
            calibration_path = calibration_path or getattr(settings, "knowledge_calibration", None)
        if index_dir is None:
            raise ValueError("index_dir is required")
        index_dir = Path(index_dir)
        source = calibration_store.path_for_reading(articles_dir, index_dir, calibration_path)
        calibration = Calibration.load(source)
        log.info(
            "guidance: %s",
            calibration_store.describe(calibration.fitted, calibration.method, source),
        )
        set_threads(1)
        embedder = embedder or load_embedder(cache_dir or index_dir.parent / "onnx-cache")
        opened = open_knowledge_base(Path(articles_dir), index_dir, embedder, save=save)
        return cls(opened.kb, calibration, index_dir)

    # --- stages --------------------------------------------------------------------------
    def _rank(self, scores: QueryScores) -> tuple[list[ArticleHit], Gates]:
        """The article ranking and the gates for this question, chosen once: the text-only
        weight and gates when the section that earned the top article score carries no
        example questions (``Calibration.rank``)."""
        titles = self.kb.titles
        if len(titles) != len(self.kb.articles):  # a knowledge base assembled by hand
            titles = {a.id: a.title for a in self.kb.articles.values()}
        return self.calibration.rank(scores, titles)

    def _decide(self, scores: QueryScores, hits: list[ArticleHit], gates: Gates,
                on_topic: bool = False) -> Status:
        top, second = top_two(hits)
        offtopic = offtopic_score(scores, self.calibration.method)
        if on_topic:
            offtopic = max(offtopic, gates.offtopic_threshold)
        return decide(offtopic, top, second, gates)

    def _retrieve(self, ctx: AnswerContext) -> None:
        context = ctx.context if ctx.context in self.kb.articles else None
        bonus = self.calibration.follow_up_bonus
        self._score(ctx, context)
        spread = self.calibration.follow_up_spread
        if (context and bonus > 0 and asks_something(ctx.question)
                and names_no_topic(ctx.hits, spread)):
            ctx.question = with_topic(self.kb.articles[context].title, ctx.question)
            self._score(ctx, context)  # and, naming no topic of its own, it is about that one
            ctx.hits = [h for h in ctx.hits if h.article_id == context] or ctx.hits
        ctx.hits, ctx.followed = follow_conversation(ctx.hits, context, bonus)
        if not ctx.hits:
            ctx.done = True

    def _score(self, ctx: AnswerContext, context: str | None) -> None:
        ctx.vector = self.kb.embed_query(ctx.question)
        include = (context,) if context else ()
        ctx.scores = self.kb.score(ctx.question, vector=ctx.vector, include=include)
        # Chosen from the ranking's own evidence, before the section stage changes the quote.
        ctx.hits, ctx.gates = self._rank(ctx.scores)

    def _choose_section(self, ctx: AnswerContext) -> None:
        """Quote the section the section model prefers among the top articles' sections.

        The article scores (and so the gates) are unchanged; only the quoted chunk, and the
        order when the chosen section belongs to another of the top articles, change.
        """
        model = self.calibration.section_model
        if model is None or ctx.vector is None:
            return
        top = ctx.hits[: model.articles]
        evidence = self.kb.section_evidence(
            ctx.question, ctx.vector, [(h.article_id, h.score) for h in top]
        )
        order = model.ranked(ctx.question, evidence)  # scored once: the quote and the rest
        if not order:
            return
        chosen = evidence[order[0]]
        ctx.ranked_anchors = [
            evidence[i].anchor for i in order if evidence[i].article_id == chosen.article_id
        ]
        hit = next(h for h in top if h.article_id == chosen.article_id)
        chunk = (
            hit.chunk
            if hit.chunk.anchor == chosen.anchor
            else self.kb.section_chunk(chosen.article_id, chosen.anchor)
        )
        if chunk is None:
            return
        rest = [h for h in ctx.hits if h.article_id != chosen.article_id]
        ctx.hits = [hit._replace(chunk=chunk), *rest]

    def _gate(self, ctx: AnswerContext) -> None:
        assert ctx.scores is not None and ctx.gates is not None
        # A follow-up is about the conversation's article: only the confidence gate applies.
        ctx.status = self._decide(ctx.scores, ctx.hits, ctx.gates, on_topic=ctx.followed)
        if ctx.status == "abstain":
            ctx.done = True

    def _candidate(self, hit: ArticleHit) -> Candidate:
        article = self.kb.articles[hit.article_id]
        return Candidate(
            article_id=article.id,
            title=article.title,
            heading=hit.chunk.heading,
            url=article.section_url(hit.chunk.anchor),
            score=round(hit.score, 4),
        )

    def _clarify(self, ctx: AnswerContext) -> None:
        gates = ctx.gates or self.calibration.gates_for()
        top = max(h.score for h in ctx.hits[:2])
        close = [
            h
            for h in ctx.hits[:3]
            if h.score >= gates.confidence_threshold and top - h.score < gates.clarify_margin
        ]
        if ctx.status == "clarify":
            # Two or three close confident articles, or (a near miss) the top three.
            chosen = close[:3] if len(close) >= 2 else ctx.hits[:3]
            ctx.candidates = [self._candidate(h) for h in chosen]
            ctx.done = True
        else:
            ctx.candidates = [self._candidate(ctx.hits[0])]

    def _extract(self, ctx: AnswerContext) -> None:
        hit = ctx.hits[0]
        article = self.kb.articles[hit.article_id]
        ctx.answer = Answer(
            article_id=article.id,
            title=article.title,
            heading=hit.chunk.heading,
            url=article.section_url(hit.chunk.anchor),
            text=extract(hit.chunk.body),
            last_reviewed=article.last_reviewed,
            anchor=hit.chunk.anchor,
            other_sections=other_sections(article, hit.chunk.anchor, ctx.ranked_anchors),
        )

    def _related(self, ctx: AnswerContext) -> None:
        assert ctx.answer is not None
        article = self.kb.articles[ctx.answer.article_id]
        gates = ctx.gates or self.calibration.gates_for()
        links: list[Link] = []
        ids = [r for r in article.related if r in self.kb.articles]
        ids += [
            h.article_id
            for h in ctx.hits[1:4]
            if h.score >= gates.confidence_threshold and h.article_id != article.id
        ]
        for other_id in dict.fromkeys(ids):
            other = self.kb.articles[other_id]
            if other.searchable and len(links) < 2:
                links.append(Link(title=other.title, url=other.url))
        ctx.answer = Answer(**{**ctx.answer.__dict__, "related": links})

    # --- public API ------------------------------------------------------------------------
    def section_candidates(
        self, question: str, vector: np.ndarray | None = None, articles: int = 3
    ) -> list[SectionEvidence]:
        """Every section of the top ``articles`` articles with its evidence (for fitting)."""
        cleaned = check_question(question)
        with self._lock:
            if vector is None:
                vector = self.kb.embed_query(cleaned)
            hits = self._rank(self.kb.score(cleaned, vector=vector))[0][:articles]
            return self.kb.section_evidence(
                cleaned, vector, [(h.article_id, h.score) for h in hits]
            )

    def answer(self, question: str, context: str | None = None,
               earlier: str | None = None) -> GuidanceResult:
        """Answer, ask "did you mean", or abstain; ``context``: the article this conversation
        last quoted, for a follow-up (``knowledge.follow_up``); ``earlier``: the citizen's
        question before this one, which may complete a question that abstains on its own
        (``knowledge.follow_up.completes``). Raises :class:`QuestionError` on bad input."""
        asked = check_question(question)
        ctx = self._run(AnswerContext(question=asked, context=context))
        joined = with_earlier(earlier, asked) if ctx.status == "abstain" else None
        if joined is not None:  # both without the conversation's article: it abstained already
            own = ctx if context is None else self._ranked(asked)
            retried = self._run(AnswerContext(question=joined))
            if completes(own.hits, retried.status,
                         retried.answer.article_id if retried.answer else None):
                ctx = retried
        answer = ctx.answer if ctx.status == "answer" else None
        candidates = ctx.candidates if ctx.status != "abstain" else []
        return GuidanceResult(status=ctx.status, answer=answer, candidates=candidates)

    def _ranked(self, question: str) -> AnswerContext:
        """The question's own article ranking (no conversation, no section stage, no gates)."""
        ctx = AnswerContext(question=question)
        with self._lock:
            self._retrieve(ctx)
        return ctx

    def _run(self, ctx: AnswerContext) -> AnswerContext:
        """The stages, in order, until one ends the pipeline."""
        with self._lock:
            for stage in self.stages:
                stage(ctx)
                if ctx.done:
                    break
        return ctx

    def answer_from(self, article_id: str, question: str = "",
                    anchor: str | None = None) -> Answer | None:
        """Answer from the one article the citizen picked: one of its other parts after
        "That's not what I asked" (``anchor``, ``""`` for the introduction), else (a "did you
        mean" button, or an anchor the article no longer has) the section retrieval ranks best
        for ``question`` within it, else its first section. None if no published article with
        sections has that id. Raises :class:`QuestionError` on a bad question."""
        heading = None
        if question and not self._has_part(article_id, anchor):
            results = self.search(question, k=10).results
            heading = next((c.heading for c in results if c.article_id == article_id), None)
        with self._lock:
            article = self.kb.articles.get(article_id)
            if article is None or not article.searchable or not article.sections:
                return None
            if anchor is None or not has_part(article, anchor):  # again: an edit may land
                anchor = next((s.anchor for s in article.sections if s.heading == heading),
                              article.sections[0].anchor)
            chunk = self.kb.section_chunk(article_id, anchor)
            if chunk is None:
                return None
            return Answer(
                article_id=article.id,
                title=article.title,
                heading=chunk.heading,
                url=article.section_url(anchor),
                text=extract(chunk.body),
                last_reviewed=article.last_reviewed,
                anchor=anchor,
                other_sections=other_sections(article, anchor),
            )

    def _has_part(self, article_id: str, anchor: str | None) -> bool:
        with self._lock:
            article = self.kb.articles.get(article_id)
            return article is not None and has_part(article, anchor)

    def search(self, question: str, k: int = 5) -> SearchResponse:
        """Top-``k`` articles (best section each) and whether the service would abstain."""
        cleaned = check_question(question)
        with self._lock:
            scores = self.kb.score(cleaned)
            hits, gates = self._rank(scores)
            status = self._decide(scores, hits, gates) if hits else "abstain"
            results = [self._candidate(h) for h in hits[:k]]
        return SearchResponse(abstained=status == "abstain", results=results)

    def upsert_markdown(self, markdown: str, source: str = "published article") -> None:
        """Parse and validate one article and make it searchable at once (changed chunks only).

        Raises ``ArticleError`` (naming ``source`` and line) and changes nothing on bad input.
        """
        self.upsert_many([markdown], source=source)

    def upsert_many(self, markdowns: Sequence[str], source: str = "published articles") -> None:
        """Parse several articles, check their links against the held articles and each other,
        then make them all searchable; on any ``ArticleError`` none of them changes.

        Articles published together may name each other in ``related`` (or link to each other).
        """
        many = len(markdowns) > 1
        articles = [
            parse_article(text, f"{source} ({n} of {len(markdowns)})" if many else source)
            for n, text in enumerate(markdowns, start=1)
        ]
        incoming = check_unique_ids(articles)
        with self._lock:
            check_cross_links({**self.kb.articles, **incoming}, only=list(incoming))
            for article in articles:
                self.kb.upsert(article)
            self.kb.keywords.prepare()

    def delete(self, article_id: str) -> None:
        """Remove an article from search; raises :class:`UnknownArticleError` if absent."""
        with self._lock:
            if not self.kb.delete(article_id):
                raise UnknownArticleError(f"no article with id {article_id!r}")

    def apply_overlay(self, redis_client: redis.Redis, key_prefix: str = "csa:") -> int:
        """Apply the editor's published hash over the files; return how many were applied.

        See :func:`knowledge.live.apply_overlay`: every article not applied is logged.
        """
        return apply_overlay(self, redis_client, LiveKeys(key_prefix)).count

    def with_calibration(self, calibration: Calibration) -> GuidanceService:
        """A service over the same articles answering with another calibration.

        For evaluation (comparing methods on one index); it shares this service's lock, so
        updates to either are seen by both.
        """
        other = GuidanceService(self.kb, calibration, self.index_dir)
        other._lock = self._lock
        return other

    @property
    def embedder(self) -> Embedder:
        """The sentence embedder this service uses (the editor reuses it for gap clustering)."""
        return self.kb.embedder

    def question_vector(self, text: str) -> np.ndarray:
        """``text``'s vector, as the search embeds a question; the last few are remembered,
        so the action server's semantic crisis check and the search share one model call
        (cleaned as the search cleans a question, so spacing does not cost a second call)."""
        return self.kb.embed_query(clean_question(text))

    def fingerprint(self) -> str:
        """Changes whenever any article this service answers from changes."""
        with self._lock:
            return self.kb.fingerprint()

    def with_draft(self, markdown: str, source: str = "draft") -> GuidanceService:
        """A separate service answering as if ``markdown`` were published (for previews).

        Raises ``ArticleError`` on an article the parser refuses. Links and ``related`` naming
        articles that are not live are not checked here (publishing checks them, and drafts
        that name each other are published together), so such a draft can be previewed; the
        preview lists only related articles it holds. The live service is not changed.
        """
        draft = replace(parse_article(markdown, source), status="published")
        with self._lock:
            kb = self.kb.copy()
        kb.upsert(draft)
        kb.keywords.prepare()
        return GuidanceService(kb, self.calibration, self.index_dir)

    def save(self) -> Path:
        """Write the current index (including overlay changes) atomically."""
        with self._lock:
            return index_store.save(self.kb, self.index_dir)
