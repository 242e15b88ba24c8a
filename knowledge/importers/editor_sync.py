"""Send an import to the editor's store, so it goes live on every instance like a publish.

New articles are created and published (retired ones only recorded). An article nobody has
edited in the editor since its last import gets the new version and is published again; a
withdrawn item retires it. If an editor changed the article since the last import (or the
file import found a conflict), the incoming version is saved into the article's history and
the editor's version restored on top of it: both are kept, nothing live changes, and the
report says "conflict" with who edited it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from knowledge.importers.import_run import ImportReport, Outcome

if TYPE_CHECKING:
    from editorial.store import ArticleStore

AUTHOR = "GOV.UK import"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _status(text: str) -> str:
    for line in text.split("\n")[1:40]:
        if line.startswith("status:"):
            return line.split(":", 1)[1].strip().strip("'\"")
    return "published"


def sync_outcome(store: ArticleStore, outcome: Outcome, author: str = AUTHOR) -> None:
    """Apply one planned outcome to the store (updates ``outcome`` for conflicts)."""
    if outcome.result not in ("imported", "updated", "unchanged", "conflict"):
        return
    article_id, text, sha = outcome.article_id, outcome.text, _sha(outcome.text)
    status = _status(text)
    if not store.exists(article_id):
        state = store.create(text, author, action="imported", source_sha=sha)
        if status == "published":
            state = store.publish(article_id, state.head_version, author)
        store.record_source(article_id, sha, state.head_version)
        return
    state = store.get(article_id)
    if state.source_sha == sha and outcome.result != "conflict":
        outcome.result = "unchanged"  # same as last import; the store already decided
        return
    edited = state.head_version != state.source_version
    if edited or outcome.result == "conflict":
        head = store.version(article_id, state.head_version)
        store.save(
            article_id,
            text,
            state.head_version,
            author,
            note="incoming GOV.UK version, not published: the article changed since the "
            "last import",
        )
        store.restore(article_id, state.head_version, state.head_version + 1, author)
        store.record_source(article_id, sha)
        outcome.result = "conflict"
        outcome.reason = (
            f"changed in the editor since the last import (version {head.number} by "
            f"{head.author or 'someone'}); the editor's version is kept and the incoming one "
            f"is version {state.head_version + 1} in its history"
        )
        return
    new = store.import_version(
        article_id, state.head_version, text, author, note="updated from GOV.UK"
    )
    store.record_source(article_id, sha, new.head_version)
    if status == "retired" and new.status != "retired":
        new = store.retire(article_id, new.head_version, author)
    elif status == "published" and store.published_markdown(article_id) != text:
        new = store.publish(article_id, new.head_version, author)
    store.record_source(article_id, sha, new.head_version)
    if outcome.result == "unchanged":
        outcome.result = "updated"


def sync_report(store: ArticleStore, report: ImportReport, author: str = AUTHOR) -> None:
    """Apply every outcome of an import to the editor's store.

    An article the store refuses to publish (it links to an article that is not live, which
    every guidance service would refuse too) is kept in the store unpublished and reported as
    ``failed`` with the reason; the other outcomes are still applied.
    """
    from editorial.problems import ArticleInvalid

    for outcome in report.outcomes:
        try:
            sync_outcome(store, outcome, author)
        except ArticleInvalid as exc:
            outcome.result, outcome.reason = "failed", f"not published: {exc}"
