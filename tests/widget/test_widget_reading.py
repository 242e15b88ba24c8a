"""Reading the conversation in the citizen widget, against the real stack (issue 14, items 1,
2, 4 and 5): gateway, Rasa, action server and Redis, in Debian's Chromium.

What must hold:
- the conversation gets the panel's space, and after a reply the START of the answer is in
  view (not the feedback buttons at its end); answers show lists as lists;
- at 320 px the full-screen panel keeps keyboard focus inside it (WCAG 2.2 2.4.11);
- the widget is on /contact and /privacy too, carrying the same conversation; /contact's
  phone-line hours come from the schedule in force;
- the queue banner and the queue message use the same words for the wait;
- a confirmation with a reference is set apart and the reference never wraps at its hyphen;
- "Sam is typing…" goes when Sam's message arrives, and a late hint does not bring it back.
axe finds nothing in these states.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.widget.conftest import DEMO_PASSWORD, assert_no_axe_violations
from tests.widget.test_console_handoff import TIMEOUT, sign_in
from tests.widget.widget_page import WidgetPage

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

BOT_TIMEOUT = 60_000
LIST_QUESTION = "what documents do i need for my childs first passport"
OUTSIDE = "() => document.activeElement !== document.querySelector('.csa-host')"


def box(page: Any, selector: str) -> dict[str, float]:
    """The bounding box of the first element matching `selector` (pierces the shadow root)."""
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return dict(found)


def visible_in(page: Any, target: Any, scroller: str) -> bool:
    """Whether the top of `target` lies inside the visible part of the scrolling box."""
    top = target.bounding_box()["y"]
    area = box(page, scroller)
    return bool(area["y"] - 1 <= top <= area["y"] + area["height"] - 20)


def scroller_of(page: Any) -> str:
    """The element that scrolls the conversation (its region, or the whole short panel)."""
    visible = page.evaluate("""() => {
        const root = document.querySelector('.csa-host').shadowRoot;
        return getComputedStyle(root.querySelector('.csa-scroll')).overflowY;
    }""")
    return ".csa-panel" if visible == "visible" else ".csa-scroll"


def adopt(page: Any, gateway: str, conversation_id: str) -> None:
    """Make the widget on `page` continue an existing conversation (as after navigating)."""
    page.goto(f"{gateway}/")
    origin = gateway.rstrip("/")
    page.evaluate("([key, id]) => sessionStorage.setItem(key, "
                  "JSON.stringify({conversationId: id, open: true}))",
                  [f"csa:{origin}", conversation_id])
    page.reload()


def test_answer_start_in_view_with_lists_and_room_to_read(
        page: Any, gateway: str, shots: Callable[[Any, str], Path]) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{gateway}/")
    widget = WidgetPage(page)
    widget.open()
    # the conversation has the panel's space: far more than the 250 px the issue measured
    assert box(page, ".csa-scroll")["height"] >= 380
    for question in ("hello", LIST_QUESTION):
        before = page.locator(".csa-msg--bot").count()
        widget.send(question)
        page.locator(".csa-msg--bot").nth(before).wait_for(timeout=BOT_TIMEOUT)
    page.wait_for_timeout(300)
    answer = page.locator(".csa-msg--bot").last
    assert visible_in(page, answer, ".csa-scroll"), "the start of the answer is out of view"
    items = answer.locator(".csa-msg__text ul > li")
    assert items.count() >= 2, answer.inner_text()
    assert not re.search(r"^\s*- ", answer.locator(".csa-msg__text").inner_text(), re.M)
    expect(page.locator(".csa-typing")).to_be_hidden()
    shots(page, "widget-answer")
    assert_no_axe_violations(page, "widget-answer-with-list")


def test_full_screen_panel_keeps_focus_inside(browser: Any, gateway: str,
                                              shots: Callable[[Any, str], Path]) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(f"{gateway}/")
        widget = WidgetPage(page)
        widget.open()
        assert page.locator(".csa-panel").get_attribute("aria-modal") == "true"
        outside = []
        for key in ["Tab"] * 25 + ["Shift+Tab"] * 10:
            page.keyboard.press(key)
            if page.evaluate(OUTSIDE):
                outside.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"))
        assert outside == [], f"focus reached the page behind the panel: {outside}"
        shots(page, "widget-320-panel")
        assert_no_axe_violations(page, "widget-320-panel")
        page.keyboard.press("Escape")  # closing gives the page back
        expect(page.locator(".csa-launcher")).to_be_focused()
    finally:
        context.close()


def test_widget_on_contact_and_privacy_with_schedule_hours(page: Any, gateway: str) -> None:
    page.goto(f"{gateway}/")
    widget = WidgetPage(page)
    widget.open()
    widget.send("hello")
    widget.wait_for_count("bot", 1, timeout=BOT_TIMEOUT)
    conversation_id = widget.stored()["conversationId"]
    hours = httpx.get(f"{gateway}/api/service-info", timeout=10).json()["opening_hours"]
    for path in ("/contact", "/privacy"):
        page.goto(f"{gateway}{path}")
        page.locator(".csa-msg--citizen", has_text="hello").wait_for()  # same conversation
        assert widget.stored()["conversationId"] == conversation_id
        assert page.locator("[data-assistant-fallback]:visible").count() == 0
    page.goto(f"{gateway}/contact")
    expect(page.locator("[data-service-hours]")).to_have_text(hours)
    assert_no_axe_violations(page, "contact-page-with-widget")


def test_queue_wait_has_one_wording(browser: Any, gateway: str) -> None:
    adviser = browser.new_context(viewport={"width": 1400, "height": 900})
    citizen = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        console = adviser.new_page()
        sign_in(console, gateway)  # an adviser online, so the citizen is queued
        # a chat claimed at once makes the estimate short: where the wordings used to differ
        # ("less than a minute" in the message, "about 1 minute" in the banner)
        # (several, so they outweigh slower claims other tests made in the estimate's median)
        with httpx.Client(base_url=gateway, timeout=60) as api:
            login = api.post("/api/console/login",
                             json={"username": "sam", "password": DEMO_PASSWORD}).json()
            headers = {"X-CSRF-Token": login["csrf_token"]}
            for _ in range(7):
                quick = api.post("/api/conversations", json={}).json()["conversation_id"]
                asked = api.post(f"/api/conversations/{quick}/handoff", json={}).json()
                assert asked["mode"] == "queued"
                assert api.post(f"/api/console/conversations/{quick}/claim", json={},
                                headers=headers).status_code == 200
                api.post(f"/api/console/conversations/{quick}/end",
                         json={"outcome": "resolved", "hand_back": True}, headers=headers)
        page = citizen.new_page()
        page.goto(f"{gateway}/")
        widget = WidgetPage(page)
        widget.open()
        page.get_by_role("button", name="Talk to a person").click()
        notice = page.locator(".csa-msg--system", has_text="in the queue")
        notice.wait_for(timeout=TIMEOUT)
        words = re.search(r"the wait is (.+?)\.", notice.inner_text())
        assert words, notice.inner_text()
        assert words.group(1) == "less than a minute"
        expect(page.locator(".csa-mode")).to_contain_text(f"The wait is {words.group(1)}.")
        page.get_by_role("button", name="Leave the queue").click()
        expect(page.locator(".csa-mode")).to_be_hidden(timeout=TIMEOUT)
    finally:
        adviser.close()
        citizen.close()


def test_confirmation_set_apart_and_reference_kept_whole(browser: Any, gateway: str,
                                                         shots: Callable[[Any, str], Path]) -> None:
    answers = ["my bin wasn't collected", "MB1 2AB", "food waste", "today", "no thanks", "yes"]
    with httpx.Client(base_url=gateway, timeout=60) as client:
        conversation_id = client.post("/api/conversations", json={}).json()["conversation_id"]
        for text in answers:
            turn = client.post(f"/api/conversations/{conversation_id}/messages",
                               json={"text": text})
            assert turn.status_code == 200, turn.text
        last = " ".join(m["text"] for m in turn.json()["messages"])
    assert re.search(r"reference is [A-Z]{2}-[A-Z0-9]{6}", last), last
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        adopt(page, gateway, conversation_id)
        confirmation = page.locator(".csa-msg--confirmation").last
        confirmation.wait_for(timeout=TIMEOUT)
        reference = confirmation.locator(".csa-ref").first
        line = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.csa-host')"
                             ".shadowRoot.querySelector('.csa-msg__text')).lineHeight)")
        assert reference.bounding_box()["height"] < 1.6 * line * 1.25  # one line: no wrap at '-'
        assert reference.inner_text().count("-") == 1
        confirmation.scroll_into_view_if_needed()
        shots(page, "widget-confirmation-320")
        assert_no_axe_violations(page, "widget-confirmation")
    finally:
        context.close()


def test_typing_hint_goes_when_the_message_arrives(browser: Any, gateway: str) -> None:
    adviser = browser.new_context(viewport={"width": 1400, "height": 900})
    citizen = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        console = adviser.new_page()
        sign_in(console, gateway)
        page = citizen.new_page()
        page.goto(f"{gateway}/")
        widget = WidgetPage(page)
        widget.open()
        page.get_by_role("button", name="Talk to a person").click()
        expect(page.locator(".csa-mode")).to_contain_text("queue", timeout=TIMEOUT)
        conversation_id = widget.stored()["conversationId"]
        console.locator(f'.con-item[data-id="{conversation_id}"]').first.click()
        console.get_by_role("button", name="Take this chat").click()
        expect(page.locator(".csa-mode")).to_contain_text("Sam", timeout=TIMEOUT)
        console.locator("#reply").press_sequentially("Hello")
        expect(page.locator(".csa-typing")).to_contain_text("is typing", timeout=TIMEOUT)
        console.wait_for_timeout(3200)  # past the console's typing-hint throttle
        console.keyboard.press("Control+Enter")
        console.locator("#reply").press_sequentially("x")  # a hint right behind the message
        page.locator(".csa-msg--adviser").wait_for(timeout=TIMEOUT)
        page.wait_for_timeout(800)
        expect(page.locator(".csa-typing")).to_be_hidden()
    finally:
        adviser.close()
        citizen.close()
