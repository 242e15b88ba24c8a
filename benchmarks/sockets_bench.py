"""Idle citizen sockets: memory and Redis connections per socket, and delivery with many open.

Runs a real gateway (uvicorn subprocess) on a private embedded Redis, opens idle citizen
WebSockets (one conversation each, ``resume`` sent, then silent) in steps, and prints per step:
the gateway's resident memory, its increase per socket, the number of Redis connections the
gateway holds (``CLIENT LIST``), and how long a stored message takes to reach its socket
(p50/p95 over 100 messages). The first row (no sockets) is the baseline of the same run.
Target (issue 12): 5,000 idle sockets on one gateway use ≤ 20 Redis connections.

    .venv/bin/python benchmarks/sockets_bench.py [--steps 1000,5000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets
from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from records.conversations import ConversationKeys  # noqa: E402
from stack.redis_server import free_port, start_embedded_redis  # noqa: E402
from tests.gateway.harness import GatewayProcess, gateway_env  # noqa: E402

TARGET_CONNECTIONS = 20


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def redis_clients(redis: Redis) -> int:
    """Connections to Redis other than this benchmark's own."""
    own = await redis.client_id()
    clients = await redis.client_list()
    return sum(1 for c in clients if int(c["id"]) != own)


async def create_conversations(base: str, count: int) -> list[str]:
    """``count`` conversations over HTTP (20 at a time)."""
    ids: list[str] = []
    gate = asyncio.Semaphore(20)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def one() -> None:
            async with gate:
                response = await client.post("/api/conversations")
                response.raise_for_status()
                ids.append(response.json()["conversation_id"])

        await asyncio.gather(*(one() for _ in range(count)))
    return ids


class IdleSocket:
    """One citizen socket: resumes, then only listens."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws: Any = None
        self.arrived: dict[str, float] = {}
        self.reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.ws = await websockets.connect(self.url, max_size=2**20, ping_interval=None)
        await self.ws.send(json.dumps({"type": "resume", "after": None}))
        while json.loads(await self.ws.recv())["type"] != "state":
            pass
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame["type"] == "message":
                self.arrived[frame["message"]["text"]] = time.perf_counter()

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        await self.ws.close()


async def delivery_ms(redis: Redis, prefix: str, sockets: dict[str, IdleSocket],
                      rounds: int = 100) -> list[float]:
    """Store one message in a random open conversation at a time; time until its socket has it."""
    times: list[float] = []
    for n in range(rounds):
        cid = random.choice(list(sockets))
        text = f"probe-{n}-{secrets.token_hex(3)}"
        start = time.perf_counter()
        await redis.xadd(ConversationKeys(prefix).messages(cid),
                         {"role": "bot", "text": text, "ts": f"{time.time():.3f}"})
        deadline = start + 10
        while text not in sockets[cid].arrived and time.perf_counter() < deadline:
            await asyncio.sleep(0.001)
        times.append((sockets[cid].arrived.get(text, deadline) - start) * 1000)
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


async def main(steps: list[int]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        server = start_embedded_redis(Path(tmp) / "redis", appendonly=False)
        prefix = f"b{secrets.token_hex(3)}:"
        env = {**gateway_env(server.url, prefix), "MAX_SOCKETS_PER_ADDRESS": "100000",
               "MAX_SOCKETS_PER_PROCESS": "100000"}
        gateway = GatewayProcess(free_port(), env, Path(tmp) / "gateway.log")
        gateway.start()
        redis = Redis.from_url(server.url, decode_responses=True)
        rows: list[tuple[int, float, float, int, float, float]] = []
        sockets: dict[str, IdleSocket] = {}
        failed = 0
        try:
            assert gateway.process is not None
            pid = gateway.process.pid
            await asyncio.sleep(1.0)
            base_rss = rss_mb(pid)
            rows.append((0, base_rss, 0.0, await redis_clients(redis), 0.0, 0.0))
            for target in steps:
                ids = await create_conversations(gateway.url, target - len(sockets))
                ws_base = gateway.url.replace("http://", "ws://")
                new = {cid: IdleSocket(f"{ws_base}/ws/conversations/{cid}") for cid in ids}
                batch = list(new.items())
                for start in range(0, len(batch), 200):
                    part = batch[start:start + 200]
                    results = await asyncio.gather(*(s.open() for _, s in part),
                                                   return_exceptions=True)
                    for (cid, sock), result in zip(part, results, strict=True):
                        if isinstance(result, BaseException):
                            failed += 1
                        else:
                            sockets[cid] = sock
                await asyncio.sleep(2.0)
                rss = rss_mb(pid)
                connections = await redis_clients(redis)
                times = await delivery_ms(redis, prefix, sockets)
                per_socket_kb = (rss - base_rss) * 1024 / max(1, len(sockets))
                rows.append((len(sockets), rss, per_socket_kb, connections,
                             pct(times, 50), pct(times, 95)))
        finally:
            for sock in sockets.values():
                with contextlib.suppress(Exception):  # closing is best effort
                    await sock.close()
            await redis.aclose()
            gateway.stop()
            server.stop()

    print("| idle sockets | gateway RSS | RSS per socket | Redis connections | "
          "delivery p50 | delivery p95 |")
    print("|---|---|---|---|---|---|")
    for count, rss, per_socket, connections, p50, p95 in rows:
        print(f"| {count:,} | {rss:.0f} MB | {per_socket:.1f} KB | {connections} | "
              f"{p50:.1f} ms | {p95:.1f} ms |")
    print(f"(first row: baseline, no sockets; sockets that failed to open: {failed})")
    worst = rows[-1][3]
    ok = worst <= TARGET_CONNECTIONS and failed == 0
    print(f"target: ≤ {TARGET_CONNECTIONS} Redis connections at {rows[-1][0]:,} sockets — "
          f"{'met' if ok else 'NOT met'} ({worst})")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="1000,5000",
                        help="comma-separated socket counts to measure at")
    args = parser.parse_args()
    sys.exit(asyncio.run(main([int(s) for s in args.steps.split(",")])))
