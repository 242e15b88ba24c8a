"""Load test with Locust, in one run (issue 12, item 6):

    .venv/bin/python benchmarks/load_locust.py [--seconds 60] [--citizens 50] [--instances 2] \
        [--kill]

1. starts bare Rasa 1 and action server 1 (Rasa calling it directly, no gateway or nginx) on a
   private Redis and drives the questions at that Rasa's REST webhook (bare Rasa with the same
   actions: the baseline); then 1 instance behind nginx (``benchmarks/load_stack.py``:
   deploy.cluster's processes) and runs ``benchmarks/locustfile.py`` headless: chatting
   citizens, a tenth of them asking for an adviser, 2 advisers; then, on the same instance,
   chatting citizens only, the load bare Rasa gets (like for like: no handoff work);
2. starts N instances behind nginx and runs the same load;
3. ``--kill``: then, on the same N instances, runs the load again while SIGKILLing gateway 1,
   Rasa 2 and action server 1 (each restarted after its systemd ``RestartSec``); afterwards every
   conversation resends its unacknowledged messages (same ``client_id``, as the widget does) and
   sends one more, and the stored citizen messages are counted against those sent and acked.

4. bare Rasa again. The ratios compare each configuration with the mean of the two bare runs,
   which bracket them: this shared machine's speed drifts within minutes, and a single baseline
   at one end of the run favoured or penalised the others by when it ran (ADR 0306).

Prints one table (messages/s answered, p50/p95/p99 per turn, errors, ratio to bare Rasa, the
machine's load average) and, with ``--kill``, lost / duplicated / continued counts.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import httpx
import psutil
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load_stack import LoadStack, start_stack  # noqa: E402
from deploy.cluster import GATEWAY_BASE  # noqa: E402
from records.conversations import ConversationKeys  # noqa: E402

LOCUST = ROOT / ".venv" / "bin" / "locust"
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
CITIZEN_CLASSES = ["ChattingCitizen", "HandoffCitizen", "Adviser"]
# The same instance with only the citizens bare Rasa has (no handoffs, no advisers): what the
# gateway, nginx and Redis add to the same turns, apart from the handoff work only they do.
LIKE_FOR_LIKE = "1 instance behind nginx, chatting citizens only (as bare)"
ADVISERS = 2  # Adviser.fixed_count


@dataclass
class Run:
    """One configuration's figures, from Locust's statistics of the "turn" events."""

    name: str
    turns: int = 0
    failures: int = 0
    per_second: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    load: list[float] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by kind of process

    @property
    def answered_per_second(self) -> float:
        """Turns answered by the bot per second (Locust's rate of the "turn" events)."""
        return self.per_second


def cpu_by_process(stack: LoadStack, locust_pid: int) -> dict[tuple[str, int], float]:
    """CPU seconds used so far by each running part (kind and pid: gateway, rasa, actions,
    nginx, redis, locust), children included."""
    pids = [(p.spec.name.split("-")[0], p.process.pid) for p in stack.supervisor.parts
            if p.process is not None and p.process.poll() is None]
    pids += [("redis", stack.redis.process.pid), ("locust", locust_pid)]
    totals: dict[tuple[str, int], float] = {}
    for kind, pid in pids:
        try:
            process = psutil.Process(pid)
            for one in [process, *process.children(recursive=True)]:
                times = one.cpu_times()
                totals[kind, pid] = totals.get((kind, pid), 0.0) + times.user + times.system
        except psutil.Error:
            continue
    return totals


def cpu_used(before: dict[tuple[str, int], float],
             after: dict[tuple[str, int], float]) -> dict[str, float]:
    """CPU seconds by kind between two readings, counting only processes alive at both."""
    used: dict[str, float] = {}
    for (kind, pid), seconds in after.items():
        if (kind, pid) in before:
            used[kind] = used.get(kind, 0.0) + seconds - before[kind, pid]
    return used


def sample_load(stop: threading.Event, into: list[float]) -> None:
    """The 1-minute load average every 5 s until ``stop``."""
    while not stop.wait(5):
        into.append(os.getloadavg()[0])


def read_stats(prefix: Path, run: Run) -> None:
    """Fill ``run`` from Locust's ``<prefix>_stats.csv`` (the "turn" row and the others)."""
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "turn":
                run.turns += int(row["Request Count"])
                run.per_second = float(row["Requests/s"])
                run.p50, run.p95, run.p99 = (float(row[k]) / 1000 for k in ("50%", "95%", "99%"))
            elif row["Name"] == "turn failed":
                run.turns += int(row["Request Count"])
                run.failures += int(row["Request Count"])
            elif not row["Name"].startswith("turn") and row["Name"] != "Aggregated" and (
                    row["Type"] in ("WS", "HTTP") or int(row["Failure Count"])):
                run.extra[row["Name"]] = (f"{row['Request Count']} × median "
                                          f"{float(row['50%']) / 1000:.1f} s, "
                                          f"{row['Failure Count']} failed")


def locust(url: str, classes: list[str], users: int, seconds: int, name: str,
           stack: LoadStack, record: Path | None = None) -> tuple[subprocess.Popen[bytes], Path]:
    """Start Locust headless in the background; return the process and its CSV prefix."""
    prefix = Path(tempfile.mkdtemp(prefix="locust-")) / name.replace(" ", "_")
    env = {**os.environ, "LOAD_ADVISER_PASSWORD": stack.password,
           "LOAD_RECORD": str(record) if record else ""}
    command = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
               "-r", str(users), "-t", f"{seconds}s", "--host", url,
               "--csv", str(prefix), "--only-summary", "--stop-timeout", "5",
               "--loglevel", "WARNING", *classes]
    log = open(ROOT / "var" / "log" / "load" / f"locust-{prefix.name}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log), prefix


def measure(url: str, classes: list[str], users: int, seconds: int, name: str,
            stack: LoadStack, record: Path | None = None,
            during: list[tuple[float, str]] | None = None) -> Run:
    """Run Locust for ``seconds``; at each (fraction of the run, part) in ``during``, kill it."""
    run = Run(name, load=[os.getloadavg()[0]])
    stop = threading.Event()
    sampler = threading.Thread(target=sample_load, args=(stop, run.load), daemon=True)
    sampler.start()
    process, prefix = locust(url, classes, users, seconds, name, stack, record)
    started = time.monotonic()
    before = cpu_by_process(stack, process.pid)
    for fraction, part in during or []:
        time.sleep(max(0.0, started + fraction * seconds - time.monotonic()))
        stack.kill(part)
        print(f"    killed {part} (SIGKILL) at {time.monotonic() - started:.0f} s", flush=True)
    time.sleep(max(0.0, started + seconds - 1 - time.monotonic()))
    if not during:  # a killed process takes its CPU time with it
        run.cpu = cpu_used(before, cpu_by_process(stack, process.pid))
    process.wait(timeout=seconds + 120)
    stop.set()
    read_stats(prefix, run)
    return run


def warm_up(stack: LoadStack, bare: bool) -> None:
    """A few sequential turns through every gateway (or bare Rasa), so first-use loading is
    not measured; then requests through nginx until 20 in a row are answered: its readiness
    probes reached gateways still starting, and a worker that counts every gateway as down
    answers 502 until a request has found them up again."""
    texts = ("hello", "how do I renew my passport", "when is the library open")
    if bare:
        with httpx.Client(base_url=stack.url, timeout=60) as client:
            for text in texts:
                client.post("/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex,
                                                            "message": text})
        return
    for part in stack.supervisor.parts:
        if part.spec.name.startswith("gateway-"):
            port = GATEWAY_BASE + int(part.spec.name.split("-")[1])
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                cid = client.post("/api/conversations", json={}).json()["conversation_id"]
                for text in texts:
                    client.post(f"/api/conversations/{cid}/messages", json={"text": text})
    with httpx.Client(base_url=stack.url, timeout=10) as client:
        answered, deadline = 0, time.monotonic() + 60
        while answered < 20 and time.monotonic() < deadline:  # 20 in a row through nginx
            answered = answered + 1 if client.get("/healthz").status_code == 200 else 0
            time.sleep(0.05 if answered else 0.5)


