"""Real gateway processes and protocol-following clients, for the reliability test and the
handoff benchmark (``benchmarks/handoff_latency.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from redis.asyncio import Redis

from gateway.auth.users import UserStore
from gateway.settings import WEEKDAYS, Settings
from records.client import str_replies

ROOT = Path(__file__).resolve().parents[2]
ALWAYS_OPEN = json.dumps({day: [["00:00", "24:00"]] for day in WEEKDAYS})
PASSWORD = "correct horse battery staple"


@dataclass
class GatewayProcess:
    """``python -m gateway`` (uvicorn) as a child process on a fixed port."""

    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> None:
        """Start and wait for /healthz (loading spaCy for redaction takes 40 s or more on a
        loaded 2-core machine, longer with two gateways starting at once)."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning"],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gateway exited: {self.log_path.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError("gateway did not start")

    def stop(self) -> None:
        """SIGTERM, then wait (kill after 10 s)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def gateway_env(redis_url: str, prefix: str) -> dict[str, str]:
    """Environment for a test gateway: always open, no editor, Rasa not needed."""
    return {
        "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix, "ASSISTANT_ENV": "test",
        "EDITOR_ENABLED": "false", "OPENING_SCHEDULE": ALWAYS_OPEN, "BANK_HOLIDAYS": "[]",
        "RASA_URL": "http://127.0.0.1:9", "ACTION_SERVER_URL": "http://127.0.0.1:9/webhook",
        "PYTHONPATH": str(ROOT),
        # Many scripted parties share one loopback address: the abuse limits are not under test.
        "LIMIT_CONVERSATIONS_PER_ADDRESS": "100000/minute",
        "LIMIT_MESSAGES_PER_CONVERSATION": "100000/minute",
        "LIMIT_MESSAGES_PER_ADDRESS": "100000/minute",
        "LIMIT_FRAMES_PER_CONVERSATION": "100000/minute",
        "MAX_SOCKETS_PER_ADDRESS": "100000",
    }


async def create_advisers(redis_url: str, prefix: str, names: list[str]) -> None:
    """Create adviser accounts directly in Redis."""
    redis = str_replies(Redis.from_url(redis_url, decode_responses=True))
    try:
        store = UserStore(redis, Settings(redis_url=redis_url, redis_key_prefix=prefix))
        for name in names:
            await store.create(name, PASSWORD, "adviser", name.title(), replace=True)
    finally:
        await redis.aclose()


async def sign_in(base: str, username: str) -> tuple[str, str]:
    """(session cookie, csrf token)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        response = await client.post("/api/console/login",
                                     json={"username": username, "password": PASSWORD})
        response.raise_for_status()
        return response.cookies["csa_session"], response.json()["csrf_token"]


@dataclass
class Party:
    """A citizen or adviser client that follows the resume/ack protocol and checks delivery."""

    name: str
    conversation_id: str
    adviser: bool
    cookie: str = ""
    outbox: dict[str, str] = field(default_factory=dict)
    received: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    duplicates: int = 0
    out_of_order: int = 0
    ws: Any = None
    reader: asyncio.Task[None] | None = None
    waiters: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    frames: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    ignore_queue: bool = False  # skip parsing pushed queue views (benchmark bystanders)

    def url(self, base: str) -> str:
        """The socket URL on one instance."""
        ws_base = base.replace("http://", "ws://")
        return f"{ws_base}/ws/console" if self.adviser else \
            f"{ws_base}/ws/conversations/{self.conversation_id}"

    @property
    def last_id(self) -> str | None:
        """The newest message id seen."""
        return self.received[-1] if self.received else None

    async def connect(self, bases: list[str], attempts: int = 300) -> str:
        """(Re)connect to one of ``bases`` (tried in turn), resume after the last id, resend
        everything not yet acked; return the base it reached."""
        for attempt in range(attempts):
            base = bases[attempt % len(bases)]
            headers = {"Origin": base}
            if self.cookie:
                headers["Cookie"] = f"csa_session={self.cookie}"
            try:
                self.ws = await websockets.connect(self.url(base), additional_headers=headers,
                                                   open_timeout=5, max_size=2**20)
                break
            except (OSError, websockets.InvalidHandshake, TimeoutError):
                await asyncio.sleep(0.1)
        else:
            raise ConnectionError(f"{self.name} could not connect to {bases}")
        if self.adviser:
            await self.ws.send(json.dumps({"type": "watch", "conversation_id":
                                           self.conversation_id, "after": self.last_id}))
        else:
            await self.ws.send(json.dumps({"type": "resume", "after": self.last_id}))
        self.reader = asyncio.create_task(self._read(self.ws))
        for client_id, text in list(self.outbox.items()):
            await self._send_frame(client_id, text)
        return base

    async def _read(self, ws: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed, OSError):
            async for raw in ws:
                if self.ignore_queue and raw.startswith('{"type":"queue"'):
                    continue
                frame = json.loads(raw)
                if frame["type"] == "ack":
                    self.outbox.pop(frame["client_id"], None)
                elif frame["type"] == "message":
                    message = frame["message"]
                    if message["id"] in self.texts:
                        self.duplicates += 1
                        continue
                    if self.received and _key(message["id"]) < _key(self.received[-1]):
                        self.out_of_order += 1
                    self.received.append(message["id"])
                    self.texts[message["id"]] = message["text"]
                    waiter = self.waiters.pop(message["text"], None)
                    if waiter and not waiter.done():
                        waiter.set_result(time.perf_counter())
                else:
                    frame["_received"] = time.perf_counter()
                    self.frames.put_nowait(frame)

    async def _send_frame(self, client_id: str, text: str) -> None:
        frame: dict[str, Any] = {"type": "reply" if self.adviser else "message",
                                 "text": text, "client_id": client_id}
        if self.adviser:
            frame["conversation_id"] = self.conversation_id
        with contextlib.suppress(websockets.ConnectionClosed, OSError, AttributeError):
            await self.ws.send(json.dumps(frame))

    async def send(self, text: str) -> str:
        """Queue a message (kept until acked) and try to send it now."""
        client_id = uuid.uuid4().hex[:16]
        self.outbox[client_id] = text
        await self._send_frame(client_id, text)
        return client_id

    async def drop(self, abrupt: bool) -> None:
        """Lose the connection (abruptly or politely)."""
        if self.ws is None:
            return
        if abrupt:
            self.ws.transport.abort()
        else:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.reader, 5)
        self.ws = None

    def alive(self) -> bool:
        """Is the socket open?"""
        return self.ws is not None and self.reader is not None and not self.reader.done()


def _key(message_id: str) -> tuple[int, int]:
    ms, seq = message_id.split("-")
    return int(ms), int(seq)
