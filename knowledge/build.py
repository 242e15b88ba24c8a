"""Open the knowledge base for a folder of articles: load the saved index, update, save.

Articles are parsed and validated completely before anything is touched, so a bad article
stops the build with a clear error and the saved index stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from knowledge import index_store
from knowledge.articles import load_articles
from knowledge.embedding import Embedder
from knowledge.knowledge_base import KnowledgeBase, UpdateReport


@dataclass
class OpenResult:
    """A ready knowledge base and what had to change to make it match the articles."""

    kb: KnowledgeBase
    report: UpdateReport
    saved: bool


def open_knowledge_base(
    articles_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    *,
    force: bool = False,
    save: bool = True,
    progress: Callable[[int], None] | None = None,
) -> OpenResult:
    """Bring the saved index in ``index_dir`` up to date with ``articles_dir``.

    ``force`` ignores the saved index (full rebuild, every chunk embedded again). A saved
    index built with another model or library version raises ``IndexMismatchError`` unless
    ``force`` is given. Unchanged chunks are never re-embedded.
    """
    articles = load_articles(Path(articles_dir))
    kb = KnowledgeBase(embedder)
    saved = None if force else index_store.load(Path(index_dir), embedder)
    if saved is not None:
        kb.adopt_vectors(saved.vectors, saved.hashes)
    report = kb.sync(articles, progress=progress)
    dropped = kb.drop_unused_vectors()
    kind_before = kb.vectors.kind
    kb.optimise()
    stale = (
        saved is None
        or dropped > 0
        or report.chunks_embedded > 0
        or kb.vectors.kind != kind_before
        or saved.metadata.get("articles") != {a.id: a.content_hash for a in articles.values()}
        or saved.metadata.get("chunks") != kb.vectors.ntotal
    )
    did_save = False
    if save and stale:
        index_store.save(kb, Path(index_dir))
        did_save = True
    if saved is not None:
        # Articles that were in the saved index but not in the folder any more.
        report.removed = sorted(set(saved.metadata.get("articles", {})) - set(articles))
        report.added = [a for a in report.added if a not in saved.metadata.get("articles", {})]
        report.changed = sorted(
            a
            for a, h in saved.metadata.get("articles", {}).items()
            if a in articles and articles[a].content_hash != h
        )
    return OpenResult(kb=kb, report=report, saved=did_save)
