"""A page object for the citizen widget, so tests read as what a person does."""

from __future__ import annotations

from typing import Any

# Playwright's CSS locators pierce open shadow roots, so these reach inside the widget.
LAUNCHER = ".csa-launcher"
INPUT = "#csa-input"


class WidgetPage:
    """Drives the widget embedded in `page` the way a visitor would."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def open(self) -> None:
        """Click the launcher and wait for the message box."""
        self.page.locator(LAUNCHER).click()
        self.page.locator(INPUT).wait_for(state="visible")

    def send(self, text: str) -> None:
        """Type a message and press Enter."""
        box = self.page.locator(INPUT)
        box.fill(text)
        box.press("Enter")

    def messages(self, role: str | None = None) -> list[str]:
        """The visible text of each message (optionally of one role), oldest first."""
        selector = f".csa-msg--{role} .csa-msg__text" if role else ".csa-msg .csa-msg__text"
        return [str(t) for t in self.page.locator(selector).all_text_contents()]

    def wait_for_count(self, role: str, count: int, timeout: float = 10_000) -> None:
        """Wait until at least `count` messages of `role` are shown."""
        self.page.locator(f".csa-msg--{role}").nth(count - 1).wait_for(timeout=timeout)

    def status(self) -> str:
        """The connection status line."""
        return str(self.page.locator(".csa-status").text_content() or "")

    def live(self) -> str:
        """The newest announcement in the polite live region ("" when nothing was announced)."""
        lines = self.page.locator(".csa-panel > .csa-vh[aria-live] p")
        return str(lines.last.text_content() or "") if lines.count() else ""

    def wait_live(self, text: str) -> None:
        """Wait until the live region announces `text`."""
        from playwright.sync_api import expect

        expect(self.page.locator(".csa-panel > .csa-vh[aria-live] p").last).to_contain_text(text)

    def stored(self) -> dict[str, Any]:
        """The widget's sessionStorage entry, parsed."""
        return dict(self.page.evaluate(
            """() => {
                const key = Object.keys(sessionStorage).find(k => k.startsWith('csa:'));
                return key ? JSON.parse(sessionStorage.getItem(key)) : {};
            }"""
        ))

    def shadow_html(self) -> str:
        """The widget's shadow DOM markup (for asserting what was never parsed as HTML)."""
        return str(self.page.evaluate(
            "() => document.querySelector('.csa-host').shadowRoot.innerHTML"
        ))

    def active(self) -> str:
        """A short description of the focused element inside the widget."""
        return str(self.page.evaluate(
            """() => {
                const host = document.querySelector('.csa-host');
                const el = host && host.shadowRoot.activeElement;
                if (!el) return document.activeElement ? document.activeElement.tagName : '';
                const text = el.textContent.trim().slice(0, 40);
                return `${el.tagName.toLowerCase()}.${el.className}|${text}`;
            }"""
        ))
