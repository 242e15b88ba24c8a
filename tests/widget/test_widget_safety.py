"""Front-end behaviour against the stand-in service: safe rendering, strict CSP, controls.

Marked `browser`: each test drives Debian's Chromium. The host page is served from a
second origin with a strict Content-Security-Policy that also requires Trusted Types, so
any innerHTML/eval in the widget would throw and fail the test.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.widget.conftest import host_page, strict_csp
from tests.widget.widget_page import WidgetPage

pytestmark = pytest.mark.browser

XSS = [
    "<script>window.__pwned = 'script'</script>",
    '<img src=x onerror="window.__pwned = \'img\'">',
    '"><svg onload="window.__pwned = \'svg\'">',
    "javascript:window.__pwned='link'",
]

CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def embed(page: Any, fake: Any, hosts: Any, name: str = "/page", **kwargs: Any) -> WidgetPage:
    """Open a strict-CSP host page on the second origin that embeds the widget."""
    service = fake.url
    csp = {"Content-Security-Policy": strict_csp(service)}
    url = hosts.add(name, host_page(service, **kwargs), csp)
    page.add_init_script(CSP_WATCH)
    page.goto(url)
    return WidgetPage(page)


def hostile_reply(text: str) -> list[dict[str, Any]]:
    """A bot reply carrying the visitor's text, hostile sources and hostile buttons."""
    return [{
        "role": "bot",
        "text": f"You wrote {text}",
        "sources": [
            {"title": "<b>Safe</b> guide", "url": "https://council.example/bins#report",
             "heading": "Report it", "last_reviewed": "2026-10-01"},
            {"title": "Script link", "url": "javascript:window.__pwned='source'"},
            {"title": "Data link", "url": "data:text/html,<script>alert(1)</script>"},
            {"title": "Plain http link", "url": "http://evil.example/"},
        ],
        "buttons": [{"title": "<img src=x onerror=\"window.__pwned='button'\">",
                     "payload": "/affirm"}],
    }]


def test_hostile_text_is_shown_literally_and_never_runs(page: Any, fake: Any, hosts: Any) -> None:
    """Script, img onerror and svg onload, from the visitor or the service, stay text."""
    fake.service.reply = hostile_reply
    widget = embed(page, fake, hosts)
    widget.open()
    for number, text in enumerate(XSS, start=1):
        widget.send(text)
        widget.wait_for_count("bot", number)
    assert widget.messages("citizen") == XSS
    assert widget.messages("bot") == [f"You wrote {text}" for text in XSS]
    shadow = widget.shadow_html()
    assert "<script" not in shadow and "<img" not in shadow and "<svg" not in shadow
    assert "&lt;script&gt;" in shadow  # the text was escaped as text, not dropped
    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => window.__csp") == []
    assert page.errors == []


def test_links_are_https_only_and_open_safely(page: Any, fake: Any, hosts: Any) -> None:
    """Only the https: source becomes a link; it opens in a new tab with noopener noreferrer."""
    fake.service.reply = hostile_reply
    widget = embed(page, fake, hosts)
    widget.open()
    widget.send("bins")
    widget.wait_for_count("bot", 1)
    links = page.locator(".csa-sources a")
    assert links.count() == 1
    assert links.get_attribute("href") == "https://council.example/bins#report"
    assert links.get_attribute("rel") == "noopener noreferrer"
    assert links.get_attribute("target") == "_blank"
    assert "opens in a new tab" in (links.text_content() or "")
    assert "<b>Safe</b> guide: Report it" in (links.text_content() or "")
    sources = page.locator(".csa-sources").inner_text()
    assert "Last reviewed 1 October 2026" in sources
    assert "Script link" in sources and "Plain http link" in sources  # shown, but not as links
    privacy = page.locator(".csa-foot a")
    assert privacy.get_attribute("rel") == "noopener noreferrer"


def test_quick_replies_send_payload_show_title(page: Any, fake: Any, hosts: Any) -> None:
    """A chosen quick reply is sent as its payload, shown as its title, and cannot be sent twice."""
    def reply(text: str) -> list[dict[str, Any]]:
        if text == "/affirm":
            return [{"role": "bot", "text": "Thanks, noted."}]
        return [{"role": "bot", "text": "Did you mean one of these?", "buttons": [
            {"title": "Report a missed bin", "payload": "/affirm"},
            {"title": "Order a new bin", "payload": "/deny"}]}]

    fake.service.reply = reply
    widget = embed(page, fake, hosts)
    widget.open()
    widget.send("bin")
    widget.wait_for_count("bot", 1)
    page.get_by_role("button", name="Report a missed bin").click()
    widget.wait_for_count("bot", 2)
    assert widget.messages("citizen") == ["bin", "Report a missed bin"]
    sent = [f["text"] for f in fake.service.received_frames if f.get("type") == "message"]
    assert sent == ["bin", "/affirm"]
    assert page.get_by_role("button", name="Order a new bin").is_disabled()
    page.reload()
    widget.wait_for_count("bot", 2)
    assert widget.messages("citizen") == ["bin", "Report a missed bin"]  # title, not "/affirm"


