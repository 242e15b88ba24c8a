"""Reload, navigation, dropped connections and outages, against the stand-in service.

What must hold: the conversation survives reload and navigation; messages typed while the
connection is down are kept, sent once when it comes back, and never shown twice; when the
service cannot be reached the visitor sees other ways to contact the council.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.widget.conftest import host_page, strict_csp
from tests.widget.widget_page import WidgetPage

pytestmark = pytest.mark.browser


def embed(page: Any, fake: Any, hosts: Any, name: str = "/page") -> WidgetPage:
    """Open a strict-CSP host page on the second origin that embeds the widget."""
    service = fake.url
    page.goto(hosts.add(name, host_page(service), {"Content-Security-Policy": strict_csp(service)}))
    return WidgetPage(page)


def citizen_texts(fake: Any, conversation_id: str) -> list[str]:
    """What the stand-in service stored from the visitor, in order."""
    conv = fake.service.conversations[conversation_id]
    return [m["text"] for m in conv.messages if m["role"] == "citizen"]


def test_reload_and_navigation_keep_the_conversation(page: Any, fake: Any, hosts: Any) -> None:
    """After a reload or a move to another page, history is back, once, and not re-announced."""
    widget = embed(page, fake, hosts)
    widget.open()
    widget.send("council tax band")
    widget.wait_for_count("bot", 1)
    widget.wait_live("Assistant said: You said: council tax band")
    conversation_id = widget.stored()["conversationId"]

    page.reload()
    widget.wait_for_count("bot", 1)
    assert widget.messages() == ["council tax band", "You said: council tax band"]
    assert page.locator(".csa-panel").is_visible()  # it was open, so it opens again
    page.wait_for_timeout(300)
    assert widget.live() == ""  # history is not read out again
    resume = [f for f in fake.service.received_frames if f.get("type") == "resume"]
    assert resume[-1] == {"type": "resume", "after": None}

    csp = {"Content-Security-Policy": strict_csp(fake.url)}
    page.goto(hosts.add("/other", host_page(fake.url), csp))
    widget.wait_for_count("bot", 1)
    assert widget.stored()["conversationId"] == conversation_id
    widget.send("and discounts?")
    widget.wait_for_count("bot", 2)
    widget.wait_live("Assistant said: You said: and discounts?")
    assert widget.messages() == ["council tax band", "You said: council tax band",
                                 "and discounts?", "You said: and discounts?"]
    assert citizen_texts(fake, conversation_id) == ["council tax band", "and discounts?"]


def test_dropped_connection_queues_and_sends_once(page: Any, fake: Any, hosts: Any) -> None:
    """While the service is away, messages wait (and say so); on reconnect each is sent once."""
    widget = embed(page, fake, hosts)
    widget.open()
    widget.send("before the drop")
    widget.wait_for_count("bot", 1)
    conversation_id = widget.stored()["conversationId"]
    last_seen = widget.stored()["lastSeen"]

    fake.service.refuse = True
    fake.service.call(fake.service.drop_all())
    page.locator(".csa-status--reconnecting, .csa-status--down").wait_for()
    assert "connection has dropped" in widget.status()
    widget.send("typed while offline 1")
    widget.send("typed while offline 2")
    notes = page.locator(".csa-msg--pending .csa-msg__note").all_text_contents()
    assert notes == ["Not sent yet. It will be sent when the connection is back."] * 2
    assert len(widget.stored()["outbox"]) == 2

    fake.service.refuse = False
    page.locator(".csa-status--open").wait_for(timeout=20_000)
    widget.wait_for_count("bot", 3)
    assert widget.status() == "Connected again."
    assert citizen_texts(fake, conversation_id) == [
        "before the drop", "typed while offline 1", "typed while offline 2"]
    assert widget.messages("citizen") == citizen_texts(fake, conversation_id)
    assert page.locator(".csa-msg--pending").count() == 0
    assert widget.stored()["outbox"] == []
    resumes = [f for f in fake.service.received_frames if f.get("type") == "resume"]
    assert resumes[-1]["after"] == last_seen  # resumed from the last message it had seen


def test_lost_acknowledgement_is_not_a_duplicate(page: Any, fake: Any, hosts: Any) -> None:
    """Stored but never acknowledged: the retry with the same client_id stores nothing new."""
    widget = embed(page, fake, hosts)
    widget.open()
    widget.send("hello")
    widget.wait_for_count("bot", 1)
    conversation_id = widget.stored()["conversationId"]
    fake.service.lose_next_ack = True
    widget.send("was it stored?")
    page.locator(".csa-status--open").wait_for(timeout=20_000)
    page.wait_for_function(
        "() => !document.querySelector('.csa-host').shadowRoot.querySelector('.csa-msg--pending')")
    assert citizen_texts(fake, conversation_id) == ["hello", "was it stored?"]
    assert widget.messages("citizen") == ["hello", "was it stored?"]
    retries = [f for f in fake.service.received_frames
               if f.get("type") == "message" and f.get("text") == "was it stored?"]
    assert len(retries) == 2 and retries[0]["client_id"] == retries[1]["client_id"]


def test_reload_while_offline_keeps_unsent_messages(page: Any, fake: Any, hosts: Any) -> None:
    """A message typed while offline survives a reload and is sent when the service is back."""
    widget = embed(page, fake, hosts)
    widget.open()
    widget.send("first")
    widget.wait_for_count("bot", 1)
    conversation_id = widget.stored()["conversationId"]
    fake.service.refuse = True
    fake.service.call(fake.service.drop_all())
    widget.send("kept across reload")
    page.reload()
    page.locator(".csa-msg--pending").wait_for()
    fake.service.refuse = False
    widget.wait_for_count("bot", 2, timeout=20_000)
    assert citizen_texts(fake, conversation_id) == ["first", "kept across reload"]
    assert widget.messages("citizen") == ["first", "kept across reload"]


def test_service_down_shows_contact_alternatives(page: Any, fake: Any, hosts: Any) -> None:
    """If no connection can be made, the visitor is offered phone, hours and the contact page."""
    fake.service.refuse = True
    widget = embed(page, fake, hosts)
    widget.open()
    widget.send("is anyone there?")
    down = page.locator(".csa-down")
    down.wait_for(timeout=20_000)
    text = down.inner_text()
    assert "The chat is not working at the moment" in text
    assert page.get_by_role("link", name="Other ways to contact us").get_attribute("href") \
        == f"{fake.url}/contact"
    assert "Trying again in" in widget.status()
    fake.service.refuse = False
    widget.wait_for_count("bot", 1, timeout=20_000)
    assert down.is_hidden()


def test_unknown_conversation_starts_a_new_one(page: Any, fake: Any, hosts: Any) -> None:
    """An expired or made-up id (4404) is dropped and a fresh conversation is created."""
    widget = embed(page, fake, hosts)
    origin = fake.url
    page.evaluate(
        """origin => sessionStorage.setItem(`csa:${origin}`,
            JSON.stringify({conversationId: 'A'.repeat(32), lastSeen: '1-1', open: true}))""",
        origin,
    )
    page.reload()
    widget.send("hello again")
    widget.wait_for_count("bot", 1, timeout=20_000)
    assert widget.stored()["conversationId"] != "A" * 32


def test_backoff_grows_and_is_capped(page: Any, fake: Any) -> None:
    """The reconnect delay doubles from about half a second and never exceeds 18 s."""
    page.goto(f"{fake.url}/widget/index.html")
    delays = page.evaluate(
        """async () => {
            const m = await import('/widget/src/connection.js');
            return [0, 1, 2, 3, 4, 5, 10, 50].map(
              a => [m.backoffDelay(a, () => 0), m.backoffDelay(a, () => 1)]);
        }"""
    )
    lows = [low for low, _ in delays]
    assert lows == sorted(lows) and lows[0] == 400
    assert all(high <= 18_000 for _, high in delays)
    assert delays[-1] == [12_000, 18_000]
