"""The gateway's own CPU time per citizen turn, sequential, with Rasa answered at once (issue 12).

Serves the gateway as production does (``python -m gateway``, one process, its loaded heap
frozen) on a private embedded Redis, with a stand-in for Rasa's HTTP API in this process that
answers every message at once with a guidance answer and its source (as most real turns are).
Sends ``--turns`` questions from ``knowledge/eval/questions.jsonl`` one after another over the
citizen WebSocket, as the widget does (a new conversation every six turns, ``resume`` first),
waiting for each turn's bot reply, and prints the gateway process's CPU time (user + system,
``psutil``) per turn. Only the gateway runs, so the figure moves with the gateway's code, not
with Rasa's or the action server's; ``benchmarks/turn_profile_live.py`` measures all three.
``--py-spy FILE`` also samples the gateway over its first measured turns (raw stacks in FILE)
and prints its hottest functions. ``--against DIR`` serves a second gateway from another source
tree (say ``git archive`` of an earlier commit, unpacked) and measures the two alternately, so
both see the same state of a shared machine. ``--clients K`` sends the turns from K citizens at
once (each its share, one after another) and ``--rasa-delay S`` makes the stand-in answer after
S seconds, so many turns are in flight as under load.

    .venv/bin/python benchmarks/gateway_turn_cpu.py [--turns 600] [--repeat 3] [--py-spy FILE]
                                                    [--against DIR] [--clients K] [--rasa-delay S]
                                                    [--redis-costs]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
from aiohttp import web
from websocket import create_connection

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load_stack import LOAD_ENV  # noqa: E402
from benchmarks.turn_profile_live import TURNS_PER_CONVERSATION, questions  # noqa: E402
from gateway.fanout import id_key  # noqa: E402
from stack.redis_server import start_embedded_redis  # noqa: E402

PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
# One client sends hundreds of turns a minute: every limit check still runs, none refuses.
RAISED = {
    "LIMIT_CONVERSATIONS_PER_ADDRESS": "100000/minute",
    "LIMIT_MESSAGES_PER_CONVERSATION": "100000/minute",
    "LIMIT_MESSAGES_PER_ADDRESS": "100000/minute",
    "LIMIT_FRAMES_PER_CONVERSATION": "100000/minute",
}
ANSWER = [
    {"text": "You can renew your passport online. It usually takes three weeks."},
    {
        "custom": {
            "sources": [
                {
                    "title": "Passports",
                    "url": "https://example.org/passports#renew",
                    "heading": "Renew a passport",
                    "last_reviewed": "2026-10-01",
                    "article_id": "passports",
                }
            ]
        }
    },
]


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_rasa(port: int, delay: float = 0.0) -> threading.Thread:
    """Rasa's HTTP API answered after ``delay`` seconds (at once by default), in a thread of
    this process."""

    async def webhook(_request: web.Request) -> web.Response:
        if delay:
            await asyncio.sleep(delay)
        return web.json_response(ANSWER)

    async def anything(_request: web.Request) -> web.Response:
        return web.json_response({})

    def run() -> None:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", webhook)
        app.router.add_route("*", "/{tail:.*}", anything)
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True, name="rasa-stand-in")
    thread.start()
    return thread


def turns_over_socket(url: str, count: int, texts: list[str], clients: int = 1) -> float:
    """``count`` turns over the citizen socket, sequential within each of ``clients`` concurrent
    clients; the mean wall time per turn."""
    if clients > 1:
        share = count // clients
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            walls = list(pool.map(lambda _n: turns_over_socket(url, share, texts),
                                  range(clients)))
        return statistics.mean(walls)
    spent = 0.0
    ws = None
    with httpx.Client(base_url=url, timeout=30) as client:
        for n in range(count):
            if n % TURNS_PER_CONVERSATION == 0:
                if ws is not None:
                    ws.close()
                cid = client.post("/api/conversations", json={}).json()["conversation_id"]
                ws = create_connection(
                    url.replace("http", "ws", 1) + f"/ws/conversations/{cid}", timeout=30
                )
                ws.send(json.dumps({"type": "resume", "after": None}))
            assert ws is not None
            started = time.perf_counter()
            ws.send(
                json.dumps(
                    {"type": "message", "text": texts[n % len(texts)], "client_id": f"cpu-{n}"}
                )
            )
            acked = ""
            while True:
                frame = json.loads(ws.recv())
                if frame.get("type") == "ack":
                    acked = frame["id"]
                elif frame.get("type") == "error":
                    raise RuntimeError(f"refused: {frame.get('code')}")
                elif (
                    frame.get("type") == "message"
                    and acked
                    and frame["message"]["role"] in ("bot", "system")
                    and id_key(frame["message"]["id"]) > id_key(acked)
                ):
                    if frame["message"]["role"] == "system":
                        raise RuntimeError(f"system reply: {frame['message']['text']}")
                    break
            spent += time.perf_counter() - started
        if ws is not None:
            ws.close()
    time.sleep(0.3)  # the last turn's background work (release, figures) finishes
    return spent / max(1, count)


def hottest(raw: Path, top: int = 25) -> list[tuple[str, float]]:
    """The functions py-spy saw on most sampled stacks (self time), as shares."""
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        leaf = stack.rsplit(";", 1)[-1]
        if any(
            idle in leaf
            for idle in (
                "selectors.py",
                "Condition.wait",
                "queue.py",
                "threading.py",
                "_worker (concurrent",
            )
        ):
            continue
        own[leaf] += int(count)
        total += int(count)
    return [(name, n / max(1, total)) for name, n in own.most_common(top)]


def serve_gateway(
    code: Path, env: dict[str, str], log_level: str, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m gateway`` from the source tree ``code``; the process and its URL once up."""
    port = free_port()
    with log.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "--port", str(port), "--log-level", log_level],
            cwd=code,
            env={**env, "PYTHONPATH": str(code)},
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError(log.read_text()[-2000:])


