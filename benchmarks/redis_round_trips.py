"""Redis round trips per citizen turn over the WebSocket, by command and by caller (issue 12).

Runs the gateway app in-process on a private embedded Redis with Rasa answered instantly by a
scripted stand-in, opens a citizen socket as the widget does (``resume`` first) and sends
``--turns`` messages in each of ``--conversations`` conversations, waiting after each for the
bot's reply and for the turn's background work to finish. The message limits are raised to
one window each (as in the load test); ``--default-limits`` keeps the gateway's defaults (two
windows per limit, one round trip each). Every write to a Redis connection
is one round trip (a pipeline or a transaction is one); each is listed with the commands it
carried and the project code that sent it.

    .venv/bin/python benchmarks/redis_round_trips.py [--turns 6] [--conversations 3]
                                                     [--default-limits]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis.asyncio.connection import AbstractConnection  # noqa: E402

SKIP_PARTS = (".venv", "benchmarks/redis_round_trips.py")


def command_names(chunks: Any) -> list[str]:
    """The command names in a packed RESP request (several for a pipeline)."""
    if isinstance(chunks, str):
        chunks = chunks.encode()
    data = chunks if isinstance(chunks, bytes) else b"".join(
        c if isinstance(c, bytes) else bytes(c) for c in chunks)
    names, at = [], 0
    while at < len(data) and data[at:at + 1] == b"*":
        end = data.index(b"\r\n", at)
        count, at = int(data[at + 1:end]), end + 2
        for n in range(count):
            end = data.index(b"\r\n", at)
            size = int(data[at + 1:end])
            arg = data[end + 2:end + 2 + size]
            at = end + 2 + size + 2
            if n == 0:
                names.append(arg.decode(errors="replace").upper())
    return names


def project_callers(frame: FrameType | None, depth: int = 2) -> str:
    """The innermost ``depth`` frames of this project's code (``file:function``)."""
    found: list[str] = []
    while frame is not None and len(found) < depth:
        path = frame.f_code.co_filename
        if path.startswith(str(ROOT)) and not any(part in path for part in SKIP_PARTS):
            found.append(f"{Path(path).relative_to(ROOT)}:{frame.f_code.co_name}")
        frame = frame.f_back
    return " < ".join(found) or "(redis-py internal)"


@dataclass(frozen=True)
class RoundTrip:
    """One request written to Redis: its commands and who sent it."""

    commands: tuple[str, ...]
    caller: str

    @property
    def label(self) -> str:
        """``EVALSHA`` or ``pipeline[HINCRBY x4, EXPIRE x2]``."""
        if len(self.commands) == 1:
            return self.commands[0]
        counts = Counter(self.commands)
        return "pipeline[" + ", ".join(
            f"{name} x{n}" if n > 1 else name for name, n in counts.items()) + "]"


def _connection_classes() -> list[type]:
    """``AbstractConnection`` and every subclass loaded so far (the gateway's included)."""
    import records.redis_connect  # noqa: F401  (loads the gateway's connection classes)

    found: list[type] = []
    pending: list[type] = [AbstractConnection]
    while pending:
        cls = pending.pop()
        if cls not in found:
            found.append(cls)
            pending.extend(cls.__subclasses__())
    return found


@dataclass
class RoundTripCounter:
    """Records every round trip the process makes to Redis while it is installed."""

    trips: list[RoundTrip] = field(default_factory=list)

    @contextlib.contextmanager
    def installed(self) -> Iterator[RoundTripCounter]:
        """Patch redis-py's asyncio connections to record each request they send.

        Every connection class that defines its own ``send_packed_command`` is patched (the
        gateway's ``records.redis_connect.TimedWrites`` writes without calling redis-py's), and
        a request is counted once even if one class's method calls another's."""
        counter = self
        patched = [cls for cls in _connection_classes()
                   if "send_packed_command" in vars(cls)]
        originals = {cls: vars(cls)["send_packed_command"] for cls in patched}
        sending: set[int] = set()

        def recording_for(original: Any) -> Any:
            async def recording(conn: AbstractConnection, command: Any,
                                check_health: bool = True) -> None:
                if id(conn) in sending:  # an inner class's method: already counted
                    await original(conn, command, check_health)
                    return
                counter.trips.append(RoundTrip(tuple(command_names(command)),
                                               project_callers(sys._getframe(1))))
                sending.add(id(conn))
                try:
                    await original(conn, command, check_health)
                finally:
                    sending.discard(id(conn))
            return recording

        for cls in patched:
            setattr(cls, "send_packed_command", recording_for(originals[cls]))  # noqa: B010
        try:
            yield self
        finally:
            for cls, original in originals.items():
                setattr(cls, "send_packed_command", original)  # noqa: B010

    def mark(self) -> int:
        """The number of round trips so far (to slice one turn's)."""
        return len(self.trips)

    def since(self, mark: int, *, blocking_reads: bool = True) -> list[RoundTrip]:
        """The round trips after ``mark``; without the shared readers' ``XREAD`` when
        ``blocking_reads`` is false (they are re-issued whenever a followed stream grows)."""
        trips = self.trips[mark:]
        if blocking_reads:
            return trips
        return [t for t in trips if "gateway/fanout.py" not in t.caller]


