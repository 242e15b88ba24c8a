"""Importers: GOV.UK content items (real examples) and FAQ spreadsheets."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from knowledge.articles import Article, load_articles, parse_article
from knowledge.importers.faq import import_faq
from knowledge.importers.govuk import ImportSkipped, import_files, item_to_draft, load_item
from knowledge.importers.writing import Draft, ImportError_, write_drafts

from .conftest import FIXTURES


def _article(draft_and_source: tuple[Draft, str]) -> Article:
    draft, _ = draft_and_source
    return parse_article(draft.markdown(), f"{draft.id}.md")


def test_guide_parts_become_sections_and_base_path_the_url() -> None:
    [pair] = import_files([FIXTURES / "guide--guide.json"])
    article = _article(pair)
    assert article.url == "https://www.gov.uk/national-curriculum"
    assert [s.heading for s in article.sections][:2] == ["Overview", "Key stage 1 and 2"]
    assert article.language == "en"
    assert article.owner == "Department for Education"
    assert "](https://www.gov.uk/" in article.sections[0].body  # relative links made absolute


def test_welsh_answer_keeps_its_language() -> None:
    [pair] = import_files([FIXTURES / "answer--answer.json"])
    article = _article(pair)
    assert article.language == "cy"
    assert article.url == "https://www.gov.uk/gwasanaethau-ar-lein-cymraeg-cthem"
    assert "Hunanasesiad" in article.intro


def test_local_transaction_and_bare_transaction_import() -> None:
    pairs = import_files(
        [
            FIXTURES / "local_transaction--local_transaction.json",
            FIXTURES / "transaction--child-maintenance.json",
        ]
    )
    stray, calculator = (_article(p) for p in pairs)
    assert "What you need to know" in [s.heading for s in stray.sections]
    assert stray.last_reviewed == "2015-11-09"
    assert calculator.intro  # no description or body: the intro still names the service


def test_all_shared_examples_import_when_available() -> None:
    shared = Path(__file__).resolve().parents[3] / "shared" / "govuk-content-items"
    if not shared.is_dir():
        pytest.skip("../shared/govuk-content-items is not present")
    pairs = import_files([shared])
    assert len(pairs) >= 10
    for pair in pairs:
        _article(pair)


def test_unknown_schema_and_bad_json_are_clear_errors(tmp_path: Path) -> None:
    item = json.loads((FIXTURES / "guide--guide.json").read_text())
    item["schema_name"] = "consultation"
    with pytest.raises(ImportSkipped, match=r"x.json: schema 'consultation' is not supported"):
        item_to_draft(item, "x.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "title": "x",\n  oops\n}')
    with pytest.raises(ImportError_, match=r"bad.json:3: not valid JSON"):
        import_files([bad])
    with pytest.raises(ImportError_, match="no 'base_path'"):
        item_to_draft({"schema_name": "answer", "title": "x"}, "y.json")


def test_written_govuk_articles_load_as_a_folder(tmp_path: Path) -> None:
    pairs = import_files([FIXTURES])
    write_drafts(pairs, tmp_path)
    articles = load_articles(tmp_path)
    assert "national-curriculum" in articles
    with pytest.raises(ImportError_, match="already exists"):
        write_drafts(pairs, tmp_path)


def test_faq_csv_each_pair_becomes_an_article(tmp_path: Path) -> None:
    faq = tmp_path / "faq.csv"
    faq.write_text(
        "question,answer,url\n"
        "When is the library open?,The library is open 9am to 5pm. It closes on Sundays.,"
        "https://www.millbrook.example/libraries\n"
        'Can I pay by card?,"Yes, you can pay by card.",\n',
        encoding="utf-8",
    )
    pairs = import_faq(faq, base_url="https://www.millbrook.example/faq")
    written = write_drafts(pairs, tmp_path / "out")
    articles = load_articles(tmp_path / "out")
    assert len(written) == 2
    library = articles["faq-when-is-the-library-open"]
    assert library.title == "When is the library open?"
    assert library.intro_questions == ("When is the library open?",)  # an example question
    assert library.url == "https://www.millbrook.example/libraries"
    assert (
        articles["faq-can-i-pay-by-card"].url
        == "https://www.millbrook.example/faq#can-i-pay-by-card"
    )


def test_faq_json_and_column_errors(tmp_path: Path) -> None:
    good = tmp_path / "faq.json"
    good.write_text(
        json.dumps([{"question": "Where?", "answer": "Here.", "url": "https://a.example/x"}])
    )
    assert len(import_faq(good)) == 1
    extra = tmp_path / "extra.csv"
    extra.write_text("question,answer,colour\nQ?,A.,red\n")
    with pytest.raises(ImportError_, match=r"extra.csv:1: unknown column\(s\) 'colour'"):
        import_faq(extra)
    missing = tmp_path / "missing.csv"
    missing.write_text("question\nQ?\n")
    with pytest.raises(ImportError_, match="missing column"):
        import_faq(missing)
    empty = tmp_path / "empty.csv"
    empty.write_text("question,answer\nQ?,\n")
    with pytest.raises(ImportError_, match=r"empty.csv:2: question and answer must not be empty"):
        import_faq(empty)
    nourl = tmp_path / "nourl.csv"
    nourl.write_text("question,answer\nQ?,A.\n")
    with pytest.raises(ImportError_, match="pass --base-url"):
        import_faq(nourl)
    html = tmp_path / "html.csv"
    html.write_text("question,answer,url\nQ?,<b>A</b>,https://a.example\n")
    with pytest.raises(ImportError_, match="HTML is not allowed"):
        write_drafts(import_faq(html), tmp_path / "h")
    assert not (tmp_path / "h").exists()


# --- formats added for issue 16: each asserts the sections and links produced ---------------


def _one(name: str, **options: object) -> Article:
    imported = item_to_draft(load_item(FIXTURES / name), name, **options)  # type: ignore[arg-type]
    return parse_article(imported.draft.markdown(), f"{imported.draft.id}.md")


def _links(article: Article) -> set[str]:
    text = article.intro + "".join(s.body for s in article.sections)
    return set(re.findall(r"\]\((https://[^)]+)\)", text))


def test_licence_overview_sections_and_the_apply_link_under_how_to_apply() -> None:
    article = _one("licence--licence_with_continuation_link.json")
    assert [s.heading for s in article.sections] == ["How to apply", "Conditions"]
    how = article.sections[0].body
    assert "48 hours before the importation" in how  # the citizen's deadline survives
    assert "[Apply for this licence](https://www.dardni.gov.uk/" in how  # http upgraded
    assert "https://www.gov.uk/call-charges" in _links(article)  # relative made absolute
    assert article.owner == "Department of Agriculture and Rural Development"


def test_simple_smart_answer_flow_and_outcomes_become_readable_sections() -> None:
    article = _one("simple_smart_answer--simple-smart-answer.json")
    headings = [s.heading for s in article.sections]
    assert headings[0] == "Questions you will be asked"
    assert "You can’t become an approved driving instructor (ADI) until you're 21" in headings
    # two outcomes share a title: each says which answer leads to it
    start = "You can start applying to become an approved driving instructor (ADI)"
    assert headings[-2:] == [
        f"{start} (if you answered Manual)",
        f"{start} (if you answered Automatic)",
    ]
    assert len(headings) == 6  # outcome-6 is reachable from no answer: left out
    under_21 = article.sections[headings.index(headings[2])].body
    assert under_21.startswith("This applies if you answered:") and "20 or under" in under_21
    # the questions the flow asks are the section's example questions
    assert "How old are you?" in article.sections[0].questions
    assert "https://www.gov.uk/apply-to-become-a-driving-instructor" in _links(article)


def test_travel_advice_parts_and_a_country_without_parts() -> None:
    turkey = _one("travel_advice--alt-country.json")
    assert [s.heading for s in turkey.sections] == [
        "Local laws and customs",
        "Entry requirements",
        "Health",
        "Natural disasters",
        "Money",
    ]
    assert "### Visas" in turkey.sections[1].body
    assert "https://www.evisa.gov.tr/" in _links(turkey)
    antarctica = _one("travel_advice--no-parts.json")
    assert antarctica.intro == "It's very cold." and not antarctica.sections
    assert antarctica.last_reviewed == "2015-08-28"  # details.reviewed_at


def test_service_manual_guide_and_place() -> None:
    guide = _one("service_manual_guide--point_page.json")
    assert [s.heading for s in guide.sections] == ["Why it's in the standard"]
    assert guide.intro.startswith("Understand user needs.")
    place = _one("place--find-regional-passport-office.json")
    assert [s.heading for s in place.sections] == ["Find the nearest one", "Where the offices are"]
    assert "https://www.gov.uk/find-regional-passport-office" in _links(place)  # the finder
    assert "proof of your identity" in place.intro
    assert "- Peterborough" in place.sections[1].body


def test_withdrawn_item_is_retired_with_its_notice_or_skipped() -> None:
    article = _one("detailed_guide--withdrawn_detailed_guide.json")
    assert article.status == "retired" and not article.searchable
    assert article.intro.startswith("**Withdrawn on 2015-01-28: This information has been")
    with pytest.raises(ImportSkipped, match="withdrawn"):
        _one("detailed_guide--withdrawn_detailed_guide.json", withdrawn="skip")


def test_review_date_is_set_and_overdue_items_are_flagged() -> None:
    item = load_item(FIXTURES / "place--find-regional-passport-office.json")
    recent = item_to_draft(item, "p", review_months=12, today=dt.date(2015, 6, 1))
    assert recent.draft.front["review_by"] == "2015-11-20" and not recent.review_overdue
    late = item_to_draft(item, "p", review_months=12, today=dt.date(2016, 1, 1))
    assert late.review_overdue


def test_welsh_item_is_linked_to_its_english_counterpart(tmp_path: Path) -> None:
    english = json.loads((FIXTURES / "guide--guide.json").read_text())
    welsh = {**english, "locale": "cy", "base_path": "/cwricwlwm-cenedlaethol"}
    welsh["links"] = {
        "available_translations": [{"locale": "en", "base_path": "/national-curriculum"}]
    }
    for name, item in (("en.json", english), ("cy.json", welsh)):
        (tmp_path / name).write_text(json.dumps(item))
    write_drafts(import_files([tmp_path]), tmp_path / "out")
    articles = load_articles(tmp_path / "out")  # cross-links resolve
    assert articles["cwricwlwm-cenedlaethol"].language == "cy"
    assert articles["cwricwlwm-cenedlaethol"].related == ("national-curriculum",)
    assert articles["national-curriculum"].related == ("cwricwlwm-cenedlaethol",)
