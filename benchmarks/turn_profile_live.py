"""Where one citizen turn's CPU time goes, across the gateway, Rasa and the action server
(issue 12, item 6).

Starts one instance behind nginx (``benchmarks/load_stack.py``), sends questions from
``knowledge/eval/questions.jsonl`` one after another for ``--seconds``, over the citizen WebSocket
as the widget and the load test's citizens do (``--via http``: the HTTP API), while py-spy samples
each process (and its workers), then prints CPU milliseconds per turn by process and part:
NLU, policies, tracker store, embedding, section model, privacy, safety, and so on.

Each process's CPU time per turn is measured exactly (user + system time of the process and its
children, from ``psutil``, over the sampled turns); py-spy's samples only split it into parts.
A sample whose innermost frame is an event loop or a thread waiting (``IDLE``) is dropped (with
``--nonblocking`` py-spy cannot tell those threads are idle); every other sample is put in the
first part of ``PARTS`` that any frame of its stack belongs to.

    .venv/bin/python benchmarks/turn_profile_live.py [--seconds 30] [--via socket|http]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
from websocket import create_connection

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load_stack import start_stack  # noqa: E402
from gateway.fanout import id_key  # noqa: E402

TURNS_PER_CONVERSATION = 6  # as benchmarks/locustfile.py's citizens
PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
RATE = 200  # samples per second
PROCESSES = ("gateway-1", "rasa-1", "actions-1")
# A sample goes to the first of PARTS that any frame of its stack belongs to; failing that, to
# the GENERIC part of its innermost frame that has one (so JSON or HTTP work done by our code
# counts as JSON or HTTP, and our own code as ours). py-spy names a frame
# "function (path:line)", the path relative to its sys.path entry: "(safety/" is the package.
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tracker store", ("tracker_store", "lock_store", "rasa/shared/core/trackers.py")),
    ("safety checks", ("(safety/",)),
    ("embedding (ONNX model)", ("knowledge/embedding.py", "onnxruntime")),
    ("section model", ("section_fit", "section_ranking")),
    ("guidance search (FAISS, BM25, rest)", ("(knowledge/", "faiss", "bm25s")),
    ("privacy (spaCy, Presidio)", ("(privacy/", "presidio", "spacy", "thinc")),
    ("NLU", ("rasa/nlu/",)),
    ("policies", ("rasa/core/policies/",)),
    ("calling the action server", ("rasa/core/actions/", "rasa/utils/endpoints")),
    ("Redis client", ("redis/", "hiredis")),
    ("logging", ("logging/",)),
)
GENERIC: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("web servers, HTTP and JSON", ("sanic", "uvicorn", "starlette", "fastapi", "aiohttp",
                                    "httpx", "httpcore", "h11", "json", "websockets",
                                    "pydantic")),
    ("Rasa turn handling (other)", ("rasa/core/", "rasa/engine/", "rasa/shared/")),
    ("actions (other)", ("(actions/", "rasa_sdk")),
    ("gateway (other)", ("(gateway/", "(records/")),
)


IDLE = ("runners.py", "selectors.py", "Condition.wait", "_worker (concurrent/futures/thread.py",
        "Connection._recv", "Connection._poll", "Event.wait", "Thread._wait_for_tstate_lock",
        "(threading.py", "queue.py", "_socket_can_read")


def part_of(stack: str) -> str:
    """The part a sampled stack (py-spy's raw "frame;frame;…" form) belongs to."""
    for name, needles in PARTS:
        if any(needle in stack for needle in needles):
            return name
    for frame in reversed(stack.split(";")):
        for name, needles in GENERIC:
            if any(needle in frame for needle in needles):
                return name
    return "other (interpreter, event loop, libraries)"


def read_samples(path: Path) -> Counter[str]:
    """Samples per part from py-spy's raw output (one "stack count" per line)."""
    parts: Counter[str] = Counter()
    if not path.exists():
        return parts
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = stack.rsplit(";", 1)[-1]
        if stack and count.isdigit() and not any(marker in leaf for marker in IDLE):
            parts[part_of(stack)] += int(count)
    return parts


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children so far."""
    process = psutil.Process(pid)
    total = 0.0
    for one in [process, *process.children(recursive=True)]:
        times = one.cpu_times()
        total += times.user + times.system
    return total


def questions() -> list[str]:
    """The labelled questions, in file order."""
    return [json.loads(line)["question"] for line in
            (ROOT / "knowledge/eval/questions.jsonl").read_text().splitlines() if line]


def drive_socket(url: str, seconds: float) -> tuple[int, float]:
    """Sequential turns over the citizen WebSocket: send, wait for the bot's (or system)
    reply after the acknowledged message; return (turns, mean wall time per turn)."""
    texts = questions()
    turns, spent = 0, 0.0
    with httpx.Client(base_url=url, timeout=60) as client:
        deadline = time.monotonic() + seconds
        socket = None
        while time.monotonic() < deadline:
            if turns % TURNS_PER_CONVERSATION == 0:
                if socket is not None:
                    socket.close()
                cid = client.post("/api/conversations", json={}).json()["conversation_id"]
                socket = create_connection(url.replace("http", "ws", 1)
                                           + f"/ws/conversations/{cid}", timeout=60)
                socket.send(json.dumps({"type": "resume", "after": None}))
            assert socket is not None
            started = time.perf_counter()
            socket.send(json.dumps({"type": "message", "text": texts[turns % len(texts)],
                                    "client_id": f"profile-{turns}"}))
            acked = ""
            while True:
                frame = json.loads(socket.recv())
                if frame.get("type") == "ack":
                    acked = frame["id"]
                elif frame.get("type") == "error":
                    raise RuntimeError(f"refused: {frame.get('code')}")
                elif (frame.get("type") == "message" and acked
                      and frame["message"]["role"] in ("bot", "system")
                      and id_key(frame["message"]["id"]) > id_key(acked)):
                    break
            spent += time.perf_counter() - started
            turns += 1
        if socket is not None:
            socket.close()
    return turns, spent / max(1, turns)


def drive(url: str, seconds: float) -> tuple[int, float]:
    """Sequential turns over the HTTP API; return (turns, mean wall time per turn)."""
    texts = questions()
    turns, spent = 0, 0.0
    with httpx.Client(base_url=url, timeout=60) as client:
        deadline = time.monotonic() + seconds
        cid = ""
        while time.monotonic() < deadline:
            if turns % TURNS_PER_CONVERSATION == 0:
                cid = client.post("/api/conversations", json={}).json()["conversation_id"]
            started = time.perf_counter()
            response = client.post(f"/api/conversations/{cid}/messages",
                                   json={"text": texts[turns % len(texts)]})
            response.raise_for_status()
            spent += time.perf_counter() - started
            turns += 1
    return turns, spent / max(1, turns)


def main(turn_seconds: float, via: str) -> int:
    """Profile, then print the table."""
    driver = drive_socket if via == "socket" else drive
    stack = start_stack(1, 8700)
    out = Path(tempfile.mkdtemp(prefix="turn-profile-"))
    try:
        driver(stack.url, 5)  # warm up
        spies = []
        for name in PROCESSES:
            process = stack.part(name).process
            assert process is not None
            spies.append(subprocess.Popen(
                [str(PY_SPY), "record", "--pid", str(process.pid), "--subprocesses",
                 "--nonblocking", "--rate", str(RATE), "--format", "raw",
                 "--duration", str(int(turn_seconds) + 3), "--output", str(out / name)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1.5)
        pids = {name: stack.part(name).process.pid for name in PROCESSES}  # type: ignore[union-attr]
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        turns, wall = driver(stack.url, turn_seconds)
        cpu = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
        for spy in spies:
            spy.wait(timeout=turn_seconds + 60)
    finally:
        stack.stop()
    print(f"\n{turns} sequential turns over the {'WebSocket' if via == 'socket' else 'HTTP API'}, "
          f"{wall * 1000:.0f} ms wall time each on average\n")
    print("| process | part | CPU ms per turn | share of the process |")
    print("|---|---|---|---|")
    for name in PROCESSES:
        parts = read_samples(out / name)
        samples = sum(parts.values())
        per_turn = cpu[name] / turns * 1000
        for part, count in parts.most_common():
            share = count / max(1, samples)
            print(f"| {name} | {part} | {per_turn * share:.1f} | {100 * share:.0f} % |")
        print(f"| {name} | **all (measured CPU time)** | **{per_turn:.1f}** | 100 % |")
    total = sum(cpu.values()) / turns * 1000
    print(f"\nCPU per turn, all three processes: {total:.0f} ms "
          f"(so at most {2000 / total:.1f} turns/s on this machine's 2 cores)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30,
                        help="how long to send turns while sampling")
    parser.add_argument("--via", choices=("socket", "http"), default="socket",
                        help="the citizen WebSocket (as the widget) or the HTTP API")
    arguments = parser.parse_args()
    sys.exit(main(arguments.seconds, arguments.via))
