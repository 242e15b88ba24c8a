"""Asking for a person out of hours, in the widget, against the real stack (issue 14, item 3,
and item 1's "banners must not cut off the callback buttons").

What must hold: with the admin's schedule closed today, "I want to talk to a person" is
answered once and truthfully: advisers are closed, when they are back (tomorrow at 9am by
that schedule), the phone line with the schedule's hours, and the offer of a call back. No
message promises an adviser first. The "Yes, call me back" button is not covered or cut off
on a desktop, at 320 px and at 200 % zoom. axe finds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.widget.conftest import DEMO_PASSWORD, assert_no_axe_violations
from tests.widget.widget_page import WidgetPage

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

BOT_TIMEOUT = 60_000
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS_OPEN = {"weekly": {day: [["00:00", "24:00"]] for day in DAYS}, "bank_holidays": []}
# (name, viewport, device scale): 200 % zoom on a 1280 x 900 screen is 640 x 450 CSS pixels
SCREENS = [("desktop", {"width": 1280, "height": 900}, 1),
           ("320px", {"width": 320, "height": 640}, 1),
           ("zoom-200", {"width": 640, "height": 450}, 2)]


def admin_client(gateway: str) -> httpx.Client:
    """A signed-in admin (the demo account 'ada'), sending the CSRF header as the console does."""
    client = httpx.Client(base_url=gateway, timeout=30)
    login = client.post("/api/console/login", json={"username": "ada", "password": DEMO_PASSWORD})
    assert login.status_code == 200, login.text
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    return client


@pytest.fixture
def closed_today(gateway: str) -> Iterator[dict[str, Any]]:
    """The admin's schedule: every day 9am to 5pm, but today is a bank holiday."""
    today = datetime.now(ZoneInfo("Europe/London")).date().isoformat()
    schedule = {"weekly": {day: [["09:00", "17:00"]] for day in DAYS}, "bank_holidays": [today]}
    client = admin_client(gateway)
    try:
        saved = client.put("/api/console/schedule", content=json.dumps(schedule),
                           headers={"Content-Type": "application/json"})
        assert saved.status_code == 200, saved.text
        yield saved.json()
    finally:
        client.put("/api/console/schedule", content=json.dumps(ALWAYS_OPEN),
                   headers={"Content-Type": "application/json"})
        client.close()


def test_out_of_hours_says_closed_once_with_when_and_alternatives(
        browser: Any, gateway: str, closed_today: dict[str, Any],
        shots: Callable[[Any, str], Path]) -> None:
    for name, viewport, scale in SCREENS:
        context = browser.new_context(viewport=viewport, device_scale_factor=scale)
        try:
            page = context.new_page()
            page.goto(f"{gateway}/")
            widget = WidgetPage(page)
            widget.open()
            widget.send("I want to talk to a person")
            yes = page.get_by_role("button", name="Yes, call me back")
            yes.wait_for(state="attached", timeout=BOT_TIMEOUT)
            page.wait_for_timeout(500)
            replies = [t for t in widget.messages("system") + widget.messages("bot")]
            said = " ".join(replies)
            closed = [t for t in replies if "closed" in t]
            assert len(closed) == 1, replies
            assert "back tomorrow at 9am" in closed[0]
            assert "01632 960 000" in closed[0] and closed_today["hours_text"] in closed[0]
            assert "call you back" in closed[0]
            assert "find an adviser" not in said and "no advisers are free" not in said.lower()
            # the out-of-hours banner no longer repeats it (and takes no space)
            expect(page.locator(".csa-mode")).to_be_hidden()
            # the start of the answer is in view; the callback button can be reached uncovered
            first = page.locator(".csa-msg--system", has_text="closed").last
            area = page.locator(".csa-panel").bounding_box()
            assert area and first.bounding_box()["y"] >= area["y"] - 1
            yes.scroll_into_view_if_needed()
            button = yes.bounding_box()
            assert button is not None
            centre = (button["x"] + button["width"] / 2, button["y"] + button["height"] / 2)
            hit = page.evaluate(
                """([x, y]) => {
                    const root = document.querySelector('.csa-host').shadowRoot;
                    const el = root.elementFromPoint(x, y);
                    return el ? el.textContent.trim() : '';
                }""", list(centre))
            assert hit == "Yes, call me back", f"{name}: the button is covered by {hit!r}"
            assert button["y"] >= 0 and button["y"] + button["height"] <= viewport["height"]
            shots(page, f"widget-out-of-hours-{name}")
            if name == "desktop":
                shots(page, "widget-out-of-hours")
                assert_no_axe_violations(page, "widget-out-of-hours")
        finally:
            context.close()
