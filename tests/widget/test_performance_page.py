"""The performance page and the satisfaction question in a real browser, on the real stack
(gateway + Rasa + action server + Redis, Debian's Chromium through Playwright).

What must hold: a citizen who got an answer from the guidance is asked "Did you get what you
came for?" in the widget, and the answer (with a comment, stored without the email in it) is
counted; a manager signs in on the performance page, changes the period and reads a chart's
data table, which shows exactly what the figures API says; the page has no axe violations and
no sideways scrolling at 320 px; an adviser is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.widget.conftest import DEMO_PASSWORD, assert_no_axe_violations
from tests.widget.widget_page import WidgetPage

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

BOT_TIMEOUT = 60_000


def sign_in(page: Any, gateway: str, username: str) -> None:
    """Open /performance signed out and sign in with the page's own form."""
    page.goto(f"{gateway}/performance")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def figures(page: Any, gateway: str, start: str, end: str) -> dict[str, Any]:
    """The figures API, called with the page's session."""
    response = page.request.get(f"{gateway}/api/performance?start={start}&end={end}")
    assert response.ok, response.text()
    return dict(response.json()["current"])


def test_survey_answer_is_counted_on_the_page(browser: Any, gateway: str,
                                              shots: Callable[[Any, str], Path]) -> None:
    """Widget: answer, survey "Partly" with a comment; page: one more "Partly" than before."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    manager = browser.new_context()
    citizen = browser.new_context()
    try:
        staff = manager.new_page()
        sign_in(staff, gateway, "meg")
        staff.locator("#period-words").wait_for()
        before = figures(staff, gateway, today, today)

        page = citizen.new_page()
        page.goto(f"{gateway}/")
        widget = WidgetPage(page)
        widget.open()
        widget.send("How do I pay my council tax?")
        survey = page.locator(".csa-survey")
        survey.wait_for(state="visible", timeout=BOT_TIMEOUT)
        assert_no_axe_violations(page, "widget-survey")
        survey.get_by_role("button", name="Partly").click()
        survey.get_by_label("Anything to add? (optional)").fill(
            "Mostly fine, email me at pat@example.org")
        survey.get_by_role("button", name="Send").click()
        page.locator(".csa-survey__thanks").wait_for(state="visible")
        shots(page, "widget-survey-thanks")

        after = figures(staff, gateway, today, today)
        assert after["survey"]["partly"] == before["survey"]["partly"] + 1
        assert after["conversations"] == before["conversations"] + 1
        staff.goto(f"{gateway}/performance?start={today}&end={today}")
        row = staff.locator("#survey-table tr", has_text="Partly")
        assert row.locator("td").first.inner_text() == str(after["survey"]["partly"])
    finally:
        manager.close()
        citizen.close()


def test_manager_changes_the_period_and_reads_a_chart_table(
        browser: Any, gateway: str, shots: Callable[[Any, str], Path]) -> None:
    """The period form changes the figures; the conversations chart's table matches the API."""
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, gateway, "meg")
        page.locator("#period-words").wait_for()
        assert_no_axe_violations(page, "performance-default")
        today = dt.datetime.now(dt.UTC).date()
        start = (today - dt.timedelta(days=6)).isoformat()
        page.get_by_label("From").fill(start)
        page.get_by_label("To").fill(today.isoformat())
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(f"**/performance?start={start}&end={today.isoformat()}")
        assert "(7 days)" in page.locator("#period-words").inner_text()
        page.get_by_text("Table of conversations per day").click()
        table = page.locator("#chart-conversations-table")
        table.wait_for(state="visible")
        rows = table.locator("tbody tr")
        assert rows.count() == 7
        shown = {rows.nth(i).locator("th").inner_text():
                 int(rows.nth(i).locator("td").first.inner_text().replace(",", ""))
                 for i in range(7)}
        api = page.request.get(f"{gateway}/api/performance?start={start}&end={today}").json()
        assert sum(shown.values()) == api["current"]["conversations"]
        assert shown[today.isoformat()] >= 1  # the conversations of this test run
        shots(page, "performance-week")
        assert_no_axe_violations(page, "performance-week-table")
    finally:
        context.close()


def test_page_reflows_at_320_px_and_refuses_advisers(browser: Any, gateway: str,
                                                     shots: Callable[[Any, str], Path]) -> None:
    """At 320 CSS px nothing scrolls sideways; an adviser sees that the role does not allow it."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        sign_in(page, gateway, "meg")
        page.locator("#period-words").wait_for()
        page.locator("#saving").wait_for()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        shots(page, "performance-320")
        assert overflow <= 0
        assert_no_axe_violations(page, "performance-320")
    finally:
        context.close()
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, gateway, "sam")
        page.get_by_text("Your role does not allow this page").wait_for()
    finally:
        context.close()
