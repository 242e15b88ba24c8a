"""Example questions each section answers, as the editor shows, checks and changes them.

The article's front matter field ``questions`` maps a section heading (or ``(introduction)``)
to questions residents ask that the section answers (the format is in docs/contracts.md; the
knowledge parser enforces it too). This module puts the editor's plain words on the rules,
naming the field the way the page does, and adds one question to a section: the step that
closes the loop when "Try a question" or a content gap shows a question that missed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from editorial.markdown_doc import FrontMatterError, compose_markdown, split_markdown
from editorial.problems import ArticleInvalid, Problem
from knowledge.example_questions import INTRO_KEY, MAX_CHARS, MAX_PER_SECTION, MIN_CHARS

LABEL = "Questions each section answers"
_HEADING = re.compile(r"^##\s+(.*?)\s*#*\s*$")
_MARKDOWN = ("](", "**", "`", "\n")


@dataclass(frozen=True)
class Added:
    """The article after adding a question, and where the question was before (if anywhere)."""

    markdown: str
    section: str
    question: str
    moved_from: str | None = None
    already_there: bool = False


def section_keys(body: str) -> list[str]:
    """``(introduction)`` then every ``## `` heading of ``body``, in order (code blocks skipped)."""
    keys = [INTRO_KEY]
    in_code = False
    for line in body.split("\n"):
        if line.strip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        match = None if in_code else _HEADING.match(line)
        if match and match.group(1).strip() and match.group(1).strip() not in keys:
            keys.append(match.group(1).strip())
    return keys


def section_name(key: str) -> str:
    """How the page names a section: the heading in quotes, or "the introduction"."""
    return "the introduction" if key == INTRO_KEY else f"“{key}”"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def field_of(key: str) -> str:
    """The form field a problem with one section's questions points at."""
    return f"questions.{key}"


def clean_question(text: object) -> str:
    """One question as it will be stored; ArticleInvalid (plain words) if it breaks a rule."""
    if not isinstance(text, str):
        raise ArticleInvalid([Problem(f"{LABEL}: each question must be text.", "questions")])
    cleaned = " ".join(text.split())
    problem = _text_problem(cleaned, raw=text)
    if problem:
        raise ArticleInvalid([Problem(f"{LABEL}: {problem}", "questions")])
    return cleaned


def _text_problem(cleaned: str, raw: str) -> str | None:
    if len(cleaned) < MIN_CHARS:
        return f"“{cleaned}” is too short. Write the question the way a resident would ask it."
    if len(cleaned) > MAX_CHARS:
        return (
            f"a question is {len(cleaned)} characters long. Keep each question under "
            f"{MAX_CHARS} characters."
        )
    if any(mark in raw for mark in _MARKDOWN):
        return f"“{cleaned[:80]}” must be one line of plain words, without links or formatting."
    return None


def questions_problems(front: Mapping[str, Any], body: str) -> list[Problem]:
    """Everything wrong with the ``questions`` field, in the words the edit page uses."""
    raw = front.get("questions")
    if raw in (None, {}, ""):
        return []
    if not isinstance(raw, Mapping):
        return [Problem(f"{LABEL}: list the questions under each section's heading.", "questions")]
    known = section_keys(body)
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for key, items in raw.items():
        heading = str(key).strip()
        where = field_of(heading) if heading in known else "questions"
        if heading not in known:
            problems.append(
                Problem(
                    f"{LABEL}: there are questions for the section “{heading}”, but the article "
                    "text has no heading with those words. Move the questions to a section that "
                    "exists, or remove them.",
                    where,
                )
            )
            continue
        if not isinstance(items, list) or not items:
            problems.append(
                Problem(f"{LABEL}: add at least one question for {section_name(heading)}.", where)
            )
            continue
        if len(items) > MAX_PER_SECTION:
            problems.append(
                Problem(
                    f"{LABEL}: {section_name(heading)} has {len(items)} questions. A section can "
                    f"have at most {MAX_PER_SECTION}; remove the ones least like what people ask.",
                    where,
                )
            )
        for item in items:
            if not isinstance(item, str):
                problems.append(Problem(f"{LABEL}: each question must be text.", where))
                continue
            cleaned = " ".join(item.split())
            problem = _text_problem(cleaned, raw=item)
            if problem:
                problems.append(Problem(f"{LABEL}: {problem}", where))
                continue
            folded = cleaned.casefold()
            if folded in seen:
                other = seen[folded]
                place = "twice" if other == heading else f"again (also under {section_name(other)})"
                problems.append(
                    Problem(
                        f"{LABEL}: “{cleaned}” is listed {place}. Keep it under one section only.",
                        where,
                    )
                )
            else:
                seen[folded] = heading
    return problems


def clean_questions(raw: object) -> dict[str, list[str]] | None:
    """The field as the form sends it, with blank entries and empty sections dropped."""
    if not isinstance(raw, Mapping):
        return None
    out: dict[str, list[str]] = {}
    for key, items in raw.items():
        if not isinstance(items, list):
            continue
        kept = [" ".join(q.split()) for q in items if isinstance(q, str) and q.strip()]
        if kept:
            out[str(key).strip()] = kept
    return out or None


def add_question(markdown: str, section: str, question: str) -> Added:
    """Add ``question`` to ``section``'s examples in ``markdown`` (moving it from another section).

    Raises ArticleInvalid, in plain words, when the section does not exist, the question breaks
    a rule or the section already has the most questions allowed.
    """
    cleaned = clean_question(question)
    front, body = split_markdown(markdown)
    key = section.strip()
    if key not in section_keys(body):
        raise ArticleInvalid(
            [
                Problem(
                    f"The article has no section “{key}”. Choose one of its sections.",
                    "section",
                )
            ]
        )
    current = clean_questions(front.get("questions")) or {}
    folded = cleaned.casefold()
    moved_from = None
    for other, items in list(current.items()):
        if any(q.casefold() == folded for q in items):
            if other == key:
                return Added(markdown, key, cleaned, already_there=True)
            current[other] = [q for q in items if q.casefold() != folded]
            if not current[other]:
                del current[other]
            moved_from = other
    listed = current.get(key, [])
    if len(listed) >= MAX_PER_SECTION:
        raise ArticleInvalid(
            [
                Problem(
                    f"{_capital(section_name(key))} already has {MAX_PER_SECTION} example "
                    "questions, the most a section can have. Open the article and remove one "
                    "first.",
                    "section",
                )
            ]
        )
    current[key] = [*listed, cleaned]
    ordered = {k: current[k] for k in section_keys(body) if k in current}
    ordered.update({k: v for k, v in current.items() if k not in ordered})
    front["questions"] = ordered
    return Added(compose_markdown(front, body), key, cleaned, moved_from=moved_from)


def drop_orphans(markdown: str) -> str:
    """``markdown`` without questions for sections its text no longer has (for previews only)."""
    try:
        front, body = split_markdown(markdown)
    except FrontMatterError:
        return markdown
    listed = front.get("questions")
    if not isinstance(listed, Mapping):
        return markdown
    known = set(section_keys(body))
    kept = {k: v for k, v in listed.items() if str(k).strip() in known}
    if len(kept) == len(listed):
        return markdown
    front["questions"] = kept
    return compose_markdown(front, body)