def command_costs(redis_url: str) -> dict[str, tuple[int, int]]:
    """Redis's own figures per command since its last reset: (calls, microseconds)."""
    import redis as redis_py

    client = redis_py.Redis.from_url(redis_url)
    try:
        stats = client.info("commandstats")
    finally:
        client.close()
    return {
        name.removeprefix("cmdstat_"): (int(v["calls"]), int(v["usec"]))
        for name, v in stats.items()
    }


def print_command_costs(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]],
                        turns: int) -> None:
    """Each command's calls and Redis CPU per turn over the measured turns, costliest first."""
    rows = []
    for name, (calls, usec) in after.items():
        calls_before, usec_before = before.get(name, (0, 0))
        if calls > calls_before:
            rows.append((name, (calls - calls_before) / turns, (usec - usec_before) / turns))
    rows.sort(key=lambda row: -row[2])
    print("  | command | calls per turn | Redis µs per turn |\n  |---|---|---|")
    for name, per_turn, cost in rows[:12]:
        print(f"  | {name} | {per_turn:.2f} | {cost:.1f} |")


def measure(process: subprocess.Popen[bytes], url: str, turns: int, texts: list[str],
            clients: int = 1, redis_pid: int | None = None,
            redis_url: str | None = None) -> float:
    """CPU ms per turn of the gateway over ``turns`` turns (printed as well); with
    ``redis_pid`` and ``redis_url`` also Redis's CPU per turn and what each command cost it."""
    watched = psutil.Process(process.pid)
    server = psutil.Process(redis_pid) if redis_pid else None
    server_before = server.cpu_times() if server else None
    stats_before = command_costs(redis_url) if redis_url else {}
    before = watched.cpu_times()
    wall = turns_over_socket(url, turns, texts, clients)
    turns = turns // clients * clients
    after = watched.cpu_times()
    user = (after.user - before.user) / turns * 1000
    system = (after.system - before.system) / turns * 1000
    print(
        f"  {turns} turns: {user + system:.2f} ms per turn ({user:.2f} user, "
        f"{system:.2f} system; wall {wall * 1000:.1f} ms)",
        flush=True,
    )
    if server is not None and server_before is not None:
        spent = server.cpu_times()
        used = (spent.user + spent.system - server_before.user - server_before.system)
        print(f"  Redis: {used / turns * 1000:.2f} ms per turn", flush=True)
    if redis_url:
        print_command_costs(stats_before, command_costs(redis_url), turns)
    return user + system


