"""A typed remark about an answer records the question it answered as the content gap, through
the real gateway, Rasa, action server and Redis (twenty-fifth session).

What must hold: after an answer, typing "thats not what i asked" (not tapping the button)
writes a gap entry for this conversation whose question is the citizen's question, not the
remark.
"""

from __future__ import annotations

import time

import pytest
import redis

from privacy.refs import conversation_ref
from records.gaps import GapKeys, read_gap_entries
from stack.live import LiveStack
from tests.bot.test_citizen_journey import Citizen, warm_up

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_typed_remark_records_the_question_before_it(
    live_stack: LiveStack, redis_url: str
) -> None:
    warm_up(live_stack)
    citizen = Citizen(live_stack.url)
    question = "how do i get a parking permit for my street"
    turn = citizen.say(question)
    assert [s for m in turn["messages"] for s in m.get("sources") or []], turn
    citizen.say("thats not what i asked")
    ref = conversation_ref(citizen.id)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    deadline = time.monotonic() + 10
    while True:
        mine = [e for e in read_gap_entries(client, GapKeys()) if e.conversation_ref == ref]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [(e.reason, e.question) for e in mine] == [("abstained", question)], mine
