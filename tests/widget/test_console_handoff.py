"""Two real browsers, one real stack: a citizen's widget and an adviser's console.

What must hold (issue 5, item 8): the citizen asks for a person → the conversation appears in
the adviser's live queue without a reload → the adviser claims it → messages flow both ways in
real time → the adviser ends it handing back to the bot → the bot answers the citizen again.
The console is usable by keyboard and axe finds nothing in its states.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.widget.conftest import DEMO_PASSWORD, assert_no_axe_violations
from tests.widget.widget_page import WidgetPage

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

TIMEOUT = 30_000


def sign_in(page: Any, gateway: str) -> None:
    """Sign in to the console as the demo adviser, by keyboard."""
    page.goto(f"{gateway}/console")
    page.locator("#username").wait_for()
    assert "username" in str(page.evaluate("() => document.activeElement.id"))
    page.keyboard.type("sam")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#live-status")).to_have_text("Live updates on", timeout=TIMEOUT)


def test_request_queue_claim_chat_hand_back(browser: Any, gateway: str,
                                            shots: Callable[[Any, str], Path]) -> None:
    """The whole handoff, seen from both sides."""
    adviser_ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    citizen_ctx = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        console = adviser_ctx.new_page()
        console.goto(f"{gateway}/console")
        console.locator("#signin-form").wait_for()
        shots(console, "console-sign-in")
        assert_no_axe_violations(console, "console-sign-in")
        console.fill("#username", "sam")
        console.fill("#password", "wrong password")
        console.keyboard.press("Enter")
        expect(console.locator("#signin-error")).to_be_visible()
        assert_no_axe_violations(console, "console-sign-in-error")
        sign_in(console, gateway)

        citizen = citizen_ctx.new_page()
        citizen.goto(f"{gateway}/")
        widget = WidgetPage(citizen)
        widget.open()
        widget.send("Hello")
        citizen.locator(".csa-msg--bot, .csa-msg--system").first.wait_for(timeout=TIMEOUT)
        citizen.get_by_role("button", name="Talk to a person").click()
        expect(citizen.locator(".csa-mode")).to_contain_text("queue", timeout=TIMEOUT)
        conversation_id = widget.stored()["conversationId"]

        item = console.locator(f'#queue-lists .con-item[data-id="{conversation_id}"]')
        item.wait_for(timeout=TIMEOUT)  # pushed over the console WebSocket, no reload
        expect(item).to_contain_text("Asked for a person")
        expect(item).to_contain_text("waiting")
        shots(console, "console-queue")
        assert_no_axe_violations(console, "console-queue")
        item.focus()
        console.keyboard.press("Enter")
        expect(console.locator("#conv-title")).to_be_focused()
        console.get_by_role("button", name="Take this chat").click()
        expect(console.locator("#reply")).to_be_focused()

        expect(citizen.locator(".csa-mode")).to_contain_text("Sam", timeout=TIMEOUT)
        console.locator("#reply").fill("Hello, this is Sam from the council. How can I help?")
        console.keyboard.press("Control+Enter")
        citizen.locator(".csa-msg--adviser").wait_for(timeout=TIMEOUT)
        greeting = "Hello, this is Sam from the council. How can I help?"
        assert widget.messages("adviser") == [greeting]
        widget.wait_live("Hello, this is Sam from the council")

        widget.send("My roof is leaking and I rent from the council")
        roof = console.locator(".con-msg--citizen", has_text="My roof is leaking")
        roof.wait_for(timeout=TIMEOUT)
        console.fill("#note", "Council tenant, roof leak: pass to housing repairs")
        console.get_by_role("button", name="Save note").click()
        console.locator(".con-note", has_text="roof leak").wait_for()
        expect(console.locator("#context")).not_to_be_empty()
        shots(console, "console-conversation")
        shots(citizen, "widget-with-adviser")
        assert_no_axe_violations(console, "console-conversation")
        assert_no_axe_violations(citizen, "widget-with-adviser")
        assert "roof leak" not in citizen.content()  # private notes never reach the citizen

        console.get_by_label("Resolved").check()
        expect(console.get_by_label("Hand the person back to the assistant")).to_be_checked()
        console.get_by_role("button", name="End chat").click()
        expect(console.locator("#holder-tools")).to_be_hidden(timeout=TIMEOUT)
        expect(citizen.locator(".csa-mode")).to_be_hidden(timeout=TIMEOUT)
        expect(citizen.get_by_role("button", name="Talk to a person")).to_be_visible()

        bot_before = citizen.locator(".csa-msg--bot").count()
        widget.send("Hello again")
        citizen.locator(".csa-msg--bot").nth(bot_before).wait_for(timeout=TIMEOUT)
        shots(citizen, "widget-handed-back")
        console.locator(".con-msg--bot").last.wait_for(timeout=TIMEOUT)  # the adviser sees it too

        console.get_by_role("button", name="Callbacks").click()
        console.locator("#callbacks p, #callbacks table").first.wait_for()
        shots(console, "console-callbacks")
        assert_no_axe_violations(console, "console-callbacks")
    finally:
        adviser_ctx.close()
        citizen_ctx.close()
