"""JSON API for articles: list, read, create, save, publish, retire, versions, restore, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any

import redis
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from editorial.comparison import default_comparison
from editorial.diffing import line_diff
from editorial.markdown_doc import FrontMatterError, compose_markdown, split_markdown
from editorial.plain_language import check_plain_language
from editorial.store import (
    ArticleState,
    DuplicateArticle,
    StoreError,
    UnknownArticle,
    UnknownVersion,
    VersionConflict,
)
from editorial.validation import ArticleInvalid, CheckedArticle, Problem, check_article
from gateway.editor.auth import EditorUser, current_editor
from gateway.editor.runtime import EditorRuntime
from gateway.editor.schemas import (
    ArticleText,
    CreateArticle,
    PublishArticle,
    RestoreVersion,
    SaveArticle,
    VersionAction,
)
from gateway.errors import ApiError

MAX_REQUEST_BYTES = 256 * 1024
STATUS_FILTERS = ("draft", "published", "retired")


def limit_size(request: Request) -> None:
    """Refuse bodies over 256 KiB before reading them."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        raise ApiError(
            413,
            "too_large",
            "That is too large to upload. An article can be at most 100 kB of text.",
        )


def redis_guard() -> Iterator[None]:
    """Turn a lost Redis connection into a plain 503 (nothing was stored)."""
    try:
        yield
    except redis.RedisError as exc:
        raise ApiError(
            503,
            "unavailable",
            "The editor cannot reach its database right now. "
            "Nothing was saved. Try again in a minute.",
        ) from exc


def editor_runtime(request: Request) -> EditorRuntime:
    """The runtime the app factory started (503 if the editor is not running)."""
    runtime = getattr(request.app.state, "editor", None)
    if runtime is None:
        raise ApiError(503, "unavailable", "The editor is not running on this server.")
    return runtime


Editor = Annotated[EditorUser, Depends(current_editor)]
Runtime = Annotated[EditorRuntime, Depends(editor_runtime)]

router = APIRouter(
    prefix="/api/editor",
    dependencies=[Depends(limit_size), Depends(redis_guard)],
)


