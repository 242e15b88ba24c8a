"""The citizen widget against the real stack (gateway + Rasa + action server + Redis).

What must hold: a visitor can hold a whole conversation (answers with sources and review
dates, quick replies, feedback, asking for a person); the conversation survives a reload and
a restart of the gateway with nothing lost or doubled; the widget works when embedded on a
plain page from another origin that the gateway allows (and not from one it does not);
without JavaScript the page offers the contact page. axe finds nothing in these states.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.widget.conftest import HostPages, assert_no_axe_violations, host_page, strict_csp
from tests.widget.widget_page import WidgetPage

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

BOT_TIMEOUT = 60_000


def transcript(gateway: str, conversation_id: str) -> list[dict[str, Any]]:
    """Every stored message, from the gateway's history endpoint."""
    response = httpx.get(f"{gateway}/api/conversations/{conversation_id}/messages", timeout=10)
    response.raise_for_status()
    return list(response.json()["messages"])


def replies(widget: WidgetPage) -> int:
    """How many non-citizen messages are shown."""
    return int(widget.page.locator(".csa-msg:not(.csa-msg--citizen)").count())


def wait_for_reply(widget: WidgetPage, before: int) -> None:
    """Wait until a bot/system message arrives after `before` of them were shown."""
    widget.page.locator(".csa-msg:not(.csa-msg--citizen)").nth(before).wait_for(timeout=BOT_TIMEOUT)


def test_full_conversation(page: Any, gateway: str, shots: Callable[[Any, str], Path]) -> None:
    """Greeting, a guidance answer with sources, feedback, a form question, then a person."""
    page.goto(f"{gateway}/")
    widget = WidgetPage(page)
    assert page.locator("[data-assistant-fallback]").is_hidden()
    assert_no_axe_violations(page, "gateway-closed")
    widget.open()

    bots = page.locator(".csa-msg--bot").count()
    widget.send("How do I pay my council tax?")
    page.locator(".csa-msg--bot").nth(bots).wait_for(timeout=BOT_TIMEOUT)
    page.locator(".csa-typing").wait_for(state="hidden", timeout=BOT_TIMEOUT)
    shots(page, "gateway-answer")
    answer = page.locator(".csa-msg--bot").last
    sources = page.locator(".csa-sources a")
    if sources.count():  # a guidance answer: source links and a review date, opened safely
        assert sources.first.get_attribute("rel") == "noopener noreferrer"
        assert "Last reviewed" in page.locator(".csa-sources").first.inner_text()
    choices = page.locator(".csa-choice:not([disabled])")
    if page.locator(".csa-feedback").count():  # the widget's own helpful / not helpful
        page.locator(".csa-feedback").last.get_by_role("button", name="Yes").click()
        page.locator(".csa-feedback__thanks").wait_for()
    elif choices.count():  # the bot's quick replies ("That helped", or "did you mean")
        chosen = choices.first.inner_text()
        choices.first.click()
        page.locator(".csa-msg--bot").nth(bots + 1).wait_for(timeout=BOT_TIMEOUT)
        assert widget.messages("citizen")[-1] == chosen  # shown as its title, not its payload
    assert answer.inner_text()
    assert_no_axe_violations(page, "gateway-answer")

    before = replies(widget)
    widget.send("My bin was not collected")
    wait_for_reply(widget, before)
    page.locator(".csa-typing").wait_for(state="hidden", timeout=BOT_TIMEOUT)
    shots(page, "gateway-form-question")
    assert_no_axe_violations(page, "gateway-form-question")

    notices = page.locator(".csa-msg--system").count()
    page.get_by_role("button", name="Talk to a person").click()
    # queued (with the banner) or, with nobody online, told once in the conversation why not
    page.locator(".csa-msg--system").nth(notices).wait_for(timeout=BOT_TIMEOUT)
    shots(page, "gateway-handoff")
    assert_no_axe_violations(page, "gateway-handoff")

    conversation_id = widget.stored()["conversationId"]
    stored = transcript(gateway, conversation_id)
    citizen = [m["text"] for m in stored if m["role"] == "citizen"]
    assert "How do I pay my council tax?" in citizen and "My bin was not collected" in citizen
    shown = widget.messages("citizen")
    assert len(shown) == len(citizen)  # nothing doubled, nothing missing


def test_reload_and_gateway_restart_lose_nothing(page: Any, gateway: str, live_stack: Any,
                                                 shots: Callable[[Any, str], Path]) -> None:
    """Reload restores the conversation; during a gateway restart typed messages wait, go once."""
    page.goto(f"{gateway}/")
    widget = WidgetPage(page)
    widget.open()
    widget.send("hello")
    wait_for_reply(widget, 0)
    shown_before = widget.messages()
    conversation_id = widget.stored()["conversationId"]

    page.reload()
    page.locator(".csa-msg").nth(len(shown_before) - 1).wait_for()
    assert widget.messages()[: len(shown_before)] == shown_before

    live_stack.stop_process("gateway")
    try:
        page.locator(".csa-status--reconnecting, .csa-status--down").wait_for(timeout=20_000)
        widget.send("thank you")
        assert page.locator(".csa-msg--pending").count() == 1
        shots(page, "gateway-reconnecting")
    finally:
        live_stack.start_process("gateway")
    page.locator(".csa-status--open").wait_for(timeout=30_000)
    page.locator(".csa-msg--pending").wait_for(state="detached", timeout=BOT_TIMEOUT)
    before = replies(widget)
    widget.send("goodbye")
    wait_for_reply(widget, before)

    citizen = [m["text"] for m in transcript(gateway, conversation_id) if m["role"] == "citizen"]
    assert citizen == ["hello", "thank you", "goodbye"]
    assert widget.messages("citizen") == citizen


def test_embedded_on_another_origin(page: Any, gateway: str, hosts: HostPages,
                                    shots: Callable[[Any, str], Path]) -> None:
    """A plain page on an allowed second origin, with a strict CSP, can use the widget."""
    csp = {"Content-Security-Policy": strict_csp(gateway)}
    page.goto(hosts.add("/embedded", host_page(gateway), csp))
    widget = WidgetPage(page)
    widget.open()
    widget.send("Hello")
    wait_for_reply(widget, 0)
    shots(page, "gateway-cross-origin")
    assert page.errors == []


def test_not_embedded_on_a_disallowed_origin(page: Any, gateway: str) -> None:
    """From an origin the gateway does not allow, the module is refused and the fallback stays."""
    other = HostPages()
    try:
        page.goto(other.add("/not-allowed", host_page(gateway)))
        page.wait_for_timeout(1500)
        assert page.locator(".csa-launcher").count() == 0
        assert page.get_by_role("link", name="Contact the council").is_visible()
    finally:
        other.stop()


def test_gateway_page_without_javascript(browser: Any, gateway: str) -> None:
    """The demo page without scripting links to a contact page that exists."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{gateway}/")
        link = page.locator("[data-assistant-fallback] a")
        assert link.is_visible()
        assert page.locator(".csa-launcher").count() == 0
        page.goto(f"{gateway}{link.get_attribute('href')}")
        assert page.get_by_role("heading", level=1).inner_text() == "Contact the council"
    finally:
        context.close()
