"""The article store: every version of every article, kept in Redis with optimistic concurrency.

Each write names the version it was based on. If someone else saved in the meantime the write
is refused with :class:`VersionConflict`, which carries the other editor's version, so nothing
is silently overwritten. Publishing and retiring write the live copy that every running
``GuidanceService`` reads (``knowledge:published``) and announce it on ``knowledge:events`` in
the same Redis transaction as the version bump.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import redis
from redis.typing import EncodableT, FieldT

from editorial.article_state import STATUSES, ArticleState, Version, describe
from editorial.audit import AuditLog
from editorial.diffing import change_summary
from editorial.keys import RETIRED_TOMBSTONE, EditorKeys
from editorial.markdown_doc import split_markdown, with_field
from editorial.problems import ArticleInvalid, Problem
from editorial.validation import check_links_resolve
from knowledge.articles import ArticleError, parse_article
from knowledge.live import published_text, stage_publish_set, stage_retire
from records.client import decoded, decoded_text


class StoreError(Exception):
    """Base class of the store's refusals; the message is written for an editor."""


class UnknownArticle(StoreError):
    """No article has this id."""


class UnknownVersion(StoreError):
    """The article has no such version."""


class DuplicateArticle(StoreError):
    """An article with this id already exists."""


class VersionConflict(StoreError):
    """Someone else saved first; ``current`` is their version."""

    def __init__(self, message: str, current: Version) -> None:
        super().__init__(message)
        self.current = current


@dataclass
class _Write:
    """One version to append: to which article, on top of which version, and what goes live."""

    article_id: str
    base: int
    markdown: str
    action: str
    check: Callable[[ArticleState | None], None] | None = None
    note: str = ""
    restored_from: int | None = None
    live: tuple[str, str] | None = None
    state: ArticleState | None = None


