"""Keep a guidance service in step with what editors publish, in every process that holds one.

This module owns the two Redis structures of live guidance updates (ADR 0501):

- the hash ``knowledge:published`` — article id -> the published Markdown, or :data:`TOMBSTONE`
  for a retired article (written only through :func:`stage_publish` / :func:`stage_retire`,
  which ``editorial.store`` calls inside its version transaction; read only here);
- the channel ``knowledge:events`` — ``{"op": "upsert"|"delete", "article_id", "markdown"}``
  after each publish or retire, and ``{"op": "upsert_set", "articles": [{"article_id",
  "markdown"}, ...]}`` after articles published together (:func:`stage_publish_set`), which a
  service applies all or nothing, so articles naming each other in ``related`` can go live.

:class:`LiveUpdates` is the one subscriber: it subscribes first, then applies the overlay hash;
it applies every event as it arrives; after any reconnect (including redis-py's silent
re-subscribe) it applies the overlay again, so nothing published while it was away is lost;
Redis errors are retried with exponential back-off. Every article it cannot apply is logged
with the reason.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import redis

from knowledge.articles import ArticleError, parse_article

log = logging.getLogger("knowledge.live")

TOMBSTONE = "__retired__"


@dataclass(frozen=True)
class LiveKeys:
    """Key builders for the live-update structures, under ``REDIS_KEY_PREFIX``."""

    prefix: str = "csa:"

    @property
    def published(self) -> str:
        """Hash: article id -> published Markdown, or :data:`TOMBSTONE` once retired."""
        return f"{self.prefix}knowledge:published"

    @property
    def events(self) -> str:
        """Pub/sub channel announcing each publish or retire."""
        return f"{self.prefix}knowledge:events"


class LiveService(Protocol):
    """What the subscriber needs from ``knowledge.answering.GuidanceService``."""

    def upsert_markdown(self, markdown: str, source: str = ...) -> None:
        """Parse, validate and index one article (raises ``ArticleError`` on bad input)."""
        ...

    def upsert_many(self, markdowns: Sequence[str], source: str = ...) -> None:
        """Parse, validate as a whole and index several articles, all or none (``ArticleError``)."""
        ...

    def delete(self, article_id: str) -> None:
        """Remove one article (raises ``KeyError`` when it is not held)."""
        ...


@dataclass
class OverlayReport:
    """What one application of the overlay did."""

    applied: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """How many articles were upserted or removed."""
        return len(self.applied) + len(self.retired)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def read_published(client: redis.Redis, keys: LiveKeys) -> dict[str, str]:
    """The overlay hash as ``{article id: Markdown or TOMBSTONE}`` (the only reader)."""
    raw = client.hgetall(keys.published)
    if not isinstance(raw, Mapping):
        raise TypeError("knowledge.live needs a synchronous Redis client")
    return {_text(k): _text(v) for k, v in raw.items()}


def published_text(client: redis.Redis, keys: LiveKeys, article_id: str) -> str | None:
    """The Markdown live for one article in the overlay, or None (files only, or retired)."""
    raw = client.hget(keys.published, article_id)
    if raw is None or not isinstance(raw, str | bytes):
        return None
    text = _text(raw)
    return None if text == TOMBSTONE else text


def stage_publish(
    pipe: redis.client.Pipeline, keys: LiveKeys, article_id: str, markdown: str
) -> None:
    """Queue on ``pipe`` (inside the caller's MULTI) the overlay write and the upsert event."""
    pipe.hset(keys.published, article_id, markdown)
    event = {"op": "upsert", "article_id": article_id, "markdown": markdown}
    pipe.publish(keys.events, json.dumps(event))


def stage_publish_set(
    pipe: redis.client.Pipeline, keys: LiveKeys, articles: Mapping[str, str]
) -> None:
    """Queue on ``pipe`` the overlay writes of articles published together and one event.

    One article gives the ordinary upsert event; several give one ``upsert_set`` event, which
    every service applies as a whole (articles that name each other go live together).
    """
    if len(articles) == 1:
        ((article_id, markdown),) = articles.items()
        stage_publish(pipe, keys, article_id, markdown)
        return
    for article_id, markdown in articles.items():
        pipe.hset(keys.published, article_id, markdown)
    items = [{"article_id": k, "markdown": v} for k, v in articles.items()]
    pipe.publish(keys.events, json.dumps({"op": "upsert_set", "articles": items}))


def stage_retire(pipe: redis.client.Pipeline, keys: LiveKeys, article_id: str) -> None:
    """Queue on ``pipe`` the tombstone and the delete event for a retired article."""
    pipe.hset(keys.published, article_id, TOMBSTONE)
    event = {"op": "delete", "article_id": article_id, "markdown": None}
    pipe.publish(keys.events, json.dumps(event))


def apply_overlay(service: LiveService, client: redis.Redis, keys: LiveKeys) -> OverlayReport:
    """Apply the published overlay over ``service``; log and report every article skipped.

    Articles are retried until no more can be applied, so one that links to another published
    article applied later in the hash is not lost; what is left is then tried as one set, so
    articles naming each other (published together) are applied together. A field whose
    article id differs, or an article that still fails, keeps the file version and is logged
    with the reason.
    """
    report = OverlayReport()
    pending: dict[str, str] = {}
    for article_id, text in sorted(read_published(client, keys).items()):
        if text == TOMBSTONE:
            try:
                service.delete(article_id)
                report.retired.append(article_id)
            except KeyError:
                pass  # already absent here: nothing to retire
            continue
        pending[article_id] = text
    while pending:  # another pass while the last one applied something
        failed: dict[str, str] = {}
        errors: dict[str, str] = {}
        for article_id, text in pending.items():
            source = f"{keys.published}[{article_id}]"
            try:
                parsed_id = parse_article(text, source).id
                if parsed_id != article_id:
                    report.skipped[article_id] = f"the Markdown has id {parsed_id!r}"
                    continue
                service.upsert_markdown(text, source=source)
                report.applied.append(article_id)
            except ArticleError as exc:
                failed[article_id], errors[article_id] = text, str(exc)
        if len(failed) == len(pending):
            if not _apply_as_set(service, failed, keys, report):
                report.skipped.update(errors)
            break
        pending = failed
    for article_id, reason in report.skipped.items():
        log.error(
            "published article %r not applied; the file version stays: %s", article_id, reason
        )
    return report


def _apply_as_set(
    service: LiveService, pending: Mapping[str, str], keys: LiveKeys, report: OverlayReport
) -> bool:
    """Apply the articles no single pass could apply as one set; True when that worked."""
    if len(pending) < 2:
        return False
    try:
        service.upsert_many(list(pending.values()), source=f"{keys.published} (set)")
    except ArticleError:
        return False
    report.applied.extend(pending)
    return True


def _event_articles(event: Mapping[str, object]) -> list[str] | None:
    """The Markdown of each article of an ``upsert_set`` event, or None when malformed."""
    items = event.get("articles")
    if not isinstance(items, list) or not items:
        return None
    texts = [item.get("markdown") for item in items if isinstance(item, dict)]
    if len(texts) != len(items) or not all(isinstance(x, str) and x for x in texts):
        return None
    return [str(x) for x in texts]


def apply_event(service: LiveService, payload: object) -> str | None:
    """Apply one ``knowledge:events`` payload; return the op applied, or None (logged why)."""
    try:
        event = json.loads(payload) if isinstance(payload, str | bytes) else None
    except ValueError:
        event = None
    if not isinstance(event, dict):
        log.warning("ignored a knowledge event that is not a JSON object")
        return None
    op, article_id, markdown = event.get("op"), event.get("article_id"), event.get("markdown")
    if op == "upsert" and isinstance(markdown, str) and markdown:
        service.upsert_markdown(markdown, source=f"knowledge event for {article_id!r}")
        return "upsert"
    texts = _event_articles(event) if op == "upsert_set" else None
    if texts is not None:
        service.upsert_many(texts, source="knowledge event for articles published together")
        return "upsert_set"
    if op == "delete" and isinstance(article_id, str) and article_id:
        try:
            service.delete(article_id)
        except KeyError:
            log.info("retire of %r ignored: this process does not hold it", article_id)
            return None
        return "delete"
    log.warning("ignored a knowledge event with op %r for %r", op, article_id)
    return None


class LiveUpdates:
    """The one subscriber keeping a service in step with ``knowledge:events`` and the overlay.

    ``start()`` returns once subscribed and the overlay applied (or after ``wait`` seconds).
    Counters (``events``, ``overlays``, ``reconnects``) let callers and tests see its state.
    """

    def __init__(
        self,
        service: LiveService,
        client: redis.Redis,
        keys: LiveKeys,
        *,
        first_delay: float = 0.5,
        max_delay: float = 30.0,
        poll: float = 0.5,
    ) -> None:
        self.service = service
        self.redis = client
        self.keys = keys
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.poll = poll
        self.events = 0
        self.overlays = 0
        self.reconnects = 0
        self.last_overlay: OverlayReport | None = None
        self._delay = first_delay
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._reconnected = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def applied(self) -> int:
        """How many events were applied (kept for the editor's callers)."""
        return self.events

    def start(self, wait: float = 5.0) -> bool:
        """Start the daemon thread; return True once subscribed and the overlay applied."""
        self._thread = threading.Thread(target=self._run, name="knowledge-live", daemon=True)
        self._thread.start()
        return self._ready.wait(wait)

    def stop(self) -> None:
        """Stop listening (returns within about ``poll`` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(3.0, self.poll * 4))

    def _on_reconnect(self, _connection: object) -> None:
        """redis-py re-subscribes silently after a dropped connection; note it here."""
        self._reconnected.set()

    def _apply_overlay(self) -> None:
        self.last_overlay = apply_overlay(self.service, self.redis, self.keys)
        self.overlays += 1

    def _handle(self, payload: object) -> None:
        try:
            if apply_event(self.service, payload) is not None:
                self.events += 1
        except ArticleError as exc:
            log.error("published article not applied; the previous version stays: %s", exc)
        except Exception:  # one bad article must not stop the subscriber
            log.exception("could not apply a knowledge event")

    def _session(self) -> None:
        """Subscribe, apply the overlay, then follow events until stopped or disconnected."""
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(self.keys.events)
            if pubsub.connection is not None:
                pubsub.connection.register_connect_callback(self._on_reconnect)
            self._reconnected.clear()
            self._apply_overlay()  # after subscribing: nothing published in between is lost
            self._ready.set()
            self._delay = self.first_delay  # connected again: the next failure starts afresh
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=self.poll)
                if self._reconnected.is_set():
                    self._reconnected.clear()
                    self.reconnects += 1
                    log.warning("knowledge events: reconnected to Redis; applying the overlay")
                    self._apply_overlay()
                if message and message.get("type") == "message":
                    self._handle(message.get("data"))
        finally:
            if pubsub.connection is not None:
                pubsub.connection.deregister_connect_callback(self._on_reconnect)
            try:
                pubsub.close()
            except redis.RedisError:
                log.debug("closing the knowledge events subscription failed", exc_info=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._session()
            except redis.RedisError as exc:
                self.reconnects += 1
                delay = self._delay
                log.warning(
                    "knowledge events: Redis unavailable (%s); retrying in %.1f s", exc, delay
                )
                self._stop.wait(delay)
                self._delay = min(delay * 2, self.max_delay)
