"""Locust users for the load benchmark (issue 12, item 6). Headless, driven by
``benchmarks/load_locust.py``; by hand, against a running profile:

    .venv/bin/locust -f benchmarks/locustfile.py --headless -u 52 -r 10 -t 60s \\
        --host http://127.0.0.1:8700 ChattingCitizen HandoffCitizen Adviser

- ``ChattingCitizen`` does what the widget does: ``POST /api/conversations``, a WebSocket with
  ``resume`` first, each question sent as a ``message`` frame with its own ``client_id`` and kept
  in an outbox until acked; after a dropped socket it reconnects with backoff, resumes after the
  last message seen and resends the outbox (widget/src/connection.js). One "turn" event per
  question: first bot reply received minus sent.
- ``HandoffCitizen`` asks a question, then asks for a person and waits for an adviser's reply.
- ``Adviser`` signs in to the console (keeping its WebSocket open, so it counts as online),
  claims from the queue, replies and hands the conversation back to the bot.
- ``RasaCitizen`` sends the same questions to bare Rasa's REST webhook (the baseline).

Questions come from ``knowledge/eval/questions.jsonl``. Environment: ``LOAD_ADVISER_PASSWORD``
(the demo password of the run), ``LOAD_RECORD`` (a JSON file to write each conversation's sent
and acknowledged client ids to, for the kill test), ``LOAD_TURN_TIMEOUT`` (seconds, default 30).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, constant, events, task
from locust.env import Environment
from websocket import WebSocket, WebSocketException, create_connection

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS_FILE = ROOT / "knowledge" / "eval" / "questions.jsonl"
TURN = "turn"
# Questions per conversation before a citizen starts a new one (a visit of a few questions, as
# in benchmarks/load_turns.py): Rasa's cost per turn grows with the tracker's length.
TURNS_PER_CONVERSATION = 6
_addresses = itertools.count(1)
_records: list[dict[str, Any]] = []
_records_lock = threading.Lock()


def load_questions(path: Path = QUESTIONS_FILE) -> list[str]:
    """Every labelled question's text (the guidance evaluation set)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


QUESTIONS = load_questions()


def turn_timeout() -> float:
    """How long a citizen waits for a reply before counting the turn as failed."""
    return float(os.environ.get("LOAD_TURN_TIMEOUT", "30"))


def stream_order(message_id: str) -> tuple[int, int]:
    """A Redis stream id as a comparable pair."""
    ms, _, seq = message_id.partition("-")
    return int(ms), int(seq or 0)


def fire(environment: Environment, kind: str, name: str, started: float,
         error: str | None = None, ended: float | None = None) -> None:
    """Record one custom event in Locust's statistics (time from ``started`` to ``ended``,
    default now).

    A failed turn is recorded under ``"<name> failed"``, so the percentiles of ``name`` are
    those of answered turns only (a quick "bot unavailable" would otherwise pull them down).
    """
    environment.events.request.fire(
        request_type=kind, name=f"{name} failed" if error else name,
        response_time=((time.perf_counter() if ended is None else ended) - started) * 1000,
        response_length=0, exception=RuntimeError(error) if error else None, context={})


