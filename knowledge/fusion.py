"""Turn one question's chunk scores into a ranked list of articles.

Methods:

* ``dense``: cosine similarity of the question and chunk embeddings.
* ``bm25``: raw BM25 score (chunks with no query word drop out).
* ``fused``: ``w * cosine + (1 - w) * bm25 / max_bm25`` — a weighted combination of scores,
  with ``w`` calibrated on the tune split (ADR 0101).
* ``rrf``: plain reciprocal-rank fusion (k=60), reported only for comparison.

An article's score is its best chunk's score; that chunk is the section the answer quotes.

Signposts: when the top section names another candidate article by its exact title ("report a
missed bin collection") and that article scores within ``signpost_margin``, the top section is
a pointer and the named article goes first. The margin is fitted on the tune split.

Evidence without example questions (ADR 0104): when the section that earned the top article
score carries none, the fused ranking is redone with the text-only fusion weight, fitted on
the tune questions with every example question taken out (:func:`rank_by_evidence`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from knowledge.abstention import pick
from knowledge.chunking import Chunk, plain_text
from knowledge.knowledge_base import ChunkScore, QueryScores

METHODS = ("dense", "bm25", "fused")
RRF_K = 60


class ArticleHit(NamedTuple):
    """One article in a ranking, with the chunk that earned its score."""

    article_id: str
    chunk: Chunk
    score: float
    dense: float
    bm25: float


def _chunk_scores(
    scores: QueryScores, method: str, weight: float
) -> list[tuple[float, ChunkScore]]:
    if method == "dense":
        return [(c.dense, c) for c in scores.chunks]
    if method == "bm25":
        return [(c.bm25, c) for c in scores.chunks if c.bm25 > 0]
    if method == "fused":
        top = max((c.bm25 for c in scores.chunks), default=0.0)
        scale = 1.0 / top if top > 0 else 0.0
        return [(weight * c.dense + (1 - weight) * c.bm25 * scale, c) for c in scores.chunks]
    if method == "rrf":
        by_dense = sorted(scores.chunks, key=lambda c: -c.dense)
        by_bm25 = sorted((c for c in scores.chunks if c.bm25 > 0), key=lambda c: -c.bm25)
        fused: dict[int, float] = {}
        for ranking in (by_dense, by_bm25):
            for rank, c in enumerate(ranking, start=1):
                fused[c.chunk.id] = fused.get(c.chunk.id, 0.0) + 1.0 / (RRF_K + rank)
        return [(fused[c.chunk.id], c) for c in scores.chunks]
    raise ValueError(f"unknown retrieval method {method!r}")


def defer_to_signposted(
    hits: list[ArticleHit],
    titles: Mapping[str, str],
    margin: float,
    sections: Mapping[str, list[ArticleHit]] | None = None,
) -> list[ArticleHit]:
    """Put first an article that the top section names by title, if it scores within ``margin``.

    The named article then answers from its section headed with its own title, when that
    section is among the candidates (the place the signpost points to).
    """
    if len(hits) < 2 or margin <= 0:
        return hits
    top = hits[0]
    body = " ".join(plain_text(top.chunk.body).lower().split())
    for i, hit in enumerate(hits[1:4], start=1):
        title = titles.get(hit.article_id, "").lower()
        if title and top.score - hit.score <= margin and title in body:
            for other in (sections or {}).get(hit.article_id, []):
                if other.chunk.anchor and other.chunk.heading.lower() == title:
                    hit = other
                    break
            return [hit, top] + [h for j, h in enumerate(hits) if j not in (0, i)]
    return hits


def rank_articles(
    scores: QueryScores,
    method: str,
    weight: float = 1.0,
    titles: Mapping[str, str] | None = None,
    signpost_margin: float = 0.0,
) -> list[ArticleHit]:
    """Articles ranked best first by ``method``; each keeps its best chunk."""
    best: dict[str, ArticleHit] = {}
    sections: dict[str, list[ArticleHit]] = {}
    for value, c in _chunk_scores(scores, method, weight):
        article_id = c.chunk.article_id
        hit = ArticleHit(article_id, c.chunk, float(value), c.dense, c.bm25)
        sections.setdefault(article_id, []).append(hit)
        held = best.get(article_id)
        if held is None or value > held.score:
            best[article_id] = hit
    hits = sorted(best.values(), key=lambda h: (-h.score, h.article_id))
    if titles is not None:
        hits = defer_to_signposted(hits, titles, signpost_margin, sections)
    return hits


def offtopic_score(scores: QueryScores, method: str) -> float:
    """The score the off-topic gate looks at: best cosine (or best BM25 for ``bm25``)."""
    return scores.bm25_top if method == "bm25" else scores.dense_top


def top_two(hits: list[ArticleHit]) -> tuple[float | None, float | None]:
    """The two best article scores (in score order, whatever the final ranking order)."""
    values = sorted((h.score for h in hits[:2]), reverse=True)
    return (values[0] if values else None, values[1] if len(values) > 1 else None)


def backed_by_examples(scores: QueryScores, hits: list[ArticleHit]) -> bool:
    """True when the section that earned the top article score carries example questions.

    Its score is then the best of its text and its questions, as on the corpus the gates were
    fitted on; a section without any scores on its text alone, and the text-only gates apply
    to it (``abstention.pick``). With no hits there is nothing to gate: True.
    """
    if not hits:
        return True
    best = max(hits[:2], key=lambda h: h.score)
    return best.chunk.section in scores.asked


def rank_by_evidence(
    scores: QueryScores,
    method: str,
    weight: float,
    text_only_weight: float | None = None,
    titles: Mapping[str, str] | None = None,
    signpost_margin: float = 0.0,
) -> tuple[list[ArticleHit], bool]:
    """Articles ranked by ``method``, and whether the top article's evidence carries example
    questions (:func:`backed_by_examples`).

    Decided once, from the ranking with ``weight``: when that evidence has none and a
    ``text_only_weight`` was calibrated, the fused ranking is redone with it (the same choice
    ``abstention.pick`` makes for the gates, which follow the returned flag).
    """
    hits = rank_articles(scores, method, weight, titles, signpost_margin)
    examples = backed_by_examples(scores, hits)
    chosen = pick(weight, text_only_weight, examples)
    if method == "fused" and chosen != weight:
        hits = rank_articles(scores, method, chosen, titles, signpost_margin)
    return hits, examples
