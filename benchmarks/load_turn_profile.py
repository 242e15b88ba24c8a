"""Where one citizen turn's time goes inside the gateway (issue 12).

Runs the gateway app in-process on a private embedded Redis with Rasa answered instantly by a
scripted stand-in (so only the gateway's own work is timed), sends ``--turns`` messages over
HTTP and times each phase of the turn: the rate-limit check, storing the message (including
redaction with spaCy/Presidio), taking the cross-instance turn lock, the Rasa call and the rest
(storing replies, events). The baseline, measured in the same run, is one bare Redis round trip.
With a real Rasa, its own time (NLU and the action server; seconds under load, see
``benchmarks/load_turns.py``) comes on top.

    .venv/bin/python benchmarks/load_turn_profile.py [--turns 100]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.app import create_app  # noqa: E402
from gateway.rasa_transport import HttpxTransport  # noqa: E402
from stack.redis_server import start_embedded_redis  # noqa: E402
from tests.gateway.conftest import gateway_settings  # noqa: E402

TEXTS = ["how do I renew my passport", "my bin wasn't collected, I live at 4 High Street",
         "when is the library open", "can I pay council tax by card"]


def rasa_reply(request: httpx.Request) -> httpx.Response:
    """An instant Rasa: one answer with a source."""
    if request.url.path != "/webhooks/rest/webhook":
        return httpx.Response(200, json={})
    text = json.loads(request.content)["message"]
    return httpx.Response(200, json=[{"text": f"About '{text[:20]}': see the guidance."}])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def main(turns: int) -> int:
    timings: dict[str, list[float]] = defaultdict(list)

    def timed(name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                timings[name].append((time.perf_counter() - start) * 1000)
        return wrapper

    with tempfile.TemporaryDirectory() as tmp:
        server = start_embedded_redis(Path(tmp) / "redis", appendonly=False)
        settings = gateway_settings(server.url, limit_messages_per_conversation="100000/minute",
                                    limit_messages_per_address="100000/minute")
        try:
            with TestClient(create_app(settings)) as client:
                runtime = client.app.state.runtime  # type: ignore[attr-defined]
                runtime.rasa.transport = HttpxTransport.mocked(rasa_reply)
                runtime.limits.message = timed("rate limits", runtime.limits.message)
                runtime.turns.accept = timed("store message (incl. redaction)",
                                             runtime.turns.accept)
                runtime.rasa.send = timed("Rasa call (instant stand-in)", runtime.rasa.send)
                order_turn = runtime.turns.order.turn

                @contextlib.asynccontextmanager
                async def timed_turn(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
                    start = time.perf_counter()
                    async with order_turn(*args, **kwargs) as read:
                        timings["turn lock (cross-instance)"].append(
                            (time.perf_counter() - start) * 1000)
                        yield read

                runtime.turns.order.turn = timed_turn
                cid = client.post("/api/conversations").json()["conversation_id"]
                for n in range(turns):
                    start = time.perf_counter()
                    response = client.post(f"/api/conversations/{cid}/messages",
                                           json={"text": TEXTS[n % len(TEXTS)],
                                                 "client_id": secrets.token_hex(4)})
                    timings["whole HTTP turn"].append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.text

                async def ping() -> None:
                    for _ in range(turns):
                        start = time.perf_counter()
                        await runtime.redis.ping()
                        timings["baseline: one Redis round trip"].append(
                            (time.perf_counter() - start) * 1000)

                client.portal.call(ping)  # type: ignore[union-attr]
        finally:
            server.stop()

    whole = statistics_mean(timings["whole HTTP turn"])
    print(f"| phase ({turns} turns) | mean | p95 | share of the turn |")
    print("|---|---|---|---|")
    for name, values in timings.items():
        mean = statistics_mean(values)
        print(f"| {name} | {mean:.2f} ms | {pct(values, 95):.2f} ms | "
              f"{100 * mean / whole:.0f} % |")
    return 0


def statistics_mean(values: list[float]) -> float:
    return sum(values) / max(1, len(values))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100)
    sys.exit(main(parser.parse_args().turns))
