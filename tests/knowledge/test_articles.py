"""Parsing and validation of articles: every error names the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.articles import ArticleError, load_articles, parse_article, slugify

from .conftest import ARTICLES, write_article

GOOD = """---
id: sample
title: A sample
summary: Used by tests.
url: https://www.millbrook.example/sample
service_area: Testing
owner: Test team
last_reviewed: 2026-10-01
status: published
language: en
---
Intro text.

## First question here

Answer one. [More](https://www.millbrook.example/more)

## Second, with punctuation!

Answer two.
"""


def test_good_article_parses_into_sections_with_anchors() -> None:
    article = parse_article(GOOD, "sample.md")
    assert article.id == "sample"
    assert article.intro == "Intro text."
    assert [s.anchor for s in article.sections] == [
        "first-question-here",
        "second-with-punctuation",
    ]
    assert article.sections[0].line == 14
    assert article.last_reviewed == "2026-10-01"
    assert article.section_url("first-question-here").endswith("/sample#first-question-here")


@pytest.mark.parametrize(
    ("broken", "line", "words"),
    [
        (GOOD.replace("---\nid", "id", 1), 1, "front matter"),
        (GOOD.replace("language: en\n---", "language: en\n"), 1, "not closed"),
        (
            GOOD.replace("owner: Test team", "owner: [unclosed"),
            8,
            "not valid YAML",
        ),  # YAML notices on the next line
        (GOOD.replace("owner: Test team", "colour: blue"), 7, "unknown front matter field"),
        (GOOD.replace("id: sample", "id: Sample_1"), 2, "lower-case"),
        (GOOD.replace("https://www.millbrook.example/sample", "http://x.example"), 5, "https"),
        (GOOD.replace("2026-10-01", "next week"), 8, "date"),
        (GOOD.replace("status: published", "status: live"), 9, "status"),
        (GOOD.replace("Answer two.", "Answer [two](https://ok.example"), 20, "broken"),
        (GOOD.replace("Answer two.", "Answer [two]()"), 20, "broken"),
        (GOOD.replace("Answer two.", "See [this](www.nohttps.example)."), 20, "broken link"),
        (GOOD.replace("Answer two.", "<script>alert(1)</script>"), 20, "HTML"),
        (GOOD.replace("## Second, with punctuation!", "## First question here"), 18, "duplicate"),
        (GOOD.replace("## Second", "# Second"), 18, "'##'"),
        (GOOD.replace("\nAnswer two.\n", "\n"), 18, "no text"),
    ],
)
def test_errors_name_source_and_line(broken: str, line: int, words: str) -> None:
    with pytest.raises(ArticleError) as info:
        parse_article(broken, "knowledge/articles/sample.md")
    assert info.value.line == line
    assert str(info.value).startswith(f"knowledge/articles/sample.md:{line}: ")
    assert words.lower() in str(info.value).lower()


def test_missing_field_is_named() -> None:
    with pytest.raises(ArticleError, match="missing 'summary'"):
        parse_article(GOOD.replace("summary: Used by tests.\n", ""), "sample.md")


def test_id_must_match_file_name(tmp_path: Path) -> None:
    write_article(tmp_path, "alpha", "Text.\n")
    (tmp_path / "beta.md").write_text((tmp_path / "alpha.md").read_text())
    with pytest.raises(ArticleError) as info:
        load_articles(tmp_path)
    assert "beta.md:2" in str(info.value) and "does not match" in str(info.value)


def test_links_between_articles_must_resolve(tmp_path: Path) -> None:
    write_article(tmp_path, "alpha", "See [beta](beta.md#part).\n")
    with pytest.raises(ArticleError, match=r"alpha.md:12: link to unknown article 'beta'"):
        load_articles(tmp_path)
    write_article(tmp_path, "beta", "## Part\n\nText.\n")
    assert set(load_articles(tmp_path)) == {"alpha", "beta"}


def test_duplicate_ids_are_refused() -> None:
    from knowledge.articles import check_unique_ids

    one = parse_article(GOOD, "a/sample.md")
    two = parse_article(GOOD, "b/sample.md")
    with pytest.raises(ArticleError, match=r"b/sample.md:2: duplicate id 'sample'"):
        check_unique_ids([one, two])


def test_real_articles_all_parse() -> None:
    articles = load_articles(ARTICLES)
    assert "missed-bin" in articles
    assert all(a.sections or a.intro for a in articles.values())


def test_slugify_matches_github_style() -> None:
    assert slugify("What happens next?") == "what-happens-next"
    assert slugify("Council tax (band A–H)") == "council-tax-band-ah"
