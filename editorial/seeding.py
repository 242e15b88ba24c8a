"""Keep the editor's store in step with the git-friendly files in ``knowledge/articles``.

Rules (ADR 0500): a file the store has never seen is imported as version 1. A file whose
content changed in git is imported as a new version when nobody has edited the article in the
editor since the last import; otherwise the editor's version is kept and the audit log says so.
``export_published`` writes the editor's published versions back to files, for a commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import redis

from editorial.markdown_doc import FrontMatterError, split_markdown
from editorial.store import ArticleStore, DuplicateArticle, VersionConflict

GIT_AUTHOR = "knowledge/articles (git)"


@dataclass
class SyncReport:
    """What one pass over the files did."""

    imported: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept_editor_version: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def article_files(articles_dir: Path) -> list[Path]:
    """The article files (every ``*.md`` except the README)."""
    return sorted(p for p in articles_dir.glob("*.md") if p.name.lower() != "readme.md")


def sync_from_files(store: ArticleStore, articles_dir: Path) -> SyncReport:
    """Import new or changed files into the store (safe on every start of every instance)."""
    report = SyncReport()
    for path in article_files(articles_dir):
        text = path.read_text(encoding="utf-8")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        try:
            front, _ = split_markdown(text)
        except FrontMatterError:
            report.skipped.append(path.name)
            continue
        article_id = str(front.get("id") or path.stem)
        try:
            _sync_one(store, article_id, text, sha, path, report)
        except (DuplicateArticle, VersionConflict, redis.WatchError):
            report.skipped.append(path.name)  # another instance did it at the same moment
    return report


def _sync_one(
    store: ArticleStore, article_id: str, text: str, sha: str, path: Path, report: SyncReport
) -> None:
    if not store.exists(article_id):
        store.create(text, GIT_AUTHOR, action="imported", source_sha=sha)
        report.imported.append(article_id)
        return
    state = store.get(article_id)
    if state.source_sha == sha:
        return
    source = f"knowledge/articles/{path.name}"
    if state.head_version == state.source_version:
        new = store.import_version(
            article_id, state.head_version, text, GIT_AUTHOR, note=f"updated from {source}"
        )
        store.record_source(article_id, sha, new.head_version)
        report.updated.append(article_id)
    else:
        store.record_source(article_id, sha)
        store.note_event(
            article_id,
            GIT_AUTHOR,
            "file-changed",
            f"{source} changed in git; the editor's newer version was kept",
        )
        report.kept_editor_version.append(article_id)


def export_published(store: ArticleStore, articles_dir: Path) -> list[str]:
    """Write every article the editor published (or retired) back to its file; return the ids."""
    written = []
    for state in store.list_articles():
        if state.head_version == state.source_version:
            continue
        if state.status == "published" and state.published_version:
            text = store.version(state.article_id, state.published_version).markdown
        elif state.status == "retired":
            text = store.head(state.article_id).markdown
        else:
            continue
        path = articles_dir / f"{state.article_id}.md"
        path.write_text(text, encoding="utf-8")
        store.record_source(
            state.article_id, hashlib.sha256(text.encode()).hexdigest(), state.head_version
        )
        written.append(state.article_id)
    return written
