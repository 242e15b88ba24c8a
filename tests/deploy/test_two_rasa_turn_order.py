"""Two messages of one conversation reaching two real Rasa servers at once (issue 12).

Rasa 3.6's Redis lock store does not serialise one conversation across Rasa servers, so two
turns running at once on two servers can both load the same tracker and one saves over the
other (a lost user message or reply). The gateway's turn lock (``gateway/turn_order.py``) must
prevent that: here two gateways share one Redis, each calls its own real Rasa server (both on the
same tracker store, lock store and action server), and two citizen messages of one conversation
are posted to the two gateways at the same moment, several times over.

What must hold, for every conversation: Rasa's stored tracker has both user messages, in the
order the gateway stored them, each followed by the bot's reply before the next one; and the
transcript holds a bot reply after each citizen message. None lost. (With the turn lock switched
off, a scratch run lost a user message in the second round.)

Cost on top of the shared live stack: about 30 s to start the second Rasa server and 15-25 s
for the rounds, so it stays in the test command.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from stack.live import LiveStack
from stack.redis_server import free_port
from tests.gateway.conftest import gateway_settings, new_conversation

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROUNDS = 4
PAIRS = [("hello", "thank you"), ("hi there", "thanks"), ("good morning", "cheers"),
         ("hello again", "thank you very much")]


@pytest.fixture(scope="module")
def second_rasa(live_stack: LiveStack,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """Another Rasa server on the live stack's model, Redis, action server and token."""
    layout = dataclasses.replace(live_stack.layout, rasa_port=free_port())
    other = LiveStack(layout=layout, log_dir=tmp_path_factory.mktemp("second-rasa"))
    try:
        other.start_process("rasa", timeout=240)
        yield other
    finally:
        other.stop_process("rasa")


def gateway_for(live_stack: LiveStack, rasa: LiveStack, prefix: str) -> TestClient:
    """An in-process gateway calling ``rasa``'s server, on the shared Redis and key prefix."""
    layout = rasa.layout
    settings = gateway_settings(
        layout.redis_url, redis_key_prefix=prefix, rasa_url=layout.rasa_url,
        rasa_token=layout.rasa_token, action_server_url=live_stack.layout.action_server_url,
        rasa_timeout_seconds=30.0, limit_messages_per_address="100000/minute",
        limit_conversations_per_address="100000/minute")
    return TestClient(create_app(settings), base_url="http://testserver")


def tracker_turns(rasa: LiveStack, cid: str) -> list[tuple[str, str]]:
    """The stored tracker's user and bot events, as (event, text), in order."""
    layout = rasa.layout
    response = httpx.get(f"{layout.rasa_url}/conversations/{cid}/tracker",
                         params={"token": layout.rasa_token}, timeout=30)
    response.raise_for_status()
    return [(e["event"], e.get("text") or "") for e in response.json()["events"]
            if e["event"] in ("user", "bot")]


def test_two_messages_at_once_on_two_rasa_servers_are_answered_in_order_none_lost(
        live_stack: LiveStack, second_rasa: LiveStack) -> None:
    prefix = "two-rasa:"
    with gateway_for(live_stack, live_stack, prefix) as one, \
            gateway_for(live_stack, second_rasa, prefix) as two:
        for first, second in PAIRS[:ROUNDS]:
            cid = new_conversation(one)
            start = threading.Barrier(2)
            statuses: dict[str, int] = {}

            def post(client: TestClient, text: str, cid: str = cid,
                     start: threading.Barrier = start,
                     statuses: dict[str, int] = statuses) -> None:
                start.wait()
                response = client.post(f"/api/conversations/{cid}/messages",
                                       json={"text": text})
                statuses[text] = response.status_code

            threads = [threading.Thread(target=post, args=(one, first)),
                       threading.Thread(target=post, args=(two, second))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert statuses == {first: 200, second: 200}, statuses

            transcript: list[dict[str, Any]] = one.get(
                f"/api/conversations/{cid}/messages").json()["messages"]
            stored = [m["text"] for m in transcript if m["role"] == "citizen"]
            assert sorted(stored) == sorted([first, second]), transcript
            roles = [m["role"] for m in transcript]
            assert roles.count("bot") >= 2 and roles[-1] == "bot", roles

            events = tracker_turns(live_stack, cid)
            users = [text for kind, text in events if kind == "user"]
            assert users == stored, (stored, events)  # both kept, in the stored order
            between = "".join("u" if kind == "user" else "b" for kind, _ in events)
            assert between.startswith("u") and "uu" not in between and between.endswith("b"), \
                (between, events)  # every user message answered before the next one
