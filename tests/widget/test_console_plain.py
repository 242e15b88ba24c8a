"""The advisers' console in plain words, priority first, and the admins' opening hours, against
the real stack (issue 14, items 8, 9 and 10).

What must hold:
- the context panel says what the citizen said and what the assistant took it to mean, and
  what guidance it offered, with no internal names (intents, slots, percentages);
- a priority (safety) chat is listed first, above every queue, and marked in words, even when
  an ordinary chat has waited longer;
- callbacks are a table with a column per detail, priority first, each linked to its chat;
- an admin edits the weekly hours and bank holidays (a bad date is refused with a linked
  error and nothing saved); the citizen-facing hours follow at once; advisers cannot edit.
axe finds nothing in these states.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from playwright.sync_api import expect

from tests.widget.conftest import DEMO_PASSWORD, assert_no_axe_violations
from tests.widget.test_console_handoff import TIMEOUT, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKLY: dict[str, list[list[str]]] = {day: [["00:00", "23:59"]] for day in DAYS}
ALWAYS_OPEN: dict[str, object] = {"weekly": WEEKLY, "bank_holidays": []}
INTERNAL = ("ask_question", "request_human", "failed_attempts", "last_article_id",
            "requested_slot", "last_topic", "%")


@pytest.fixture
def stack_redis(request: pytest.FixtureRequest) -> tuple[redis.Redis, str]:
    """The stack's Redis and key prefix (WIDGET_TEST_REDIS_URL/_PREFIX for a stack of your own)."""
    url = os.environ.get("WIDGET_TEST_REDIS_URL") or request.getfixturevalue("redis_url")
    prefix = os.environ.get("WIDGET_TEST_REDIS_PREFIX", "csa:")
    return redis.Redis.from_url(url, decode_responses=True), prefix


@pytest.fixture
def citizen_api(gateway: str) -> Iterator[httpx.Client]:
    """The citizen HTTP API (the widget's WebSocket has the same effect)."""
    with httpx.Client(base_url=gateway, timeout=60) as client:
        yield client


def start(citizen: httpx.Client, *texts: str) -> str:
    """A new conversation with these citizen messages; returns its id."""
    conversation_id = str(citizen.post("/api/conversations", json={}).json()["conversation_id"])
    for text in texts:
        assert citizen.post(f"/api/conversations/{conversation_id}/messages",
                            json={"text": text}).status_code == 200
    return conversation_id


def staff(gateway: str, username: str) -> httpx.Client:
    """A signed-in console user sending the CSRF header, as the console pages do."""
    client = httpx.Client(base_url=gateway, timeout=30)
    login = client.post("/api/console/login",
                        json={"username": username, "password": DEMO_PASSWORD})
    assert login.status_code == 200, login.text
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    return client


def test_context_in_plain_words_and_priority_first(browser: Any, gateway: str,
                                                   citizen_api: httpx.Client,
                                                   shots: Callable[[Any, str], Path]) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        console = context.new_page()
        sign_in(console, gateway)  # an adviser online: handoffs are queued
        calm = start(citizen_api, "how do I renew my passport")
        assert citizen_api.post(f"/api/conversations/{calm}/handoff",
                                json={"reason": "requested"}).json()["mode"] == "queued"
        urgent = start(citizen_api, "my partner hits me and I am scared to go home")
        turn = citizen_api.post(f"/api/conversations/{urgent}/messages", json={"text": "/affirm"})
        assert turn.json()["mode"] == "queued", turn.text
        state = citizen_api.get(f"/api/conversations/{urgent}/state").json()
        assert state["queue_position"] == 1  # ahead of the chat that waited longer

        first = console.locator("#priority .con-item").first
        expect(first).to_have_attribute("data-id", urgent, timeout=TIMEOUT)
        expect(first).to_contain_text("Priority")
        ordinary = console.locator(f'#queue-lists .con-item[data-id="{calm}"]')
        ordinary.wait_for(timeout=TIMEOUT)
        assert first.bounding_box()["y"] < ordinary.bounding_box()["y"]  # first on screen too
        shots(console, "console-priority-first")
        assert_no_axe_violations(console, "console-priority-first")

        ordinary.click()
        panel = console.locator("#context")
        expect(panel).to_contain_text("how do I renew my passport", timeout=TIMEOUT)
        expect(panel).to_contain_text("Guidance the assistant offered")
        expect(panel).to_contain_text("passport")
        text = panel.inner_text()
        assert " — " in text  # what they said, then what the assistant took it to mean
        for name in INTERNAL:
            assert name not in text, f"{name!r} shown to advisers:\n{text}"
        shots(console, "console-context-plain")
        assert_no_axe_violations(console, "console-context-plain")
    finally:
        context.close()
        for cid in (locals().get("calm"), locals().get("urgent")):
            if cid:
                citizen_api.post(f"/api/conversations/{cid}/leave_queue")


