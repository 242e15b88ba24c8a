"""Redis round trips per citizen turn over the WebSocket (issue 12: the gateway's CPU per turn).

Counted in-process on the real Redis fixture: every request a redis-py connection writes is one
round trip (a pipeline is one), whoever sends it (the `limits` library included). The shared
stream readers' blocking XREAD is left out: it is re-issued whenever a followed stream grows or
its 10 s block times out, so it depends on timing, not on the turn's code.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from benchmarks.redis_round_trips import RoundTrip, RoundTripCounter, socket_turns
from tests.gateway.conftest import ScriptedRasa

FIRST_TURN_MAX = 14
LATER_TURN_MAX = 10


def own(trips: list[RoundTrip]) -> list[RoundTrip]:
    """The round trips of the turn's own code (without the shared readers' XREAD)."""
    return [trip for trip in trips if "gateway/fanout.py" not in trip.caller]


def listing(trips: list[RoundTrip]) -> str:
    return "\n".join(f"{trip.label} from {trip.caller}" for trip in trips)


def test_a_socket_turn_makes_few_redis_round_trips(client: TestClient,
                                                   rasa: ScriptedRasa) -> None:
    """Once a conversation has had its first answer, each further message over the citizen
    socket takes at most 10 of the gateway's own round trips to Redis: the message limits (four
    windows with the default limits, one each), reading the conversation, storing the message,
    the analytics entry with its counters together with the turn lock and the conversation's
    state, the typing hint, storing the reply and releasing the turn; the first turn, which
    also records the first answer's figures, at most 14. (Before: 15 and 17, then 11 and 15.)
    Every turn is still answered once, in order."""
    counter = RoundTripCounter()
    with counter.installed():
        socket_turns(client, counter, 1)  # scripts loaded on first use: not counted
        turns = socket_turns(client, counter, 4, text="my bin was not collected")
    first, *later = [own(trips) for trips in turns]
    # The counter must see the gateway's connections (it once saw none and every ceiling held).
    assert all(later) and first, "no round trip recorded: the counter's hook missed them"
    assert len(first) <= FIRST_TURN_MAX, listing(first)
    for trips in later:
        assert len(trips) <= LATER_TURN_MAX, listing(trips)
    answered = [body["message"] for method, path, body in rasa.calls
                if path == "/webhooks/rest/webhook"]
    assert answered[-4:] == [f"my bin was not collected ({n})" for n in range(4)]


START_MAX = 6


def test_starting_a_conversation_makes_few_redis_round_trips(client: TestClient) -> None:
    """Starting a conversation takes at most 6 round trips with the default limits: the
    conversation limit (two windows), taking a fresh id, its state with its expiry, the
    analytics entry, and the figures' record with the day's counters in one transaction; the
    page it started from is passed on, not read back (before: 9). The figures still count it
    on its day with its start page (``test_performance``)."""
    counter = RoundTripCounter()
    with counter.installed():
        client.post("/api/conversations", json={"page_url": "https://council.example/bins?x=1"})
        mark = counter.mark()
        response = client.post("/api/conversations",
                               json={"page_url": "https://council.example/bins?x=1"})
        trips = own(counter.since(mark))
    assert response.status_code == 201
    assert trips, "no round trip recorded: the counter's hook missed them"
    assert len(trips) <= START_MAX, listing(trips)
