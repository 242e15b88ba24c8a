"""Split an article's Markdown into front matter and body, and put them back together."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

import yaml

from knowledge.articles import FIELD_ORDER

DATE_FIELDS = ("last_reviewed", "review_by")
_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FrontMatterError(ValueError):
    """The text has no readable front matter block."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def split_markdown(text: str) -> tuple[dict[str, Any], str]:
    """Return ``(front matter, body)``; FrontMatterError (plain words) if unreadable."""
    match = _FENCE.match(text.lstrip("\ufeff"))
    if not match:
        raise FrontMatterError(
            "The article must start with a front matter block: a line '---', the fields, "
            "then another line '---'.",
            line=1,
        )
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else None
        raise FrontMatterError(f"The front matter is not valid: {exc}", line=line) from exc
    if not isinstance(data, dict):
        raise FrontMatterError("The front matter must be a list of 'field: value' lines.", line=2)
    return {str(k): _plain(v) for k, v in data.items()}, match.group(2)


def _plain(value: Any) -> Any:
    """Turn YAML dates into ISO strings so the form and JSON see plain text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def compose_markdown(front_matter: dict[str, Any], body: str) -> str:
    """Write front matter (in the article format's field order) and body back as Markdown."""
    ordered: dict[str, Any] = {}
    for key in FIELD_ORDER:
        if key in front_matter and front_matter[key] not in (None, "", {}):
            ordered[key] = front_matter[key]
    for key, value in front_matter.items():
        if key not in ordered and value not in (None, "", {}):
            ordered[key] = value
    for key in DATE_FIELDS:
        value = ordered.get(key)
        if isinstance(value, str) and _DATE.match(value.strip()):
            with contextlib.suppress(ValueError):  # left as text; validation reports it
                ordered[key] = dt.date.fromisoformat(value.strip())
    if isinstance(ordered.get("questions"), dict):
        ordered["questions"] = {
            str(k): [" ".join(str(q).split()) for q in v if str(q).strip()]
            for k, v in ordered["questions"].items()
            if isinstance(v, list) and any(str(q).strip() for q in v)
        }
        if not ordered["questions"]:
            del ordered["questions"]
    if isinstance(ordered.get("contact"), dict):
        ordered["contact"] = {k: v for k, v in ordered["contact"].items() if v not in (None, "")}
        if not ordered["contact"]:
            del ordered["contact"]
    head = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=10_000)
    body = body.replace("\r\n", "\n").strip("\n")
    return f"---\n{head}---\n{body}\n"


def with_field(text: str, key: str, value: Any) -> str:
    """Return ``text`` with one front matter field set (used for ``status`` on publish)."""
    front, body = split_markdown(text)
    front[key] = value
    return compose_markdown(front, body)