def test_callbacks_table_priority_first_linked_to_the_chat(
        page: Any, gateway: str, citizen_api: httpx.Client,
        stack_redis: tuple[redis.Redis, str], shots: Callable[[Any, str], Path]) -> None:
    client, prefix = stack_redis
    ordinary_chat = start(citizen_api, "please call me about my council tax")
    safety_chat = start(citizen_api, "hello")
    client.hset(f"{prefix}conv:{safety_chat}", mapping={"priority": "1", "reason": "safety"})
    stamp = int(time.time() * 1000)
    made = []
    # the bot's callback form writes these fields; the safety one is OLDER but must come first
    requests = [(safety_chat, 600, "safety"), (ordinary_chat, 0, "general")]
    for n, (chat, age, topic) in enumerate(requests):
        callback_id = f"cbt{stamp}{n}"
        client.hset(f"{prefix}callback:{callback_id}", mapping={
            "reference": f"CB-T{stamp % 100000:05d}{n}", "name": f"Caller {n} {stamp}",
            "phone": f"07700 9{(stamp + n) % 100000:05d}", "preferred_time": "Morning",
            "consent": "yes", "conversation_id": chat, "topic": topic,
            "created": str(time.time() - age), "status": "open"})
        client.zadd(f"{prefix}callbacks", {callback_id: time.time() - age})
        made.append(callback_id)
    try:
        sign_in(page, gateway)
        page.get_by_role("button", name="Callbacks").click()
        rows = page.locator("#callbacks tbody tr")
        expect(rows.first).to_contain_text(f"Caller 0 {stamp}", timeout=TIMEOUT)
        expect(rows.first).to_contain_text("Priority")
        headers = page.locator("#callbacks thead th").all_inner_texts()
        assert headers[:5] == ["Reference", "Requested", "Name", "Phone", "Best time"], headers
        row = page.locator("#callbacks tr", has_text=f"Caller 1 {stamp}")
        assert ":" not in row.locator("td").nth(3).inner_text()  # no raw key: value text
        shots(page, "console-callbacks-table")
        assert_no_axe_violations(page, "console-callbacks-table")
        row.get_by_role("button", name="Open the chat").click()
        expect(page.locator("#conv-title")).to_be_focused(timeout=TIMEOUT)
        expect(page.locator("#transcript")).to_contain_text("please call me about my council tax")
    finally:
        for callback_id in made:
            client.delete(f"{prefix}callback:{callback_id}")
            client.zrem(f"{prefix}callbacks", callback_id)


def test_admin_edits_opening_hours_and_bank_holidays(
        browser: Any, gateway: str, shots: Callable[[Any, str], Path]) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    admin = staff(gateway, "ada")
    try:
        adviser = staff(gateway, "sam")
        refused = adviser.put("/api/console/schedule", content=json.dumps(ALWAYS_OPEN),
                              headers={"Content-Type": "application/json"})
        assert refused.status_code == 403  # advisers cannot change the hours
        adviser.close()
        # an evening period set through the API: the form edits each day's first period and
        # keeps the others
        two_periods = {**ALWAYS_OPEN, "weekly": {**WEEKLY,
                                                 "wed": [["09:00", "12:00"], ["18:00", "20:00"]]}}
        assert admin.put("/api/console/schedule", content=json.dumps(two_periods),
                         headers={"Content-Type": "application/json"}).status_code == 200
        page = context.new_page()
        sign_in(page, gateway)
        expect(page.get_by_role("button", name="Opening hours")).to_be_hidden()
        page.get_by_role("button", name="Sign out").click()
        page.fill("#username", "ada")
        page.fill("#password", DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Opening hours").click()
        expect(page.locator("#sched-mon-open")).to_be_checked(timeout=TIMEOUT)
        expect(page.locator("#sched-wed-extra")).to_contain_text("18:00–20:00")
        before = admin.get("/api/console/schedule").json()

        page.locator("#sched-sun-open").uncheck()
        page.locator("#sched-sat-from").fill("10:00")
        page.locator("#sched-sat-to").fill("14:00")
        for day in ("mon", "tue", "wed", "thu", "fri"):
            page.locator(f"#sched-{day}-from").fill("09:00")
            page.locator(f"#sched-{day}-to").fill("17:00")
        page.locator("#sched-holidays").fill("2026-12-25\n2026-13-40")
        page.get_by_role("button", name="Save opening hours").click()
        errors = page.locator("#schedule-errors")
        expect(errors).to_be_focused()
        expect(errors).to_contain_text("2026-13-40")
        assert admin.get("/api/console/schedule").json() == before  # nothing saved
        assert_no_axe_violations(page, "console-opening-hours-error")
        errors.get_by_role("link").first.click()
        expect(page.locator("#sched-holidays")).to_be_focused()

        page.locator("#sched-holidays").fill("2026-12-25\n2026-12-28")
        page.get_by_role("button", name="Save opening hours").click()
        saved = page.locator("#schedule-saved")
        expect(saved).to_be_focused(timeout=TIMEOUT)
        words = ("Monday and Tuesday, 9am to 5pm; Wednesday, 9am to 5pm and 6pm to 8pm; "
                 "Thursday and Friday, 9am to 5pm; Saturday, 10am to 2pm, closed on bank holidays")
        expect(saved).to_contain_text(words)
        shots(page, "console-opening-hours")
        assert_no_axe_violations(page, "console-opening-hours-saved")
        stored = admin.get("/api/console/schedule").json()
        assert stored["weekly"]["sun"] == [] and stored["weekly"]["sat"] == [["10:00", "14:00"]]
        assert stored["weekly"]["wed"] == [["09:00", "17:00"], ["18:00", "20:00"]]
        assert stored["bank_holidays"] == ["2026-12-25", "2026-12-28"]
        info = httpx.get(f"{gateway}/api/service-info", timeout=10).json()
        assert info["opening_hours"] == words  # what citizens and the phone-line text show
    finally:
        admin.put("/api/console/schedule", content=json.dumps(ALWAYS_OPEN),
                  headers={"Content-Type": "application/json"})
        admin.close()
        context.close()
