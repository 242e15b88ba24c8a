"""The citizen's WebSocket: resume from a message id, send with idempotent client ids."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from fastapi import APIRouter, WebSocket
from redis.exceptions import RedisError
from starlette.websockets import WebSocketDisconnect

from gateway.analytics import short
from gateway.errors import ApiError, citizen_text, store_down_words
from gateway.fanout import Follower
from gateway.ids import is_client_id, is_conversation_id, is_stream_id
from gateway.rate_limits import Limited
from gateway.runtime import Runtime
from gateway.socket_io import FrameError, JsonSocket
from gateway.tasks import cancel

router = APIRouter(tags=["citizen"])
log = logging.getLogger("gateway.ws_citizen")

READER_STOP_SECONDS = 2.0


class CitizenSocket:
    """One citizen connection: a stream reader, a hint listener and the frame loop."""

    def __init__(self, socket: JsonSocket, runtime: Runtime, conversation_id: str,
                 address: str) -> None:
        self.socket = socket
        self.runtime = runtime
        self.conversation_id = conversation_id
        self.address = address
        self.reader: asyncio.Task[None] | None = None
        self.follower: Follower | None = None  # the reader's interest in the stream
        self.last_state: dict[str, Any] | None = None
        self.limited_until = 0.0  # frames before this (monotonic) are refused without asking Redis
        self.limited_words = ""

    async def send_state(self, force: bool = False) -> bool:
        """Send the routing state if it changed; False when the conversation is gone."""
        try:
            state = await self.runtime.handoff.state(self.conversation_id)
        except ApiError:
            await self.socket.error("unknown_conversation", "This conversation has ended.")
            await self.socket.close(4404)
            return False
        frame = {"type": "state", **state.model_dump()}
        if force or frame != self.last_state:
            self.last_state = frame
            await self.socket.send(frame)
        return True

    async def _read_stream(self, follower: Follower, after: str | None) -> None:
        """History after ``after``, a state frame, then live messages (from the shared reader)."""
        async for message in self.runtime.fanout.follow(self.conversation_id, after,
                                                        caught_up=self._caught_up,
                                                        follower=follower):
            if not await self.socket.send({"type": "message", "message": message.public()}):
                return

    async def _caught_up(self) -> None:
        await self.send_state(force=True)

    async def start_reader(self, after: str | None) -> None:
        """(Re)start delivering messages after ``after``.

        The running reader is asked to stop at its next step rather than cancelled, so a burst
        of resumes never interrupts it inside a Redis call (issue 12); one that has not stopped
        within ``READER_STOP_SECONDS`` (a client not reading its socket) is cancelled."""
        if self.follower is not None:
            self.follower.close()
        if self.reader is not None and not self.reader.done():
            await asyncio.wait({self.reader}, timeout=READER_STOP_SECONDS)
            await cancel(self.reader)
        self.follower = Follower(self.conversation_id)
        self.reader = asyncio.create_task(self._read_stream(self.follower, after),
                                          name="citizen-reader")

    def _may_change_state(self, event: dict[str, Any]) -> bool:
        kind = event.get("kind")
        if kind in ("state", "resync"):
            return True
        waiting = self.last_state is not None and self.last_state.get("mode") == "queued"
        return kind == "queue" and waiting and bool(event.get("positions", True))

    async def _hints(self) -> None:
        hub = self.runtime.hub
        channels = (hub.conv_channel(self.conversation_id), hub.queue_channel)
        async with hub.listen(*channels) as events:
            while True:
                event = await events.get()
                await asyncio.sleep(0.05)  # coalesce bursts
                batch = [event]
                while not events.empty():
                    batch.append(events.get_nowait())
                for item in batch:
                    if item.get("kind") == "typing" and item.get("role") in ("bot", "adviser"):
                        await self.socket.send({"type": "typing", "role": item["role"]})
                if any(self._may_change_state(item) for item in batch) and \
                        not await self.send_state():
                    return

    async def on_message(self, frame: dict[str, Any]) -> None:
        client_id = frame.get("client_id")
        if client_id is not None and not is_client_id(client_id):
            await self.socket.error("bad_client_id",
                                    "client_id must be 1-64 letters, digits, - or _.")
            return
        extra = {"client_id": client_id} if client_id else {}
        try:
            text = citizen_text(frame.get("text"), self.runtime.settings.max_text_chars)
            await self.runtime.limits.message(self.conversation_id, self.address)
            accepted = await self.runtime.turns.accept(self.conversation_id, text, client_id)
        except ApiError as exc:
            await self.socket.error(exc.code, exc.detail, **extra)
            return
        except RedisError as exc:  # not stored, not acked: the client keeps it and resends
            log.error("could not store a message: %s", type(exc).__name__)
            await self.socket.error("unavailable", store_down_words(self.socket.websocket.app),
                                    **extra)
            return
        if client_id:
            await self.socket.send({"type": "ack", "client_id": client_id,
                                    "id": accepted.message.id})
        if not accepted.duplicate:
            self.runtime.spawn(self.runtime.turns.respond(accepted), "citizen-turn")

    async def on_feedback(self, frame: dict[str, Any]) -> None:
        message_id, helpful = frame.get("message_id"), frame.get("helpful")
        if not is_stream_id(message_id) or not isinstance(helpful, bool):
            await self.socket.error("bad_frame",
                                    "Feedback needs a message_id and helpful true/false.")
            return
        runtime = self.runtime
        if not await runtime.limits.feedback(self.conversation_id, message_id):
            return  # one verdict per message: a repeat changes nothing
        question, article_id = "", None
        for message in await runtime.store.history(self.conversation_id, None):
            if message.id == message_id:
                if message.sources:
                    article_id = message.sources[0].article_id
                break
            if message.role == "citizen":
                question = message.text
        await runtime.analytics.event("feedback", self.conversation_id, message_id=message_id,
                                      helpful=int(helpful), article_id=article_id)
        if not helpful and question:
            await runtime.analytics.gap("not_helpful", self.conversation_id, question,
                                        article_id)

    async def dispatch(self, frame: dict[str, Any]) -> None:
        """Act on one client frame."""
        kind = frame["type"]
        handoff = self.runtime.handoff
        if kind == "resume":
            after = frame.get("after")
            if after is not None and not is_stream_id(after):
                await self.socket.error("bad_frame", "after must be a message id or null.")
                return
            await self.start_reader(after)
        elif kind == "message":
            await self.on_message(frame)
        elif kind == "handoff":
            self.runtime.spawn(handoff.request(self.conversation_id, reason="requested"),
                               "citizen-handoff")
        elif kind == "leave_queue":
            self.runtime.spawn(handoff.leave(self.conversation_id), "citizen-leave")
        elif kind == "feedback":
            await self.on_feedback(frame)
        elif kind == "typing":
            await self.runtime.hub.conv_event(self.conversation_id, "typing", role="citizen")
        elif kind == "ping":
            await self.socket.send({"type": "pong"})
        else:
            await self.socket.error("bad_frame", f"Unknown frame type {kind[:40]!r}.")

    async def admit_frame(self, frame: dict[str, Any]) -> bool:
        """Count the frame against the conversation's limit; refuse it in plain words if over.

        A message frame is charged to the message limits instead (``on_message``), so each
        frame costs one limit check, not two."""
        if frame.get("type") == "message":
            return True
        if time.monotonic() >= self.limited_until:
            try:
                await self.runtime.limits.frame(self.conversation_id)
                return True
            except Limited as exc:
                self.limited_until = time.monotonic() + exc.retry_after
                self.limited_words = exc.detail
        client_id = frame.get("client_id")
        extra = {"client_id": client_id} if frame.get("type") == "message" and \
            isinstance(client_id, str) and is_client_id(client_id) else {}
        await self.socket.error("rate_limited", self.limited_words, **extra)
        return False

    async def run(self) -> None:
        """Serve frames until the client goes away."""
        hints = asyncio.create_task(self._hints(), name="citizen-hints")
        try:
            while True:
                try:
                    frame = await self.socket.receive()
                except FrameError as exc:
                    await self.socket.error(exc.code, exc.detail)
                    continue
                try:
                    if not await self.admit_frame(frame):
                        continue
                    if self.reader is None and frame["type"] != "resume":
                        await self.start_reader(None)
                    await self.dispatch(frame)
                except ApiError as exc:
                    await self.socket.error(exc.code, exc.detail)
                except RedisError as exc:
                    log.error("citizen frame failed: %s", type(exc).__name__)
                    await self.socket.error("unavailable",
                                            store_down_words(self.socket.websocket.app))
        except WebSocketDisconnect:
            pass
        finally:
            await cancel(self.reader, hints)


@router.websocket("/ws/conversations/{conversation_id}")
async def citizen_socket(websocket: WebSocket, conversation_id: str) -> None:
    """The widget's live connection (see docs/contracts.md for the frames)."""
    runtime: Runtime = websocket.app.state.runtime
    address = runtime.limits.address(websocket)
    refused = runtime.sockets.admit(address)
    await websocket.accept()
    socket = JsonSocket(websocket)
    if refused is not None:
        log.warning("citizen socket refused (close %s): cap reached", refused)
        await socket.error("too_many_connections", runtime.sockets.refusal_words(refused))
        await socket.close(refused)
        return
    try:
        known = is_conversation_id(conversation_id) and (
            await runtime.conversations.get(conversation_id) is not None)
        if not known:
            await socket.error("unknown_conversation",
                               "We could not find that conversation. Please start a new one.")
            await socket.close(4404)
            return
        log.debug("citizen socket open conv=%s", short(conversation_id))
        with contextlib.suppress(WebSocketDisconnect):
            await CitizenSocket(socket, runtime, conversation_id, address).run()
        await socket.close()
    finally:
        runtime.sockets.release(address)