class ArticleStore:
    """Versions, audit log and publishing of guidance articles in Redis."""

    def __init__(
        self,
        client: redis.Redis,
        keys: EditorKeys | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis: redis.Redis = client
        self.keys = keys or EditorKeys()
        self.audit = AuditLog(client, self.keys)
        self.clock = clock

    # ---- reading ---------------------------------------------------------------------------
    def exists(self, article_id: str) -> bool:
        """True if the article is known to the editor."""
        return bool(self.redis.exists(self.keys.meta(article_id)))

    def get(self, article_id: str) -> ArticleState:
        """The article's current state; UnknownArticle if there is none."""
        raw = decoded(self.redis.hgetall(self.keys.meta(article_id)))
        if not raw:
            raise UnknownArticle(f"There is no article with the id '{article_id}'.")
        return ArticleState.from_hash(raw)

    def list_articles(self, query: str = "", status: str | None = None) -> list[ArticleState]:
        """Every article, filtered by words in the id, title, owner or area, and by status."""
        ids = sorted(decoded_text(member) for member in self.redis.smembers(self.keys.articles))
        pipe = self.redis.pipeline(transaction=False)
        for article_id in ids:
            pipe.hgetall(self.keys.meta(article_id))
        states = [ArticleState.from_hash(decoded(raw)) for raw in pipe.execute() if raw]
        words = query.lower().split()
        out = []
        for state in states:
            haystack = " ".join(
                (state.article_id, state.title, state.owner, state.service_area)
            ).lower()
            if all(w in haystack for w in words) and (not status or state.status == status):
                out.append(state)
        return sorted(out, key=lambda s: s.title.lower() or s.article_id)

    def live_ids(self) -> set[str]:
        """Ids of the articles that are published now (what every guidance service holds)."""
        return {state.article_id for state in self.list_articles(status="published")}

    def version(self, article_id: str, number: int) -> Version:
        """One version with its Markdown."""
        raw = self.redis.hget(self.keys.versions(article_id), str(number))
        if raw is None:
            self.get(article_id)
            raise UnknownVersion(f"'{article_id}' has no version {number}.")
        return Version(**json.loads(raw))

    def head(self, article_id: str) -> Version:
        """The newest version."""
        return self.version(article_id, self.get(article_id).head_version)

    def versions(self, article_id: str) -> list[Version]:
        """Every version, newest first."""
        self.get(article_id)
        raw = self.redis.hgetall(self.keys.versions(article_id))
        items = [Version(**json.loads(v)) for v in raw.values()]
        return sorted(items, key=lambda v: v.number, reverse=True)

    def published_markdown(self, article_id: str) -> str | None:
        """What is live for this article in the overlay, or None (files, or retired)."""
        return published_text(self.redis, self.keys.live, article_id)

    # ---- writing ---------------------------------------------------------------------------
    def create(
        self,
        markdown: str,
        author: str,
        questions: list[str] | None = None,
        action: str = "created",
        source_sha: str = "",
    ) -> ArticleState:
        """Add a new article as version 1 (a draft unless imported as published)."""
        front, _ = split_markdown(markdown)
        article_id = str(front["id"])
        state = ArticleState(
            article_id=article_id, questions=list(questions or []), source_sha=source_sha
        )
        if action == "imported":
            status = str(front.get("status") or "published")
            state.status = status if status in STATUSES else "draft"
            state.source_version = 1
            state.published_version = 1 if state.status == "published" else 0

        def check(current: ArticleState | None) -> None:
            if current is not None:
                raise DuplicateArticle(
                    f"An article with the id '{article_id}' already exists. Choose another id, "
                    "or open the existing article to change it."
                )

        return self._write(article_id, 0, markdown, author, action, check, state=state)

    def save(
        self, article_id: str, markdown: str, base_version: int, author: str, note: str = ""
    ) -> ArticleState:
        """Save a new version on top of ``base_version``; VersionConflict if that is stale."""
        return self._write(article_id, base_version, markdown, author, "saved", note=note)

    def restore(
        self,
        article_id: str,
        from_version: int,
        base_version: int,
        author: str,
        publish: bool = False,
    ) -> ArticleState:
        """Make an old version the newest again (as one new version; history is kept).

        With ``publish`` the restored text also goes live in the same version, so the number
        the editor is told is the number the history shows.
        """
        old = self.version(article_id, from_version)
        if not publish:
            return self._write(
                article_id,
                base_version,
                old.markdown,
                author,
                "restored",
                note=f"restored version {from_version}",
                restored_from=from_version,
            )
        live = with_field(old.markdown, "status", "published")
        check_links_resolve(live, article_id, self.live_ids())
        return self._write(
            article_id,
            base_version,
            live,
            author,
            "restored",
            note=f"restored version {from_version} and published it",
            restored_from=from_version,
            live=("upsert", live),
        )

    def publish(self, article_id: str, base_version: int, author: str) -> ArticleState:
        """Make the newest version live everywhere (it must be the version the editor saw)."""
        return self.publish_together([(article_id, base_version)], author)[0]

    def publish_together(
        self, articles: Sequence[tuple[str, int]], author: str
    ) -> list[ArticleState]:
        """Make several articles live at once: ``(article id, the version the editor saw)``.

        Each one's links and ``related`` may name the live articles or any article of the set
        (so new articles that name each other can go live); every service applies the set as
        one (``knowledge.live.stage_publish_set``). All are published, or none (ArticleInvalid,
        VersionConflict, UnknownVersion, UnknownArticle).
        """
        ids = [article_id for article_id, _ in articles]
        if not ids or len(set(ids)) != len(ids):
            raise StoreError("Name each article to publish once.")
        texts = {
            article_id: with_field(self.version(article_id, base).markdown, "status", "published")
            for article_id, base in articles
        }
        known = self.live_ids() | set(ids)
        for article_id, text in texts.items():
            try:
                check_links_resolve(text, article_id, known)
            except ArticleInvalid as exc:
                raise ArticleInvalid(exc.problems + self._drafts_hint(text, known)) from exc
        writes = [
            _Write(article_id, base, texts[article_id], "published", note="published",
                   live=("upsert", texts[article_id]))
            for article_id, base in articles
        ]
        return self._commit(writes, author)

    def _drafts_hint(self, markdown: str, known: set[str]) -> list[Problem]:
        """When the missing articles are the editor's own unpublished ones, say what to do."""
        try:
            targets = {target for target, _ in parse_article(markdown, "draft").internal_links}
        except ArticleError:
            return []
        drafts = sorted(t for t in targets - known if self.exists(t))
        if not drafts:
            return []
        names = ", ".join(f"'{d}'" for d in drafts)
        return [Problem(
            f"{names} {'is' if len(drafts) == 1 else 'are'} not published yet. Publish "
            f"{'it' if len(drafts) == 1 else 'them'} first, or publish the articles together "
            "(“Publish together with”)."
        )]

    def retire(self, article_id: str, base_version: int, author: str) -> ArticleState:
        """Take the article out of every answer at once; the text is kept for history."""
        head = self.version(article_id, base_version)
        text = with_field(head.markdown, "status", "retired")
        return self._write(
            article_id,
            base_version,
            text,
            author,
            "retired",
            note="retired",
            live=("delete", RETIRED_TOMBSTONE),
        )

    def import_version(
        self, article_id: str, base_version: int, markdown: str, author: str, note: str
    ) -> ArticleState:
        """Add a version that came from the files; if the overlay holds the article, update it."""
        live = ("upsert", markdown) if self.published_markdown(article_id) is not None else None
        return self._write(
            article_id, base_version, markdown, author, "imported", note=note, live=live
        )

    def note_event(self, article_id: str, author: str, action: str, summary: str) -> None:
        """Record something in the audit log that is not a new version."""
        self.audit.record(article_id, author, action, self.get(article_id).head_version, summary)

    def _write(
        self,
        article_id: str,
        base_version: int,
        markdown: str,
        author: str,
        action: str,
        check: Callable[[ArticleState | None], None] | None = None,
        note: str = "",
        restored_from: int | None = None,
        live: tuple[str, str] | None = None,
        state: ArticleState | None = None,
    ) -> ArticleState:
        """Append one version atomically (see :meth:`_commit`)."""
        write = _Write(article_id, base_version, markdown, action, check, note, restored_from,
                       live, state)
        return self._commit([write], author)[0]

    def _commit(self, writes: list[_Write], author: str) -> list[ArticleState]:
        """Append a version to each article atomically: WATCH every meta hash, compare each
        base version with the head, then one MULTI/EXEC with the versions, audit entries, the
        overlay writes and one live event (several published articles announce one set)."""
        meta_keys = [self.keys.meta(w.article_id) for w in writes]
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(*meta_keys)
                now = self.clock()
                staged = [self._prepare(pipe, write, author, now) for write in writes]
                pipe.multi()
                published: dict[str, str] = {}
                for write, (new, version, summary) in zip(writes, staged, strict=True):
                    article_id = write.article_id
                    pipe.hset(
                        self.keys.versions(article_id), str(version.number),
                        json.dumps(version.as_dict()),
                    )
                    pipe.hset(self.keys.meta(article_id), mapping=hash_fields(new.to_hash()))
                    pipe.sadd(self.keys.articles, article_id)
                    self.audit.record_in(
                        pipe, article_id, author, write.action, version.number, summary, now
                    )
                    if write.live is not None and write.live[0] == "upsert":
                        published[article_id] = write.live[1]
                    elif write.live is not None:
                        stage_retire(pipe, self.keys.live, article_id)
                if published:
                    stage_publish_set(pipe, self.keys.live, published)
                pipe.execute()
                return [new for new, _, _ in staged]
            except redis.WatchError:
                conflicts = [w for w in writes if self.get(w.article_id).head_version != w.base]
                first = conflicts[0] if conflicts else writes[0]
                latest = self.get(first.article_id)
                raise self._conflict(first.article_id, first.base, latest.head_version) from None

    def _prepare(
        self, pipe: redis.client.Pipeline, write: _Write, author: str, now: float
    ) -> tuple[ArticleState, Version, str]:
        """Read (under WATCH) and check one write; return the new state, version and summary."""
        article_id = write.article_id
        raw = decoded(pipe.hgetall(self.keys.meta(article_id)))
        current = ArticleState.from_hash(raw) if raw else None
        if write.check is not None:
            write.check(current)
        elif current is None:
            raise UnknownArticle(f"There is no article with the id '{article_id}'.")
        head = current.head_version if current else 0
        if head != write.base:
            raise self._conflict(article_id, write.base, head)
        previous = ""
        if current is not None:
            prev_raw = pipe.hget(self.keys.versions(article_id), str(head))
            previous = json.loads(prev_raw)["markdown"] if prev_raw else ""
        number = head + 1
        version = Version(number, write.markdown, author, now, write.action, write.note,
                          write.restored_from)
        new = write.state or current or ArticleState(article_id=article_id)
        new.head_version, new.updated_at, new.updated_by = number, now, author
        for key, value in describe(write.markdown).items():
            setattr(new, key, value)
        if write.live is not None:
            new.status = "published" if write.live[0] == "upsert" else "retired"
            new.published_version = number if write.live[0] == "upsert" else 0
        elif write.action == "imported" and current is not None and new.status == "published":
            new.published_version = number  # the files are what every service loads
        summary = write.note or change_summary(previous, write.markdown)
        if write.action == "saved":
            note = f" — {write.note}" if write.note else ""
            summary = change_summary(previous, write.markdown) + note
        return new, version, summary

    def _conflict(self, article_id: str, base: int, head: int) -> VersionConflict:
        theirs = self.version(article_id, head)
        who = theirs.author or "someone"
        when = dt.datetime.fromtimestamp(theirs.ts).strftime("%H:%M on %d %B %Y")
        return VersionConflict(
            f"{who} saved '{article_id}' (version {head}) at {when}, after you opened version "
            f"{base}. Your changes were not saved. Compare the two versions, copy your changes "
            "into the newest one, then save again.",
            theirs,
        )

    def set_questions(self, article_id: str, questions: list[str]) -> None:
        """Attach the gap questions an article was started from."""
        self.get(article_id)
        self.redis.hset(self.keys.meta(article_id), "questions", json.dumps(questions))

    def record_source(self, article_id: str, sha: str, version: int | None = None) -> None:
        """Remember which file content was last imported (see editorial.seeding)."""
        mapping = {"source_sha": sha}
        if version is not None:
            mapping["source_version"] = str(version)
        self.redis.hset(self.keys.meta(article_id), mapping=hash_fields(mapping))


def hash_fields(fields: dict[str, str]) -> dict[FieldT, EncodableT]:
    """``fields`` typed as redis-py's ``hset`` mapping (its key type is not ``str`` alone)."""
    return dict(fields.items())