def main(turns: int, repeat: int, spy: str | None, log_level: str, codes: list[Path],
         clients: int = 1, delay: float = 0.0, redis_costs: bool = False) -> int:
    """Start Redis, the stand-in and one gateway per source tree; measure them in turn."""
    texts = questions()
    rasa_port = free_port()
    start_rasa(rasa_port, delay)
    with tempfile.TemporaryDirectory() as tmp:
        redis = start_embedded_redis(Path(tmp) / "redis", appendonly=False)
        env = {
            **os.environ,
            **LOAD_ENV,
            **RAISED,
            "REDIS_URL": redis.url,
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{rasa_port}/webhook",
            "EDITOR_ENABLED": "false",
            "ASSISTANT_ENV": "development",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "PYTHONUNBUFFERED": "1",
        }
        gateways: list[tuple[subprocess.Popen[bytes], str]] = []
        try:
            for n, code in enumerate(codes):
                gateways.append(serve_gateway(code, env, log_level, Path(tmp) / f"gw{n}.log"))
            for _process, url in gateways:
                turns_over_socket(url, 60, texts)  # warm up
            spy_process = None
            if spy:
                spy_process = subprocess.Popen(
                    [
                        str(PY_SPY),
                        "record",
                        "--pid",
                        str(gateways[0][0].pid),
                        "--nonblocking",
                        "--gil",
                        "--rate",
                        "250",
                        "--format",
                        "raw",
                        "--output",
                        spy,
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(1.0)
            figures: list[list[float]] = [[] for _ in codes]
            for _ in range(repeat):
                for n, (process, url) in enumerate(gateways):  # alternately: same machine state
                    print(f"{codes[n]}:", flush=True)
                    figures[n].append(
                        measure(process, url, turns, texts, clients,
                                redis.process.pid if redis_costs else None,
                                redis.url if redis_costs else None)
                    )
                    if n == 0 and spy_process is not None and spy_process.poll() is None:
                        spy_process.send_signal(signal.SIGINT)
                        spy_process.wait(timeout=60)
            if spy_process is not None and spy:
                print("\n| self share | function |\n|---|---|")
                for name, share in hottest(Path(spy)):
                    print(f"| {100 * share:.1f} % | {name} |")
            print()
            for code, series in zip(codes, figures, strict=True):
                print(
                    f"{code}: gateway CPU per turn {', '.join(f'{f:.2f}' for f in series)} ms"
                    f" (median {statistics.median(series):.2f}, min {min(series):.2f})"
                )
        finally:
            for process, _url in gateways:
                process.terminate()
                process.wait(timeout=20)
            redis.stop()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--py-spy", metavar="FILE", help="also sample the gateway into FILE (py-spy's raw stacks)"
    )
    parser.add_argument(
        "--log-level", default="info", help="the gateway's (info, as ./assistant run serves it)"
    )
    parser.add_argument(
        "--against",
        type=Path,
        action="append",
        default=[],
        help="also serve the gateway of this source tree (e.g. `git archive` of "
        "an earlier commit) and measure both alternately",
    )
    parser.add_argument(
        "--clients", type=int, default=1,
        help="concurrent citizens, each sending its share of the turns one after another",
    )
    parser.add_argument(
        "--rasa-delay", type=float, default=0.0, metavar="SECONDS",
        help="the stand-in answers after this long, so turns overlap as under real load",
    )
    parser.add_argument(
        "--redis-costs", action="store_true",
        help="also print Redis's own CPU per turn and what each command cost it",
    )
    arguments = parser.parse_args()
    sys.exit(
        main(
            arguments.turns,
            arguments.repeat,
            arguments.py_spy,
            arguments.log_level,
            [ROOT, *arguments.against],
            arguments.clients,
            arguments.rasa_delay,
            arguments.redis_costs,
        )
    )
