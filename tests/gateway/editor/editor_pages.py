"""A page object for the editor pages, so browser tests read as what an editor does."""

from __future__ import annotations

from typing import Any


class EditorPages:
    """Drives the editor in one browser page."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base = base_url

    def sign_in(self, username: str, password: str) -> None:
        """Open the article list and sign in with the form the editor shows."""
        self.page.goto(f"{self.base}/editor/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.get_by_role("heading", name="Articles", exact=True).wait_for()

    def open_article(self, article_id: str) -> None:
        """Open the edit page of one article and wait for its form."""
        self.page.goto(f"{self.base}/editor/articles/{article_id}")
        self.page.locator("#heading").filter(has_text="Edit:").wait_for()

    def body(self) -> str:
        """The article text in the form."""
        return str(self.page.get_by_role("textbox", name="Article text").input_value())

    def set_body(self, text: str) -> None:
        """Replace the article text."""
        self.page.get_by_role("textbox", name="Article text").fill(text)

    def save(self) -> None:
        """Press Save draft."""
        self.page.get_by_role("button", name="Save draft").click()

    def publish(self) -> None:
        """Press Publish and wait for the confirmation."""
        self.page.get_by_role("button", name="Publish").click()
        self.page.locator("#status").filter(has_text="Published").wait_for()

    def status(self) -> str:
        """The status message."""
        return str(self.page.locator("#status").text_content() or "")

    def try_question(self, question: str) -> None:
        """Ask a question in "Try a question" and wait for both columns."""
        self.page.get_by_label("Question", exact=True).fill(question)
        self.page.get_by_role("button", name="Try it", exact=True).click()
        self.page.locator("#try-result .live-result").wait_for()

    def draft_sections(self) -> list[str]:
        """Section cells in the "With your draft" column."""
        return [
            str(t)
            for t in self.page.locator(
                "#try-result .draft-result td:first-child"
            ).all_text_contents()
        ]

    def live_sections(self) -> list[str]:
        """Section cells in the "Published now" column."""
        return [
            str(t)
            for t in self.page.locator(
                "#try-result .live-result td:first-child"
            ).all_text_contents()
        ]
