"""What reaches the content-gaps page (issue 14 item 13).

What must hold: button payloads and bare requests for a person are never recorded as questions;
a handoff records the question asked before the request; a conversation that touched on
suicide, self-harm, abuse or danger records nothing; old entries of those kinds already in the
stream are left out when the page reads it, and so are questions already attached to a section.
"""

from __future__ import annotations

import time

import pytest
import redis

from editorial.gaps import (
    asks_only_for_a_person,
    gap_question,
    is_button_payload,
    looks_back,
    read_gaps,
    record_gap,
    resolve_gap,
)
from editorial.keys import EditorKeys


@pytest.mark.parametrize(
    "text", ["/affirm", "/request_human", "/not_what_i_asked", '/choose{"article_id": "x"}']
)
def test_payloads_are_not_questions(text: str) -> None:
    assert is_button_payload(text)
    assert gap_question("abstained", text, [text]) is None
    assert gap_question("not_helpful", text, [text, "where can I fish"]) == "where can I fish"


@pytest.mark.parametrize("reason", ["abstained", "not_helpful", "handoff"])
@pytest.mark.parametrize("question", [
    "how do I renew my blue badge", "  when is the tip open ", "", "/affirm",
    "I want to talk to a person", "my partner hits me", "yes",
])
def test_earlier_messages_matter_only_when_looks_back_says_so(reason: str, question: str) -> None:
    """The gateway reads the transcript only when ``looks_back``: elsewhere the recorded
    question must be the same with or without the earlier messages."""
    earlier = [question, "how do I get a fishing licence", "my partner hits me", "hello"]
    if not looks_back(reason, question):
        assert gap_question(reason, question, earlier) == gap_question(reason, question, [])
    else:
        assert reason == "handoff" or not question.strip() or is_button_payload(question)


@pytest.mark.parametrize(
    "text",
    ["I want to talk to a person", "human please", "can I speak with an adviser", "agent"],
)
def test_requests_for_a_person_are_not_questions(text: str) -> None:
    assert asks_only_for_a_person(text)
    assert gap_question("abstained", text, [text]) is None


def test_a_request_with_a_topic_is_a_question() -> None:
    text = "I need to speak to someone about my council tax arrears"
    assert not asks_only_for_a_person(text)
    assert gap_question("handoff", text, [text]) == text


def test_a_handoff_records_the_question_before_it() -> None:
    earlier = ["I want to talk to a person", "yes", "how do I get a fishing licence"]
    assert gap_question("handoff", earlier[0], earlier) == "how do I get a fishing licence"
    assert gap_question("handoff", "", ["/request_human", *earlier[2:]]) == earlier[2]
    assert gap_question("handoff", "I want to talk to a person", ["hello"]) is None


def test_a_safety_conversation_records_nothing() -> None:
    earlier = ["talk to a person", "my partner hits me", "how do I get on the housing list"]
    assert gap_question("handoff", earlier[0], earlier) is None
    assert gap_question("abstained", "I want to end my life", []) is None


def test_reading_leaves_out_payloads_safety_and_resolved_questions(
    client: redis.Redis, keys: EditorKeys
) -> None:
    for text in (
        "/affirm",
        "I want to talk to a person",
        "my husband is abusive and I need somewhere to live",
        "where can I fish",
        "can I keep bees",
    ):
        record_gap(client, keys, text, "abstained", "c1")
    assert [g.question for g in read_gaps(client, keys)] == ["can I keep bees", "where can I fish"]
    resolve_gap(client, keys, "Can I keep bees", "pets", "Bees", "Eddie")
    assert [g.question for g in read_gaps(client, keys)] == ["where can I fish"]
    record_gap(client, keys, "can I keep bees", "abstained", "c2", ts=time.time() + 1)
    assert read_gaps(client, keys)[0].question == "can I keep bees"  # asked again


def test_a_typed_remark_about_the_answer_records_the_question_it_answered() -> None:
    """Twenty-fifth session: typed "thats not what i asked" was recorded as the gap question.
    The bot marks such a reply ``about_answer``; the question before it is recorded, as for
    the button, and a remark in a conversation about safety records nothing."""
    remark = "thats not what i asked"
    earlier = [remark, "how do i get a parking permit", "hello"]
    assert gap_question("abstained", remark, earlier, about_answer=True) == earlier[1]
    assert gap_question("abstained", remark, earlier) == remark  # without the mark: as typed
    assert gap_question("abstained", remark, [remark, remark, "/affirm", earlier[1]],
                        about_answer=True) == earlier[1]
    assert gap_question("abstained", remark, [remark, "my partner hits me"],
                        about_answer=True) is None
    assert gap_question("abstained", remark, [remark], about_answer=True) is None
