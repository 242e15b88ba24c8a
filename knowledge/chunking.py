"""Split articles into section-level chunks with stable ids and content hashes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from knowledge.articles import Article

CHUNKER_VERSION = "4"
MAX_CHUNK_CHARS = 1500
_ID_MASK = (1 << 63) - 1
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_MARKUP = re.compile(r"(\*\*|__|`|^\s*[-*+]\s+|^\s*\d+[.)]\s+|^\s*>\s?|^#{3,6}\s+)", re.M)


@dataclass(frozen=True)
class Chunk:
    """One searchable piece of an article.

    ``kind`` is ``"text"`` for a ``##`` section (or the introduction), ``"question"`` for one
    example question the section answers, or ``"heading"`` for the section's heading alone. A
    question or heading chunk has no body of its own; it points to its section (``section``).
    Question chunks are matched question-to-question; heading chunks only help choose between
    the sections of the top articles.
    """

    key: str
    id: int
    article_id: str
    heading: str
    anchor: str
    body: str
    embed_text: str
    content_hash: str
    kind: str = "text"
    keyword_text: str = ""

    @property
    def section(self) -> str:
        """The section this chunk belongs to: ``article-id#anchor``."""
        return f"{self.article_id}#{self.anchor}"


def stable_id(key: str) -> int:
    """A stable, non-negative 63-bit FAISS id derived from the chunk key."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & _ID_MASK


def plain_text(markdown: str) -> str:
    """Markdown to plain text: link text kept, list and emphasis markers dropped."""
    text = _LINK.sub(r"\1", markdown)
    text = _MARKUP.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _split_long(body: str) -> list[str]:
    """Split an over-long section at paragraph boundaries into parts of bounded size."""
    if len(body) <= MAX_CHUNK_CHARS:
        return [body]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for paragraph in re.split(r"\n\s*\n", body):
        if current and size + len(paragraph) > MAX_CHUNK_CHARS:
            parts.append("\n\n".join(current))
            current, size = [], 0
        current.append(paragraph)
        size += len(paragraph) + 2
    if current:
        parts.append("\n\n".join(current))
    return parts


def _make(
    article: Article,
    heading: str,
    anchor: str,
    body: str,
    part: int,
    questions: tuple[str, ...] = (),
) -> Chunk:
    key = f"{article.id}#{anchor}" + (f"~{part}" if part else "")
    lead = article.summary if not anchor else ""
    # Other words people use for the topic go with every section (not the introduction, which
    # has the summary), so the section that answers still wins on its own text.
    also = f"Also called: {', '.join(article.keywords)}" if article.keywords and anchor else ""
    parts = (article.title, heading if anchor else "", lead, also)
    embed_text = ". ".join(x.rstrip(".") for x in parts if x)
    embed_text = f"{embed_text}.\n{plain_text(body)}"
    return Chunk(
        key=key,
        id=stable_id(key),
        article_id=article.id,
        heading=heading,
        anchor=anchor,
        body=body,
        embed_text=embed_text,
        content_hash=_hash(article, "text", embed_text),
        # Keyword search also sees the questions the section answers.
        keyword_text="\n".join((embed_text, *questions)),
    )


def _hash(article: Article, kind: str, embed_text: str) -> str:
    return hashlib.sha256(
        f"{CHUNKER_VERSION}\n{article.language}\n{kind}\n{embed_text}".encode()
    ).hexdigest()


def _question(
    article: Article, heading: str, anchor: str, question: str, kind: str = "question"
) -> Chunk:
    digest = hashlib.blake2b(question.casefold().encode("utf-8"), digest_size=6).hexdigest()
    key = f"{article.id}#{anchor}?{kind[0]}{digest}"
    return Chunk(
        key=key,
        id=stable_id(key),
        article_id=article.id,
        heading=heading,
        anchor=anchor,
        body="",
        embed_text=question,
        content_hash=_hash(article, kind, question),
        kind=kind,
    )


def chunk_article(article: Article) -> list[Chunk]:
    """Chunks for one article: the introduction (anchor '') and one per ``##`` section,
    then one question chunk per example question of each, and one heading chunk per section
    (its heading alone, used only to choose between sections)."""
    chunks: list[Chunk] = []
    intro = article.intro or article.summary
    asked = article.intro_questions
    for part, body in enumerate(_split_long(intro)):
        chunks.append(_make(article, article.title, "", body, part, asked))
    chunks += [_question(article, article.title, "", q) for q in asked]
    for section in article.sections:
        asked = section.questions
        for part, body in enumerate(_split_long(section.body)):
            chunks.append(_make(article, section.heading, section.anchor, body, part, asked))
        chunks += [_question(article, section.heading, section.anchor, q) for q in asked]
        heading = _question(article, section.heading, section.anchor, section.heading, "heading")
        chunks.append(heading)
    return chunks
