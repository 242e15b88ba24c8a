"""Example questions, attach from "Try a question" and from gaps, confirmations, preview links
and history numbers, in a real browser (Debian Chromium) against the real gateway and Redis.

Issue 10 item 4 and issue 14 items 11-14. What must hold is said in each test.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis

from editorial.gaps import record_gap
from editorial.keys import EditorKeys

from .conftest import DEMO_PASSWORD, ROOT, SERVER_PREFIXES
from .editor_pages import EditorPages

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-results" / "screenshots"


def banner_in_view_and_focused(page: Any, saying: str) -> str:
    """The focused element is the success banner saying ``saying``, on screen; its text."""
    page.locator(".notification-banner", has_text=saying).wait_for()
    state = page.evaluate(
        """() => {
          const active = document.activeElement;
          const box = active.getBoundingClientRect();
          return {cls: active.className, top: box.top, bottom: box.bottom,
                  height: window.innerHeight, text: active.textContent};
        }"""
    )
    assert "notification-banner" in state["cls"], state
    assert state["top"] >= 0 and state["bottom"] <= state["height"], state
    return str(state["text"])


def test_save_publish_restore_move_focus_to_a_visible_confirmation(
    editor_server: str, new_page: Any
) -> None:
    """Item 11: after Save, Publish and Restore, focus is on a banner that is in view; the
    restore banner's number is the number the history lists for the restore (item 14)."""
    from tests.widget.conftest import assert_no_axe_violations

    page = new_page()
    editor = EditorPages(page, editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    editor.open_article("report-pothole")
    editor.set_body(editor.body() + "\nPotholes deeper than 4 cm are mended within 5 days.\n")
    page.get_by_role("button", name="Save draft").scroll_into_view_if_needed()
    assert page.evaluate("() => window.scrollY") > 600
    editor.save()
    assert "It is not live" in banner_in_view_and_focused(page, "Saved as version")
    page.get_by_role("button", name="Publish").scroll_into_view_if_needed()
    page.get_by_role("button", name="Publish").click()
    text = banner_in_view_and_focused(page, "Published version")
    assert text.startswith("Success")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "editor-publish-confirmation.png"))
    assert_no_axe_violations(page, "edit page with the publish confirmation")

    page.get_by_role("link", name="History and audit log").click()
    page.locator("#audit table").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Restore version 1").click()
    text = banner_in_view_and_focused(page, "restored as version")
    number = text.split("restored as version ")[1].split(" ")[0].rstrip(".")
    first_row = page.locator("#versions tbody tr").first
    assert f"Version {number}" in first_row.text_content()
    assert "Restored" in first_row.text_content()


