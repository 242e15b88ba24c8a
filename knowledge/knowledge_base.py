"""The retrieval facade over three seams: article store, vector index and keyword scoring.

``upsert``/``delete`` keep all three in step, one article at a time. A chunk whose content
hash is already in the index (same text, or text moved to another key) is never re-embedded.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from knowledge.articles import Article
from knowledge.chunking import Chunk, chunk_article
from knowledge.embedding import Embedder
from knowledge.index import VectorIndex
from knowledge.keywords import BM25Index
from knowledge.section_ranking import SectionEvidence

CANDIDATES = 50
QUERY_MEMO = 64  # recent questions' vectors kept (a turn that embeds one text twice pays once)
# A question at least this similar to an example question is that question in other spelling or
# punctuation (a fixed definition, not fitted; ADR 0107): the off-topic gate lets it through.
SAME_QUESTION = 0.95


class ChunkScore(NamedTuple):
    """Raw scores of one candidate chunk for one question."""

    chunk: Chunk
    dense: float
    bm25: float


@dataclass(frozen=True)
class QueryScores:
    """Every candidate chunk of one question with its dense and BM25 score.

    ``dense_top`` is the best cosine of any section's own text (example questions excluded);
    the off-topic gate looks at it. ``asked`` holds the candidate sections that carry example
    questions: the gates for a section without any are the text-only ones (ADR 0104).
    """

    question: str
    chunks: list[ChunkScore]
    dense_top: float
    bm25_top: float
    asked: frozenset[str] = frozenset()


@dataclass
class UpdateReport:
    """What an upsert/sync changed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_reused: int = 0

    def merge(self, other: UpdateReport) -> None:
        """Add another report's counts to this one."""
        self.added += other.added
        self.changed += other.changed
        self.removed += other.removed
        self.chunks_embedded += other.chunks_embedded
        self.chunks_reused += other.chunks_reused

    @property
    def unchanged(self) -> bool:
        """True when nothing changed."""
        return not (self.added or self.changed or self.removed)