def continue_all(stack: LoadStack, records: list[dict[str, object]]) -> tuple[int, int]:
    """Resend each conversation's outbox (same client_id) and one more message over HTTP,
    as the widget would after the outage; return (conversations continued, total)."""
    def one(row: dict[str, object]) -> bool:
        headers = {"X-Forwarded-For": str(row["address"])}
        acked: dict[str, str] = row["acked"]  # type: ignore[assignment]
        outbox: dict[str, str] = row["outbox"]  # type: ignore[assignment]
        path = f"/api/conversations/{row['conversation_id']}/messages"
        with httpx.Client(base_url=stack.url, timeout=90) as client:
            for client_id, text in [*outbox.items(), (uuid.uuid4().hex, "thank you")]:
                for attempt in range(5):  # the widget's rule: resend until acknowledged
                    try:
                        response = client.post(path, headers=headers,
                                               json={"text": text, "client_id": client_id})
                    except httpx.HTTPError:
                        response = None
                    if response is not None and response.status_code == 200:
                        acked[client_id] = response.json()["received"]["id"]
                        break
                    time.sleep(1 + attempt)
                else:
                    return False
        return True
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        results = list(pool.map(one, records))
    return sum(results), len(results)


def count_stored(stack: LoadStack, records: list[dict[str, object]]) -> dict[str, int]:
    """Stored citizen messages against those acknowledged: lost and duplicated."""
    keys = ConversationKeys()
    client = redis.Redis.from_url(stack.redis.url, decode_responses=True)
    lost = duplicated = stored = acked_total = 0
    for row in records:
        entries = cast(list[tuple[str, dict[str, str]]],
                       client.xrange(keys.messages(str(row["conversation_id"]))))
        ids = [fields.get("client_id") for _, fields in entries if fields.get("role") == "citizen"]
        stored += len(ids)
        acked: dict[str, str] = row["acked"]  # type: ignore[assignment]
        acked_total += len(acked)
        lost += sum(1 for client_id in acked if client_id not in ids)
        duplicated += sum(ids.count(client_id) - 1 for client_id in set(ids) if client_id)
    return {"acknowledged": acked_total, "stored": stored, "lost": lost,
            "duplicated": duplicated}