class CitizenLink:
    """One conversation's WebSocket with the widget's outbox, resume and reconnect rules."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.headers = {"X-Forwarded-For": address}
        self.conversation_id = ""
        self.ws: WebSocket | None = None
        self.last_seen: str | None = None
        self.outbox: dict[str, str] = {}
        self.acked: dict[str, str] = {}
        self.sent: list[str] = []
        self.mode = "bot"
        self.reconnects = 0

    def record(self) -> dict[str, Any]:
        """What the kill test needs: sent, acknowledged and still unacknowledged messages."""
        return {"conversation_id": self.conversation_id, "address": self.headers["X-Forwarded-For"],
                "sent": list(self.sent), "acked": dict(self.acked),
                "outbox": dict(self.outbox), "reconnects": self.reconnects}

    def start(self, client: Any) -> None:
        """Create the conversation over HTTP (retrying with the widget's backoff), then open
        the socket."""
        for attempt in range(12):
            with client.post("/api/conversations", headers=self.headers, json={},
                             name="POST /api/conversations", catch_response=True) as response:
                if response.status_code == 201:
                    self.conversation_id = response.json()["conversation_id"]
                    break
                response.failure(f"status {response.status_code}")
            gevent.sleep(min(15.0, 0.5 * 2 ** attempt) * random.uniform(0.8, 1.2))
        else:
            raise RuntimeError("could not create a conversation")
        with _records_lock:
            _records.append({"link": self})
        self.connect()

    def connect(self) -> None:
        """Open (or reopen) the socket: resume after the last message seen, resend the outbox."""
        url = self.host.replace("http", "ws", 1) + f"/ws/conversations/{self.conversation_id}"
        attempt = 0
        while True:
            try:
                self.ws = create_connection(
                    url, timeout=10, header=[f"{k}: {v}" for k, v in self.headers.items()])
                break
            except (OSError, WebSocketException):
                delay = min(15.0, 0.5 * 2 ** min(attempt, 10)) * random.uniform(0.8, 1.2)
                attempt += 1
                if attempt > 12:
                    raise
                gevent.sleep(delay)
        self.ws.send(json.dumps({"type": "resume", "after": self.last_seen}))
        for client_id, text in list(self.outbox.items()):
            self.ws.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))

    def drop(self) -> None:
        """Forget a broken socket; the next receive reconnects."""
        if self.ws is not None:
            with contextlib.suppress(OSError, WebSocketException):
                self.ws.close()
        self.ws = None
        self.reconnects += 1

    def send_message(self, text: str) -> str:
        """Queue a message in the outbox and send it; return its client_id."""
        client_id = uuid.uuid4().hex
        self.outbox[client_id] = text
        self.sent.append(client_id)
        try:
            if self.ws is None:
                self.connect()  # the outbox is resent on connect
            else:
                self.ws.send(json.dumps({"type": "message", "text": text,
                                         "client_id": client_id}))
        except (OSError, WebSocketException):
            self.drop()
        return client_id

    def send_frame(self, frame: dict[str, Any]) -> None:
        """A control frame (handoff); resent by the caller if the socket is down."""
        if self.ws is None:
            self.connect()
        assert self.ws is not None
        self.ws.send(json.dumps(frame))

    def receive(self, deadline: float) -> dict[str, Any] | None:
        """The next frame before ``deadline`` (None on timeout), reconnecting when dropped."""
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return None
        try:
            if self.ws is None:
                self.connect()
            assert self.ws is not None
            self.ws.settimeout(remaining)
            raw = self.ws.recv()
        except TimeoutError:
            return None
        except (OSError, WebSocketException) as exc:
            if "timed out" in str(exc):
                return None
            self.drop()
            gevent.sleep(0.2)
            return None
        if not raw:
            self.drop()
            return None
        frame: dict[str, Any] = json.loads(raw)
        self.observe(frame)
        return frame

    def observe(self, frame: dict[str, Any]) -> None:
        """Track acks, the last message seen and the mode, as the widget does."""
        kind = frame.get("type")
        if kind == "ack" and frame.get("client_id") in self.outbox:
            self.acked[frame["client_id"]] = frame["id"]
            del self.outbox[frame["client_id"]]
        elif kind == "message":
            message = frame["message"]
            if self.last_seen is None or stream_order(message["id"]) > stream_order(self.last_seen):
                self.last_seen = message["id"]
            client_id = message.get("client_id")
            if message["role"] == "citizen" and client_id in self.outbox:
                self.acked[client_id] = message["id"]  # stored: as good as an ack
                del self.outbox[client_id]
        elif kind == "state":
            self.mode = frame.get("mode", self.mode)
        elif kind == "error" and frame.get("client_id") in self.outbox:
            del self.outbox[frame["client_id"]]  # refused, not stored (the widget drops it too)

    def ask(self, text: str) -> tuple[float, str | None]:
        """Send ``text`` and wait for the first bot reply after it; return when it came
        (``time.perf_counter()``) and None on success, else why. The rest of the turn's replies
        are read afterwards (``settle``), outside the turn's time: the turn ends at the first
        reply, as the citizen sees it, and bare Rasa's turn ends at its response."""
        client_id = self.send_message(text)
        deadline = time.perf_counter() + turn_timeout()
        while time.perf_counter() < deadline:
            frame = self.receive(deadline)
            if frame is None:
                continue
            if frame.get("type") == "error" and frame.get("client_id") == client_id:
                return time.perf_counter(), f"refused: {frame.get('code')}"
            if frame.get("type") != "message" or client_id not in self.acked:
                continue
            message = frame["message"]
            if stream_order(message["id"]) <= stream_order(self.acked[client_id]):
                continue
            if message["role"] in ("bot", "system"):
                answered = time.perf_counter()
                self.settle()
                return answered, None if message["role"] == "bot" else \
                    "system reply (bot unavailable or no answer)"
        return time.perf_counter(), \
            "no reply in time" if client_id in self.acked else "not acknowledged in time"

    def wait_for(self, role: str | None, mode: str | None, seconds: float) -> bool:
        """Wait until a message from ``role`` arrives or the mode becomes ``mode``."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            frame = self.receive(deadline)
            if frame is None:
                continue
            if role and frame.get("type") == "message" and frame["message"]["role"] == role:
                return True
            if mode and frame.get("type") == "state" and frame.get("mode") == mode:
                return True
        return False

    def settle(self, quiet: float = 0.1) -> None:
        """Read the rest of this turn's replies (stored together), so none counts for the next."""
        while self.receive(time.perf_counter() + quiet) is not None:
            pass

    def close(self) -> None:
        """Close the socket (the conversation stays)."""
        if self.ws is not None:
            with contextlib.suppress(OSError, WebSocketException):
                self.ws.close()
            self.ws = None


class CitizenBase(HttpUser):
    """A citizen with a conversation, a socket and a shuffled copy of the questions."""

    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        """A fresh conversation from this citizen's own (forwarded) address."""
        n = next(_addresses)
        self.link = CitizenLink(self.host or "", f"10.{n // 250 % 250}.{n % 250}.{7 + n % 200}")
        self.questions = random.Random(n).sample(QUESTIONS, len(QUESTIONS))
        self.asked = 0
        self.link.start(self.client)

    def next_question(self) -> str:
        """The next question of this citizen's shuffled copy of the set."""
        self.asked += 1
        return self.questions[self.asked % len(self.questions)]

    def on_stop(self) -> None:
        """Close the socket."""
        self.link.close()


class ChattingCitizen(CitizenBase):
    """Asks guidance questions one after another over the WebSocket, like the widget."""

    weight = 9

    @task
    def chat(self) -> None:
        """One turn; every ``TURNS_PER_CONVERSATION`` turns, a new conversation."""
        if self.asked and self.asked % TURNS_PER_CONVERSATION == 0:
            self.link.close()
            self.link = CitizenLink(self.host or "", self.link.headers["X-Forwarded-For"])
            self.link.start(self.client)
        started = time.perf_counter()
        answered, error = self.link.ask(self.next_question())
        fire(self.environment, "WS", TURN, started, error, answered)
        if error:
            gevent.sleep(1.0)  # a person reads "not available" before trying again


class HandoffCitizen(CitizenBase):
    """Asks one question, then asks for a person and waits for the adviser's reply."""

    weight = 1

    @task
    def ask_for_adviser(self) -> None:
        """A question, a handoff, an adviser's reply, thanks; then a new conversation."""
        started = time.perf_counter()
        answered, error = self.link.ask(self.next_question())
        fire(self.environment, "WS", TURN, started, error, answered)
        started = time.perf_counter()
        self.link.send_frame({"type": "handoff", "reason": "requested"})
        got = self.link.wait_for("adviser", None, 90)
        fire(self.environment, "WS", "handoff: asked to adviser's reply", started,
             None if got else "no adviser reply")
        if got:
            self.link.send_message("thank you")
            self.link.wait_for(None, "bot", 60)
        self.link.close()
        self.link = CitizenLink(self.host or "", self.link.headers["X-Forwarded-For"])
        self.link.start(self.client)


class Adviser(HttpUser):
    """Signs in, stays online, claims waiting conversations, replies and hands back."""

    fixed_count = 2
    wait_time = between(0.5, 1.0)

    def on_start(self) -> None:
        """Sign in as the demo adviser and open the console socket (online while open)."""
        password = os.environ.get("LOAD_ADVISER_PASSWORD", "")
        for attempt in range(12):  # a 502 while a gateway restarts: try again, as a person would
            response = self.client.post("/api/console/login",
                                        json={"username": "sam", "password": password})
            if response.status_code != 502:
                break
            gevent.sleep(min(15.0, 0.5 * 2 ** attempt))
        response.raise_for_status()
        self.csrf = response.json()["csrf_token"]
        cookies = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
        url = (self.host or "").replace("http", "ws", 1) + "/ws/console"
        self.console = create_connection(url, timeout=10, header=[f"Cookie: {cookies}"])
        self.reader = gevent.spawn(self._drain)

    def _drain(self) -> None:
        """Read (and ignore) pushed queue frames; ping now and then."""
        while True:
            try:
                self.console.settimeout(15)
                self.console.recv()
            except (OSError, WebSocketException):
                try:
                    self.console.send(json.dumps({"type": "ping"}))
                except (OSError, WebSocketException):
                    return

    @task
    def serve(self) -> None:
        """Claim the longest-waiting conversation, reply, and hand it back to the bot."""
        queue = self.client.get("/api/console/queue").json()
        waiting = [item for q in queue["queues"] for item in q["waiting"]]
        if not waiting:
            return
        cid = min(waiting, key=lambda item: item["queued_at"])["conversation_id"]
        headers = {"X-CSRF-Token": self.csrf}
        started = time.perf_counter()
        with self.client.post(f"/api/console/conversations/{cid}/claim", json={},
                              headers=headers, name="claim", catch_response=True) as claim:
            if claim.status_code == 409:
                claim.success()  # another adviser was quicker
                return
        self.client.post(f"/api/console/conversations/{cid}/messages", headers=headers,
                         json={"text": "Hello, I am looking at your question now.",
                               "client_id": uuid.uuid4().hex}, name="adviser reply")
        fire(self.environment, "HTTP", "adviser: claim to reply", started)
        gevent.sleep(1.0)
        self.client.post(f"/api/console/conversations/{cid}/end", headers=headers,
                         json={"outcome": "resolved", "hand_back": True}, name="end")

    def on_stop(self) -> None:
        """Close the console socket."""
        self.reader.kill()
        self.console.close()


class RasaCitizen(HttpUser):
    """The baseline: the same questions straight to bare Rasa's REST channel."""

    wait_time = constant(0)

    def on_start(self) -> None:
        """A sender id of the conversation-id form and this citizen's question order."""
        n = next(_addresses)
        self.sender = uuid.uuid4().hex
        self.questions = random.Random(n).sample(QUESTIONS, len(QUESTIONS))
        self.asked = 0

    @task
    def chat(self) -> None:
        """One turn: POST the question, the reply is in the response."""
        if self.asked and self.asked % TURNS_PER_CONVERSATION == 0:
            self.sender = uuid.uuid4().hex
        self.asked += 1
        text = self.questions[self.asked % len(self.questions)]
        started = time.perf_counter()
        error = None
        try:
            response = self.client.post("/webhooks/rest/webhook", name="rasa webhook",
                                        json={"sender": self.sender, "message": text})
            if response.status_code != 200 or not response.json():
                error = f"status {response.status_code}, no reply"
        except (OSError, ValueError) as exc:
            error = type(exc).__name__
        fire(self.environment, "REST", TURN, started, error)
        if error:
            gevent.sleep(1.0)


@events.quitting.add_listener
def write_record(environment: Environment, **_: Any) -> None:
    """Write every citizen conversation's sent/acked/outbox ids to ``LOAD_RECORD``."""
    path = os.environ.get("LOAD_RECORD")
    if not path:
        return
    with _records_lock:
        rows = [entry["link"].record() for entry in _records]
    Path(path).write_text(json.dumps(rows), encoding="utf-8")
