"""Handoff payloads, gateway-only intents, and the references alphabet."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandback, ActionHandoff, ActionOfferCallback
from records.callbacks import REFERENCE_ALPHABET, new_reference
from tests.actions.fakes import FakeGuidance, make_tracker


async def test_handoff_pauses_and_tells_the_gateway(guidance: FakeGuidance) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "person please", "request_human", slots={"last_topic": "Report a missed bin collection"}
    )
    events = await ActionHandoff().run(dispatcher, tracker, {})
    assert events[-1]["event"] == "pause"
    handoff = dispatcher.messages[0]["custom"]["handoff"]
    assert handoff == {
        "reason": "requested",
        "priority": False,
        "topic": "Report a missed bin collection",
    }
    # no promise of an adviser: the gateway says once whether one is free (issue 14 item 3)
    assert not dispatcher.messages[0].get("text")


async def test_safety_handoff_has_priority() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("yes", "affirm", slots={"handoff_reason": "safety"})
    await ActionHandoff().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"]["handoff"]["priority"] is True
    assert "999" in dispatcher.messages[0]["text"]


async def test_unknown_reason_falls_back_to_requested() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"handoff_reason": "vip"})
    await ActionHandoff().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"]["handoff"]["reason"] == "requested"


async def test_gateway_only_intents_ignore_citizens() -> None:
    typed = make_tracker("/handback", "handback")
    external = make_tracker("EXTERNAL: handback", "handback", metadata={"is_external": True})
    dispatcher = CollectingDispatcher()
    await ActionHandback().run(dispatcher, typed, {})
    assert "didn't catch" in dispatcher.messages[0]["text"]
    dispatcher = CollectingDispatcher()
    await ActionHandback().run(dispatcher, external, {})
    assert "I'm back" in dispatcher.messages[0]["text"]
    dispatcher = CollectingDispatcher()
    events = await ActionOfferCallback().run(dispatcher, make_tracker("/handoff_unavailable"), {})
    assert events[0]["value"] is None


def test_references_use_unambiguous_letters() -> None:
    for _ in range(200):
        reference = new_reference("MB")
        assert reference[:3] == "MB-"
        assert set(reference[3:]) <= set(REFERENCE_ALPHABET)
    assert not set("0O1IL2Z5S8B") & set(REFERENCE_ALPHABET)


async def test_session_start_warms_up_guidance_without_blocking() -> None:
    import threading

    from actions import resources
    from actions.session import ActionSessionStart

    loaded = threading.Event()

    class Slow:
        def answer(self, question: str, context: str | None = None,
                   earlier: str | None = None) -> None:
            return None

        def answer_from(self, article_id: str, question: str,
                        anchor: str | None = None) -> None:
            return None

    def fake_load() -> Slow:
        loaded.set()
        return Slow()

    original = resources._load_guidance
    resources._load_guidance = fake_load
    resources.set_guidance(None)
    try:
        events = await ActionSessionStart().run(CollectingDispatcher(), make_tracker(), {})
        assert [e["event"] for e in events] == ["session_started", "action"]
        assert loaded.wait(5)
        for thread in threading.enumerate():
            if thread.name == "guidance-warm-up":
                thread.join(5)
    finally:
        resources._load_guidance = original
        resources.set_guidance(None)


def test_action_server_registers_exactly_the_domain_actions() -> None:
    """Every custom action in bot/domain.yml is served, and nothing else (no base classes)."""
    from pathlib import Path

    import yaml
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "bot" / "domain.yml").read_text(encoding="utf-8")
    )
    wanted = set(domain["actions"])
    assert set(executor.actions) == wanted
