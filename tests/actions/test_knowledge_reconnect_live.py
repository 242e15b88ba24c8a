"""The running action server keeps serving what editors publish across a lost Redis link.

The real stack (Redis, Rasa, the action server process, the gateway). What must hold: with
every Redis connection of the action server killed and a changed article published in the same
Redis transaction (so its event cannot reach the action server), a citizen asking through the
gateway gets the changed text once the action server has reconnected and re-applied the
published overlay; nothing is restarted. The article is put back afterwards.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
import redis

from knowledge.live import LiveKeys, stage_publish
from stack.live import LiveStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ACTIONS_CLIENT_NAME = "csa-actions"  # actions.resources.CLIENT_NAME
QUESTION = "can I borrow a canoe from the library boathouse"
MARKER = "Canoes can be borrowed from the library boathouse on Saturdays."


def ask(base: str, question: str) -> str:
    """The bot's reply text to ``question`` in a new conversation."""
    cid = httpx.post(f"{base}/api/conversations", json={}, timeout=10).json()["conversation_id"]
    reply = httpx.post(
        f"{base}/api/conversations/{cid}/messages", json={"text": question}, timeout=60
    ).json()
    return " ".join(m.get("text") or "" for m in reply.get("messages", []) if m["role"] == "bot")


def test_change_published_while_disconnected_reaches_citizens(
    live_stack: LiveStack, sync_redis: redis.Redis
) -> None:
    keys = LiveKeys(live_stack.layout.extra_env.get("REDIS_KEY_PREFIX", "csa:"))
    deadline = time.monotonic() + 240
    while not [c for c in sync_redis.client_list() if c.get("name") == ACTIONS_CLIENT_NAME]:
        ask(live_stack.url, QUESTION)  # the first guidance question loads the service
        assert time.monotonic() < deadline, "the action server never connected to Redis"
        time.sleep(2)
    assert MARKER not in ask(live_stack.url, QUESTION)
    original = (ROOT / "knowledge" / "articles" / "libraries.md").read_text(encoding="utf-8")
    changed = original.replace("## ", f"## Borrowing a canoe\n\n{MARKER}\n\n## ", 1)
    ids = [c["id"] for c in sync_redis.client_list() if c.get("name") == ACTIONS_CLIENT_NAME]
    try:
        with sync_redis.pipeline(transaction=True) as pipe:  # kill, then publish
            for client_id in ids:
                pipe.execute_command("CLIENT", "KILL", "ID", client_id)
            stage_publish(pipe, keys, "libraries", changed)
            pipe.execute()
        text, deadline = "", time.monotonic() + 30
        while MARKER not in text and time.monotonic() < deadline:
            time.sleep(0.5)
            text = ask(live_stack.url, QUESTION)
        assert MARKER in text, f"the action server still serves the old text: {text!r}"
    finally:
        with sync_redis.pipeline(transaction=True) as pipe:
            stage_publish(pipe, keys, "libraries", original)
            pipe.hdel(keys.published, "libraries")
            pipe.execute()
