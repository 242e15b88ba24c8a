"""A small stand-in for the gateway that speaks the citizen WebSocket contract.

Only for front-end behaviour tests (safe rendering, reconnect and outbox logic, CSP,
layout): it stores messages in memory, answers with whatever the test scripted, and
lets a test drop every socket or refuse connections to play an outage. Full
conversations are tested against the real gateway elsewhere, and
tests/gateway/test_widget_fake_contract.py plays one script against both and checks
they send the same frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from gateway.errors import PLAIN
from knowledge.questions import MAX_QUESTION_CHARS

ROOT = Path(__file__).resolve().parents[2]
WIDGET_DIR = ROOT / "widget"

Reply = Callable[[str], list[dict[str, Any]]]


def echo_reply(text: str) -> list[dict[str, Any]]:
    """Default bot: repeats the text back, as plain text."""
    return [{"role": "bot", "text": f"You said: {text}"}]


@dataclass
class FakeConversation:
    """One conversation's stored messages and routing state."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    client_ids: dict[str, str] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=lambda: {
        "mode": "bot", "queue_position": None, "eta_seconds": None, "wait_text": None,
        "adviser": None, "out_of_hours": False,
    })
    sockets: list[WebSocket] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    controls: list[dict[str, Any]] = field(default_factory=list)


