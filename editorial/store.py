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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import redis

from editorial.audit import AuditLog
from editorial.diffing import change_summary
from editorial.keys import RETIRED_TOMBSTONE, EditorKeys
from editorial.markdown_doc import FrontMatterError, split_markdown, with_field
from editorial.validation import check_links_resolve
from knowledge.live import published_text, stage_publish, stage_retire

STATUSES = ("draft", "published", "retired")


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


@dataclass(frozen=True)
class Version:
    """One saved state of an article."""

    number: int
    markdown: str
    author: str
    ts: float
    action: str
    note: str = ""
    restored_from: int | None = None

    def as_dict(self, with_text: bool = True) -> dict[str, Any]:
        """JSON-friendly form; ``with_text=False`` leaves out the Markdown."""
        data = asdict(self)
        if not with_text:
            data.pop("markdown")
        return data


@dataclass
class ArticleState:
    """What the article list shows: the latest state of one article."""

    article_id: str
    title: str = ""
    owner: str = ""
    service_area: str = ""
    review_by: str = ""
    status: str = "draft"
    head_version: int = 0
    published_version: int = 0
    updated_at: float = 0.0
    updated_by: str = ""
    source_sha: str = ""
    source_version: int = 0
    questions: list[str] = field(default_factory=list)

    def overdue(self, today: dt.date | None = None) -> bool:
        """True when the review-by date has passed (and the article is not retired)."""
        if self.status == "retired" or not self.review_by:
            return False
        try:
            due = dt.date.fromisoformat(self.review_by)
        except ValueError:
            return False
        return due < (today or dt.date.today())

    @property
    def unpublished_changes(self) -> bool:
        """True when the newest version is not the one that is live."""
        return self.status != "retired" and self.head_version != self.published_version

    def as_dict(self, today: dt.date | None = None) -> dict[str, Any]:
        """JSON-friendly form, with the derived flags."""
        data = asdict(self)
        data["overdue"] = self.overdue(today)
        data["unpublished_changes"] = self.unpublished_changes
        return data

    def to_hash(self) -> dict[str, str]:
        """Redis hash fields."""
        data = asdict(self)
        data["questions"] = json.dumps(self.questions)
        return {k: str(v) for k, v in data.items()}

    @classmethod
    def from_hash(cls, raw: dict[str, str]) -> ArticleState:
        """Read the Redis hash back."""
        return cls(
            article_id=raw["article_id"],
            title=raw.get("title", ""),
            owner=raw.get("owner", ""),
            service_area=raw.get("service_area", ""),
            review_by=raw.get("review_by", ""),
            status=raw.get("status", "draft"),
            head_version=int(raw.get("head_version", 0)),
            published_version=int(raw.get("published_version", 0)),
            updated_at=float(raw.get("updated_at", 0)),
            updated_by=raw.get("updated_by", ""),
            source_sha=raw.get("source_sha", ""),
            source_version=int(raw.get("source_version", 0)),
            questions=json.loads(raw.get("questions") or "[]"),
        )


def _describe(markdown: str) -> dict[str, str]:
    """The list-view fields taken from the front matter."""
    try:
        front, _ = split_markdown(markdown)
    except FrontMatterError:
        return {}
    return {k: str(front.get(k) or "") for k in ("title", "owner", "service_area", "review_by")}


class ArticleStore:
    """Versions, audit log and publishing of guidance articles in Redis."""

    def __init__(
        self,
        client: redis.Redis,
        keys: EditorKeys | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis: Any = client
        self.keys = keys or EditorKeys()
        self.audit = AuditLog(client, self.keys)
        self.clock = clock

    # ---- reading ---------------------------------------------------------------------------
    def exists(self, article_id: str) -> bool:
        """True if the article is known to the editor."""
        return bool(self.redis.exists(self.keys.meta(article_id)))

    def get(self, article_id: str) -> ArticleState:
        """The article's current state; UnknownArticle if there is none."""
        raw = self.redis.hgetall(self.keys.meta(article_id))
        if not raw:
            raise UnknownArticle(f"There is no article with the id '{article_id}'.")
        return ArticleState.from_hash(raw)

    def list_articles(self, query: str = "", status: str | None = None) -> list[ArticleState]:
        """Every article, filtered by words in the id, title, owner or area, and by status."""
        ids = sorted(self.redis.smembers(self.keys.articles))
        pipe = self.redis.pipeline(transaction=False)
        for article_id in ids:
            pipe.hgetall(self.keys.meta(article_id))
        states = [ArticleState.from_hash(raw) for raw in pipe.execute() if raw]
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
        head = self.version(article_id, base_version)
        live = with_field(head.markdown, "status", "published")
        check_links_resolve(live, article_id, self.live_ids())
        return self._write(
            article_id,
            base_version,
            live,
            author,
            "published",
            note="published",
            live=("upsert", live),
        )

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
        """Append a version atomically: WATCH the meta hash, compare, MULTI/EXEC."""
        meta_key = self.keys.meta(article_id)
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(meta_key)
                raw = pipe.hgetall(meta_key)
                current = ArticleState.from_hash(raw) if raw else None
                if check is not None:
                    check(current)
                elif current is None:
                    raise UnknownArticle(f"There is no article with the id '{article_id}'.")
                head = current.head_version if current else 0
                if head != base_version:
                    raise self._conflict(article_id, base_version, head)
                previous = ""
                if current is not None:
                    prev_raw = pipe.hget(self.keys.versions(article_id), str(head))
                    previous = json.loads(prev_raw)["markdown"] if prev_raw else ""
                now = self.clock()
                number = head + 1
                version = Version(number, markdown, author, now, action, note, restored_from)
                new = state or current or ArticleState(article_id=article_id)
                new.head_version, new.updated_at, new.updated_by = number, now, author
                for key, value in _describe(markdown).items():
                    setattr(new, key, value)
                if live is not None:
                    new.status = "published" if live[0] == "upsert" else "retired"
                    new.published_version = number if live[0] == "upsert" else 0
                elif action == "imported" and current is not None and new.status == "published":
                    new.published_version = number  # the files are what every service loads
                summary = note or change_summary(previous, markdown)
                if action == "saved":
                    summary = change_summary(previous, markdown) + (f" — {note}" if note else "")
                pipe.multi()
                pipe.hset(
                    self.keys.versions(article_id), str(number), json.dumps(version.as_dict())
                )
                pipe.hset(meta_key, mapping=new.to_hash())
                pipe.sadd(self.keys.articles, article_id)
                self.audit.record_in(pipe, article_id, author, action, number, summary, now)
                if live is not None and live[0] == "upsert":
                    stage_publish(pipe, self.keys.live, article_id, live[1])
                elif live is not None:
                    stage_retire(pipe, self.keys.live, article_id)
                pipe.execute()
                return new
            except redis.WatchError:
                latest = self.get(article_id)
                raise self._conflict(article_id, base_version, latest.head_version) from None

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
        self.redis.hset(self.keys.meta(article_id), mapping=mapping)
