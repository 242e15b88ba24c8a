"""The guidance action: confidence bands, failures, safety backstop, personal data."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionNotHelpful
from actions.guidance import ActionGuidanceAnswer
from actions.replies import reply
from tests.actions.fakes import FakeGuidance, make_tracker


async def run_guidance(text: str, **kwargs: Any) -> tuple[CollectingDispatcher, dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionGuidanceAnswer().run(dispatcher, make_tracker(text, **kwargs), {})
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return dispatcher, slots


async def test_confident_answer_quotes_section_and_attaches_source(guidance: FakeGuidance) -> None:
    dispatcher, slots = await run_guidance("my bin was missed what do I do")
    [message] = dispatcher.messages
    assert "within 2 working days" in message["text"]
    assert "Report a missed bin collection" in message["text"]
    source = message["custom"]["sources"][0]
    assert source["url"].startswith("https://www.millbrook.example/bins/missed-collection#")
    assert source["last_reviewed"] == "2026-09-14"
    assert [b["payload"] for b in message["buttons"]] == ["/feedback_helpful", "/not_what_i_asked"]
    assert slots["last_article_id"] == "missed-bin"
    assert slots["failed_attempts"] == 0.0


async def test_the_conversations_article_goes_to_knowledge_as_context(
    guidance: FakeGuidance,
) -> None:
    """A follow-up ("how much is it") is decided by knowledge with the article last quoted
    (ADR 0104, twenty-fourth session); a forged slot value is not passed on."""
    await run_guidance("how much is it", slots={"last_article_id": "missed-bin"})
    await run_guidance("how much is it")
    await run_guidance("how much is it", slots={"last_article_id": "../../etc/passwd"})
    assert guidance.contexts == ["missed-bin", None, None]


async def test_close_articles_ask_did_you_mean_with_buttons(guidance: FakeGuidance) -> None:
    dispatcher, slots = await run_guidance("parking permit please")
    [message] = dispatcher.messages
    assert "Did you mean" in message["text"]
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads == [
        '/choose_article{"article_id": "resident-parking-permit"}',
        '/choose_article{"article_id": "visitor-parking-permit"}',
        "/not_what_i_asked",
    ]
    assert slots["last_question"] == "parking permit please"


def test_did_you_mean_button_does_not_repeat_the_title() -> None:
    """Issue 14 item 5: a section headed like its article reads once, not 'X: X'."""
    from actions.guidance import choice_button
    from tests.actions.fakes import FakeCandidate

    same = FakeCandidate(
        "missed-bin",
        "Report a missed bin collection",
        "Report a missed bin collection",
        "https://x.example/m",
        0.6,
    )
    other = FakeCandidate(
        "missed-bin",
        "Report a missed bin collection",
        "Report it",
        "https://x.example/m#report-it",
        0.6,
    )
    assert choice_button(same)["title"] == "Report a missed bin collection"
    assert choice_button(other)["title"] == "Report a missed bin collection: Report it"


async def test_abstain_twice_then_offer_an_adviser(guidance: FakeGuidance) -> None:
    dispatcher, slots = await run_guidance("how do I train a dragon")
    assert "don't have guidance" in dispatcher.messages[0]["text"]
    assert slots["failed_attempts"] == 1.0
    assert slots.get("offer") is None

    dispatcher, slots = await run_guidance("dragons", slots={"failed_attempts": 1.0})
    assert "talk to an adviser" in dispatcher.messages[0]["text"]
    assert slots["offer"] == "adviser"
    assert slots["handoff_reason"] == "failed"


async def test_off_topic_is_decided_by_guidance(guidance: FakeGuidance) -> None:
    """The NLU's ``out_of_scope`` goes to guidance: knowledge answers a service question the
    classifier took for off topic, and otherwise the citizen hears what the assistant is for
    (not a failed attempt: no adviser offer, no content gap)."""
    dispatcher, slots = await run_guidance("bin means test", intent="out_of_scope")
    assert "Report a missed bin collection" in dispatcher.messages[0]["text"]

    dispatcher, slots = await run_guidance(
        "tell me a joke", intent="out_of_scope", slots={"failed_attempts": 1.0}
    )
    [message] = dispatcher.messages
    assert "can't help with that" in message["text"]
    assert not (message.get("custom") or {}).get("abstained")
    assert "failed_attempts" not in slots and "offer" not in slots


async def test_not_what_i_asked_counts_as_a_failure(guidance: FakeGuidance) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "that's not what I asked", "not_what_i_asked", slots={"failed_attempts": 1.0}
    )
    events = await ActionNotHelpful().run(dispatcher, tracker, {})
    assert {"event": "slot", "name": "offer", "value": "adviser", "timestamp": None} in events


async def test_not_what_i_asked_offers_the_articles_other_parts_once(
    guidance: FakeGuidance,
) -> None:
    """What must hold: after an answer, "That's not what I asked" offers one button per
    other part of the quoted article, in knowledge's order, before "None of these"; the
    choices are offered once (the slot is cleared) and it still counts as a failure (a
    content gap is logged); pressing one answers from exactly that part, and a miss after it
    offers a person, as a second miss always does."""
    from actions.guidance import ActionChooseArticle

    _, answered = await run_guidance("my bin was missed what do I do")
    assert answered["other_sections"] == [
        {"anchor": "what-happens-next", "label": "What happens next"},
        {"anchor": "", "label": "Report a missed bin collection"},
    ]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("/not_what_i_asked", "not_what_i_asked", slots=answered)
    events = await ActionNotHelpful().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert "another part of this guide" in message["text"]
    assert message["custom"] == {"abstained": True, "about_answer": True}
    assert [b["title"] for b in message["buttons"]] == [
        "What happens next", "Report a missed bin collection", "None of these"]
    first = message["buttons"][0]["payload"]
    assert first == '/choose_article{"article_id": "missed-bin", "section": "what-happens-next"}'
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"failed_attempts": 1.0, "other_sections": None, "offer": None}

    dispatcher = CollectingDispatcher()
    pressed = make_tracker(first, "choose_article", slots={**answered, **slots},
                           entities=[{"entity": "article_id", "value": "missed-bin"},
                                     {"entity": "section", "value": "what-happens-next"}])
    events = await ActionChooseArticle().run(dispatcher, pressed, {})
    assert guidance.picked == [("missed-bin", "what-happens-next")]
    [message] = dispatcher.messages
    assert message["custom"]["sources"][0]["heading"] == "What happens next"
    # The miss still counts: if this part is not it either, the next miss offers a person.
    after = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert after["failed_attempts"] == 1.0
    dispatcher = CollectingDispatcher()
    again = make_tracker("/not_what_i_asked", "not_what_i_asked", slots={**answered, **after})
    events = await ActionNotHelpful().run(dispatcher, again, {})
    assert {"event": "slot", "name": "offer", "value": "adviser", "timestamp": None} in events


async def test_not_what_i_asked_without_choices_apologises(guidance: FakeGuidance) -> None:
    """What must hold: with nothing quoted before (no article, or its choices already
    offered), the apology stands as before; a hand-typed article id in the slot that the
    id format refuses offers nothing."""
    for slots in ({}, {"last_article_id": "missed-bin", "other_sections": None},
                  {"last_article_id": "../etc", "other_sections": [{"anchor": "", "label": "x"}]}):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker("/not_what_i_asked", "not_what_i_asked", slots=slots)
        await ActionNotHelpful().run(dispatcher, tracker, {})
        [message] = dispatcher.messages
        assert "tell me a bit more" in message["text"], slots
        assert not message["buttons"]


async def test_safety_backstop_never_answers_from_guidance(guidance: FakeGuidance) -> None:
    dispatcher, slots = await run_guidance("my bin was missed and I want to end my life")
    assert guidance.asked == []
    assert dispatcher.messages[0]["response"] == "utter_safety_helplines"
    assert "ahead of the queue" in dispatcher.messages[1]["text"]
    assert slots["handoff_reason"] == "safety"
    assert slots["offer"] == "adviser"


class UnsureCheck:
    """The semantic check's verdict only: unsure ("note") about one message, nothing else."""

    def __init__(self, unsure: str) -> None:
        self.unsure = unsure

    def level(self, text: str) -> str | None:
        return "note" if text == self.unsure else None


