"""Check an article before it is saved: size, front matter, Markdown, links and HTML.

The article format itself is checked by ``knowledge.articles.parse_article`` (the one parser);
this module adds the editor's own rules and turns every failure into plain words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt

from editorial.example_questions import questions_problems
from editorial.markdown_doc import FrontMatterError, split_markdown
from editorial.problems import ArticleInvalid, Problem
from knowledge.articles import (
    ID_PATTERN,
    MAX_ARTICLE_BYTES,
    MAX_ID_CHARS,
    ArticleError,
    check_publishable,
    parse_article,
    valid_article_id,
)

ALLOWED_LINK_SCHEMES = ("https://", "mailto:", "tel:", "#")
# Another article by file name, as the knowledge parser accepts: missed-bin.md#what-next
_ARTICLE_LINK = re.compile(r"^(?:\./)?" + ID_PATTERN.pattern.strip("^$") + r"\.md(?:#[\w-]*)?$")
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")
_BARE_URL = re.compile(r"\b(?:https?|ftp|javascript):[^\s)>\]]*", re.IGNORECASE)
_TAG_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)")
_EMPTY_TARGET = re.compile(r"\[([^\]\n]*)\]\(\s*(?:<\s*>)?\s*#?\s*\)")
_EMPTY_TEXT = re.compile(r"(?<!!)\[\s*\]\(\s*<?([^)\s>]*)")
# What the edit page calls each front matter field (problems name the label, not the key).
LABELS = {
    "id": "Id",
    "title": "Title",
    "summary": "Summary",
    "url": "Page address",
    "service_area": "Service area",
    "owner": "Owner",
    "last_reviewed": "Last checked",
    "review_by": "Check again by",
    "language": "Language",
    "contact": "Contact details",
    "status": "Status",
    "questions": "Questions each section answers",
}
REQUIRED = ("title", "summary", "url", "service_area", "owner", "last_reviewed", "review_by")


@dataclass
class CheckedArticle:
    """An article that passed every check."""

    article_id: str
    front_matter: dict[str, Any]
    body: str
    markdown: str
    parsed: Any = field(default=None, repr=False)


def check_article(markdown: str, expected_id: str | None = None) -> CheckedArticle:
    """Validate ``markdown``; raise ArticleInvalid listing every problem found."""
    size = len(markdown.encode("utf-8"))
    if size > MAX_ARTICLE_BYTES:
        raise ArticleInvalid(
            [
                Problem(
                    f"The article is too long ({size // 1000} kB). The limit is "
                    f"{MAX_ARTICLE_BYTES // 1000} kB: split it into more than one article."
                )
            ]
        )
    if "\x00" in markdown:
        raise ArticleInvalid(
            [Problem("The text contains a null character. Paste it as plain text.")]
        )
    try:
        front, body = split_markdown(markdown)
    except FrontMatterError as exc:
        raise ArticleInvalid([Problem(str(exc), line=exc.line)]) from exc
    body_offset = _body_line_offset(markdown)
    problems = _front_matter_problems(front, expected_id)
    problems += _body_problems(body, body_offset)
    problems += questions_problems(front, body)
    if problems:
        raise ArticleInvalid(problems)
    parsed = _parse_with_knowledge(markdown, str(front.get("id")))
    return CheckedArticle(str(front["id"]), front, body, markdown, parsed)


def _body_line_offset(markdown: str) -> int:
    """Number of lines before the body starts (front matter and its fences)."""
    lines = markdown.split("\n")
    closing = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"), 0)
    return closing + 1


def _front_matter_problems(front: dict[str, Any], expected_id: str | None) -> list[Problem]:
    problems: list[Problem] = []
    article_id = front.get("id")
    if not valid_article_id(article_id):
        problems.append(
            Problem(
                "The id must be lowercase letters, digits and hyphens, for example 'missed-bin', "
                f"at most {MAX_ID_CHARS} characters.",
                "id",
            )
        )
    elif expected_id is not None and article_id != expected_id:
        problems.append(
            Problem(
                f"The id cannot change from '{expected_id}' to '{article_id}'. "
                "Create a new article instead, then retire this one.",
                "id",
            )
        )
    for name in REQUIRED:
        if not str(front.get(name) or "").strip():
            problems.append(Problem(f"Fill in “{LABELS[name]}”.", name))
        elif name in ("last_reviewed", "review_by") and not _is_date(front[name]):
            problems.append(
                Problem(
                    f"“{LABELS[name]}” must be a real date, for example 2026-09-14 "
                    f"(it is '{str(front[name])[:40]}').",
                    name,
                )
            )
    url = str(front.get("url") or "")
    if url and not url.startswith("https://"):
        problems.append(
            Problem(f"The page address must start with https:// (it is '{url[:80]}').", "url")
        )
    for name, value in front.items():
        if isinstance(value, str) and _TAG_NAME.search(value) and "<" in value:
            label = LABELS.get(name, name)
            problems.append(Problem(f"Remove the HTML from “{label}”; use plain words.", name))
    return problems


def _is_date(value: object) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return False
    return True


def _body_problems(body: str, offset: int) -> list[Problem]:
    problems: list[Problem] = []
    if not body.strip():
        return [
            Problem("The body is empty. Add an opening sentence and at least one '##' section.")
        ]
    tokens = MarkdownIt("commonmark").parse(body)
    for token in tokens:
        html = [token] if token.type == "html_block" else []
        html += [c for c in (token.children or []) if c.type == "html_inline"]
        for piece in html:
            line = (token.map[0] + 1 + offset) if token.map else None
            tag = _TAG_NAME.search(piece.content)
            name = tag.group(1).lower() if tag else "html"
            if name == "script":
                msg = "Remove the <script> tag. Articles are plain Markdown and cannot run code."
            else:
                msg = f"Remove the HTML tag <{name}>. Use Markdown instead (## headings, - lists)."
            problems.append(Problem(msg, "body", line))
    if not any(t.type == "heading_open" and t.tag == "h2" for t in tokens):
        problems.append(
            Problem(
                "Add at least one section heading starting with '## '. The assistant answers "
                "by quoting one section.",
                "body",
            )
        )
    fences, last_fence = 0, 0
    for number, text_line in enumerate(body.split("\n"), start=1):
        stripped = text_line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            fences += 1
            last_fence = number
        found = [
            *_LINK.findall(text_line),
            *_AUTOLINK.findall(text_line),
            *_BARE_URL.findall(text_line),
        ]
        for match in _EMPTY_TARGET.finditer(text_line):
            words = match.group(1).strip() or "a link"
            problems.append(
                Problem(
                    f"The link “{words[:60]}” has no address. Put the https:// address between "
                    f"the round brackets, like [{words[:30]}](https://…), or remove the brackets.",
                    "body",
                    number + offset,
                )
            )
        for match in _EMPTY_TEXT.finditer(text_line):
            problems.append(
                Problem(
                    f"A link to '{match.group(1)[:80] or 'nowhere'}' has no words to click. "
                    "Put them between the square brackets.",
                    "body",
                    number + offset,
                )
            )
        for url in dict.fromkeys(found):
            if not url.startswith(ALLOWED_LINK_SCHEMES) and not _ARTICLE_LINK.match(url):
                problems.append(
                    Problem(
                        f"The link '{url[:80]}' must start with https://.", "body", number + offset
                    )
                )
    if fences % 2:
        problems.append(
            Problem("A code block opened with ``` is never closed.", "body", last_fence + offset)
        )
    return problems


def check_links_resolve(markdown: str, article_id: str, live_ids: Iterable[str]) -> None:
    """Refuse to publish an article whose links or ``related`` name an article that is not live.

    The same check every guidance service makes before taking an article
    (``knowledge.articles.check_publishable``), so nothing published is refused there.
    """
    try:
        check_publishable(markdown, live_ids, f"{article_id}.md")
    except ArticleError as exc:
        raise _as_invalid(exc) from exc


def _parse_with_knowledge(markdown: str, article_id: str) -> Any:
    """Run the knowledge package's parser, turning its error into a Problem."""
    try:
        return parse_article(markdown, f"{article_id}.md")
    except ArticleError as exc:
        raise _as_invalid(exc) from exc


def _as_invalid(exc: ArticleError) -> ArticleInvalid:
    reason = exc.reason
    for key, label in LABELS.items():
        reason = reason.replace(f"'{key}'", f"“{label}”")
    return ArticleInvalid([Problem(reason[:1].upper() + reason[1:], None, exc.line)])
