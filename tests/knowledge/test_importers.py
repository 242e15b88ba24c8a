"""Importers: GOV.UK content items (real examples) and FAQ spreadsheets."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from pathlib import Path

import pytest

from knowledge.answering import GuidanceService
from knowledge.articles import Article, load_articles, parse_article
from knowledge.cli import main as cli_main
from knowledge.importers.editor_sync import sync_report
from knowledge.importers.faq import import_faq
from knowledge.importers.govuk import ImportSkipped, import_files, item_to_draft, load_item
from knowledge.importers.import_run import CONFLICTS, plan_import, write_report
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
    out = tmp_path / "out"
    write_report(plan_import([tmp_path], out), out)
    articles = load_articles(out)  # cross-links resolve
    assert articles["cwricwlwm-cenedlaethol"].language == "cy"
    assert articles["cwricwlwm-cenedlaethol"].related == ("national-curriculum",)
    assert articles["national-curriculum"].related == ("cwricwlwm-cenedlaethol",)
    # GOV.UK moves the English page: both keep their ids and still point at each other
    (tmp_path / "en.json").write_text(json.dumps({**english, "base_path": "/curriculum"}))
    write_report(plan_import([tmp_path], out), out)
    articles = load_articles(out)
    assert articles["national-curriculum"].url == "https://www.gov.uk/curriculum"
    assert articles["cwricwlwm-cenedlaethol"].related == ("national-curriculum",)


# --- folder import, re-import, conflicts, the editor's store --------------------------------


def _mixed_folder(folder: Path) -> Path:
    folder.mkdir()
    for name in ("licence--licence_with_continuation_link.json", "travel_advice--no-parts.json"):
        (folder / name).write_text((FIXTURES / name).read_text())
    other = json.loads((FIXTURES / "guide--guide.json").read_text())
    (folder / "consultation.json").write_text(json.dumps({**other, "schema_name": "consultation"}))
    (folder / "broken.json").write_text('{"title": "x",\n oops}')
    (folder / "no-path.json").write_text(json.dumps({"schema_name": "answer", "title": "x"}))
    return folder


def test_folder_import_reports_every_item_and_strict_fails_on_a_skip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, out = _mixed_folder(tmp_path / "items"), tmp_path / "articles"
    assert cli_main(["import-govuk", str(folder), "--out", str(out), "--strict"]) == 1
    assert not out.exists()  # strict: nothing is written when anything is skipped or failed
    assert cli_main(["import-govuk", str(folder), "--out", str(out), "--review-months", "0"]) == 2
    assert "--review-months must be 1 or more" in capsys.readouterr().err  # bad option: no change
    assert cli_main(["import-govuk", str(folder), "--out", str(out)]) == 1  # 2 failed
    table = capsys.readouterr().out
    for row in ("| imported | 2 |", "| skipped | 1 |", "| failed | 2 |"):
        assert row in table
    assert "consultation.json → -: skipped: schema 'consultation' is not supported" in table
    assert "broken.json → -: failed: 2: not valid JSON" in table
    assert "no-path.json → -: failed: the content item has no 'base_path'" in table
    assert sorted(load_articles(out)) == [
        "foreign-travel-advice-antarctica",
        "seed-potato-import-notification-northern-ireland",
    ]


def test_reimport_updates_in_place_and_reports_a_changed_file_as_a_conflict(
    tmp_path: Path,
) -> None:
    folder, out = tmp_path / "items", tmp_path / "articles"
    folder.mkdir()
    item = load_item(FIXTURES / "licence--licence_with_continuation_link.json")
    (folder / "licence.json").write_text(json.dumps(item))
    write_report(plan_import([folder], out), out)
    # GOV.UK moves and edits the page: same content id, new path and wording
    item.update(base_path="/seed-potatoes-ni", title="Notify DARD about seed potatoes")
    (folder / "licence.json").write_text(json.dumps(item))
    report = plan_import([folder], out)
    assert [(o.result, o.article_id) for o in report.outcomes] == [
        ("updated", "seed-potato-import-notification-northern-ireland")
    ]
    write_report(report, out)
    article = load_articles(out)["seed-potato-import-notification-northern-ireland"]
    assert article.title == "Notify DARD about seed potatoes"  # updated, id kept, no "-2"
    assert article.url == "https://www.gov.uk/seed-potatoes-ni"
    assert [o.result for o in plan_import([folder], out).outcomes] == ["unchanged"]
    # an editor changes the file; the next import must not overwrite it silently
    path = out / "seed-potato-import-notification-northern-ireland.md"
    edited = path.read_text().replace("You won’t be charged", "There is no charge")
    path.write_text(edited)
    item["title"] = "Seed potatoes: notify DARD"
    (folder / "licence.json").write_text(json.dumps(item))
    report = plan_import([folder], out)
    assert report.outcomes[0].result == "conflict"
    write_report(report, out)
    assert path.read_text() == edited  # the editor's text is kept
    incoming = out / CONFLICTS / path.name  # and the incoming version is beside it
    assert "title: 'Seed potatoes: notify DARD'" in incoming.read_text()


def test_editor_store_gets_imports_live_and_keeps_both_versions_on_conflict(
    tmp_path: Path, redis_url: str, service: GuidanceService
) -> None:
    import redis

    from editorial.keys import EditorKeys
    from editorial.store import ArticleStore

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    keys = EditorKeys(f"test-import-{uuid.uuid4().hex[:8]}:")
    store, events = ArticleStore(client, keys), client.pubsub()
    events.subscribe(keys.events)
    folder, out, article_id = (
        tmp_path / "items",
        tmp_path / "articles",
        "become-a-driving-instructor",
    )
    folder.mkdir()
    item = load_item(FIXTURES / "simple_smart_answer--simple-smart-answer.json")
    (folder / "ssa.json").write_text(json.dumps(item))
    try:
        sync_report(store, plan_import([folder], out))
        assert store.get(article_id).status == "published"
        # the publish event reaches a running service like an editor's publish does
        messages = iter(lambda: events.get_message(timeout=2), None)
        upserts = [json.loads(m["data"]) for m in messages if m["type"] == "message"]
        assert [e["article_id"] for e in upserts] == [article_id]
        service.upsert_markdown(upserts[0]["markdown"])
        hits = service.search("can I become a driving instructor at 20").results
        assert hits[0].article_id == article_id
        # an editor edits the article; GOV.UK changes it too: conflict, both versions kept
        head = store.get(article_id).head_version
        mine = store.head(article_id).markdown.replace("6 or more penalty", "six or more penalty")
        store.save(article_id, mine, head, "Eddie Editor")
        item["title"] = "Become an approved driving instructor"
        (folder / "ssa.json").write_text(json.dumps(item))
        report = plan_import([folder], out)
        sync_report(store, report)
        assert (
            report.outcomes[0].result == "conflict" and "Eddie Editor" in report.outcomes[0].reason
        )
        assert store.head(article_id).markdown == mine  # the editor's version is on top
        texts = [v.markdown for v in store.versions(article_id)]
        assert any("title: Become an approved driving instructor" in t for t in texts)
        assert "title: Become a driving instructor" in (store.published_markdown(article_id) or "")
    finally:
        if article_id in service.kb.articles:
            service.delete(article_id)
        events.close()
        for key in client.scan_iter(f"{keys.prefix}*"):
            client.delete(key)
        client.close()
