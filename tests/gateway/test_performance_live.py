"""The performance figures through the real stack (gateway, Rasa, action server, Redis).

A known scenario of three conversations is played over HTTP against real Rasa and the real
action server; the figures API (as a manager) and the weekly export must move by exactly the
expected amounts:

- c1 asks how to pay council tax (a guidance answer from an article) and answers "Yes";
- c2 asks the same, says "that's not what I asked" (counted by the action server) and answers
  "No" (so it is not contained);
- c3 asks for a person: queued when an adviser is free, otherwise a callback is offered.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from gateway.auth.users import UserStore
from gateway.settings import Settings
from records.client import str_replies
from stack.live import LiveStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PASSWORD = "a long manager password for tests"


def start(client: httpx.Client) -> str:
    response = client.post("/api/conversations", json={"page_url": "https://council.example/tax"})
    assert response.status_code == 201
    return str(response.json()["conversation_id"])


def say(client: httpx.Client, cid: str, text: str) -> dict[str, Any]:
    response = client.post(f"/api/conversations/{cid}/messages", json={"text": text}, timeout=90)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def create_manager(redis_url: str) -> None:
    redis = str_replies(Redis.from_url(redis_url, decode_responses=True))
    try:
        await UserStore(redis, Settings(redis_url=redis_url)).create(
            "perf-manager", PASSWORD, "manager", replace=True)
    finally:
        await redis.aclose()


def test_known_scenario_through_the_real_stack(live_stack: LiveStack, redis_url: str) -> None:
    """The scenario moves every figure by exactly what it did, on the page's API and export."""
    asyncio.run(create_manager(redis_url))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    with httpx.Client(base_url=live_stack.url, timeout=30) as staff, \
            httpx.Client(base_url=live_stack.url, timeout=30) as citizen:
        login = staff.post("/api/console/login",
                           json={"username": "perf-manager", "password": PASSWORD})
        assert login.status_code == 200, login.text

        def figures() -> dict[str, Any]:
            response = staff.get("/api/performance", params={"start": today, "end": today})
            assert response.status_code == 200, response.text
            return dict(response.json()["current"])

        def export_week() -> dict[str, Any]:
            response = staff.get("/api/performance/export.json",
                                 params={"weeks": 1, "until": today})
            assert response.status_code == 200
            return dict(response.json()["weeks"][0])

        before = figures()
        c1, c2, c3 = start(citizen), start(citizen), start(citizen)
        answer = say(citizen, c1, "How do I pay my council tax?")
        sources = [s for m in answer["messages"] for s in (m.get("sources") or [])]
        assert sources, answer  # a guidance answer from an article
        topic = sources[0]["article_id"]
        say(citizen, c2, "How do I pay my council tax?")
        say(citizen, c2, "that's not what I asked")
        person = say(citizen, c3, "I want to talk to a person")
        queued = person["mode"] == "queued"
        for cid, verdict in ((c1, "yes"), (c2, "no")):
            assert citizen.post(f"/api/conversations/{cid}/survey",
                                json={"answer": verdict}).json() == {"recorded": True}
        after = figures()
        week = export_week()

    def moved(name: str) -> int:
        return int(after[name]) - int(before[name])

    assert moved("conversations") == 3
    assert moved("messages") == 4
    assert moved("contained") == (1 if queued else 2)  # c1, and c3 unless it was queued
    assert moved("not_what_i_asked") == 1
    assert after["survey"]["yes"] - before["survey"]["yes"] == 1
    assert after["survey"]["no"] - before["survey"]["no"] == 1
    assert after["handoffs"]["asked"] - before["handoffs"]["asked"] == (1 if queued else 0)
    assert moved("handoff_unavailable") == (0 if queued else 1)
    assert (after["first_answer_seconds"]["count"]
            - before["first_answer_seconds"]["count"]) == 3
    topics_before = {t["topic"]: t["conversations"] for t in before["topics"]}
    topics_after = {t["topic"]: t["conversations"] for t in after["topics"]}
    assert topics_after[topic] - topics_before.get(topic, 0) >= 1
    # the export counts the whole week: at least today's conversations (or suppressed, < 5)
    assert week["conversations"] is None or week["conversations"] >= after["conversations"]


def test_metrics_of_the_gateway_and_the_action_server(live_stack: LiveStack) -> None:
    """Both processes serve /metrics that the Prometheus parser reads; the action server times
    each action by name, the gateway each turn and its call to Rasa."""
    with httpx.Client(base_url=live_stack.url, timeout=30) as citizen:
        say(citizen, start(citizen), "How do I pay my council tax?")
    gateway = {f.name: f for f in text_string_to_metric_families(
        httpx.get(f"{live_stack.url}/metrics", timeout=10).text)}
    stages = {s.labels.get("stage") for s in gateway["csa_turn_seconds"].samples}
    assert {"gateway", "rasa"} <= stages
    actions = {f.name: f for f in text_string_to_metric_families(httpx.get(
        f"http://127.0.0.1:{live_stack.layout.actions_port}/metrics", timeout=10).text)}
    timed = {s.labels.get("action") for s in actions["csa_action_seconds"].samples}
    assert "action_guidance_answer" in timed, timed
