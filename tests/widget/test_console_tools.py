"""The console's other tools against the real stack: saved replies, transfer, ending without
handing back, and the callbacks list.

What must hold: a saved reply can be made and inserted; a transferred chat goes back to waiting
in the chosen queue (and the citizen is told); ending without hand back closes the adviser part;
callback requests are listed with every field as plain text and can be marked done.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from playwright.sync_api import expect

from tests.widget.conftest import assert_no_axe_violations
from tests.widget.test_console_handoff import TIMEOUT, sign_in
from tests.widget.widget_page import WidgetPage

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def stack_redis(request: pytest.FixtureRequest) -> tuple[redis.Redis, str]:
    """The stack's Redis and key prefix (WIDGET_TEST_REDIS_URL/_PREFIX for a stack of your own)."""
    url = os.environ.get("WIDGET_TEST_REDIS_URL") or request.getfixturevalue("redis_url")
    prefix = os.environ.get("WIDGET_TEST_REDIS_PREFIX", "csa:")
    return redis.Redis.from_url(url, decode_responses=True), prefix


def test_saved_reply_transfer_and_end_without_hand_back(browser: Any, gateway: str,
                                                        shots: Callable[[Any, str], Path]) -> None:
    """Claim, insert a saved reply, transfer to housing, claim again, end as referred."""
    adviser_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    citizen_ctx = browser.new_context()
    try:
        console = adviser_ctx.new_page()
        sign_in(console, gateway)
        citizen = citizen_ctx.new_page()
        citizen.goto(f"{gateway}/")
        widget = WidgetPage(citizen)
        widget.open()
        citizen.get_by_role("button", name="Talk to a person").click()
        expect(citizen.locator(".csa-mode")).to_contain_text("queue", timeout=TIMEOUT)
        conversation_id = widget.stored()["conversationId"]

        console.locator(f'.con-item[data-id="{conversation_id}"]').click(timeout=TIMEOUT)
        console.get_by_role("button", name="Take this chat").click()
        expect(console.locator("#reply")).to_be_focused()

        console.locator("#canned-box summary").click()
        title = f"Repairs line {int(time.time())}"
        console.fill("#canned-title", title)
        console.fill("#canned-text", "You can report a repair by phone on 0300 123 4599.")
        console.get_by_role("button", name="Save reply").click()
        console.get_by_role("button", name=f"Insert: {title}").click()
        expect(console.locator("#reply")).to_have_value(
            "You can report a repair by phone on 0300 123 4599.")
        console.get_by_role("button", name="Send reply").click()
        citizen.locator(".csa-msg--adviser", has_text="0300 123 4599").wait_for(timeout=TIMEOUT)

        console.select_option("#transfer-queue", "housing")
        console.get_by_role("button", name="Transfer").click()
        housing = console.locator(f'#queue-lists ul[aria-labelledby="queue-housing"] '
                                  f'.con-item[data-id="{conversation_id}"]')
        housing.wait_for(timeout=TIMEOUT)
        expect(console.locator("#holder-tools")).to_be_hidden()
        expect(citizen.locator(".csa-mode")).to_contain_text("queue", timeout=TIMEOUT)
        shots(console, "console-transferred")

        housing.click()
        console.get_by_role("button", name="Take this chat").click()
        console.get_by_label("Referred elsewhere").check()
        console.get_by_label("Hand the person back to the assistant").uncheck()
        console.get_by_role("button", name="End chat").click()
        expect(console.locator("#holder-tools")).to_be_hidden(timeout=TIMEOUT)
        expect(citizen.locator(".csa-mode")).to_contain_text("The adviser has ended the chat",
                                                             timeout=TIMEOUT)
        shots(citizen, "widget-closed-by-adviser")
    finally:
        adviser_ctx.close()
        citizen_ctx.close()


def test_callbacks_are_listed_as_text_and_marked_done(page: Any, gateway: str,
                                                      stack_redis: tuple[redis.Redis, str],
                                                      shots: Callable[[Any, str], Path]) -> None:
    """A callback request (as the bot's callback form stores it) shows up and can be closed."""
    client, prefix = stack_redis
    callback_id = f"cb{int(time.time() * 1000)}"
    # Unique: other tests on the same stack (the bot's callback journey) store callbacks too.
    phone = f"07700 9{int(time.time() * 1000) % 100000:05d}"
    hostile = '<img src=x onerror="window.__pwned=1">Ann'
    client.hset(f"{prefix}callback:{callback_id}", mapping={
        "conversation_id": "A" * 32, "name": hostile, "phone": phone,
        "created": str(time.time()), "preferred_time": "Tuesday morning",
    })
    client.zadd(f"{prefix}callbacks", {callback_id: time.time()})
    try:
        sign_in(page, gateway)
        page.get_by_role("button", name="Callbacks").click()
        row = page.locator("#callbacks tr", has_text=phone)
        row.wait_for()
        expect(row).to_contain_text(hostile)  # shown as text
        expect(row).to_contain_text("Tuesday morning")  # in its own "Best time" column
        assert page.evaluate("() => window.__pwned") is None
        shots(page, "console-callbacks-list")
        row.get_by_role("button", name="Mark as done").click()
        expect(page.locator("#callbacks tr", has_text=phone)).to_have_count(0)
        assert client.hget(f"{prefix}callback:{callback_id}", "status") == "done"
        assert client.hget(f"{prefix}callback:{callback_id}", "handled_by") == "sam"
    finally:
        client.delete(f"{prefix}callback:{callback_id}")
        client.zrem(f"{prefix}callbacks", callback_id)


def test_console_reflows_at_320_px(browser: Any, gateway: str,
                                   shots: Callable[[Any, str], Path]) -> None:
    """At 320 CSS px (400 % zoom) the console stacks into one column with no sideways scrolling."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        sign_in(page, gateway)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth")
        shots(page, "console-320")
        assert overflow <= 0
        assert_no_axe_violations(page, "console-320")
    finally:
        context.close()