def print_table(runs: list[Run], bare: Run, citizens: int, seconds: int) -> None:
    """One Markdown table, every configuration against bare Rasa."""
    print(f"\n| configuration ({citizens} citizens, {seconds} s) | messages/s | p50 | p95 | p99 "
          "| errors | bare ÷ this (msg/s) | this ÷ bare (p95) | load avg before → during (max) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        ratio_rate = bare.answered_per_second / max(0.01, run.answered_per_second)
        ratio_p95 = run.p95 / max(0.001, bare.p95)
        during = max(run.load[1:] or run.load)
        print(f"| {run.name} | {run.answered_per_second:.1f} | {run.p50:.2f} s | {run.p95:.2f} s"
              f" | {run.p99:.2f} s | {run.failures} of {run.turns} | {ratio_rate:.2f}×"
              f" | {ratio_p95:.2f}× | {run.load[0]:.1f} → {during:.1f} |")
    for run in runs:
        for name, text in run.extra.items():
            print(f"  {run.name} — {name}: {text}")
    print("\nCPU ms per answered turn, by process (user + system time over the run):")
    for run in (r for r in runs if r.cpu):
        turns = max(1, run.turns - run.failures)
        parts = ", ".join(f"{kind} {1000 * seconds / turns:.1f}"
                          for kind, seconds in sorted(run.cpu.items(), key=lambda kv: -kv[1]))
        print(f"  {run.name}: {parts}")


def run_bare(args: argparse.Namespace, name: str) -> Run:
    """Bare Rasa 1 and action server 1 on a stack of their own (Rasa calling the action server
    directly), driven with the same questions at Rasa's REST webhook."""
    stack = start_stack(1, args.port, bare=True)
    try:
        warm_up(stack, bare=True)
        return measure(stack.url, ["RasaCitizen"], args.citizens, args.seconds, name, stack)
    finally:
        stack.stop()


def bracketed(first: Run, second: Run) -> Run:
    """The baseline the ratios use: the mean of bare Rasa measured before and after the
    configurations (this shared machine's speed drifts by 10-30 % within minutes, so a single
    baseline taken at one end of the run favours or penalises the others by when it ran)."""
    return Run("bare Rasa REST, mean of both (the ratios' baseline)",
               turns=first.turns + second.turns, failures=first.failures + second.failures,
               per_second=(first.per_second + second.per_second) / 2,
               p50=(first.p50 + second.p50) / 2, p95=(first.p95 + second.p95) / 2,
               p99=(first.p99 + second.p99) / 2,
               load=[first.load[0], *first.load[1:], *second.load[1:]])


def main(args: argparse.Namespace) -> int:
    """The whole benchmark; returns 1 if the kill test lost or duplicated anything."""
    (ROOT / "var" / "log" / "load").mkdir(parents=True, exist_ok=True)
    users = args.citizens + ADVISERS
    print(f"uptime before: {subprocess.run(['uptime'], capture_output=True, text=True).stdout}",
          flush=True)
    runs: list[Run] = []
    bare_before = run_bare(args, "bare Rasa REST (same actions), before")
    stack = start_stack(1, args.port)
    try:
        warm_up(stack, bare=False)
        one = [(CITIZEN_CLASSES, users, "1 instance behind nginx"),
               (["ChattingCitizen"], args.citizens, LIKE_FOR_LIKE)]
        for classes, count, name in one[::-1] if args.like_for_like_first else one:
            runs.append(measure(stack.url, classes, count, args.seconds, name, stack))
    finally:
        stack.stop()
    kill: dict[str, int] = {}
    stack = start_stack(args.instances, args.port)
    try:
        warm_up(stack, bare=False)
        runs.append(measure(stack.url, CITIZEN_CLASSES, users, args.seconds,
                            f"{args.instances} instances behind nginx", stack))
        if args.kill:
            stack.supervise()
            record = Path(tempfile.mkdtemp(prefix="load-kill-")) / "record.json"
            plan = [(0.25, "gateway-1"), (0.45, f"rasa-{args.instances}"), (0.65, "actions-1")]
            runs.append(measure(stack.url, CITIZEN_CLASSES, users, args.seconds,
                                f"{args.instances} instances, 3 parts killed", stack,
                                record, plan))
            print(f"    restarted: {', '.join(stack.restarts) or 'none'}; waiting for ready…",
                  flush=True)
            stack.wait_all_ready(300)
            records = json.loads(record.read_text())
            sent = sum(len(row["sent"]) for row in records)
            unacked = sum(len(row["outbox"]) for row in records)
            reconnects = sum(int(row["reconnects"]) for row in records)
            continued, total = continue_all(stack, records)
            kill = {**count_stored(stack, records), "continued": continued,
                    "conversations": total, "sent": sent, "unacked": unacked,
                    "reconnects": reconnects}
    finally:
        stack.stop()
    bare_after = run_bare(args, "bare Rasa REST (same actions), after")
    bare = bracketed(bare_before, bare_after)
    print(f"uptime after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout}")
    print_table([*runs, bare_before, bare_after, bare], bare, args.citizens, args.seconds)
    if kill:
        print(f"\nKill test: {kill['reconnects']} socket reconnects (resume, outbox resent); "
              f"{kill['sent']} citizen messages sent during the run "
              f"({kill['unacked']} not yet acknowledged at its end, then resent with the same "
              "client_id), plus one more per conversation afterwards; "
              f"{kill['acknowledged']} acknowledged in all, "
              f"{kill['stored']} stored; lost {kill['lost']}, duplicated {kill['duplicated']}; "
              f"{kill['continued']} of {kill['conversations']} conversations accepted a "
              "further message after the kills.")
        return 0 if kill["lost"] == kill["duplicated"] == 0 and \
            kill["continued"] == kill["conversations"] else 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--kill", action="store_true")
    parser.add_argument("--like-for-like-first", action="store_true",
                        help="measure the chatting-only load before the issue's mix (order check)")
    sys.exit(main(parser.parse_args()))
