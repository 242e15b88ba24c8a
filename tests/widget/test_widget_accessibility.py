"""Accessibility of the citizen widget in a real browser, against the stand-in service.

What must hold: axe-core (WCAG 2.2 A/AA and best practice, shadow DOM included) finds no
violation in any state; everything works by keyboard alone with a visible focus and sensible
focus moves; new messages are announced once through the live region; the widget reflows at
320 px wide and at 400 % zoom without horizontal scrolling; reduced motion is respected.
Screenshots of each state are saved to test-results/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.widget.conftest import assert_no_axe_violations, host_page
from tests.widget.widget_page import WidgetPage

pytestmark = pytest.mark.browser

YELLOW = "rgb(255, 221, 0)"


def scripted(text: str) -> list[dict[str, Any]]:
    """Replies that bring the widget into each state the tests need."""
    if text == "bin":
        return [{"role": "bot", "text": "Did you mean one of these?", "buttons": [
            {"title": "Report a missed bin", "payload": "/report_missed_bin"},
            {"title": "Bin collection days", "payload": "/collection_days"}]}]
    if text == "/report_missed_bin":
        return [{"role": "bot", "text": "What is the postcode of the address?", "buttons": [
            {"title": "Stop reporting", "payload": "/stop"}]}]
    if text == "council tax":
        return [{"role": "bot",
                 "text": "You can pay council tax online, by direct debit or by phone.",
                 "sources": [{"title": "Pay your council tax", "heading": "Ways to pay",
                              "url": "https://millbrook.example/council-tax/pay#ways-to-pay",
                              "last_reviewed": "2026-09-14"}]}]
    return [{"role": "bot", "text": f"You said: {text}"}]


def open_page(page: Any, fake: Any, hosts: Any, name: str = "/a11y") -> WidgetPage:
    """A host page (no CSP here: axe is injected into it) with the widget, replies scripted."""
    fake.service.reply = scripted
    page.goto(hosts.add(name, host_page(fake.url)))
    page.locator(".csa-launcher").wait_for()
    return WidgetPage(page)


def conversation(widget: WidgetPage) -> str:
    """The current conversation id."""
    return str(widget.stored()["conversationId"])


def check(page: Any, shots: Callable[[Any, str], Path], state: str) -> None:
    """Screenshot the state, then require zero axe violations in it."""
    shots(page, f"widget-{state}")
    assert_no_axe_violations(page, state)


def test_axe_finds_nothing_in_any_state(page: Any, fake: Any, hosts: Any,
                                        shots: Callable[[Any, str], Path]) -> None:
    """Closed, open, answering, buttons, form question, answer, queue, adviser, error, confirm."""
    widget = open_page(page, fake, hosts)
    check(page, shots, "closed")

    widget.open()
    check(page, shots, "open")

    fake.service.reply_delay = 3.0
    widget.send("council tax")
    page.locator(".csa-typing").wait_for()
    check(page, shots, "answering")
    fake.service.reply_delay = 0.0
    widget.wait_for_count("bot", 1)
    check(page, shots, "answer-with-sources")

    widget.send("bin")
    widget.wait_for_count("bot", 2)
    check(page, shots, "buttons")

    page.get_by_role("button", name="Report a missed bin").click()
    widget.wait_for_count("bot", 3)
    check(page, shots, "form-question")

    cid = conversation(widget)
    service = fake.service
    service.call(service.store(cid, {"role": "system", "text": "You are number 2 in the queue."}))
    service.call(service.push_state(cid, mode="queued", queue_position=2, eta_seconds=240,
                                    wait_text="about 4 minutes"))
    page.get_by_role("button", name="Leave the queue").wait_for()
    check(page, shots, "queue")

    service.call(service.store(cid, {"role": "system", "text": "Sam (adviser) has joined."}))
    service.call(service.push_state(cid, mode="adviser", adviser="Sam", queue_position=None,
                                    eta_seconds=None))
    service.call(service.store(cid, {"role": "adviser", "author": "Sam (adviser)",
                                     "text": "Hello, I'm Sam. How can I help?"}))
    widget.wait_for_count("adviser", 1)
    check(page, shots, "adviser")

    page.locator("#csa-input").fill("x" * 1010)
    page.locator("#csa-input").press("Enter")
    page.locator("#csa-error").wait_for()
    check(page, shots, "too-long")
    page.locator("#csa-input").fill("")

    service.call(service.push_state(cid, mode="bot", adviser=None))
    service.refuse = True
    service.call(service.drop_all())
    page.locator(".csa-down").wait_for(timeout=20_000)
    check(page, shots, "error")
    service.refuse = False
    page.locator(".csa-status--open").wait_for(timeout=20_000)

    page.get_by_role("button", name="Delete this conversation").click()
    check(page, shots, "confirm-clear")


def focus_is_visible(page: Any) -> bool:
    """True when the focused element in the widget shows the yellow focus style."""
    return bool(page.evaluate(
        """yellow => {
            const el = document.querySelector('.csa-host').shadowRoot.activeElement;
            if (!el) return false;
            const s = getComputedStyle(el);
            return s.backgroundColor === yellow || s.outlineColor === yellow
              || s.boxShadow !== 'none';
        }""",
        YELLOW,
    ))


def tab_to(page: Any, widget: WidgetPage, text: str, key: str = "Tab", limit: int = 25) -> None:
    """Press Tab (or Shift+Tab) until the focused widget element's text contains `text`."""
    for _ in range(limit):
        if text in widget.active():
            return
        page.keyboard.press(key)
    raise AssertionError(f"never reached {text!r}; focus is on {widget.active()!r}")


