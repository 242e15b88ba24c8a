"""Example questions as content: the editor's checks and adding a question that missed.

What must hold: the questions in an article survive the editor's checks; every broken rule is
refused in plain words that name the page's label ("Questions each section answers") and point
at the section; adding a question puts it under the chosen section (moving it if another
section listed it) and the result still passes the knowledge parser.
"""

from __future__ import annotations

import pytest

from editorial.example_questions import (
    LABEL,
    add_question,
    questions_problems,
    section_keys,
)
from editorial.markdown_doc import split_markdown
from editorial.validation import ArticleInvalid, check_article


def with_questions(markdown: str, block: str) -> str:
    """Replace the article's questions field with ``block`` (YAML lines)."""
    head, rest = markdown.split("questions:\n", 1)
    lines = rest.split("\n")
    keep = next(i for i, line in enumerate(lines) if not line.startswith(" "))
    return head + block + "\n".join(lines[keep:])


def test_sections_are_the_introduction_then_each_heading(missed_bin: str) -> None:
    _, body = split_markdown(missed_bin)
    keys = section_keys(body)
    assert keys[0] == "(introduction)"
    assert "Report a missed bin collection" in keys
    assert section_keys("Intro\n\n```\n## not a heading\n```\n\n## Real\n\nText") == [
        "(introduction)",
        "Real",
    ]


def test_the_articles_own_questions_pass(missed_bin: str) -> None:
    checked = check_article(missed_bin, "missed-bin")
    assert questions_problems(checked.front_matter, checked.body) == []


@pytest.mark.parametrize(
    ("block", "expected", "field"),
    [
        (
            "questions:\n  Opening times:\n    - when are you open\n",
            "no heading with those words",
            "questions",
        ),
        (
            "questions:\n  (introduction):\n    - my bin\n    - MY BIN\n",
            "is listed twice",
            "questions.(introduction)",
        ),
        (
            "questions:\n  (introduction):\n    - ab\n",
            "is too short",
            "questions.(introduction)",
        ),
        (
            "questions:\n  (introduction):\n    - see [this](https://x.example)\n",
            "one line of plain words",
            "questions.(introduction)",
        ),
        (
            "questions:\n  (introduction):\n"
            + "".join(f"    - question number {n}\n" for n in range(13)),
            "at most 12",
            "questions.(introduction)",
        ),
    ],
)
def test_broken_rules_are_refused_in_plain_words(
    missed_bin: str, block: str, expected: str, field: str
) -> None:
    with pytest.raises(ArticleInvalid) as caught:
        check_article(with_questions(missed_bin, block), "missed-bin")
    problem = caught.value.problems[0]
    assert problem.message.startswith(LABEL) and expected in problem.message
    assert problem.field == field


def test_adding_a_question_puts_it_under_the_section(missed_bin: str) -> None:
    added = add_question(missed_bin, "What happens next", "  when do   you come back  ")
    assert added.question == "when do you come back" and added.moved_from is None
    checked = check_article(added.markdown, "missed-bin")
    section = next(s for s in checked.parsed.sections if s.heading == "What happens next")
    assert section.questions[-1] == "when do you come back"
    assert added.markdown.count("when do you come back") == 1


def test_adding_moves_a_question_listed_under_another_section(missed_bin: str) -> None:
    added = add_question(missed_bin, "What happens next", "My bin wasn't emptied")
    assert added.moved_from == "(introduction)"
    parsed = check_article(added.markdown, "missed-bin").parsed
    assert "my bin wasn't emptied" not in [q.lower() for q in parsed.intro_questions]
    again = add_question(added.markdown, "What happens next", "my bin wasn't emptied")
    assert again.already_there and again.markdown == added.markdown


def test_adding_is_refused_for_an_unknown_section_or_a_full_one(missed_bin: str) -> None:
    with pytest.raises(ArticleInvalid) as caught:
        add_question(missed_bin, "Opening times", "when are you open")
    assert "has no section “Opening times”" in caught.value.problems[0].message
    text = missed_bin
    listed = len(check_article(text).parsed.sections[2].questions)
    assert check_article(text).parsed.sections[2].heading == "What happens next"
    for n in range(12 - listed):
        text = add_question(text, "What happens next", f"question number {n}").markdown
    with pytest.raises(ArticleInvalid) as caught:
        add_question(text, "What happens next", "one question too many")
    assert "already has 12 example questions" in caught.value.problems[0].message
    with pytest.raises(ArticleInvalid):
        add_question(missed_bin, "What happens next", "**bold** question")
