"""What the assistant keeps and for how long, built from the deployables' settings.

The same rows feed the citizen privacy page (``GET /privacy``, HTML) and ``docs/privacy.md``
(Markdown, checked by a test against the default settings), so the policy and what the
periodic retention task enforces cannot drift apart.

Run ``.venv/bin/python -m privacy.policy`` to print the Markdown table for the current
environment.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Protocol


class PolicySettings(Protocol):
    """The age limits (days) the policy states."""

    transcript_retention_days: float
    tracker_retention_days: float
    callback_ttl_days: int
    case_ttl_days: int
    analytics_retention_days: float
    gaps_retention_days: float
    audit_retention_days: float


@dataclass(frozen=True)
class PolicyRow:
    """One kind of record: what it holds, how long it is kept, who can see it."""

    what: str
    holds: str
    kept: str
    seen_by: str


def days(value: float) -> str:
    """``30`` → "30 days", ``1`` → "1 day", ``0.5`` → "12 hours"."""
    if value < 1:
        hours = round(value * 24)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    whole = round(value)
    return f"{whole} day{'s' if whole != 1 else ''}"


def policy_rows(settings: PolicySettings) -> list[PolicyRow]:
    """The rows of "what we keep and for how long", in the order a citizen would ask."""
    return [
        PolicyRow("Your conversation",
                  "your messages and the replies, the page you started on, advisers' notes. "
                  "Card, bank and National Insurance numbers, dates of birth and email "
                  "addresses are removed before it is stored",
                  f"{days(settings.transcript_retention_days)} after the last message",
                  "you, and the advisers who help you"),
        PolicyRow("Callback requests",
                  "the name, phone number and time you gave us",
                  f"{days(settings.callback_ttl_days)}",
                  "advisers"),
        PolicyRow("Missed bin reports",
                  "the postcode, bin, date and how to contact you",
                  f"{days(settings.case_ttl_days)}",
                  "the waste team"),
        PolicyRow("The assistant's working memory",
                  "what the assistant understood from each message, with personal details "
                  "removed",
                  f"{days(settings.tracker_retention_days)}",
                  "nobody reads it; advisers see a summary while helping you"),
        PolicyRow("Questions the assistant could not answer",
                  "the question with personal details removed, no link to your conversation",
                  f"{days(settings.gaps_retention_days)}",
                  "the staff who write our guidance"),
        PolicyRow("Usage statistics",
                  "what kind of turn it was and when, with personal details removed",
                  f"{days(settings.analytics_retention_days)}",
                  "the staff who look after the service"),
        PolicyRow("Staff activity log",
                  "which staff member did what and when (never your messages)",
                  f"{days(settings.audit_retention_days)}",
                  "administrators"),
        PolicyRow("In your browser",
                  "the conversation's key and unsent messages",
                  "until you close the tab, or straight away if you delete the conversation",
                  "only you"),
    ]


def as_markdown(rows: list[PolicyRow]) -> str:
    """A Markdown table (used in docs/privacy.md)."""
    lines = ["| what | what it holds | kept for | who can see it |", "|---|---|---|---|"]
    lines += [f"| {r.what} | {r.holds} | {r.kept} | {r.seen_by} |" for r in rows]
    return "\n".join(lines) + "\n"


def as_html(rows: list[PolicyRow]) -> str:
    """An HTML table (inserted into the privacy page)."""
    body = "".join(
        f"<tr><th scope=\"row\">{html.escape(r.what)}</th><td>{html.escape(r.holds)}</td>"
        f"<td>{html.escape(r.kept)}</td><td>{html.escape(r.seen_by)}</td></tr>"
        for r in rows)
    return ("<table class=\"retention\"><caption>What we keep and for how long</caption>"
            "<thead><tr><th scope=\"col\">What</th><th scope=\"col\">What it holds</th>"
            "<th scope=\"col\">Kept for</th><th scope=\"col\">Who can see it</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")


if __name__ == "__main__":
    from gateway.settings import Settings

    print(as_markdown(policy_rows(Settings())), end="")