async def _settle(runtime: Any) -> None:
    while runtime.tasks:
        await asyncio.wait(list(runtime.tasks))
    await asyncio.sleep(0.05)  # the shared reader re-issues its XREAD after delivering


def socket_turns(client: Any, counter: RoundTripCounter, turns: int,
                 text: str = "how do I renew my passport") -> list[list[RoundTrip]]:
    """Open a citizen socket on a new conversation and send ``turns`` messages; the round trips
    of each turn (from sending the frame until its reply is stored and its work is done)."""
    runtime = client.app.state.runtime
    cid = client.post("/api/conversations", json={"page_url": "https://council.example/x"}
                      ).json()["conversation_id"]
    per_turn = []
    with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        ws.send_json({"type": "resume", "after": None})
        _until(ws, lambda f: f["type"] == "state")
        client.portal.call(_settle, runtime)
        for n in range(turns):
            mark = counter.mark()
            ws.send_json({"type": "message", "text": f"{text} ({n})", "client_id": f"c-{n}"})
            _until(ws, lambda f: f["type"] == "message" and f["message"]["role"] == "bot")
            client.portal.call(_settle, runtime)
            per_turn.append(counter.since(mark))
    return per_turn


def _until(ws: Any, predicate: Any, limit: int = 50) -> None:
    for _ in range(limit):
        if predicate(ws.receive_json()):
            return
    raise AssertionError("expected frame never came")


def rasa_answer(request: Any) -> Any:
    """An instant Rasa: one guidance answer with a source (as most real turns are)."""
    import httpx
    if request.url.path != "/webhooks/rest/webhook":
        return httpx.Response(200, json={})
    return httpx.Response(200, json=[
        {"text": "You can renew online."},
        {"custom": {"sources": [{"title": "Passports", "url": "https://example.org/p#renew",
                                 "heading": "Renew", "last_reviewed": "2026-10-01",
                                 "article_id": "passports"}]}}])


def report(per_turn: list[list[RoundTrip]]) -> None:
    """Print round trips per turn, then by command and caller over every turn."""
    counts = [len(t) for t in per_turn]
    print(f"round trips per turn: {counts} (mean {sum(counts) / len(counts):.1f}; "
          f"without the shared readers' XREAD: "
          f"{sum(1 for t in per_turn for r in t if 'fanout' not in r.caller) / len(counts):.1f})")
    by = Counter((r.label, r.caller) for turn in per_turn for r in turn)
    print("\n| per turn | round trip | caller |\n|---|---|---|")
    for (label, caller), n in by.most_common():
        print(f"| {n / len(per_turn):.2f} | {label} | {caller} |")


def main(turns: int, conversations: int, default_limits: bool) -> int:
    from fastapi.testclient import TestClient

    from gateway.app import create_app
    from gateway.rasa_transport import HttpxTransport
    from stack.redis_server import start_embedded_redis
    from tests.gateway.conftest import gateway_settings

    counter = RoundTripCounter()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_embedded_redis(Path(tmp) / "redis", appendonly=False)
        raised = {} if default_limits else {"limit_messages_per_conversation": "100000/minute",
                                            "limit_messages_per_address": "100000/minute"}
        settings = gateway_settings(server.url, **raised)
        try:
            with counter.installed(), TestClient(create_app(settings)) as client:
                runtime = client.app.state.runtime  # type: ignore[attr-defined]
                runtime.rasa.transport = HttpxTransport.mocked(rasa_answer)
                socket_turns(client, counter, 2)  # loads the scripts; not counted
                started = time.perf_counter()
                first, later = [], []
                for _ in range(conversations):
                    turns_here = socket_turns(client, counter, turns)
                    first.append(turns_here[0])
                    later += turns_here[1:]
                elapsed = time.perf_counter() - started
        finally:
            server.stop()
    print(f"{conversations} conversations x {turns} turns in {elapsed:.1f} s\n")
    print("## first turn of a conversation")
    report(first)
    print("\n## later turns")
    report(later)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--conversations", type=int, default=3)
    parser.add_argument("--default-limits", action="store_true")
    args = parser.parse_args()
    sys.exit(main(args.turns, args.conversations, args.default_limits))
