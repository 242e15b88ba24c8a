"""JSON API for seeing the effect of an edit: preview, try a question, impact, content gaps."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from typing import Any

from fastapi import APIRouter, Depends, Query
from markdown_it import MarkdownIt

from editorial.clustering import group_gaps
from editorial.example_questions import drop_orphans
from editorial.gaps import REASON_WORDS, read_gaps
from editorial.impact import impact_of_edit, labelled_questions, try_question
from editorial.markdown_doc import FrontMatterError, split_markdown
from editorial.store import UnknownArticle
from editorial.validation import ArticleInvalid, check_article
from gateway.editor.articles_api import (
    Editor,
    Runtime,
    error,
    invalid,
    limit_size,
    markdown_of,
    redis_guard,
)
from gateway.editor.runtime import EditorRuntime
from gateway.editor.schemas import ArticleText, ImpactRequest, TryQuestion
from gateway.errors import ApiError

router = APIRouter(
    prefix="/api/editor",
    dependencies=[Depends(limit_size), Depends(redis_guard)],
)
_RENDERER = MarkdownIt("commonmark", {"html": False, "linkify": False})
DRAFT_DEFAULTS = {"status": "draft", "language": "en"}


def guidance(runtime: EditorRuntime) -> Any:
    """The preview service, or 503 while it is still loading."""
    service = runtime.wait_for_guidance(timeout=30)
    if service is None:
        detail = "The answer preview is still starting. Try again in a few seconds."
        if runtime.load_error:
            detail = f"The answer preview is not available: {runtime.load_error}"
        raise ApiError(503, "preview_unavailable", detail)
    return service


def drafts(runtime: EditorRuntime, markdown: str) -> Any:
    """The live service with this draft published in a throwaway copy."""
    if runtime.drafts is None:
        raise ApiError(503, "preview_unavailable", "The answer preview is still starting.")
    return runtime.drafts.for_draft(markdown)


@router.post("/preview")
def preview(body: ArticleText, user: Editor) -> dict[str, Any]:
    """The body rendered as HTML for the live preview (raw HTML is escaped, never run)."""
    text = body.body if body.body is not None else (body.markdown or "")
    if body.body is None and body.markdown:
        with contextlib.suppress(FrontMatterError):
            _, text = split_markdown(body.markdown)
    return {"html": _RENDERER.render(text)}


@router.post("/try", response_model=None)
def try_a_question(body: TryQuestion, user: Editor, runtime: Runtime) -> Any:
    """Sections that would answer the question with the draft, beside today's live answer."""
    service = guidance(runtime)
    draft = None
    if body.markdown is not None or body.body is not None:
        try:
            draft = drop_orphans(
                markdown_of(body, {**DRAFT_DEFAULTS, "last_reviewed": dt.date.today().isoformat()})
            )
            check_article(draft, expected_id=body.article_id)
        except ArticleInvalid as exc:
            return invalid(exc)
    started = time.perf_counter()
    draft_service = drafts(runtime, draft) if draft is not None else None
    result = try_question(service, draft_service, body.question.strip())
    return {**result.as_dict(), "seconds": round(time.perf_counter() - started, 3)}


@router.post("/impact", response_model=None)
def impact(body: ImpactRequest, user: Editor, runtime: Runtime) -> Any:
    """Re-run the labelled questions (and attached gap questions) that target this article."""
    try:
        state = runtime.store.get(body.article_id)
    except UnknownArticle as exc:
        raise ApiError(404, "unknown_article", str(exc)) from exc
    try:
        draft = drop_orphans(
            markdown_of(body, {**DRAFT_DEFAULTS, "last_reviewed": dt.date.today().isoformat()})
        )
        check_article(draft, expected_id=body.article_id)
    except ArticleInvalid as exc:
        return invalid(exc)
    service = guidance(runtime)
    labelled = labelled_questions(runtime.eval_file, body.article_id)
    rows = impact_of_edit(
        service, drafts(runtime, draft), body.article_id, labelled, state.questions
    )
    changed = sum(1 for r in rows if not r.before.same_as(r.after))
    return {
        "article_id": body.article_id,
        "questions": [r.as_dict() for r in rows],
        "changed": changed,
        "total": len(rows),
    }


@router.get("/gaps", response_model=None)
def gaps(
    user: Editor,
    runtime: Runtime,
    days: int = Query(30, ge=1, le=365),
    limit: int = Query(1000, ge=1, le=2000),
) -> Any:
    """Questions the bot could not answer well, grouped by meaning, newest groups first."""
    since = time.time() - days * 86400
    items = read_gaps(runtime.redis, runtime.keys, limit=limit, since_ts=since)
    guidance(runtime)
    if runtime.gap_embedder is None:
        return error(503, "preview_unavailable", "Grouping questions needs the answer preview.")
    groups = group_gaps(items, runtime.gap_embedder)
    return {
        "groups": [g.as_dict() for g in groups],
        "total": len(items),
        "days": days,
        "reasons": REASON_WORDS,
    }