def test_feedback_is_sent_once_and_thanked(page: Any, fake: Any, hosts: Any) -> None:
    """Helpful / not helpful goes to the service with the answer's id; focus moves to the thanks."""
    fake.service.reply = lambda text: [{**hostile_reply(text)[0], "buttons": []}]
    widget = embed(page, fake, hosts)
    widget.open()
    widget.send("bins")
    widget.wait_for_count("bot", 1)
    answer_id = page.locator(".csa-msg--bot").get_attribute("data-id")
    page.locator(".csa-feedback").get_by_role("button", name="No").click()
    assert page.locator(".csa-feedback__thanks").text_content() == "Thank you for your feedback."
    assert "csa-feedback__thanks" in widget.active()
    page.wait_for_function("() => true")
    frames = [f for f in fake.service.received_frames if f.get("type") == "feedback"]
    assert frames == [{"type": "feedback", "message_id": answer_id, "helpful": False}]


def test_character_counter_and_limits(page: Any, fake: Any, hosts: Any) -> None:
    """The counter appears near 1,000 characters; empty or over-long text is refused, with why."""
    widget = embed(page, fake, hosts)
    widget.open()
    box = page.locator("#csa-input")
    box.fill("a" * 800)
    assert page.locator("#csa-count").text_content() == ""
    box.fill("a" * 950)
    assert page.locator("#csa-count").text_content() == "You have 50 characters left"
    box.fill("a" * 1005)
    assert page.locator("#csa-count").text_content() == "You have 5 characters too many"
    box.press("Enter")
    assert "Make it 1000 characters or fewer" in page.locator("#csa-error").inner_text()
    assert box.get_attribute("aria-invalid") == "true"
    box.fill("   ")
    box.press("Enter")
    assert "Enter a message" in page.locator("#csa-error").inner_text()
    assert widget.messages() == []
    assert not [f for f in fake.service.received_frames if f.get("type") == "message"]


def test_clear_conversation_forgets_it(page: Any, fake: Any, hosts: Any) -> None:
    """Clearing asks first, empties the log and sessionStorage, and starts a new conversation."""
    widget = embed(page, fake, hosts)
    widget.open()
    widget.send("first conversation")
    widget.wait_for_count("bot", 1)
    first_id = widget.stored()["conversationId"]
    page.get_by_role("button", name="Delete this conversation").click()
    page.get_by_role("button", name="No, keep it").click()
    assert len(widget.messages()) == 2
    page.get_by_role("button", name="Delete this conversation").click()
    page.get_by_role("button", name="Yes, delete it").click()
    page.locator(".csa-status", has_text="Conversation deleted.").wait_for()
    assert widget.messages() == []
    assert first_id in fake.service.erased  # erased on the service, not only forgotten here
    assert "conversationId" not in widget.stored()
    assert "csa-input" in widget.active() or "textarea" in widget.active()
    widget.send("second conversation")
    widget.wait_for_count("bot", 1)
    assert widget.messages("bot") == ["You said: second conversation"]
    assert widget.stored()["conversationId"] != first_id


def test_without_javascript_the_page_offers_the_contact_link(browser: Any, fake: Any,
                                                            hosts: Any) -> None:
    """With scripting off there is no dead launcher, only the fallback link to the contact page."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(hosts.add("/nojs", host_page(fake.url)))
        link = page.get_by_role("link", name="Contact the council")
        assert link.is_visible()
        assert page.locator(".csa-launcher").count() == 0
    finally:
        context.close()


def test_with_javascript_the_fallback_is_replaced(page: Any, fake: Any, hosts: Any) -> None:
    """With scripting on, the fallback paragraph is hidden and the launcher is there."""
    embed(page, fake, hosts)
    page.locator(".csa-launcher").wait_for()
    assert page.locator("[data-assistant-fallback]").is_hidden()


def test_inline_mode_renders_in_the_target(page: Any, fake: Any, hosts: Any) -> None:
    """data-assistant-mode="inline" puts an open panel in the target element, with no launcher."""
    widget = embed(page, fake, hosts, name="/inline", mode="inline")
    page.locator("#chat-here .csa-host").wait_for(state="attached")
    page.locator("#csa-input").wait_for()
    assert page.locator(".csa-launcher").count() == 0
    assert page.locator(".csa-close").count() == 0
    widget.send("inline hello")
    widget.wait_for_count("bot", 1)
    assert page.evaluate("() => window.__csp") == []


def test_host_page_styles_do_not_leak_in(page: Any, fake: Any, hosts: Any) -> None:
    """A host stylesheet that restyles every button and paragraph leaves the widget alone."""
    hostile_css = "button{background:rgb(255,0,0)!important;font-size:40px!important}" \
        "p{color:rgb(0,255,0)!important}"
    hosts.add("/hostile.css", hostile_css, {"Content-Type": "text/css"})
    embed(page, fake, hosts, name="/styled", body='<link rel="stylesheet" href="/hostile.css">')
    launcher = page.locator(".csa-launcher")
    launcher.wait_for()
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 0, 0)"
    assert launcher.evaluate("b => getComputedStyle(b).fontSize") != "40px"
