"""The crisis backstop with the real semantic check (real index, real embeddings), in every
action a crisis message can reach outside a form (ADR 0202, later), and in the forms' own
backstop (ADR 0202, sixteenth session).

What must hold: each seen crisis line below, which the classifier gave the intent beside it and
no crisis phrase of ``safety/patterns.py`` matches, gets the helplines and the priority adviser
offer from the action that intent reaches; the ordinary messages of those intents get their
ordinary reply (a handoff, "sorry, tell me more", "anything else?"). Typed as the answer to a
form's question, the first four end the form with the helplines; ordinary answers do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.callback import ActionCallbackStart, ValidateCallbackForm
from actions.feedback import ActionFeedbackHelpful, ActionNotHelpful
from actions.guidance import ActionGuidanceAnswer
from actions.handoff import ActionHandoff
from actions.missed_bin import ActionMissedBinStart, ValidateMissedBinForm
from safety.detection import detect_safety_concern
from tests.actions.fakes import make_tracker

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ACTIONS: dict[str, type[Action]] = {
    "ask_question": ActionGuidanceAnswer,
    "out_of_scope": ActionGuidanceAnswer,
    "nlu_fallback": ActionGuidanceAnswer,
    "request_human": ActionHandoff,
    "not_what_i_asked": ActionNotHelpful,
    "feedback_helpful": ActionFeedbackHelpful,
    "request_callback": ActionCallbackStart,
    "report_missed_bin": ActionMissedBinStart,
}
# Seen crisis lines (ADR 0202's seen sets) and the intent the classifier gave each.
SEEN_CRISIS = [
    ("out_of_scope", "i took all my pils like 20 mins ago"),
    ("out_of_scope", "me cut arm, much blood, what i do"),
    ("request_human", "i scratch and cut so i can feel something, is there someone who can help"),
    ("request_human", "SH is getting out of control, I need someone to talk to now"),
    ("not_what_i_asked", "the only thing that helps is cutting. doing it now"),
    ("feedback_helpful", "got r@ped at a party need help"),
    (
        "request_callback",
        "Please can someone check on my brother, he sent me a text saying goodbye and that he "
        "loves me and now his phone is off",
    ),
    (
        "report_missed_bin",
        "Bin collection's Thursday, right? Not that it matters, I'll have done myself in by then.",
    ),
    # Rasa's gate no longer takes these for "stop" (actions.form_exits): they reach guidance.
    ("nlu_fallback", "relapsed on sh tonight, cant stop"),
    ("nlu_fallback", "he didn't stop when I said stop"),
    ("nlu_fallback", "i keep hitting my head against the wall till it bleeds and i cant stop"),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The real GuidanceService over the repository's articles and index (not saved)."""
    from knowledge.answering import GuidanceService

    index_dir = ROOT / "var" / "index"
    if not (index_dir / "CURRENT").exists():
        index_dir = tmp_path_factory.mktemp("index")
    loaded = GuidanceService.load(ROOT / "knowledge" / "articles", index_dir, save=False)
    resources.set_guidance(loaded)
    yield loaded
    resources.set_guidance(None)


async def run(intent: str, text: str) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await ACTIONS[intent]().run(dispatcher, make_tracker(text, intent), {})
    return dispatcher.messages


