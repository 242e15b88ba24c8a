"""Answering service questions from the council's guidance, in small ordered stages.

``action_guidance_answer`` runs a citizen's question through stages that share one
``Turn`` and may stop early: refuse hand-typed commands, require real words, the safety
backstop (never answer risky messages from guidance), personal-data redaction, then
retrieval and the reply for each confidence band (answer / did you mean / abstain).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_parts import CHOOSE_PAYLOAD, section_buttons
from actions.conversation import (
    has_words,
    is_one_word_repeated,
    is_payload,
    last_turn_buttons,
    latest_entity,
    latest_intent,
    latest_text,
)
from actions.fragments import whole_question
from actions.intent_checks import is_remark, names_no_topic, ordinal_index
from actions.replies import say
from actions.resources import get_guidance
from actions.safety_backstop import assess, helplines_note, offer_safety_help
from knowledge.articles import valid_article_id
from privacy.redaction import PLACEHOLDERS, kinds_already_redacted, redact
from safety.similarity import CRISIS, NOTE

logger = logging.getLogger(__name__)

FAILED_ATTEMPTS_BEFORE_OFFER = 2
OUT_OF_SCOPE_INTENT = "out_of_scope"
MAX_CHOICES = 3
_KIND_WORDS = {
    "ni_number": "National Insurance number",
    "card_number": "card number",
    "bank_details": "bank details",
    "email": "email address",
    "phone": "phone number",
}


@dataclass
class Turn:
    """What the stages of one guidance turn share."""

    text: str
    question: str = ""
    events: list[EventType] = field(default_factory=list)
    done: bool = False
    helplines_note: bool = False  # the check was unsure: the helplines go beside the reply


Stage = Callable[[Turn, CollectingDispatcher, Tracker], None]


def failed_attempts(tracker: Tracker) -> int:
    """How many answers in a row have not helped."""
    value = tracker.get_slot("failed_attempts")
    try:
        return int(float(value or 0))
    except (TypeError, ValueError):
        return 0


def note_failure(
    turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker, apology: str,
    choices: list[dict[str, str]] | None = None, about_answer: bool = False,
) -> None:
    """Count a failed attempt; after two, offer an adviser instead of ``apology``. Before
    that, ``choices`` (buttons for the other parts of the article just quoted) are offered in
    place of the apology, once: the slot that holds them is cleared.

    The reply carries ``{"abstained": true}`` so the gateway can log a guidance gap, and
    ``"about_answer": true`` when the message was a remark about the answer ("that's not what I
    asked"), so the gap records the question before it.
    """
    gap: dict[str, Any] = {"abstained": True, **({"about_answer": True} if about_answer else {})}
    count = failed_attempts(tracker) + 1
    turn.events.append(SlotSet("failed_attempts", float(count)))
    if count >= FAILED_ATTEMPTS_BEFORE_OFFER:
        say(dispatcher, "utter_offer_adviser", json_message=gap)
        turn.events += [SlotSet("offer", "adviser"), SlotSet("handoff_reason", "failed")]
    elif choices:
        say(dispatcher, "utter_other_sections", extra_buttons=choices,
            json_message=gap)
        turn.events += [SlotSet("other_sections", None), SlotSet("offer", None)]
    else:
        say(dispatcher, apology, json_message=gap)
        turn.events.append(SlotSet("offer", None))


def refuse_payload(turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A hand-typed ``/ask_question{...}`` carries no question: ask for one in words."""
    if is_payload(turn.text):
        say(dispatcher, "utter_ask_rephrase")
        turn.done = True


def require_words(turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Empty, emoji-only or symbol-only messages get a gentle 'please tell me in words'."""
    if not has_words(turn.question):
        say(dispatcher, "utter_default")
        turn.done = True


def safety_backstop(turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Messages about suicide, self-harm, abuse or danger never get a guidance answer: the
    helplines and a priority adviser offer instead (``actions.safety_backstop``, the one
    decision every action a crisis can reach runs first). A message the check is unsure of
    gets its reply with the helplines beside it (``helplines_beside``)."""
    verdict = assess(tracker, turn.text)
    if verdict == CRISIS:
        turn.events += offer_safety_help(dispatcher)
        turn.done = True
    turn.helplines_note = verdict == NOTE


def searchable_question(text: str) -> tuple[str, list[str]]:
    """``text`` without its personal data (what the search sees), and the kinds removed or
    already redacted."""
    result = redact(text)
    kinds = sorted(set(result.kinds) | set(kinds_already_redacted(text)))
    question = result.text
    for placeholder in PLACEHOLDERS.values():
        question = question.replace(placeholder, " ")
    return re.sub(r"\s+", " ", question).strip(), kinds


def redact_personal_data(turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Tell the citizen we don't need their personal data, and search without it."""
    turn.question, kinds = searchable_question(turn.text)
    if kinds:
        words = [_KIND_WORDS.get(kind, "personal details") for kind in kinds]
        details = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        say(dispatcher, "utter_pii_not_needed", details=details)
        if not has_words(turn.question) or len(turn.question.split()) < 2:
            say(dispatcher, "utter_ask_rephrase")
            turn.done = True


def answer_from_guidance(turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Retrieve and reply for the band the retrieval is in: answer, clarify or abstain.

    A message that finishes an unanswered one before it ("I need help" … "with my rent") is
    asked together with it (``actions.fragments``); otherwise the citizen's question before it
    goes to knowledge as ``earlier``, which may complete a question that abstains alone."""
    previous = tracker.get_slot("last_question")
    previous = previous if isinstance(previous, str) else None
    unanswered = failed_attempts(tracker) > 0 or bool(previous and names_no_topic(previous))
    asked = turn.question
    turn.question = whole_question(asked, previous, unanswered)
    earlier = previous if turn.question == asked else None  # joined already: nothing to add
    if asked_again(turn.question, previous, tracker):
        # The same question straight after its answer: that answer missed, as "That's not what
        # I asked" says. Offer the article's other parts, once, or ask for more.
        note_failure(turn, dispatcher, tracker, "utter_sorry_try_again",
                     choices=section_buttons(tracker), about_answer=True)
        return
    turn.events.append(SlotSet("last_question", turn.question))
    if is_one_word_repeated(turn.question):
        note_failure(turn, dispatcher, tracker, "utter_guidance_abstain")
        return
    context = tracker.get_slot("last_article_id")  # a follow-up stays on it (knowledge decides)
    try:
        result = get_guidance().answer(
            turn.question, context=context if valid_article_id(context) else None,
            earlier=earlier,
        )
    except ValueError:  # knowledge.answering.QuestionError: empty or too long
        say(dispatcher, "utter_ask_rephrase")
        return
    except Exception:
        logger.exception("guidance retrieval failed")
        say(dispatcher, "utter_guidance_unavailable")
        turn.events += [SlotSet("offer", "adviser"), SlotSet("handoff_reason", "failed")]
        return
    # Answer, "did you mean" or abstain is decided once, inside knowledge (calibrated gates,
    # near misses included); this action only renders the status it is given.
    if result.status == "answer" and result.answer is not None:
        send_answer(turn, dispatcher, result.answer, answer_score(result))
    elif result.status == "clarify" and result.candidates:
        send_choices(turn, dispatcher, result.candidates)
    elif latest_intent(tracker) == OUT_OF_SCOPE_INTENT:
        # Off topic by the NLU and by knowledge: say what the assistant is for. Not a failed
        # attempt at a service question (no adviser offer, no content gap).
        say(dispatcher, "utter_out_of_scope")
    elif names_no_topic(turn.question):
        # "I need help", "who can help me": nothing to look up, so say what the assistant can
        # do, with its tasks as buttons. Not a failed attempt, not a content gap.
        dispatcher.utter_message(response="utter_capabilities")
        turn.events.append(SlotSet("offer", None))
    elif is_remark(turn.question):
        # "stupid bot", "this is shit": frustration, not a question guidance lacks. Apologise
        # and ask for more (a failed attempt: the next one offers a person); the gap, if any,
        # is about the question before.
        note_failure(turn, dispatcher, tracker, "utter_sorry_try_again", about_answer=True)
    else:
        note_failure(turn, dispatcher, tracker, "utter_guidance_abstain")


def asked_again(question: str, previous: str | None, tracker: Tracker) -> bool:
    """True when ``question`` repeats the citizen's last question word for word (case,
    spacing and punctuation aside) and that question was answered (an answer resets the
    failure count)."""
    def same(text: str) -> list[str]:
        return re.findall(r"\w+", text.casefold())

    return (previous is not None and same(question) == same(previous)
            and failed_attempts(tracker) == 0
            and valid_article_id(tracker.get_slot("last_article_id")))


def quote_if_answered(turn: Turn, dispatcher: CollectingDispatcher) -> None:
    """Quote the section when ``knowledge`` decides to answer ``turn.question``, without the
    feedback buttons; say nothing otherwise (no "did you mean", no abstention reply, no failed
    attempt): for an action whose own reply follows, such as a form's opener."""
    if not has_words(turn.question):
        return
    try:
        result = get_guidance().answer(turn.question)
    except ValueError:  # knowledge.answering.QuestionError: empty or too long
        return
    except Exception:
        logger.exception("guidance retrieval failed")
        return
    if result.status == "answer" and result.answer is not None:
        send_answer(turn, dispatcher, result.answer, answer_score(result), feedback=False)


def answer_score(result: Any) -> float | None:
    """The retrieval score of the answered article (for advisers), if ranked."""
    return next(
        (c.score for c in result.candidates if c.article_id == result.answer.article_id), None
    )


def send_answer(
    turn: Turn,
    dispatcher: CollectingDispatcher,
    answer: Any,
    score: float | None = None,
    feedback: bool = True,
) -> None:
    """Quote the section and attach its source (with the retrieval score, for advisers);
    ``feedback``: with the reply's "That helped" / "That's not what I asked" buttons."""
    source: dict[str, Any] = {
        "article_id": answer.article_id,
        "title": answer.title,
        "heading": answer.heading,
        "url": answer.url,
        "last_reviewed": str(answer.last_reviewed),
    }
    if score is not None:
        source["score"] = round(float(score), 4)
    say(
        dispatcher,
        "utter_guidance_answer",
        own_buttons=feedback,
        json_message={"sources": [source]},
        extract=answer.text,
        title=answer.title,
        heading=answer.heading,
    )
    turn.events += [
        SlotSet("last_article_id", answer.article_id),
        SlotSet("last_topic", answer.title),
        SlotSet("other_sections", [part.to_dict() for part in answer.other_sections]),
        SlotSet("failed_attempts", 0.0),
        SlotSet("offer", None),
    ]


def choice_button(candidate: Any) -> dict[str, str]:
    """A 'did you mean' button whose payload names the article (checked again on click)."""
    payload = CHOOSE_PAYLOAD + json.dumps({"article_id": candidate.article_id})
    heading = str(candidate.heading or "").strip()
    same = heading.casefold() == str(candidate.title).strip().casefold()
    title = candidate.title if not heading or same else f"{candidate.title}: {heading}"
    return {"title": title, "payload": payload}


def send_choices(turn: Turn, dispatcher: CollectingDispatcher, candidates: list[Any]) -> None:
    """Ask 'did you mean A or B?' with one button per article (at most three)."""
    seen: set[str] = set()
    buttons = []
    for candidate in candidates:
        if candidate.article_id in seen:
            continue
        seen.add(candidate.article_id)
        buttons.append(choice_button(candidate))
        if len(buttons) == MAX_CHOICES:
            break
    say(dispatcher, "utter_did_you_mean", extra_buttons=buttons)
    turn.events.append(SlotSet("offer", None))


def helplines_beside(turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After the reply, one quiet line with the helplines when the backstop was unsure
    (ADR 0202, twenty-third round): the citizen keeps the answer they asked for."""
    if turn.helplines_note:
        helplines_note(dispatcher)


STAGES: tuple[Stage, ...] = (
    refuse_payload,
    redact_personal_data,
    require_words,
    safety_backstop,
    answer_from_guidance,
    helplines_beside,
)


class ActionGuidanceAnswer(Action):
    """Answer a service question from guidance (or clarify, or say honestly we don't know)."""

    def name(self) -> str:
        return "action_guidance_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        turn = Turn(text=latest_text(tracker))
        for stage in STAGES:
            stage(turn, dispatcher, tracker)
            if turn.done:
                break
        return turn.events


def typed_choice(tracker: Tracker) -> tuple[str, str | None] | None:
    """The article (and part) a typed "the first one" / "option 2" picks among the choices the
    bot offered in its last turn ("did you mean", or the other parts after "That's not what I
    asked"), read from those buttons' payloads; None if it names none of them."""
    index = ordinal_index(latest_text(tracker))
    offered = [
        str(b.get("payload", ""))[len(CHOOSE_PAYLOAD):]
        for b in last_turn_buttons(tracker)
        if str(b.get("payload", "")).startswith(CHOOSE_PAYLOAD + "{")
    ]
    if index is None or not offered or index >= len(offered):
        return None
    try:
        data = json.loads(offered[index])
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    section = data.get("section")
    return str(data.get("article_id") or ""), section if isinstance(section, str) else None


class ActionChooseArticle(Action):
    """The citizen picked an article from 'did you mean': answer from that article only.

    The article id comes from a button payload, which anyone can type by hand, so it is
    checked against a strict pattern and against the index before it is used.
    """

    def name(self) -> str:
        return "action_choose_article"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        article_id = latest_entity(tracker, "article_id")
        anchor = latest_entity(tracker, "section")  # one of its other parts, checked there
        if article_id is None:  # typed, not tapped: "the first one"
            typed = typed_choice(tracker)
            if typed is None:
                say(dispatcher, "utter_which_one")
                return []
            article_id, anchor = typed
        question = tracker.get_slot("last_question") or ""
        if not valid_article_id(article_id):
            say(dispatcher, "utter_article_unknown")
            return []
        turn = Turn(text=question, question=question)
        try:
            answer = get_guidance().answer_from(article_id, question, anchor=anchor)
        except Exception:
            logger.exception("guidance retrieval failed")
            say(dispatcher, "utter_guidance_unavailable")
            return []
        if answer is None:
            say(dispatcher, "utter_article_unknown")
            return []
        send_answer(turn, dispatcher, answer)
        if anchor is not None:  # a part picked after a miss: a second miss offers a person
            turn.events.append(SlotSet("failed_attempts", float(failed_attempts(tracker))))
        return turn.events