async def test_an_unsure_check_keeps_the_answer_and_adds_the_helplines_beside_it(
    guidance: FakeGuidance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADR 0202, twenty-third round: the answer is sent as usual (source, buttons, slots), then
    one line with the helplines marked ``{"helplines": "note"}``; no crisis reply, no adviser
    offer. A message the check is sure is ordinary gets the answer alone."""
    from actions import safety_backstop

    unsure = "my bin was missed again and honestly i cant cope with any of it"
    monkeypatch.setattr(safety_backstop, "get_crisis_similarity", lambda: UnsureCheck(unsure))
    dispatcher, slots = await run_guidance(unsure)
    answer, note = dispatcher.messages
    assert answer["custom"]["sources"][0]["article_id"] == "missed-bin"
    assert note["text"] == reply("utter_helplines_note")["text"]
    assert note["custom"] == {"helplines": "note"}
    assert "116 123" in note["text"] and "999" in note["text"]
    assert slots["last_article_id"] == "missed-bin" and "handoff_reason" not in slots
    dispatcher, _ = await run_guidance("my bin was missed what do I do")
    [answer] = dispatcher.messages
    assert answer["custom"]["sources"][0]["article_id"] == "missed-bin"


async def test_personal_data_is_flagged_and_not_sent_to_retrieval(guidance: FakeGuidance) -> None:
    dispatcher, _ = await run_guidance("my NI number is QQ 12 34 56 C, when is my bin collected")
    assert "National Insurance number" in dispatcher.messages[0]["text"]
    assert "don't need" in dispatcher.messages[0]["text"]
    assert guidance.asked and "QQ" not in guidance.asked[0] and "12 34 56" not in guidance.asked[0]
    assert "within 2 working days" in dispatcher.messages[1]["text"]


async def test_card_number_alone_is_flagged_then_asks_for_the_question(
    guidance: FakeGuidance,
) -> None:
    dispatcher, _ = await run_guidance("4111 1111 1111 1111")
    assert "card number" in dispatcher.messages[0]["text"]
    assert "What would you like to ask" in dispatcher.messages[1]["text"]
    assert guidance.asked == []


async def test_placeholder_from_the_gateway_is_recognised(guidance: FakeGuidance) -> None:
    dispatcher, _ = await run_guidance("[card number removed] how do I pay for a bin")
    assert "card number" in dispatcher.messages[0]["text"]


async def test_bad_input_gets_a_sensible_reply_and_no_slots(guidance: FakeGuidance) -> None:
    for text in ("", "   ", "😀😀😀", "?!"):
        dispatcher, slots = await run_guidance(text)
        assert "didn't catch that" in dispatcher.messages[0]["text"], text
        assert slots == {}
    dispatcher, slots = await run_guidance('/ask_question{"case_reference": "MB-AAAAAA"}')
    assert "What would you like to ask" in dispatcher.messages[0]["text"]
    assert slots == {}
    assert guidance.asked == []


async def test_one_word_repeated_is_not_sent_to_retrieval(guidance: FakeGuidance) -> None:
    _dispatcher, slots = await run_guidance(" ".join(["bin"] * 200))
    assert guidance.asked == []
    assert slots["failed_attempts"] == 1.0


async def test_retrieval_failure_says_so_and_offers_a_person() -> None:
    from actions import resources

    class Broken:
        def answer(self, question: str, context: str | None = None,
                   earlier: str | None = None) -> Any:
            raise RuntimeError("index gone")

        def answer_from(self, article_id: str, question: str, anchor: str | None = None) -> Any:
            raise RuntimeError("index gone")

    resources.set_guidance(Broken())
    try:
        dispatcher, slots = await run_guidance("how do I pay council tax")
    finally:
        resources.set_guidance(None)
    assert "can't look up our guidance" in dispatcher.messages[0]["text"]
    assert slots["offer"] == "adviser"


async def test_the_action_renders_the_services_decision_and_never_searches_again(
    guidance: FakeGuidance,
) -> None:
    """Answer / did-you-mean / abstain is decided once, in knowledge (issue 10 item 7)."""

    def no_second_search(question: str, k: int = 3) -> Any:
        raise AssertionError("the action must not search again or apply its own thresholds")

    guidance.search = no_second_search  # type: ignore[attr-defined]

    dispatcher, slots = await run_guidance("my bin was missed")
    assert "within 2 working days" in dispatcher.messages[0]["text"]
    assert slots["last_article_id"] == "missed-bin"

    dispatcher, slots = await run_guidance("parking permit")  # the service says "clarify"
    assert "Did you mean" in dispatcher.messages[0]["text"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads[0] == '/choose_article{"article_id": "resident-parking-permit"}'
    assert "failed_attempts" not in slots

    dispatcher, slots = await run_guidance("what is the meaning of life")
    assert "don't have guidance" in dispatcher.messages[0]["text"]
    assert slots["failed_attempts"] == 1.0


@pytest.mark.parametrize("text", ["I need help", "who can help me", "can you help me with that"])
async def test_a_message_naming_nothing_that_knowledge_cannot_answer_gets_what_i_can_do(
    guidance: FakeGuidance, text: str
) -> None:
    """What must hold: "I need help" is not told "I don't have guidance"; it gets what the
    assistant can do, with its tasks as buttons, and is not counted as a failed attempt."""
    dispatcher, slots = await run_guidance(text)
    [message] = dispatcher.messages
    assert message["response"] == "utter_capabilities"
    assert "failed_attempts" not in slots
    assert not message["custom"]  # not a content gap (no "abstained")


async def test_a_fragment_is_asked_with_the_unanswered_message_before_it(
    guidance: FakeGuidance,
) -> None:
    """What must hold: "with my bin" after "I need help" (or after a question that got no
    answer) is asked as one question; after an answer, or for a question of its own, the
    message is asked alone."""
    await run_guidance("with my bin", slots={"last_question": "I need help"})
    await run_guidance("about my bin", slots={"last_question": "the crew", "failed_attempts": 1.0})
    await run_guidance("with my bin", slots={"last_question": "council tax bands"})
    await run_guidance("where is my bin", slots={"last_question": "I need help"})
    dispatcher, slots = await run_guidance("with my bin", slots={"last_question": "help?"})
    assert guidance.asked == [
        "I need help with my bin", "the crew about my bin", "with my bin", "where is my bin",
        "help with my bin",
    ]
    assert slots["last_question"] == "help with my bin"
    assert "within 2 working days" in dispatcher.messages[0]["text"]


def offered_turn(text: str, buttons: list[dict[str, str]], **kwargs: Any) -> Any:
    """A tracker whose latest message ``text`` follows a bot turn that offered ``buttons``."""
    tracker = make_tracker(text, "choose_article", **kwargs)
    tracker.events = [
        {"event": "user", "text": "parking permit"},
        {"event": "bot", "text": "Did you mean one of these?", "data": {"buttons": buttons}},
        {"event": "user", "text": text},
    ]
    return tracker


CHOICES = [
    {"title": "Resident", "payload": '/choose_article{"article_id": "resident-parking-permit"}'},
    {"title": "Visitor", "payload": '/choose_article{"article_id": "missed-bin"}'},
    {"title": "None of these", "payload": "/not_what_i_asked"},
]


@pytest.mark.parametrize(
    ("text", "picked"),
    [("the second one", "missed-bin"), ("2", "missed-bin"), ("the last one", "missed-bin"),
     ("the first one", "resident-parking-permit"), ("option 1", "resident-parking-permit")],
)
async def test_a_typed_choice_picks_from_the_buttons_just_offered(
    guidance: FakeGuidance, text: str, picked: str
) -> None:
    """What must hold: typing "the second one" after "did you mean" (for people who type
    rather than tap) answers from that choice, as the button would."""
    from actions.guidance import ActionChooseArticle

    tracker = offered_turn(text, CHOICES, slots={"last_question": "parking permit"})
    await ActionChooseArticle().run(CollectingDispatcher(), tracker, {})
    assert guidance.picked == [(picked, None)]


@pytest.mark.parametrize(
    ("text", "buttons"),
    [("the first one", []), ("the third one", CHOICES[:2]),
     ("the first one", [{"title": "That helped", "payload": "/feedback_helpful"}])],
)
async def test_a_typed_choice_with_nothing_offered_asks_which(
    guidance: FakeGuidance, text: str, buttons: list[dict[str, str]]
) -> None:
    """What must hold: "the first one" when the last turn offered no such choice is asked
    which one is meant, and nothing is looked up."""
    from actions.guidance import ActionChooseArticle

    dispatcher = CollectingDispatcher()
    await ActionChooseArticle().run(dispatcher, offered_turn(text, buttons), {})
    assert guidance.picked == []
    assert dispatcher.messages[0]["text"] == reply("utter_which_one")["text"]


async def test_the_same_question_again_after_its_answer_offers_the_other_parts(
    guidance: FakeGuidance,
) -> None:
    """What must hold: asking the same question again straight after its answer is taken as
    "that's not what I asked": the article's other parts are offered (a failed attempt, a gap
    about the question), and knowledge is not asked again; a different question, or the same
    one after a miss, is answered as usual."""
    _, answered = await run_guidance("my bin was missed what do I do")
    dispatcher, slots = await run_guidance("My bin was missed, what do I do?", slots=answered)
    [message] = dispatcher.messages
    assert "another part of this guide" in message["text"]
    assert message["custom"] == {"abstained": True, "about_answer": True}
    assert slots["failed_attempts"] == 1.0
    assert guidance.asked == ["my bin was missed what do I do"]
    await run_guidance("my bin was missed again", slots=answered)
    await run_guidance("my bin was missed what do I do", slots={**answered, **slots})
    assert guidance.asked[1:] == ["my bin was missed again", "my bin was missed what do I do"]


async def test_the_question_before_goes_to_knowledge_as_earlier(guidance: FakeGuidance) -> None:
    """What must hold: knowledge gets the citizen's question before this one (it may complete
    a question that abstains alone), but not when the two were already joined."""
    await run_guidance("i live alone", slots={"last_question": "my council tax bill is wrong"})
    await run_guidance("with my bin", slots={"last_question": "I need help"})
    await run_guidance("i live alone")
    assert guidance.earlier == ["my council tax bill is wrong", None, None]


@pytest.mark.parametrize("text", ["stupid bot", "this is shit", "you are useless, f*** off"])
async def test_frustration_gets_an_apology_not_a_content_gap(
    guidance: FakeGuidance, text: str
) -> None:
    """Twenty-fifth session: "this is shit" and "stupid bot" were answered "I don't have
    guidance" and listed on the editors' gaps page as unanswered questions. What must hold:
    an apology and a request for more, counted as a failed attempt, and the gap (if any) is
    about the question before (``about_answer``)."""
    dispatcher, slots = await run_guidance(text)
    [message] = dispatcher.messages
    assert "tell me a bit more" in message["text"]
    assert message["custom"] == {"abstained": True, "about_answer": True}
    assert slots["failed_attempts"] == 1.0
