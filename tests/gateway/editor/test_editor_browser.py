"""The editor pages in a real browser (Debian Chromium) against the real gateway and Redis."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis

from editorial.gaps import record_gap
from editorial.keys import EditorKeys

from .conftest import DEMO_PASSWORD, SERVER_PREFIXES
from .editor_pages import EditorPages

pytestmark = pytest.mark.browser

HENS = (
    "\n## Keeping hens at home\n\nYou can keep up to 6 hens in your back garden without "
    "asking us. You do not need a licence for hens.\n"
)


def test_edit_preview_check_try_publish(editor_server: str, new_page: Any) -> None:
    """Change an article, try the question against the draft, publish: live within 2 s."""
    editor = EditorPages(new_page(), editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    editor.page.get_by_label("Search articles").fill("garden waste")
    editor.page.get_by_role("button", name="Search").click()
    editor.page.get_by_role("link", name="Garden waste collection subscription").click()
    editor.page.locator("#heading").filter(has_text="Edit:").wait_for()

    editor.set_body(editor.body() + HENS)
    editor.page.locator("#preview h2", has_text="Keeping hens at home").wait_for()
    editor.page.get_by_role("button", name="Check the text").click()
    editor.page.locator("#advice").filter(has_text="Reading ease").wait_for()

    editor.try_question("can I keep hens in my back garden")
    assert any("Keeping hens at home" in s for s in editor.draft_sections())
    assert not any("Keeping hens at home" in s for s in editor.live_sections())

    editor.save()
    editor.page.locator("#status").filter(has_text="Saved as version").wait_for()
    editor.page.locator("#impact table, #impact p").first.wait_for()
    editor.publish()
    published_at = time.monotonic()
    while True:
        editor.try_question("can I keep hens in my back garden")
        if any("Keeping hens at home" in s for s in editor.live_sections()):
            break
        assert time.monotonic() - published_at < 2.0, "not live within 2 seconds"
    assert "Published" in editor.page.locator("#state").text_content()


def test_conflict_is_shown_to_the_second_editor(editor_server: str, new_page: Any) -> None:
    first = EditorPages(new_page(), editor_server)
    second = EditorPages(new_page(), editor_server)
    first.sign_in("eddie", DEMO_PASSWORD)
    second.sign_in("ada", DEMO_PASSWORD)
    first.open_article("vehicle-tax")
    second.open_article("vehicle-tax")
    first.set_body(first.body() + "\nA line from Eddie.\n")
    second.set_body(second.body() + "\nA line from Ada.\n")
    first.save()
    first.page.locator("#status").filter(has_text="Saved as version").wait_for()
    second.save()
    panel = second.page.locator(".conflict")
    panel.get_by_role("heading", name="Someone else saved this article first").wait_for()
    assert "Eddie Jones" in panel.text_content()
    assert "A line from Ada." in second.page.locator("#my-text").input_value()
    second.page.get_by_role("button", name="Open their version and add my changes again").click()
    second.page.wait_for_function(
        "() => document.getElementById('f-body').value.includes('A line from Eddie.')"
    )


def test_restore_from_history(editor_server: str, new_page: Any) -> None:
    editor = EditorPages(new_page(), editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    editor.open_article("report-pothole")
    original = editor.body()
    editor.set_body(original + "\nThis line is a mistake.\n")
    editor.save()
    editor.page.locator("#status").filter(has_text="Saved as version").wait_for()
    editor.page.get_by_role("link", name="History and audit log").click()
    editor.page.locator("table.diff").filter(has_text="This line is a mistake.").wait_for()
    editor.page.once("dialog", lambda dialog: dialog.accept())
    editor.page.get_by_role("button", name="Restore version 1").click()
    editor.page.locator("#status").filter(has_text="Version 1 restored").wait_for()
    editor.page.locator("#audit td", has_text="Restored").first.wait_for()
    editor.open_article("report-pothole")
    assert "This line is a mistake." not in editor.body()


def test_bad_input_gets_a_clear_message(editor_server: str, new_page: Any) -> None:
    editor = EditorPages(new_page(), editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    editor.open_article("street-light-fault")
    before = editor.body()
    editor.set_body(before + "\n<script>alert('x')</script>\n")
    editor.page.get_by_label("Page address").fill("http://www.millbrook.example/lights")
    editor.save()
    summary = editor.page.locator(".error-summary")
    summary.wait_for()
    text = summary.text_content()
    assert "Remove the <script> tag" in text and "must start with https://" in text
    assert editor.page.get_by_label("Page address").get_attribute("aria-invalid") == "true"
    editor.open_article("street-light-fault")
    assert editor.body() == before


def test_gap_report_lists_a_question_the_bot_could_not_answer(
    editor_server: str, new_page: Any, redis_url: str
) -> None:
    page = new_page()
    editor = EditorPages(page, editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    keys = EditorKeys(SERVER_PREFIXES[editor_server])
    record_gap(client, keys, "how do I get a licence to keep bees", "abstained", "conv-bees")
    record_gap(client, keys, "do I need permission to keep beehives", "handoff", "conv-hive")
    page.goto(f"{editor_server}/editor/gaps")
    group = page.locator(".group").filter(has_text="bee")
    group.first.wait_for()
    assert "2 questions" in group.first.text_content()
    group.first.get_by_role("button", name="Start a new article from these questions").click()
    page.get_by_role("heading", name="Questions this article should answer").wait_for()
    assert page.locator("#gap-questions li").count() == 2


def test_pages_pass_axe_in_every_state(editor_server: str, new_page: Any) -> None:
    """WCAG 2.2 A/AA (axe-core) on the sign-in form and every editor page, filled in."""
    from tests.widget.conftest import assert_no_axe_violations

    page = new_page()
    editor = EditorPages(page, editor_server)
    page.goto(f"{editor_server}/editor/")
    page.get_by_label("Username").wait_for()
    assert_no_axe_violations(page, "sign-in form")
    editor.sign_in("eddie", DEMO_PASSWORD)
    page.locator("#results table").wait_for()
    assert_no_axe_violations(page, "article list")

    editor.open_article("missed-bin")
    page.get_by_role("button", name="Check the text").click()
    page.locator("#advice").filter(has_text="Reading ease").wait_for()
    editor.try_question("my bin was not emptied")
    page.get_by_role("button", name="Check the test questions").click()
    page.locator("#impact table").wait_for()
    assert_no_axe_violations(page, "edit page with advice, try and impact")
    page.get_by_label("Page address").fill("http://example.org")
    editor.save()
    page.locator(".error-summary").wait_for()
    assert_no_axe_violations(page, "edit page with errors")

    page.goto(f"{editor_server}/editor/new")
    page.get_by_role("heading", name="New article").wait_for()
    assert_no_axe_violations(page, "new article")

    page.goto(f"{editor_server}/editor/articles/missed-bin/history")
    page.locator("#audit table").wait_for()
    assert_no_axe_violations(page, "history")

    page.goto(f"{editor_server}/editor/gaps")
    page.locator("#count").filter(has_text="question").wait_for()
    assert_no_axe_violations(page, "content gaps")


def test_pages_reflow_at_320_css_pixels(editor_server: str, new_page: Any) -> None:
    """WCAG 1.4.10: no sideways scrolling of the page at 320 px; wide tables scroll in place."""
    page = new_page()
    page.set_viewport_size({"width": 320, "height": 700})
    editor = EditorPages(page, editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    page.locator("#results table").wait_for()
    width = "() => document.documentElement.scrollWidth"
    assert page.evaluate(width) <= 320
    editor.open_article("missed-bin")
    editor.try_question("my bin was not emptied")
    assert page.evaluate(width) <= 320
    page.goto(f"{editor_server}/editor/articles/missed-bin/history")
    page.locator("#audit table").wait_for()
    assert page.evaluate(width) <= 320


def test_session_ending_mid_edit_loses_nothing(editor_server: str, new_page: Any) -> None:
    """The session expires while editing: Save asks for the password in place, the text stays."""
    page = new_page()
    editor = EditorPages(page, editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    editor.open_article("visitor-parking-permit")
    editor.set_body(editor.body() + "\nA sentence typed before the session ended.\n")
    page.context.clear_cookies()
    editor.save()
    page.get_by_role("heading", name="Sign in to the guidance editor").wait_for()
    page.get_by_label("Username").fill("eddie")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#status").filter(has_text="signed in again").wait_for()
    assert "A sentence typed before the session ended." in editor.body()
    editor.save()
    page.locator("#status").filter(has_text="Saved as version").wait_for()


def test_opening_a_markdown_file(editor_server: str, new_page: Any, tmp_path: Any) -> None:
    """A good .md file fills the form; an oversized one is refused with a clear message."""
    from .conftest import ROOT

    page = new_page()
    editor = EditorPages(page, editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    page.goto(f"{editor_server}/editor/new")
    page.get_by_role("heading", name="New article").wait_for()
    big = tmp_path / "big.md"
    big.write_text("---\nid: big\n---\n" + "word " * 30_000)
    page.get_by_label("Or open a Markdown file from your computer").set_input_files(str(big))
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "An article can be at most 100 kB" in str(summary.text_content())

    source = (ROOT / "knowledge" / "articles" / "fly-tipping.md").read_text()
    good = tmp_path / "fly-tipping-copy.md"
    good.write_text(source.replace("id: fly-tipping", "id: fly-tipping-copy"))
    page.get_by_label("Or open a Markdown file from your computer").set_input_files(str(good))
    page.locator("#status").filter(has_text="Opened fly-tipping-copy.md").wait_for()
    assert page.get_by_label("Id", exact=True).input_value() == "fly-tipping-copy"
    assert "## " in editor.body()
    editor.save()
    page.locator("#status").filter(has_text="Saved as version 1").wait_for()


def test_articles_naming_each_other_are_published_together(
    editor_server: str, new_page: Any, redis_url: str
) -> None:
    """Issue 15: publishing one alone says what to do; "Publish together with" makes both live."""
    from editorial.store import ArticleStore

    from .test_publish_together import markdown

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    store = ArticleStore(client, EditorKeys(SERVER_PREFIXES[editor_server]))
    store.create(markdown("hen-keeping", "cockerel-noise"), "Eddie")
    store.create(markdown("cockerel-noise", "hen-keeping"), "Eddie")
    editor = EditorPages(new_page(), editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    editor.open_article("hen-keeping")

    editor.page.get_by_role("button", name="Publish", exact=True).click()
    summary = editor.page.locator(".error-summary")
    summary.wait_for()
    assert "'cockerel-noise' is not published yet" in summary.text_content()
    assert store.get("hen-keeping").status == "draft"

    editor.page.get_by_label("Publish together with (optional)").fill("cockerel-noise")
    editor.publish()
    assert "together with cockerel-noise" in editor.status()
    assert store.get("cockerel-noise").status == "published"
    assert store.get("hen-keeping").status == "published"