class KnowledgeBase:
    """Articles, their chunks, a FAISS vector index and a BM25 index kept in step."""

    def __init__(self, embedder: Embedder, vectors: VectorIndex | None = None) -> None:
        self.embedder = embedder
        self.vectors = vectors or VectorIndex(embedder.dim)
        self.keywords = BM25Index()
        self.articles: dict[str, Article] = {}
        self.chunks: dict[int, Chunk] = {}
        self.by_article: dict[str, list[int]] = {}
        self.section_text: dict[str, list[int]] = {}
        self.sections_asked: set[str] = set()  # sections with example questions in the index
        self.stored_hashes: dict[int, str] = {}
        self.titles: dict[str, str] = {}
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_lock = threading.Lock()

    # --- updates -----------------------------------------------------------------------
    def _hash_index(self) -> dict[str, int]:
        return {h: i for i, h in self.stored_hashes.items()}

    def upsert_many(
        self, articles: list[Article], progress: Callable[[int], None] | None = None
    ) -> UpdateReport:
        """Add or replace articles; embed only chunks whose content hash is new."""
        report = UpdateReport()
        planned: list[tuple[Article, list[Chunk]]] = []
        by_hash = self._hash_index()
        to_embed: dict[str, Chunk] = {}
        for article in articles:
            old = self.articles.get(article.id)
            if old is not None and old.content_hash == article.content_hash:
                continue
            new_chunks = chunk_article(article) if article.searchable else []
            for chunk in new_chunks:
                if chunk.content_hash not in by_hash and chunk.content_hash not in to_embed:
                    to_embed[chunk.content_hash] = chunk
            planned.append((article, new_chunks))
            (report.changed if old is not None else report.added).append(article.id)
        texts = [c.embed_text for c in to_embed.values()]
        fresh = self.embedder.embed(texts, progress=progress) if texts else None
        fresh_rows = {h: i for i, h in enumerate(to_embed)}
        report.chunks_embedded = len(texts)
        # Gather every vector before replacing anything: a reused vector may sit under an id
        # that a later replacement overwrites.
        prepared = []
        for article, new_chunks in planned:
            rows = []
            for chunk in new_chunks:
                if chunk.content_hash in fresh_rows and fresh is not None:
                    rows.append(fresh[fresh_rows[chunk.content_hash]])
                else:
                    rows.append(self.vectors.reconstruct(by_hash[chunk.content_hash]))
                    report.chunks_reused += 1
            vectors = np.stack(rows) if rows else np.zeros((0, self.vectors.dim), np.float32)
            prepared.append((article, new_chunks, vectors))
        for article, new_chunks, vectors in prepared:
            self._replace(article, new_chunks, vectors)
        return report

    def _replace(self, article: Article, new_chunks: list[Chunk], vectors: np.ndarray) -> None:
        old_ids = self.by_article.pop(article.id, [])
        new_ids = [c.id for c in new_chunks]
        if old_ids:
            self._forget(old_ids)
        for chunk in new_chunks:
            if chunk.id in self.chunks:
                other = self.chunks[chunk.id]
                raise ValueError(f"chunk id collision between {chunk.key} and {other.key}")
        self.vectors.add(np.array(new_ids, dtype=np.int64), vectors)
        for chunk in new_chunks:
            self.chunks[chunk.id] = chunk
            self.stored_hashes[chunk.id] = chunk.content_hash
            if chunk.kind == "text":
                self.keywords.add(chunk.id, chunk.keyword_text or chunk.embed_text)
                self.section_text.setdefault(chunk.section, []).append(chunk.id)
            elif chunk.kind == "question":
                self.sections_asked.add(chunk.section)
        self.by_article[article.id] = new_ids
        self.articles[article.id] = article
        self.titles[article.id] = article.title

    def upsert(self, article: Article) -> UpdateReport:
        """Add or replace one article."""
        return self.upsert_many([article])

    def _forget(self, chunk_ids: list[int]) -> None:
        """Drop chunks from every seam (vectors, keywords, section map)."""
        self.vectors.remove(np.array(chunk_ids, dtype=np.int64))
        self.keywords.remove(chunk_ids)
        for chunk_id in chunk_ids:
            chunk = self.chunks.pop(chunk_id, None)
            self.stored_hashes.pop(chunk_id, None)
            if chunk is not None and chunk.kind == "text":
                self.section_text.pop(chunk.section, None)
            elif chunk is not None and chunk.kind == "question":
                self.sections_asked.discard(chunk.section)

    def delete(self, article_id: str) -> bool:
        """Remove an article and its chunks; return False if it was not there."""
        if article_id not in self.articles:
            return False
        self._forget(self.by_article.pop(article_id, []))
        del self.articles[article_id]
        self.titles.pop(article_id, None)
        return True

    def sync(
        self, articles: Mapping[str, Article], progress: Callable[[int], None] | None = None
    ) -> UpdateReport:
        """Make the knowledge base hold exactly ``articles`` (incrementally)."""
        report = self.upsert_many(list(articles.values()), progress=progress)
        for article_id in [a for a in self.articles if a not in articles]:
            self.delete(article_id)
            report.removed.append(article_id)
        return report

    def copy(self) -> KnowledgeBase:
        """An independent copy (exact flat vectors, own keyword index) sharing nothing mutable.

        Used for draft previews: the copy can take an upsert without touching this one.
        """
        ids = np.array(sorted(self.chunks), dtype=np.int64)
        vectors = VectorIndex(self.vectors.dim)
        vectors.add(ids, self.vectors.reconstruct_many(ids))
        other = KnowledgeBase(self.embedder, vectors)
        other.keywords = copy.deepcopy(self.keywords)
        other.articles = dict(self.articles)
        other.chunks = dict(self.chunks)
        other.by_article = {k: list(v) for k, v in self.by_article.items()}
        other.section_text = {k: list(v) for k, v in self.section_text.items()}
        other.sections_asked = set(self.sections_asked)
        other.stored_hashes = {i: h for i, h in self.stored_hashes.items() if i in self.chunks}
        other.titles = dict(self.titles)
        return other

    def fingerprint(self) -> str:
        """Changes whenever any held article changes."""
        digest = hashlib.sha256()
        for article_id, article in sorted(self.articles.items()):
            digest.update(f"{article_id}:{article.content_hash};".encode())
        return digest.hexdigest()

    def optimise(self) -> None:
        """Move to an IVF index once the collection outgrows exact search (ADR 0100)."""
        from knowledge.index import FLAT_LIMIT

        if self.vectors.kind == "flat" and self.vectors.ntotal > FLAT_LIMIT:
            self.vectors = self.vectors.to_ivf()
        self.keywords.prepare()

    def adopt_vectors(self, vectors: VectorIndex, hashes: Mapping[int, str]) -> None:
        """Start from a saved index: its vectors become reusable by content hash."""
        self.vectors = vectors
        self.stored_hashes = dict(hashes)

    def drop_unused_vectors(self) -> int:
        """Forget saved vectors that no current chunk uses (after :meth:`sync`); return how many."""
        unused = [i for i in self.stored_hashes if i not in self.chunks]
        if unused:
            self.vectors.remove(np.array(unused, dtype=np.int64))
            for chunk_id in unused:
                del self.stored_hashes[chunk_id]
        return len(unused)

    # --- search ------------------------------------------------------------------------
    def section_evidence(
        self,
        question: str,
        vector: np.ndarray,
        ranked: Sequence[tuple[str, float]],
    ) -> list[SectionEvidence]:
        """Every section of the given (article id, article score) pairs, with its evidence.

        A long section split into parts counts once, with its best part's cosine and BM25.
        """
        ids = [i for article_id, _ in ranked for i in self.by_article.get(article_id, [])]
        if not ids:
            return []
        cosines = self.vectors.reconstruct_many(np.array(ids, dtype=np.int64)) @ vector
        text_ids = [i for i in ids if self.chunks[i].kind == "text"]
        bm25 = self.keywords.score(question, text_ids)
        cos_of = {i: float(c) for i, c in zip(ids, cosines, strict=True)}
        out: list[SectionEvidence] = []
        for rank, (article_id, article_score) in enumerate(ranked):
            grouped: dict[str, list[Chunk]] = {}
            for chunk_id in self.by_article.get(article_id, []):
                chunk = self.chunks[chunk_id]
                grouped.setdefault(chunk.anchor, []).append(chunk)
            for anchor, chunks in grouped.items():
                texts = [c for c in chunks if c.kind == "text"]
                asked = sorted((cos_of[c.id] for c in chunks if c.kind == "question"), reverse=True)
                headed = [cos_of[c.id] for c in chunks if c.kind == "heading"]
                if not texts:
                    continue
                out.append(
                    SectionEvidence(
                        article_id=article_id,
                        anchor=anchor,
                        heading=texts[0].heading,
                        text_cos=max(cos_of[c.id] for c in texts),
                        question_cos=tuple(asked),
                        heading_cos=max(headed, default=0.0),
                        bm25=max(bm25.get(c.id, 0.0) for c in texts),
                        article_score=article_score,
                        article_rank=rank,
                    )
                )
        return out

    def section_chunk(self, article_id: str, anchor: str) -> Chunk | None:
        """The first text chunk of one section (None if the article or section is gone)."""
        for chunk_id in self.section_text.get(f"{article_id}#{anchor}", []):
            return self.chunks[chunk_id]
        return None

    def _fold_questions(self, vector: np.ndarray, dense: dict[int, float]) -> float:
        """A section's cosine is the best of its own text and its example questions.

        Each example question that is a candidate lifts every text chunk of its section
        (adding that section to the candidates when its text was not among them). Returns
        the best cosine of any candidate section's own text, before lifting: the off-topic
        gate's input, since question-shaped text matches question-shaped examples on form
        alone ("how do I …" against "how do I …") whatever the topic; except that a question
        at least ``SAME_QUESTION`` similar to an example question is that question, and
        counts as on-topic.
        """
        best: dict[str, float] = {}
        for chunk_id, value in dense.items():
            chunk = self.chunks.get(chunk_id)
            if chunk is not None and chunk.kind == "question":  # headings are not folded
                best[chunk.section] = max(value, best.get(chunk.section, -1.0))
        text_ids = [i for section in best for i in self.section_text.get(section, [])]
        missing = [i for i in text_ids if i not in dense]
        if missing:
            rows = self.vectors.reconstruct_many(np.array(missing, dtype=np.int64))
            for chunk_id, value in zip(missing, rows @ vector, strict=True):
                dense[chunk_id] = float(value)
        text_top = max(
            (v for i, v in dense.items() if i in self.chunks and self.chunks[i].kind == "text"),
            default=0.0,
        )
        # The same question as an example one (in other spelling or punctuation) matches on
        # content, not on form: an editor attached it, so it is on-topic (ADR 0107).
        same = max((v for v in best.values() if v >= SAME_QUESTION), default=text_top)
        text_top = max(text_top, same)
        for chunk_id in text_ids:
            section_best = best[self.chunks[chunk_id].section]
            dense[chunk_id] = max(dense[chunk_id], section_best)
        return text_top

    def embed_query(self, question: str) -> np.ndarray:
        """The question's vector: one model call, remembered for the last ``QUERY_MEMO``
        questions, so a turn that embeds the same text twice (the action server's semantic
        crisis check, then the search) pays once. The same text gives the same vector."""
        with self._query_lock:
            known = self._query_vectors.get(question)
            if known is not None:
                self._query_vectors.move_to_end(question)
                return known.copy()
        vector = np.asarray(self.embedder.embed([question])[0])
        with self._query_lock:
            self._query_vectors[question] = vector.copy()
            while len(self._query_vectors) > QUERY_MEMO:
                self._query_vectors.popitem(last=False)
        return vector

    def score(
        self,
        question: str,
        vector: np.ndarray | None = None,
        depth: int = CANDIDATES,
        include: Collection[str] = (),
    ) -> QueryScores:
        """Dense and BM25 scores for the union of both top-``depth`` candidate lists, and of
        every text and question chunk of the articles in ``include`` (a conversation's
        article, ``knowledge.follow_up``)."""
        if vector is None:
            vector = self.embed_query(question)
        dense_scores, dense_ids = self.vectors.search(vector, depth)
        bm25_scores, bm25_ids = self.keywords.search(question, depth)
        dense = {
            int(i): float(s)
            for s, i in zip(dense_scores, dense_ids, strict=True)
            if int(i) in self.chunks and self.chunks[int(i)].kind != "heading"
        }
        bm25 = {int(i): float(s) for s, i in zip(bm25_scores, bm25_ids, strict=True)}
        wanted = [
            i
            for article_id in include
            for i in self.by_article.get(article_id, [])
            if i in self.chunks and self.chunks[i].kind != "heading"
        ]
        missing_dense = list(
            dict.fromkeys(i for i in [*bm25, *wanted] if i not in dense and i in self.chunks)
        )
        if missing_dense:
            rows = self.vectors.reconstruct_many(np.array(missing_dense, dtype=np.int64))
            for chunk_id, value in zip(missing_dense, rows @ vector, strict=True):
                dense[chunk_id] = float(value)
        dense_top = self._fold_questions(vector, dense)
        missing_bm25 = [i for i in dense if i not in bm25]
        bm25.update(self.keywords.score(question, missing_bm25))
        chunks = [
            ChunkScore(self.chunks[i], dense[i], bm25.get(i, 0.0))
            for i in dense
            if i in self.chunks and self.chunks[i].kind == "text"
        ]
        return QueryScores(
            question=question,
            chunks=chunks,
            dense_top=dense_top,
            bm25_top=float(bm25_scores[0]) if len(bm25_scores) else 0.0,
            asked=frozenset(
                c.chunk.section for c in chunks if c.chunk.section in self.sections_asked
            ),
        )
