"""Example questions a section answers: the ``questions`` front-matter field.

An editor (or an importer) lists, per section, questions residents ask that the section
answers. Retrieval matches a citizen's question against these as well as against the text
(question-to-question matching), and the content-gap loop adds to them.

Format (YAML front matter)::

    questions:
      (introduction):
        - who issues passports
      How to apply for a passport renewal:
        - how do I renew my passport

Keys are the exact ``##`` heading text, or ``(introduction)`` for the text before the first
heading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

INTRO_KEY = "(introduction)"
MAX_PER_SECTION = 12
MIN_CHARS = 3
MAX_CHARS = 200


class QuestionsFieldError(ValueError):
    """The ``questions`` field breaks a rule; the message is in plain words."""


def section_ref(article_id: str, heading: str | None) -> str:
    """``article-id#Heading`` (``#(introduction)`` when ``heading`` is empty or None)."""
    return f"{article_id}#{heading or INTRO_KEY}"


def split_section_ref(ref: str) -> tuple[str, str]:
    """``article-id#Heading`` -> (article id, the section's key in the ``questions`` field)."""
    article_id, heading = ref.split("#", 1)
    return article_id, heading


def fold_question(text: str) -> str:
    """The form in which two example questions are the same one: spacing collapsed, case
    folded (an article lists each question once in this form)."""
    return " ".join(text.split()).casefold()


def check_question_text(value: object) -> str:
    """One example question, cleaned; raise :class:`QuestionsFieldError` in plain words."""
    if not isinstance(value, str):
        raise QuestionsFieldError("each example question must be text")
    text = " ".join(value.split())
    if len(text) < MIN_CHARS:
        raise QuestionsFieldError(f"the example question {value!r} is too short")
    if len(text) > MAX_CHARS:
        raise QuestionsFieldError(
            f"an example question is too long ({len(text)} characters, at most {MAX_CHARS})"
        )
    if "\n" in value or any(mark in text for mark in ("](", "**", "`")):
        raise QuestionsFieldError(
            f"the example question {text!r} must be one line of plain text, no Markdown"
        )
    return text


def parse_questions(raw: object, headings: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Validate the field against the article's headings; return heading -> questions.

    The introduction's key is :data:`INTRO_KEY`. Raises :class:`QuestionsFieldError`.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise QuestionsFieldError(
            "'questions' must list, under each section heading, the questions it answers"
        )
    allowed = {INTRO_KEY, *headings}
    seen: dict[str, str] = {}
    out: dict[str, tuple[str, ...]] = {}
    for key, items in raw.items():
        heading = str(key).strip()
        if heading not in allowed:
            raise QuestionsFieldError(
                f"'questions' names the section {heading!r}, which is not a heading of this "
                f"article (use the exact '## ' heading text, or {INTRO_KEY})"
            )
        if isinstance(items, str) or not isinstance(items, Sequence) or not items:
            raise QuestionsFieldError(f"'questions' for {heading!r} must be a list of questions")
        if len(items) > MAX_PER_SECTION:
            raise QuestionsFieldError(
                f"'questions' for {heading!r} has {len(items)} questions (at most "
                f"{MAX_PER_SECTION})"
            )
        cleaned = []
        for item in items:
            text = check_question_text(item)
            folded = fold_question(text)
            if folded in seen:
                raise QuestionsFieldError(
                    f"the example question {text!r} is listed twice (also under {seen[folded]!r})"
                )
            seen[folded] = heading
            cleaned.append(text)
        out[heading] = tuple(cleaned)
    return out