def error(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    """An error in the gateway's shape, with extra fields (problems, the other version...)."""
    return JSONResponse({"error": {"code": code, "detail": detail, **extra}}, status_code=status)


def invalid(exc: ArticleInvalid) -> JSONResponse:
    """422 listing every problem; nothing was saved."""
    count = len(exc.problems)
    detail = (
        "The article was not saved: " + exc.problems[0].message
        if count == 1
        else f"The article was not saved: there are {count} problems to fix."
    )
    return error(422, "invalid_article", detail, problems=[p.as_dict() for p in exc.problems])


def markdown_of(body: ArticleText, defaults: dict[str, Any] | None = None) -> str:
    """The Markdown the request describes (raw, or composed from the form)."""
    if body.markdown is not None:
        return body.markdown.replace("\r\n", "\n")
    if body.front_matter is None or body.body is None:
        raise ArticleInvalid(
            [Problem("Send the front matter and the body, or the whole Markdown.")]
        )
    front = {
        **(defaults or {}),
        **{k: v for k, v in body.front_matter.items() if v not in (None, "")},
    }
    return compose_markdown(front, body.body)


def advice_for(markdown: str) -> dict[str, Any]:
    """Plain-language advice for the body (never blocks)."""
    try:
        _, text = split_markdown(markdown)
    except FrontMatterError:
        return check_plain_language("").as_dict()
    offset = markdown.count("\n", 0, len(markdown) - len(text))
    return check_plain_language(text, line_offset=offset).as_dict()


def article_payload(runtime: EditorRuntime, state: ArticleState) -> dict[str, Any]:
    """Everything the edit page needs about one article."""
    head = runtime.store.version(state.article_id, state.head_version)
    try:
        front, body = split_markdown(head.markdown)
    except FrontMatterError:
        front, body = {}, head.markdown
    return {
        "article": state.as_dict(),
        "version": head.as_dict(),
        "front_matter": front,
        "body": body,
    }


def conflict(exc: VersionConflict, mine: str | None) -> JSONResponse:
    """409 with the other editor's version and how it differs from mine."""
    diff = [d.as_dict() for d in line_diff(exc.current.markdown, mine)] if mine else []
    return error(409, "conflict", str(exc), current=exc.current.as_dict(), diff=diff)


def checked(markdown: str, expected_id: str | None = None) -> CheckedArticle:
    """Validate, including the knowledge parser."""
    return check_article(markdown, expected_id)


@router.get("/me")
def me(user: Editor) -> dict[str, Any]:
    """Who is signed in (the pages call this first)."""
    return {"user": {"username": user.username, "display_name": user.display_name}}


@router.get("/articles")
def list_articles(
    user: Editor,
    runtime: Runtime,
    q: str = Query("", max_length=200),
    status: str = Query("", max_length=20),
) -> dict[str, Any]:
    """Articles with status, owner and review-by date; overdue reviews flagged."""
    if status and status not in STATUS_FILTERS:
        raise ApiError(422, "bad_request", "Status must be draft, published or retired.")
    today = dt.date.today()
    states = runtime.store.list_articles(q, status or None)
    return {"articles": [s.as_dict(today) for s in states], "today": today.isoformat()}


@router.post("/articles", status_code=201, response_model=None)
def create_article(body: CreateArticle, user: Editor, runtime: Runtime) -> Any:
    """A new draft article (version 1)."""
    defaults = {"status": "draft", "language": "en", "last_reviewed": dt.date.today().isoformat()}
    try:
        markdown = markdown_of(body, defaults)
        article = checked(markdown)
        questions = [q.strip() for q in body.questions if q.strip()]
        state = runtime.store.create(markdown, user.label, questions=questions)
    except ArticleInvalid as exc:
        return invalid(exc)
    except DuplicateArticle as exc:
        return error(409, "duplicate_id", str(exc), problems=[Problem(str(exc), "id").as_dict()])
    return {**article_payload(runtime, state), "advice": advice_for(article.markdown)}


@router.get("/articles/{article_id}")
def get_article(article_id: str, user: Editor, runtime: Runtime) -> dict[str, Any]:
    """The newest version of one article, split for the form."""
    return article_payload(runtime, _state(runtime, article_id))


@router.put("/articles/{article_id}", response_model=None)
def save_article(article_id: str, body: SaveArticle, user: Editor, runtime: Runtime) -> Any:
    """Save a new version; 409 if someone saved since ``base_version``."""
    state = _state(runtime, article_id)
    defaults = {"status": "draft" if state.status == "draft" else "published", "language": "en"}
    markdown = ""
    try:
        markdown = markdown_of(body, defaults)
        checked(markdown, expected_id=article_id)
        new = runtime.store.save(article_id, markdown, body.base_version, user.label, body.note)
    except ArticleInvalid as exc:
        return invalid(exc)
    except VersionConflict as exc:
        return conflict(exc, markdown)
    return {**article_payload(runtime, new), "advice": advice_for(markdown)}


@router.post("/articles/{article_id}/publish", response_model=None)
def publish_article(article_id: str, body: PublishArticle, user: Editor, runtime: Runtime) -> Any:
    """Make the newest version live on every instance, with ``together_with`` in one step."""
    _state(runtime, article_id)
    try:
        version = runtime.store.version(article_id, body.base_version)
        checked(version.markdown, expected_id=article_id)
        batch = [(article_id, body.base_version), *_others(runtime, article_id, body)]
        published = runtime.store.publish_together(batch, user.label)
    except ArticleInvalid as exc:
        return invalid(exc)
    except VersionConflict as exc:
        return conflict(exc, None)
    except UnknownVersion as exc:
        raise ApiError(404, "unknown_version", str(exc)) from exc
    except StoreError as exc:
        raise ApiError(422, "bad_request", str(exc)) from exc
    return {
        **article_payload(runtime, published[0]),
        "published_with": [state.article_id for state in published[1:]],
    }


def _others(runtime: EditorRuntime, article_id: str, body: PublishArticle) -> list[tuple[str, int]]:
    """The newest versions of the articles to publish together (already-live ones left out)."""
    others = []
    for other in dict.fromkeys(body.together_with):
        if other == article_id:
            continue
        state = _state(runtime, other)
        if state.status == "published" and not state.unpublished_changes:
            continue
        try:
            checked(runtime.store.version(other, state.head_version).markdown, other)
        except ArticleInvalid as exc:
            name = state.title or other
            raise ArticleInvalid([Problem(f"“{name}”: {p.message}") for p in exc.problems]) from exc
        others.append((other, state.head_version))
    return others


@router.post("/articles/{article_id}/retire", response_model=None)
def retire_article(article_id: str, body: VersionAction, user: Editor, runtime: Runtime) -> Any:
    """Take the article out of every answer now."""
    _state(runtime, article_id)
    try:
        new = runtime.store.retire(article_id, body.base_version, user.label)
    except VersionConflict as exc:
        return conflict(exc, None)
    except UnknownVersion as exc:
        raise ApiError(404, "unknown_version", str(exc)) from exc
    return article_payload(runtime, new)


@router.get("/articles/{article_id}/versions")
def list_versions(article_id: str, user: Editor, runtime: Runtime) -> dict[str, Any]:
    """Every version, newest first (without the text)."""
    state = _state(runtime, article_id)
    return {
        "article": state.as_dict(),
        "versions": [v.as_dict(with_text=False) for v in runtime.store.versions(article_id)],
        "default_comparison": default_comparison(runtime.store, article_id).as_dict(),
    }


@router.get("/articles/{article_id}/versions/{number}")
def get_version(article_id: str, number: int, user: Editor, runtime: Runtime) -> dict[str, Any]:
    """One version with its Markdown."""
    _state(runtime, article_id)
    try:
        return {"version": runtime.store.version(article_id, number).as_dict()}
    except UnknownVersion as exc:
        raise ApiError(404, "unknown_version", str(exc)) from exc


@router.get("/articles/{article_id}/diff")
def diff_versions(
    article_id: str,
    user: Editor,
    runtime: Runtime,
    old: int = Query(ge=1, alias="from"),
    new: int = Query(ge=1, alias="to"),
) -> dict[str, Any]:
    """Line diff between two versions."""
    _state(runtime, article_id)
    try:
        a, b = runtime.store.version(article_id, old), runtime.store.version(article_id, new)
    except UnknownVersion as exc:
        raise ApiError(404, "unknown_version", str(exc)) from exc
    return {
        "from": a.as_dict(False),
        "to": b.as_dict(False),
        "diff": [d.as_dict() for d in line_diff(a.markdown, b.markdown)],
    }


@router.post("/articles/{article_id}/restore", response_model=None)
def restore_version(article_id: str, body: RestoreVersion, user: Editor, runtime: Runtime) -> Any:
    """Bring an old version back as the newest; publish it too if the article is live."""
    state = _state(runtime, article_id)
    try:
        live = body.publish and state.status == "published"
        if live:
            checked(runtime.store.version(article_id, body.version).markdown, article_id)
        new = runtime.store.restore(
            article_id, body.version, body.base_version, user.label, publish=live
        )
    except ArticleInvalid as exc:
        return invalid(exc)
    except VersionConflict as exc:
        return conflict(exc, None)
    except UnknownVersion as exc:
        raise ApiError(404, "unknown_version", str(exc)) from exc
    return article_payload(runtime, new)


@router.get("/articles/{article_id}/audit")
def audit_log(article_id: str, user: Editor, runtime: Runtime) -> dict[str, Any]:
    """Who changed what and when, newest first."""
    _state(runtime, article_id)
    return {"entries": [e.as_dict() for e in runtime.store.audit.entries(article_id)]}


@router.get("/articles/{article_id}/markdown", response_class=PlainTextResponse)
def download_markdown(
    article_id: str, user: Editor, runtime: Runtime, version: int | None = Query(None, ge=1)
) -> PlainTextResponse:
    """The Markdown of a version, to copy into knowledge/articles and commit."""
    state = _state(runtime, article_id)
    try:
        text = runtime.store.version(article_id, version or state.head_version).markdown
    except UnknownVersion as exc:
        raise ApiError(404, "unknown_version", str(exc)) from exc
    return PlainTextResponse(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{article_id}.md"'},
    )


@router.post("/check")
def check_text(body: ArticleText, user: Editor) -> dict[str, Any]:
    """Validate and advise without saving (the "Check" button, opening a file)."""
    problems: list[dict[str, Any]] = []
    defaults = {"status": "draft", "language": "en", "last_reviewed": dt.date.today().isoformat()}
    markdown = ""
    try:
        markdown = markdown_of(body, defaults)
        checked(markdown)
    except ArticleInvalid as exc:
        problems = [p.as_dict() for p in exc.problems]
    front: dict[str, Any] | None = None
    text: str | None = None
    if markdown:
        try:
            front, text = split_markdown(markdown)
        except FrontMatterError:
            front, text = None, None
    return {
        "problems": problems,
        "advice": advice_for(markdown),
        "front_matter": front,
        "body": text,
    }


def _state(runtime: EditorRuntime, article_id: str) -> ArticleState:
    try:
        return runtime.store.get(article_id)
    except UnknownArticle as exc:
        raise ApiError(404, "unknown_article", str(exc)) from exc
    except StoreError as exc:  # pragma: no cover - defensive
        raise ApiError(400, "bad_request", str(exc)) from exc
