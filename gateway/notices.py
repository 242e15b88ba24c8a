"""The plain-language system messages the gateway itself writes to citizens."""

from __future__ import annotations

from gateway.settings import Settings


def wait_words(eta_seconds: int | None) -> str:
    """'about 4 minutes' style wording for an estimated wait."""
    if eta_seconds is None:
        return "a few minutes"
    minutes = round(eta_seconds / 60)
    if minutes < 1:
        return "less than a minute"
    if minutes == 1:
        return "about 1 minute"
    return f"about {minutes} minutes"


def phone_line(settings: Settings, hours: str | None = None) -> str:
    """How to reach a person by phone; ``hours`` is the schedule in words (see
    ``gateway.handoff.hours_text``), else the configured text."""
    return f"phone us on {settings.contact_phone} ({hours or settings.contact_hours_text})"


def bot_unavailable(settings: Settings, hours: str | None = None) -> str:
    """Rasa or the action server is down or too slow."""
    return (
        "Sorry, I can't answer right now because part of our service isn't working. "
        "Your message has been saved. Please try again in a few minutes, "
        f"ask to talk to an adviser, or {phone_line(settings, hours)}."
    )


def no_answer(settings: Settings, hours: str | None = None) -> str:
    """The bot produced nothing for this message."""
    return (
        "Sorry, I didn't manage to answer that. Could you put it another way? "
        f"You can also ask to talk to an adviser, or {phone_line(settings, hours)}."
    )


def queued(position: int, eta_seconds: int | None, settings: Settings,
           hours: str | None = None) -> str:
    """The conversation joined the advisers' queue."""
    return (
        "I've asked an adviser to join. They will see this conversation, so you won't need to "
        f"repeat yourself. You're number {position} in the queue and the wait is "
        f"{wait_words(eta_seconds)}. You can keep asking me questions while you wait, or leave "
        f"the queue at any time. If you'd rather not wait, {phone_line(settings, hours)}."
    )


def still_queued(position: int, eta_seconds: int | None) -> str:
    """The citizen asked again while already waiting."""
    return (
        f"You're already in the queue: number {position}, with a wait of "
        f"{wait_words(eta_seconds)}. An adviser will join as soon as they can."
    )


def already_with_adviser() -> str:
    """The citizen asked for an adviser while one is already there."""
    return "An adviser is already in this conversation."


def advisers_unavailable(settings: Settings, open_now: bool, opens: str | None = None,
                         hours: str | None = None) -> str:
    """No adviser can join: say why once (closed and when it opens, or nobody free) and what
    the citizen can do instead. ``opens`` is e.g. 'tomorrow at 9am'."""
    if open_now:
        why = "No advisers are free to chat right now."
    elif opens:
        why = f"Our advice line is closed at the moment. Advisers are back {opens}."
    else:
        why = "Our advice line is closed at the moment."
    return f"{why} You can ask us to call you back, or {phone_line(settings, hours)}."


def left_queue() -> str:
    """The citizen left the queue."""
    return "You've left the queue. You're talking to the assistant again."


def adviser_joined(name: str) -> str:
    """An adviser claimed the conversation."""
    return f"{name} has joined the conversation."


def adviser_left(name: str, handed_back: bool) -> str:
    """The adviser ended the conversation."""
    if handed_back:
        return (f"{name} has left the conversation. You're back with the assistant, "
                "which remembers what you talked about.")
    return f"{name} has ended the conversation. If you need anything else, just type your question."


def transferred(position: int, eta_seconds: int | None) -> str:
    """The adviser passed the conversation to another team."""
    return (f"Your conversation is being passed to another team. You're number {position} in "
            f"their queue and the wait is {wait_words(eta_seconds)}.")
