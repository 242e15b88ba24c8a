"""JSON API for example questions: an article's sections with their questions, and attaching a
question that missed (from "Try a question" or a content gap) to the section that answers it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from editorial.example_questions import INTRO_KEY, add_question, clean_questions, section_keys
from editorial.gaps import redact_text, resolve_gap
from editorial.markdown_doc import FrontMatterError, split_markdown
from editorial.problems import ArticleInvalid, Problem
from editorial.store import UnknownArticle, VersionConflict
from gateway.editor.articles_api import (
    Editor,
    Runtime,
    article_payload,
    checked,
    conflict,
    invalid,
    limit_size,
    redis_guard,
)
from gateway.editor.schemas import AttachQuestion
from gateway.errors import ApiError

router = APIRouter(
    prefix="/api/editor",
    dependencies=[Depends(limit_size), Depends(redis_guard)],
)


def _head(runtime: Any, article_id: str) -> Any:
    try:
        return runtime.store.head(article_id)
    except UnknownArticle as exc:
        raise ApiError(404, "unknown_article", str(exc)) from exc


@router.get("/articles/{article_id}/sections")
def sections(article_id: str, user: Editor, runtime: Runtime) -> dict[str, Any]:
    """The newest version's sections (introduction first), each with its example questions."""
    head = _head(runtime, article_id)
    try:
        front, body = split_markdown(head.markdown)
    except FrontMatterError:
        front, body = {}, head.markdown
    listed = clean_questions(front.get("questions")) or {}
    return {
        "article_id": article_id,
        "title": str(front.get("title") or article_id),
        "version": head.number,
        "sections": [
            {
                "key": key,
                "heading": None if key == INTRO_KEY else key,
                "questions": listed.get(key, []),
            }
            for key in section_keys(body)
        ],
    }


@router.post("/articles/{article_id}/questions", response_model=None)
def attach_question(article_id: str, body: AttachQuestion, user: Editor, runtime: Runtime) -> Any:
    """Add the question to a section's example questions as a new draft version.

    Nothing goes live until the article is published. A question from a content gap is
    redacted again here, and leaves the gaps page once attached.
    """
    head = _head(runtime, article_id)
    base = body.base_version or head.number
    question = redact_text(body.question) if body.from_gap else body.question
    try:
        added = add_question(head.markdown, body.section, question)
        if not added.already_there:
            checked(added.markdown, expected_id=article_id)
            where = "the introduction" if added.section == INTRO_KEY else f"“{added.section}”"
            note = f"added the example question “{added.question}” to {where}"
            if added.moved_from:
                note += " (moved from another section)"
            state = runtime.store.save(article_id, added.markdown, base, user.label, note)
        else:
            state = runtime.store.get(article_id)
    except ArticleInvalid as exc:
        return invalid(exc)
    except FrontMatterError as exc:
        return invalid(ArticleInvalid([Problem(str(exc))]))
    except VersionConflict as exc:
        return conflict(exc, None)
    if body.from_gap:
        resolve_gap(
            runtime.redis, runtime.keys, added.question, article_id, added.section, user.label
        )
    return {
        **article_payload(runtime, state),
        "attached": {
            "question": added.question,
            "section": added.section,
            "moved_from": added.moved_from,
            "already_there": added.already_there,
        },
    }