class FakeService:
    """The app plus the knobs a test turns (replies, outages, pushes)."""

    def __init__(self) -> None:
        self.conversations: dict[str, FakeConversation] = {}
        self.reply: Reply = echo_reply
        self.refuse = False
        self.reply_delay = 0.0
        self.lose_next_ack = False
        self.seq = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.received_frames: list[dict[str, Any]] = []
        self.erased: list[str] = []
        self.app = self.build()

    # --- storage -----------------------------------------------------------------
    def next_id(self) -> str:
        """A stream-like id that always grows."""
        self.seq += 1
        return f"{int(time.time() * 1000)}-{self.seq}"

    async def store(self, cid: str, message: dict[str, Any]) -> dict[str, Any]:
        """Append a message and push it to every socket of the conversation."""
        conv = self.conversations[cid]
        stored = {"id": self.next_id(), "ts": time.time(), **message}
        conv.messages.append(stored)
        for ws in list(conv.sockets):
            try:
                await ws.send_json({"type": "message", "message": stored})
            except Exception:  # a socket that just closed
                conv.sockets.remove(ws)
        return stored

    async def push_state(self, cid: str, **state: Any) -> None:
        """Change the routing state and tell every socket."""
        conv = self.conversations[cid]
        conv.state.update(state)
        for ws in list(conv.sockets):
            await ws.send_json({"type": "state", **conv.state})

    async def drop_all(self) -> None:
        """Close every socket abruptly (as a restart of the service would)."""
        for conv in self.conversations.values():
            for ws in list(conv.sockets):
                conv.sockets.remove(ws)
                with contextlib.suppress(Exception):
                    await ws.close(code=1012)

    # --- calls from the test thread ----------------------------------------------
    def call(self, coro: Any) -> Any:
        """Run a coroutine on the server's loop from the test's thread."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    # --- the app -------------------------------------------------------------------
    def build(self) -> FastAPI:
        """The FastAPI app: citizen API, WebSocket, widget files and test host pages."""
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"],
                           allow_headers=["*"])
        service = self

        @app.post("/api/conversations", status_code=201)
        async def create(request: Request) -> Response:
            if service.refuse:
                return JSONResponse({"error": {"code": "unavailable"}}, status_code=503)
            cid = secrets.token_urlsafe(24)
            service.conversations[cid] = FakeConversation()
            return JSONResponse({"conversation_id": cid, "mode": "bot"}, status_code=201)

        @app.delete("/api/conversations/{cid}")
        async def erase(cid: str) -> Response:
            """The citizen's "Delete this conversation" (the real one: privacy.erasure)."""
            if service.refuse:
                return JSONResponse({"error": {"code": "unavailable"}}, status_code=503)
            conv = service.conversations.pop(cid, None)
            if conv is None:
                return JSONResponse({"error": {"code": "unknown_conversation"}}, status_code=404)
            service.erased.append(cid)
            for ws in list(conv.sockets):
                with contextlib.suppress(Exception):
                    await ws.close(code=4404)
            return Response(status_code=204)

        @app.get("/api/service-info")
        async def info() -> dict[str, Any]:
            return {"phone": "01632 960 000", "opening_hours": "Monday to Friday, 9am to 5pm",
                    "open_now": True}

        @app.websocket("/ws/conversations/{cid}")
        async def socket(ws: WebSocket, cid: str) -> None:
            if service.refuse:
                await ws.close(code=1013)  # before accept: the handshake is refused
                return
            await ws.accept()
            conv = service.conversations.get(cid)
            if conv is None:
                await ws.send_json({"type": "error", "code": "unknown_conversation",
                                    "detail": "This conversation has ended."})
                await ws.close(code=4404)
                return
            try:
                await service.serve(ws, cid, conv)
            except WebSocketDisconnect:
                pass
            finally:
                if ws in conv.sockets:
                    conv.sockets.remove(ws)

        @app.get("/host/{name}")
        async def host_page(name: str, request: Request) -> Response:
            page = service.host_pages.get(name)
            if page is None:
                return Response(status_code=404)
            html, headers = page
            return HTMLResponse(html, headers=headers)

        app.mount("/widget", StaticFiles(directory=WIDGET_DIR), name="widget")
        self.host_pages: dict[str, tuple[str, dict[str, str]]] = {}
        return app

    async def serve(self, ws: WebSocket, cid: str, conv: FakeConversation) -> None:
        """The citizen socket: resume, then messages, acks and control frames."""
        first = await ws.receive_json()
        self.received_frames.append(first)
        after = first.get("after") if first.get("type") == "resume" else None
        start = 0
        if after:
            start = next((i + 1 for i, m in enumerate(conv.messages) if m["id"] == after), 0)
        for message in conv.messages[start:]:
            await ws.send_json({"type": "message", "message": message})
        conv.sockets.append(ws)
        await ws.send_json({"type": "state", **conv.state})
        while True:
            frame = await ws.receive_json()
            self.received_frames.append(frame)
            kind = frame.get("type")
            if kind == "message":
                await self.on_message(ws, cid, conv, frame)
            elif kind == "ping":
                await ws.send_json({"type": "pong"})
            elif kind == "feedback":
                conv.feedback.append(frame)
            elif kind in ("handoff", "leave_queue", "typing"):
                conv.controls.append(frame)

    async def on_message(self, ws: WebSocket, cid: str, conv: FakeConversation,
                         frame: dict[str, Any]) -> None:
        """Store a citizen message once per client_id, ack it, then send the scripted reply."""
        text, client_id = frame.get("text"), str(frame.get("client_id") or "")
        if not isinstance(text, str) or not text.strip():
            await ws.send_json({"type": "error", "code": "empty", "detail": PLAIN["empty"],
                                "client_id": client_id})
            return
        if len(text) > MAX_QUESTION_CHARS:
            await ws.send_json({"type": "error", "code": "too_long",
                                "detail": PLAIN["too_long"], "client_id": client_id})
            return
        if client_id in conv.client_ids:
            known = conv.client_ids[client_id]
            await ws.send_json({"type": "ack", "client_id": client_id, "id": known})
            return
        lose = self.lose_next_ack  # stored, but the connection dies before echo and ack leave
        if lose:
            self.lose_next_ack = False
            conv.sockets.remove(ws)
        stored = await self.store(cid, {"role": "citizen", "text": text, "client_id": client_id})
        conv.client_ids[client_id] = stored["id"]
        if lose:
            await ws.close(code=1012)
            raise WebSocketDisconnect(1012)
        await ws.send_json({"type": "ack", "client_id": client_id, "id": stored["id"]})
        if conv.state["mode"] == "adviser":
            return
        await ws.send_json({"type": "typing", "role": "bot"})
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        for reply in self.reply(text):
            await self.store(cid, reply)


class RunningFake:
    """A FakeService served by uvicorn on a free port in a background thread."""

    def __init__(self) -> None:
        self.service = FakeService()
        config = uvicorn.Config(self.service.app, host="127.0.0.1", port=0, log_level="warning",
                                ws="websockets-sansio", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        """Thread body: run the server on a fresh event loop."""
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.service.loop = loop
        loop.run_until_complete(self.server.serve())

    def start(self) -> RunningFake:
        """Start and wait until the server listens."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("fake service did not start")
            time.sleep(0.02)
        return self

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321."""
        sock = self.server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop the server and its thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)
