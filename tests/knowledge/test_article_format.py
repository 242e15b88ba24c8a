"""One article format: the knowledge parser, the editor and the importers agree on every document.

Hypothesis builds documents that differ in what the three used to disagree on — ids, statuses,
link targets, ``related`` and size — and feeds the same text to each path. What must hold:
each path accepts exactly the documents the others accept; and for publishing, the editor's
check refuses exactly the articles a guidance service would refuse (links or ``related`` to an
article it does not hold), so nothing published is ever refused by the guidance service.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editorial.problems import ArticleInvalid
from editorial.validation import check_article, check_links_resolve
from knowledge.articles import (
    MAX_ARTICLE_BYTES,
    Article,
    ArticleError,
    check_cross_links,
    parse_article,
)
from knowledge.importers.writing import Draft, ImportError_, validate

LIVE = ("missed-bin", "council-tax", "libraries")
IDS = st.sampled_from(
    ["missed-bin", "a", "new-page-2", "Bad_Id", "a--b", "-a", "x" * 3, "123", "café", " "]
)
STATUSES = st.sampled_from(["draft", "published", "retired", "live", "Published", ""])
TARGETS = st.sampled_from(
    [
        "https://www.millbrook.example/bins",
        "http://www.millbrook.example/bins",
        "council-tax.md",
        "./libraries.md#join",
        "no-such-article.md",
        "Council-Tax.md",
        "mailto:bins@millbrook.example",
        "tel:01632960000",
        "#who-can-apply",
        "javascript:alert(1)",
        "",
    ]
)
RELATED = st.lists(st.sampled_from([*LIVE, "no-such-article", "Not An Id"]), max_size=3)
PADDING = st.sampled_from([0, 60_000, MAX_ARTICLE_BYTES - 3_000, MAX_ARTICLE_BYTES + 10])


def document(
    article_id: str, status: str, target: str, related: list[str], padding: int, wide: bool
) -> Draft:
    """A complete article (every field the editor also requires) with the varied parts."""
    front: dict[str, object] = {
        "title": "Report a missed bin",
        "summary": "What to do when a bin was not emptied.",
        "url": "https://www.millbrook.example/bins/missed",
        "service_area": "Waste",
        "owner": "Waste team",
        "last_reviewed": "2026-09-14",
        "review_by": "2027-03-14",
        "status": status,
        "language": "en",
    }
    if related:
        front["related"] = related
    filler = ("é" if wide else "e") * (padding // (2 if wide else 1))
    body = (
        "Tell us within two working days.\n\n## How to report it\n\n"
        f"Use [the form]({target}) to report it.\n\n## What happens next\n\n"
        f"We come back within a week. {filler}\n"
    )
    return Draft(id=article_id, front=front, body=body)


def accepted_by_parser(text: str) -> bool:
    try:
        parse_article(text, "doc.md")
    except ArticleError:
        return False
    return True


def accepted_by_editor(text: str) -> bool:
    try:
        check_article(text)
    except ArticleInvalid:
        return False
    return True


def accepted_by_importer(draft: Draft) -> bool:
    try:
        validate(draft, "generated")
    except ImportError_:
        return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(IDS, STATUSES, TARGETS, RELATED, PADDING, st.booleans())
def test_every_path_accepts_the_same_documents(
    article_id: str, status: str, target: str, related: list[str], padding: int, wide: bool
) -> None:
    draft = document(article_id, status, target, related, padding, wide)
    text = draft.markdown()
    verdicts = {
        "parser": accepted_by_parser(text),
        "editor": accepted_by_editor(text),
        "importer": accepted_by_importer(draft),
    }
    assert len(set(verdicts.values())) == 1, verdicts


def stub(article_id: str) -> Article:
    """A held article (only its id matters to the link check)."""
    text = document(article_id, "published", "https://www.millbrook.example", [], 0, False)
    return parse_article(text.markdown(), f"{article_id}.md")


@settings(max_examples=100, deadline=None)
@given(TARGETS, RELATED)
def test_publishing_refuses_exactly_what_a_guidance_service_refuses(
    target: str, related: list[str]
) -> None:
    text = document("new-page", "published", target, related, 0, False).markdown()
    if not accepted_by_parser(text):
        return  # refused at saving already, by every path
    held = {article_id: stub(article_id) for article_id in LIVE}
    article = parse_article(text, "new-page.md")
    try:
        check_cross_links({**held, article.id: article}, only=[article.id])  # what upsert does
        service_takes_it = True
    except ArticleError:
        service_takes_it = False
    try:
        check_links_resolve(text, "new-page", LIVE)
        editor_publishes = True
    except ArticleInvalid:
        editor_publishes = False
    assert editor_publishes == service_takes_it


def test_related_to_a_missing_article_cannot_be_published() -> None:
    """The case from issue 15: it passed the editor, then every guidance service refused it."""
    text = document("new-page", "published", "council-tax.md", ["no-such-article"], 0, False)
    check_article(text.markdown())  # a draft may name it (the other article may come later)
    with pytest.raises(ArticleInvalid, match="no-such-article"):
        check_links_resolve(text.markdown(), "new-page", LIVE)