def test_history_compares_the_published_version_with_the_newest_draft(
    editor_server: str, new_page: Any
) -> None:
    """Item 14: the history opens on what publishing would change, not two identical versions."""
    page = new_page()
    editor = EditorPages(page, editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    editor.open_article("fly-tipping")
    editor.set_body(editor.body() + "\nWe clear fly-tipping from public land within 3 days.\n")
    editor.save()
    banner_in_view_and_focused(page, "Saved as version")
    page.get_by_role("link", name="History and audit log").click()
    diff = page.locator("#diff")
    diff.locator("table.diff").wait_for()
    assert "What publishing would change" in diff.text_content()
    assert "We clear fly-tipping from public land within 3 days." in diff.text_content()
    assert "are the same" not in diff.text_content()


def test_example_questions_are_edited_under_each_section(editor_server: str, new_page: Any) -> None:
    """Item 1: each section's questions are listed with add and remove (labelled); mistakes
    are refused in plain words using the visible label; they are saved with the article."""
    page = new_page()
    editor = EditorPages(page, editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    editor.open_article("missed-bin")
    panel = page.locator("#questions")
    panel.get_by_role("heading", name="Questions each section answers").wait_for()
    group = panel.get_by_role("group", name="What happens next")
    assert "when will you come back for my bin" in group.text_content()

    box = page.get_by_label("Add a question for “What happens next”")
    box.fill("will the crew knock on my door")
    group.get_by_role("button", name="Add a question for “What happens next”").click()
    assert "will the crew knock on my door" in group.text_content()
    box.fill("my bin wasn't emptied")  # listed for the introduction
    box.press("Enter")
    error = group.locator(".field-error")
    assert "already listed for the introduction" in error.text_content()
    assert box.get_attribute("aria-invalid") == "true"
    group.get_by_role(
        "button", name="Remove “my whole street was missed” from “What happens next”"
    ).click()
    assert "my whole street was missed" not in group.text_content()

    editor.save()
    banner_in_view_and_focused(page, "Saved as version")
    editor.open_article("missed-bin")
    group = page.locator("#questions").get_by_role("group", name="What happens next")
    assert "will the crew knock on my door" in group.text_content()
    assert "my whole street was missed" not in group.text_content()

    # Renaming a heading leaves its questions without a section: shown, and refused on save.
    editor.set_body(editor.body().replace("## What happens next", "## After you report it"))
    orphan = page.locator(".qsection--orphan")
    orphan.wait_for()
    editor.save()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert (
        "Questions each section answers: there are questions for the section “What happens next”"
        in summary.text_content()
    )
    orphan.get_by_label("Move them to").select_option("After you report it")
    orphan.get_by_role("button", name="Move the questions").click()
    editor.save()
    banner_in_view_and_focused(page, "Saved as version")


def test_try_a_question_attaches_it_to_the_chosen_section(
    editor_server: str, new_page: Any
) -> None:
    """Item 2: after trying a question the editor chooses the section that should answer; the
    question joins that section's list in the draft and is saved with it."""
    from tests.widget.conftest import assert_no_axe_violations

    page = new_page()
    editor = EditorPages(page, editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    editor.open_article("street-light-fault")
    question = "the lamp outside number 12 flickers all night"
    editor.try_question(question)
    attach = page.locator("#try-result .attach")
    attach.get_by_role("button", name="Add the question to this section").click()
    assert "Choose the section" in attach.locator(".field-error").text_content()
    target = next(  # a section (not the introduction) with room for one more question
        str(g.locator("h3").text_content())
        for g in page.locator("#questions .qsection").all()[1:]
        if g.locator("li").count() < 12
    )
    attach.get_by_label("Section that should answer").select_option(target)
    attach.get_by_role("button", name="Add the question to this section").click()
    attach.locator(".done").wait_for()
    assert question in page.locator("#questions").get_by_role("group", name=target).text_content()
    assert_no_axe_violations(page, "edit page with the attach form and example questions")
    editor.save()
    banner_in_view_and_focused(page, "Saved as version")
    url = "/api/editor/articles/street-light-fault/sections"
    sections = page.evaluate(f"async () => (await (await fetch('{url}')).json())")
    found = {s["key"]: s["questions"] for s in sections["sections"]}
    assert question in found[target]


def test_a_gap_is_attached_to_a_section_and_leaves_the_page(
    editor_server: str, new_page: Any, redis_url: str
) -> None:
    """Item 3 and 13: a gap question is added to a chosen section (focus on the confirmation)
    and leaves the page; payloads, requests for a person and safety messages never show."""
    from tests.widget.conftest import assert_no_axe_violations

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    keys = EditorKeys(SERVER_PREFIXES[editor_server])
    for text in (
        "/affirm",
        "/request_human",
        "I want to talk to a person",
        "my partner is abusive and I am scared to go home",
    ):
        record_gap(client, keys, text, "abstained", "conv-noise")
    question = "can the council take away an old fridge from my garden"
    record_gap(client, keys, question, "abstained", "conv-fridge")
    page = new_page()
    editor = EditorPages(page, editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    page.goto(f"{editor_server}/editor/gaps")
    group = page.locator(".group").filter(has_text="fridge").first
    group.wait_for()
    text = page.locator("#groups").text_content()
    for unwanted in ("/affirm", "/request_human", "talk to a person", "abusive"):
        assert unwanted not in text
    group.locator("summary").click()
    group.get_by_label("Article").select_option("bulky-waste")
    section = group.get_by_label("Section that answers it")
    section.locator("option").nth(2).wait_for(state="attached")
    target = next(  # a section with room for one more question (at most 12 each)
        o.get_attribute("value")
        for o in section.locator("option").all()[1:]
        if int(str(o.text_content()).rsplit("(", 1)[1].split(" ")[0]) < 12
    )
    section.select_option(target)
    assert_no_axe_violations(page, "content gaps with the add-to-section form open")
    group.get_by_role("button", name="Add the question to this section").click()
    banner_in_view_and_focused(page, "Added “can the council take away an old fridge")
    page.locator("#groups").filter(has_not_text="fridge").wait_for()
    sections = page.evaluate(
        "async () => (await (await fetch('/api/editor/articles/bulky-waste/sections')).json())"
    )
    assert question in {s["key"]: s["questions"] for s in sections["sections"]}[target]


def test_preview_makes_only_https_and_internal_links_clickable(
    editor_server: str, new_page: Any
) -> None:
    """Item 12: http, schemeless and empty links are shown but not clickable; the empty link
    is refused on save with the line and what to do."""
    page = new_page()
    editor = EditorPages(page, editor_server)
    editor.sign_in("eddie", DEMO_PASSWORD)
    editor.open_article("vehicle-tax")
    body = editor.body() + (
        "\n[secure](https://www.millbrook.example/a) [plain](http://www.millbrook.example/b) "
        "[odd](https:nohost) [other article](missed-bin.md) [empty]()\n"
    )
    editor.set_body(body)
    preview = page.locator("#preview")
    preview.locator(".dead-link", has_text="empty").wait_for()
    links = {a.text_content(): a.get_attribute("href") for a in preview.locator("a").all()}
    assert links.get("secure") == "https://www.millbrook.example/a"
    assert links.get("other article") == "/editor/articles/missed-bin"
    assert not {"plain", "odd", "empty"} & set(links)
    editor.save()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "The link “empty” has no address" in summary.text_content()
