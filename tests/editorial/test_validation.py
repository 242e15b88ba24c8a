"""Bad articles get a clear message (and the store is never touched: checks run before saving)."""

from __future__ import annotations

import pytest

from editorial.validation import MAX_ARTICLE_BYTES, ArticleInvalid, check_article


def problems(markdown: str, expected_id: str | None = None) -> list[str]:
    with pytest.raises(ArticleInvalid) as caught:
        check_article(markdown, expected_id)
    return [p.message for p in caught.value.problems]


def test_a_real_article_passes(missed_bin: str) -> None:
    checked = check_article(missed_bin, "missed-bin")
    assert checked.article_id == "missed-bin"
    assert checked.parsed.sections  # the knowledge parser ran


def test_front_matter_not_closed(missed_bin: str) -> None:
    broken = missed_bin.replace("---\nIf your rubbish", "If your rubbish", 1)
    assert "front matter" in problems(broken)[0]


def test_front_matter_bad_yaml(missed_bin: str) -> None:
    broken = missed_bin.replace("owner: Waste services team", "owner: [unclosed")
    assert "front matter is not valid" in problems(broken)[0]


def test_url_must_be_https(missed_bin: str) -> None:
    broken = missed_bin.replace("url: https://", "url: http://")
    assert any("must start with https://" in m for m in problems(broken))


def test_link_in_body_must_be_https(missed_bin: str) -> None:
    broken = missed_bin.replace(
        "online on our missed collection page", "online on [our page](http://example.org/bins)"
    )
    found = problems(broken)
    assert any("'http://example.org/bins' must start with https://" in m for m in found)
    broken = missed_bin.replace(
        "online on our missed collection page", "online on [our page](javascript:alert(1))"
    )
    assert any("javascript:" in m for m in problems(broken))


def test_script_tag_is_refused_with_its_line(missed_bin: str) -> None:
    broken = missed_bin.replace(
        "## What happens next", "<script>alert(1)</script>\n\n## What happens next"
    )
    with pytest.raises(ArticleInvalid) as caught:
        check_article(broken)
    first = caught.value.problems[0]
    assert "Remove the <script> tag" in first.message
    assert first.line is not None
    assert broken.split("\n")[first.line - 1].startswith("<script>")


def test_inline_html_is_refused(missed_bin: str) -> None:
    broken = missed_bin.replace(
        "Please check a few things first", 'Please <b onclick="x()">check</b> a few things first'
    )
    assert any("<b>" in m for m in problems(broken))


def test_oversized_article(missed_bin: str) -> None:
    huge = missed_bin + ("word " * (MAX_ARTICLE_BYTES // 5 + 10))
    assert "too long" in problems(huge)[0]


def test_no_sections_and_unclosed_fence(missed_bin: str) -> None:
    front = missed_bin.split("---\n", 2)
    broken = f"---\n{front[1]}---\nJust one paragraph.\n\n```\ncode never closed\n"
    found = problems(broken)
    assert any("'## '" in m for m in found)
    assert any("never closed" in m for m in found)


def test_id_cannot_change_on_save(missed_bin: str) -> None:
    assert "cannot change" in problems(missed_bin, expected_id="other-id")[0]


def test_bad_id(missed_bin: str) -> None:
    assert (
        "lowercase letters" in problems(missed_bin.replace("id: missed-bin", "id: Missed Bin"))[0]
    )


def test_knowledge_parser_errors_come_through_with_a_line(missed_bin: str) -> None:
    """A rule only the knowledge parser knows still reaches the editor, with its line."""
    broken = missed_bin.replace("language: en", "language: fr")
    with pytest.raises(ArticleInvalid) as caught:
        check_article(broken)
    problem = caught.value.problems[0]
    assert "language must be one of" in problem.message.lower() and problem.line == 11


def test_problems_name_the_fields_by_their_labels(missed_bin: str) -> None:
    """Issue 14 item 12: "Page address" and "Check again by", never 'url' or 'review by'."""
    broken = (
        missed_bin.replace("url: https://www.millbrook.example/bins/missed-collection\n", "")
        .replace("review_by: 2027-03-14\n", "")
        .replace("last_reviewed: 2026-09-14", "last_reviewed: yesterday")
    )
    found = problems(broken)
    assert "Fill in “Page address”." in found
    assert "Fill in “Check again by”." in found
    assert any(m.startswith("“Last checked” must be a real date") for m in found)
    assert not any("'url'" in m or "review by" in m or "last_reviewed" in m for m in found)


@pytest.mark.parametrize(
    "link", ["[our page]()", "[our page]( )", "[our page](<>)", "[our page](#)"]
)
def test_a_link_without_an_address_is_refused(missed_bin: str, link: str) -> None:
    """Issue 14 item 12: an empty link is refused with what to do, and the line it is on."""
    broken = missed_bin.replace("online on our missed collection page", f"online on {link}")
    with pytest.raises(ArticleInvalid) as caught:
        check_article(broken)
    problem = caught.value.problems[0]
    assert "“our page” has no address" in problem.message
    assert problem.line is not None and link in broken.split("\n")[problem.line - 1]


def test_a_link_without_words_is_refused(missed_bin: str) -> None:
    broken = missed_bin.replace(
        "online on our missed collection page", "online on [](https://www.millbrook.example/x)"
    )
    assert any("has no words to click" in m for m in problems(broken))
