"""Turn throughput and latency against a running multi-instance profile (issue 12).

Start the profile first (``.venv/bin/python -m deploy.cluster --instances 2 --port 8700``), then

    .venv/bin/python benchmarks/load_turns.py --citizens 50 --messages 6

Runs the same script of citizen messages, in the same run, against: nginx in front of all
gateways, gateway 1 alone (calling Rasa through nginx's pool), and bare Rasa 1's REST channel
(the same bot and action servers, no gateway: the baseline; in this profile Rasa 1 reaches
the action servers through nginx's pool too). Each simulated citizen starts a conversation (from its
own address, passed as X-Forwarded-For: the gateways trust loopback) and sends its messages one
after another, waiting for each reply. Prints messages/s, p50/p95/p99 per turn and errors.
Loopback only; bounded by ``--citizens`` × ``--messages``.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
from dataclasses import dataclass, field

import httpx

SCRIPT = ["how do I renew my passport", "my bin wasn't collected", "no",
          "when is the library open", "how do I pay council tax", "thanks"]


@dataclass
class Result:
    """One target's measurements."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


async def gateway_citizen(client: httpx.AsyncClient, number: int, messages: int,
                          result: Result) -> None:
    headers = {"x-forwarded-for": f"10.{number // 250}.{number % 250}.{7 + number % 200}"}
    response = await client.post("/api/conversations", headers=headers)
    if response.status_code != 201:
        result.errors += messages
        return
    cid = response.json()["conversation_id"]
    for n in range(messages):
        start = time.perf_counter()
        try:
            turn = await client.post(f"/api/conversations/{cid}/messages", headers=headers,
                                     json={"text": SCRIPT[n % len(SCRIPT)], "client_id": f"m{n}"})
            # A system "bot unavailable" notice (Rasa timed out) counts as an error.
            ok = turn.status_code == 200 and any(
                m["role"] == "bot" for m in turn.json()["messages"])
        except httpx.HTTPError:
            ok = False
        if ok:
            result.latencies.append(time.perf_counter() - start)
        else:
            result.errors += 1


async def rasa_citizen(client: httpx.AsyncClient, number: int, messages: int,
                       result: Result) -> None:
    sender = secrets.token_urlsafe(24)
    for n in range(messages):
        start = time.perf_counter()
        try:
            turn = await client.post("/webhooks/rest/webhook",
                                     json={"sender": sender, "message": SCRIPT[n % len(SCRIPT)]})
            ok = turn.status_code == 200 and bool(turn.json())
        except httpx.HTTPError:
            ok = False
        if ok:
            result.latencies.append(time.perf_counter() - start)
        else:
            result.errors += 1


async def measure(name: str, base: str, citizens: int, messages: int, rasa: bool) -> Result:
    result = Result(name)
    limits = httpx.Limits(max_connections=citizens, max_keepalive_connections=citizens)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        worker = rasa_citizen if rasa else gateway_citizen
        start = time.perf_counter()
        await asyncio.gather(*(worker(client, n, messages, result) for n in range(citizens)))
        result.seconds = time.perf_counter() - start
    return result


async def main(args: argparse.Namespace) -> int:
    targets = [(f"nginx → {args.instances} gateways", args.nginx, False),
               ("gateway 1 alone", args.gateway, False),
               ("bare Rasa 1 REST (baseline)", args.rasa, True)]
    await measure("warm-up", args.gateway, 2, 2, False)
    results = [await measure(name, base, args.citizens, args.messages, rasa)
               for name, base, rasa in targets]
    print(f"| target ({args.citizens} concurrent citizens × {args.messages} messages) | "
          "messages/s | p50 | p95 | p99 | errors |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r.name} | {len(r.latencies) / r.seconds:.1f} | {pct(r.latencies, 50):.2f} s | "
              f"{pct(r.latencies, 95):.2f} s | {pct(r.latencies, 99):.2f} s | {r.errors} |")
    return 0 if all(r.errors == 0 for r in results) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--messages", type=int, default=6)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--nginx", default="http://127.0.0.1:8700")
    parser.add_argument("--gateway", default="http://127.0.0.1:8101")
    parser.add_argument("--rasa", default="http://127.0.0.1:5101")
    sys.exit(asyncio.run(main(parser.parse_args())))
