"""A message that finishes the one before it (``actions.fragments``)."""

from __future__ import annotations

import pytest

from actions.fragments import continues, whole_question


@pytest.mark.parametrize(
    "text",
    ["with my rent", "about council tax", "for my mum", "and my recycling", "it's about parking",
     "regarding a blue badge"],
)
def test_continuations(text: str) -> None:
    assert continues(text)


@pytest.mark.parametrize(
    "text",
    ["my rent is late", "how do I pay", "with", "for " + "very " * 12 + "long",
     "about"],
)
def test_messages_of_their_own(text: str) -> None:
    assert not continues(text)


def test_joined_only_after_an_unanswered_message() -> None:
    assert whole_question("with my rent", "I need help.", True) == "I need help with my rent"
    assert whole_question("with my rent", "I need help", False) == "with my rent"
    assert whole_question("with my rent", None, True) == "with my rent"
    assert whole_question("my rent", "I need help", True) == "my rent"


def test_a_topicless_question_after_an_unanswered_one_is_asked_with_it() -> None:
    """Twenty-fifth session: "who do i tell" after an unanswered question about a neighbour's
    business was answered from Tell Us Once."""
    previous = "i think my neighbour is running a business from home"
    assert whole_question("who do i tell", previous, True) == f"{previous} who do i tell"
    assert whole_question("who do i tell", previous, False) == "who do i tell"
    assert whole_question("how do I pay council tax", previous, True) == (
        "how do I pay council tax")