@pytest.mark.parametrize(("intent", "text"), SEEN_CRISIS)
async def test_a_seen_crisis_line_gets_the_crisis_reply(
    service: Any, intent: str, text: str
) -> None:
    assert detect_safety_concern(text) is None  # only the semantic check catches it
    messages = await run(intent, text)
    assert [m.get("response") for m in messages] == ["utter_safety_helplines", None], messages
    assert "ahead of the queue" in messages[1]["text"]


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("request_human", "I want to speak to a person"),
        ("request_human", "let me talk to a human"),
        ("not_what_i_asked", "that's not what I asked"),
        ("feedback_helpful", "that helped, thank you"),
        ("feedback_helpful", "brilliant, that's what I needed"),
        ("request_callback", "can someone ring me back tomorrow morning"),
        ("report_missed_bin", "my bin wasn't collected"),
    ],
)
async def test_an_ordinary_message_gets_the_ordinary_reply(
    service: Any, fake_redis: Any, intent: str, text: str
) -> None:
    messages = await run(intent, text)
    assert not any(m.get("response") == "utter_safety_helplines" for m in messages), messages
    if intent == "request_human":
        assert messages[0]["custom"]["handoff"]["priority"] is False
    elif intent == "request_callback":
        assert [m.get("response") for m in messages] == ["utter_callback_start"]
    elif intent == "report_missed_bin":  # the real guidance's quote, then the form's opener
        assert [m.get("response") for m in messages] == [None, "utter_missed_bin_start"]
        assert messages[0]["custom"]["sources"][0]["article_id"] == "missed-bin"
    elif intent == "feedback_helpful":
        assert len(messages) == 1 and messages[0]["text"].startswith("Thanks for letting us know")
    else:
        assert messages[0]["text"].startswith("Sorry about that")


# Written for this test (ADR 0202, twenty-third round): the real check scores each between
# its note threshold and its crisis threshold, and no crisis phrase matches.
UNSURE = [
    "the eviction is next week and i have nowhere to go, i feel hopeless",
    "I feel like giving up, the debt letters keep coming",
]


@pytest.mark.parametrize("text", UNSURE)
async def test_a_message_the_real_check_is_unsure_of_keeps_its_reply_with_the_helplines_beside(
    service: Any, text: str
) -> None:
    """The guidance reply comes first and is not the crisis reply (no adviser offer ahead of
    the queue); the last message is the helplines note, marked for the gateway."""
    assert detect_safety_concern(text) is None
    messages = await run("ask_question", text)
    assert len(messages) >= 2, messages
    assert not any(m.get("response") == "utter_safety_helplines" for m in messages), messages
    assert not any("ahead of the queue" in str(m.get("text")) for m in messages)
    assert messages[-1]["custom"] == {"helplines": "note"} and "116 123" in messages[-1]["text"]


async def test_an_ordinary_question_gets_no_helplines_note(service: Any) -> None:
    messages = await run("ask_question", "when is my green garden waste bin collected")
    assert messages and not any((m.get("custom") or {}).get("helplines") for m in messages)


# Inside a form (ADR 0202, sixteenth session): the same seen lines typed as an answer, and
# ordinary answers written for this test.
ORDINARY_ANSWERS = [
    "SW1A 1AA",
    "the blue recycling bin",
    "yesterday morning",
    "Margaret Jones",
    "07700 900123",
    "afternoon is best",
    "yes please by text",
    "my carer puts the bins out for me",
]


async def answer(form: type, text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "inform", slots={"requested_slot": "bin_postcode"})
    events = await form().run(dispatcher, tracker, {"forms": {}, "slots": {}})
    return dispatcher.messages, events


@pytest.mark.parametrize("form", [ValidateMissedBinForm, ValidateCallbackForm])
@pytest.mark.parametrize("text", [text for _intent, text in SEEN_CRISIS[:4]])
async def test_a_seen_crisis_line_typed_as_a_form_answer_ends_the_form(
    service: Any, form: type, text: str
) -> None:
    assert detect_safety_concern(text) is None  # only the learned check catches it
    messages, events = await answer(form, text)
    assert [m.get("response") for m in messages] == ["utter_safety_helplines", None], messages
    assert {"event": "active_loop", "name": None, "timestamp": None} in events


@pytest.mark.parametrize("text", ORDINARY_ANSWERS)
async def test_an_ordinary_form_answer_gets_no_helplines(service: Any, text: str) -> None:
    messages, events = await answer(ValidateMissedBinForm, text)
    assert not any(m.get("response") == "utter_safety_helplines" for m in messages), messages
    assert {"event": "active_loop", "name": None, "timestamp": None} not in events
