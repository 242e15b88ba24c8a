"""The citizen's privacy controls in the widget, against the real gateway (issue 11).

What must hold: "Save a copy" downloads the conversation as plain text (who said what, as
shown); "Delete this conversation" asks first, is usable with the keyboard alone (focus moves
to the question, Enter answers it) and announces the result in the status region; after it the
gateway no longer has the conversation (404) and the widget has forgotten it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.widget.widget_page import WidgetPage

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

BOT_TIMEOUT = 60_000


def test_save_a_copy_then_delete_with_the_keyboard(page: Any, gateway: str) -> None:
    page.goto(f"{gateway}/")
    widget = WidgetPage(page)
    widget.open()
    widget.send("How do I pay my council tax?")
    page.locator(".csa-msg--bot").first.wait_for(timeout=BOT_TIMEOUT)
    page.locator(".csa-typing").wait_for(state="hidden", timeout=BOT_TIMEOUT)
    cid = widget.stored()["conversationId"]
    assert httpx.get(f"{gateway}/api/conversations/{cid}/messages", timeout=10).status_code == 200

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Save a copy").click()
    download = download_info.value
    assert download.suggested_filename.startswith("conversation-")
    assert download.suggested_filename.endswith(".txt")
    copy = Path(download.path()).read_text(encoding="utf-8")
    assert "How do I pay my council tax?" in copy
    assert widget.messages("bot")[0].strip()[:40] in copy
    assert "<li" not in copy and "csa-" not in copy  # plain text, not markup

    page.get_by_role("button", name="Delete this conversation").focus()
    page.keyboard.press("Enter")
    question = page.locator("#csa-confirm-text")
    question.wait_for()
    assert "erase" in str(question.text_content())
    focused = "() => document.querySelector('.csa-host').shadowRoot.activeElement.id"
    assert page.evaluate(focused) == "csa-confirm-text"
    page.keyboard.press("Tab")  # to "Yes, delete it"
    page.keyboard.press("Enter")
    page.locator(".csa-status", has_text="Conversation deleted.").wait_for(timeout=20_000)
    assert widget.messages() == []
    assert "conversationId" not in widget.stored()
    assert httpx.get(f"{gateway}/api/conversations/{cid}/messages", timeout=10).status_code == 404