def test_keyboard_only_use(page: Any, fake: Any, hosts: Any,
                          shots: Callable[[Any, str], Path]) -> None:
    """Open, ask, choose a reply, give feedback, ask for a person, close: all by keyboard."""
    widget = open_page(page, fake, hosts)
    tab_to(page, widget, "Ask Millbrook Council")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    assert "textarea" in widget.active()  # focus moves into the message box
    page.keyboard.type("bin")
    page.keyboard.press("Enter")
    widget.wait_for_count("bot", 1)
    tab_to(page, widget, "Bin collection days", key="Shift+Tab")
    assert focus_is_visible(page)
    shots(page, "widget-keyboard-focus-choice")
    page.keyboard.press("Enter")
    assert "textarea" in widget.active()  # back to the box after choosing
    widget.wait_for_count("bot", 2)

    page.keyboard.type("council tax")
    page.keyboard.press("Enter")
    widget.wait_for_count("bot", 3)
    tab_to(page, widget, "Yes", key="Shift+Tab")
    page.keyboard.press("Enter")
    assert "Thank you for your feedback" in widget.active()

    tab_to(page, widget, "Talk to a person", key="Shift+Tab")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert {"type": "handoff", "reason": "requested"} in fake.service.received_frames

    page.keyboard.press("Escape")
    assert page.locator(".csa-panel").is_hidden()
    assert "csa-launcher" in widget.active()  # focus returns to the launcher
    page.keyboard.press("Enter")
    assert "textarea" in widget.active()


def test_new_messages_are_announced_once(page: Any, fake: Any, hosts: Any) -> None:
    """The live region holds only the newest message or state change, never the history."""
    widget = open_page(page, fake, hosts)
    widget.open()
    widget.send("hello")
    widget.wait_live("Assistant said: You said: hello")
    cid = conversation(widget)
    fake.service.call(fake.service.push_state(cid, mode="queued", queue_position=3,
                                              eta_seconds=600, wait_text="about 10 minutes"))
    widget.wait_live("You are number 3 in the queue. The wait is about 10 minutes.")
    assert "hello" not in widget.live()
    page.reload()
    widget.wait_for_count("bot", 1)
    page.wait_for_timeout(500)
    assert "hello" not in widget.live()
    role = page.locator(".csa-scroll").get_attribute("role")
    assert role == "region"  # the log itself is not a live region (no re-reading on reload)


@pytest.mark.parametrize(("width", "height", "name"), [(320, 640, "mobile-320"),
                                                       (320, 256, "zoom-400")])
def test_reflows_without_horizontal_scrolling(browser: Any, fake: Any, hosts: Any,
                                              shots: Callable[[Any, str], Path],
                                              width: int, height: int, name: str) -> None:
    """At 320 CSS px (a phone, or 1280 px at 400 % zoom) nothing scrolls sideways."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        widget = open_page(page, fake, hosts, name=f"/{name}")
        widget.open()
        long_word = "https://millbrook.example/" + "very-long-path-segment-" * 8
        widget.send(f"Please look at {long_word} and tell me")
        widget.wait_for_count("bot", 1)
        widget.send("council tax")
        widget.wait_for_count("bot", 2)
        shots(page, f"widget-{name}")
        overflow = page.evaluate(
            """() => {
                const root = document.querySelector('.csa-host').shadowRoot;
                const wide = [...root.querySelectorAll('*')].filter(
                  el => el.getBoundingClientRect().right > window.innerWidth + 0.5
                        && getComputedStyle(el).position !== 'absolute');
                return {doc: document.documentElement.scrollWidth - window.innerWidth,
                        panel: root.querySelector('.csa-panel').scrollWidth
                               - root.querySelector('.csa-panel').clientWidth,
                        wide: wide.map(el => el.className)};
            }"""
        )
        assert overflow == {"doc": 0, "panel": 0, "wide": []}
        box = page.locator("#csa-input")
        box.scroll_into_view_if_needed()
        assert box.is_visible()
        assert_no_axe_violations(page, name)
    finally:
        context.close()


def test_reduced_motion_is_respected(browser: Any, fake: Any, hosts: Any) -> None:
    """With prefers-reduced-motion the panel appears without animation."""
    for motion, expected in (("reduce", "none"), ("no-preference", "csa-rise")):
        context = browser.new_context(reduced_motion=motion)
        try:
            page = context.new_page()
            widget = open_page(page, fake, hosts, name=f"/motion-{motion}")
            widget.open()
            panel = page.locator(".csa-panel")
            animation = panel.evaluate("p => getComputedStyle(p).animationName")
            assert animation == expected
        finally:
            context.close()
