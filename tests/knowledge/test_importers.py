"""Importers: GOV.UK content items (real examples) and FAQ spreadsheets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.articles import Article, load_articles, parse_article
from knowledge.importers.faq import import_faq
from knowledge.importers.govuk import import_files, item_to_draft
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
    item["schema_name"] = "travel_advice"
    with pytest.raises(ImportError_, match=r"x.json: schema 'travel_advice' is not supported"):
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
