"""The advisers' WebSocket: the live queue (pushed), watched transcripts, real-time replies."""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from gateway.auth.dependencies import session_of
from gateway.auth.users import User
from gateway.errors import ApiError, clean_text
from gateway.ids import is_client_id, is_conversation_id, is_stream_id
from gateway.routers.console import adviser_of, snapshot
from gateway.runtime import Runtime
from gateway.socket_io import FrameError, JsonSocket
from gateway.tasks import cancel

router = APIRouter(tags=["console"])
log = logging.getLogger("gateway.ws_console")

HEARTBEAT_SECONDS = 20.0


def origin_allowed(websocket: WebSocket, runtime: Runtime) -> bool:
    """Browsers send Origin on WebSockets: it must be this site (or a configured one)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser, so no ambient cookie can have been abused
    host = websocket.headers.get("host", "")
    allowed = {f"http://{host}", f"https://{host}", *runtime.settings.console_allowed_origins}
    return origin in allowed


class ConsoleSocket:
    """One adviser connection."""

    def __init__(self, socket: JsonSocket, runtime: Runtime, user: User, token: str) -> None:
        self.socket = socket
        self.runtime = runtime
        self.user = user
        self.token = token
        self.member = f"{user.username}:{secrets.token_hex(4)}"
        self.watching: dict[str, asyncio.Task[None]] = {}
        self.events: asyncio.Queue[dict[str, Any]] | None = None

    async def push_queue(self) -> None:
        """Send the queue snapshot."""
        view = await snapshot(self.runtime, self.user.username)
        await self.socket.send({"type": "queue", **view})

    async def _heartbeat(self) -> None:
        while True:
            await self.runtime.presence.beat(self.member)
            await asyncio.sleep(HEARTBEAT_SECONDS)
            if await self.runtime.sessions.get(self.token) is None:
                await self.socket.error("not_signed_in", "Your session has ended. Please sign in.")
                await self.socket.close(4401)
                return

    async def _hints(self) -> None:
        hub = self.runtime.hub
        async with hub.listen(hub.queue_channel) as events:
            self.events = events
            for conversation_id in self.watching:
                hub.add_channel(events, hub.conv_channel(conversation_id))
            while True:
                event = await events.get()
                await asyncio.sleep(0.01)  # coalesce bursts
                batch = [event]
                while not events.empty():
                    batch.append(events.get_nowait())
                if any(e.get("kind") in ("queue", "resync") for e in batch):
                    await self.push_queue()
                for item in batch:
                    await self._conversation_hint(item)

    async def _conversation_hint(self, event: dict[str, Any]) -> None:
        conversation_id = event.get("conversation_id")
        if conversation_id not in self.watching:
            return
        if event.get("kind") == "typing" and event.get("role") == "citizen":
            await self.socket.send({"type": "typing", "conversation_id": conversation_id,
                                    "role": "citizen"})
        elif event.get("kind") == "state":
            meta = await self.runtime.conversations.get(conversation_id)
            await self.socket.send({"type": "conversation", "conversation_id": conversation_id,
                                    "mode": meta.mode if meta else "erased",
                                    "adviser": (meta.adviser or None) if meta else None})

    async def _stream(self, conversation_id: str, after: str | None) -> None:
        async for message in self.runtime.fanout.follow(conversation_id, after):
            sent = await self.socket.send({"type": "message", "conversation_id": conversation_id,
                                           "message": message.full()})
            if not sent:
                return

    async def watch(self, frame: dict[str, Any]) -> None:
        conversation_id, after = frame.get("conversation_id"), frame.get("after")
        if not is_conversation_id(conversation_id) or (
                after is not None and not is_stream_id(after)):
            await self.socket.error("bad_frame",
                                    "watch needs a conversation_id and after (id or null).")
            return
        if await self.runtime.conversations.get(conversation_id) is None:
            await self.socket.error("unknown_conversation", "There is no such conversation.",
                                    conversation_id=conversation_id)
            return
        await cancel(self.watching.pop(conversation_id, None))
        self.watching[conversation_id] = asyncio.create_task(self._stream(conversation_id, after))
        if self.events is not None:
            channel = self.runtime.hub.conv_channel(conversation_id)
            self.runtime.hub.add_channel(self.events, channel)

    async def unwatch(self, frame: dict[str, Any]) -> None:
        conversation_id = frame.get("conversation_id")
        if isinstance(conversation_id, str) and conversation_id in self.watching:
            await cancel(self.watching.pop(conversation_id))
            if self.events is not None:
                self.runtime.hub.remove_channel(self.events,
                                                self.runtime.hub.conv_channel(conversation_id))

    async def reply(self, frame: dict[str, Any]) -> None:
        conversation_id, client_id = frame.get("conversation_id"), frame.get("client_id")
        extra = {"client_id": client_id} if isinstance(client_id, str) else {}
        if not is_conversation_id(conversation_id) or (
                client_id is not None and not is_client_id(client_id)):
            await self.socket.error("bad_frame",
                                    "reply needs a conversation_id, text and client_id.", **extra)
            return
        try:
            text = clean_text(frame.get("text"), self.runtime.settings.max_text_chars)
            appended = await self.runtime.handoff.reply(conversation_id, adviser_of(self.user),
                                                        text, client_id)
        except ApiError as exc:
            if exc.status in (401, 403):
                log.warning("refused reply by %s on conv=%s: %s", self.user.username,
                            conversation_id[:8], exc.code)
                await self.runtime.refusals.record("refused_reply", self.user.username,
                                                   conversation_id=conversation_id, code=exc.code)
            await self.socket.error(exc.code, exc.detail, conversation_id=conversation_id, **extra)
            return
        if client_id:
            await self.socket.send({"type": "ack", "client_id": client_id,
                                    "id": appended.message.id})

    async def dispatch(self, frame: dict[str, Any]) -> None:
        """Act on one frame."""
        kind = frame["type"]
        if kind == "watch":
            await self.watch(frame)
        elif kind == "unwatch":
            await self.unwatch(frame)
        elif kind == "reply":
            await self.reply(frame)
        elif kind == "typing":
            conversation_id = frame.get("conversation_id")
            if is_conversation_id(conversation_id):
                await self.runtime.hub.conv_event(conversation_id, "typing", role="adviser")
        elif kind == "ping":
            await self.socket.send({"type": "pong"})
        else:
            await self.socket.error("bad_frame", f"Unknown frame type {kind[:40]!r}.")

    async def run(self) -> None:
        """Serve until the adviser goes away."""
        await self.runtime.presence.beat(self.member)
        await self.runtime.hub.queue_changed()  # others see advisers_online change
        await self.push_queue()
        heartbeat = asyncio.create_task(self._heartbeat())
        hints = asyncio.create_task(self._hints())
        try:
            while not self.socket.closed:
                try:
                    frame = await self.socket.receive()
                except FrameError as exc:
                    await self.socket.error(exc.code, exc.detail)
                    continue
                await self.dispatch(frame)
        except WebSocketDisconnect:
            pass
        finally:
            await cancel(heartbeat, hints, *self.watching.values())
            await self.runtime.presence.gone(self.member)
            await self.runtime.hub.queue_changed()


@router.websocket("/ws/console")
async def console_socket(websocket: WebSocket) -> None:
    """The console's live connection (see docs/contracts.md)."""
    runtime: Runtime = websocket.app.state.runtime
    address = runtime.limits.address(websocket)
    refused = runtime.sockets.admit(address)
    await websocket.accept()
    socket = JsonSocket(websocket)
    if refused is not None:
        log.warning("console socket refused (close %s): cap reached", refused)
        await socket.error("too_many_connections", runtime.sockets.refusal_words(refused))
        await socket.close(refused)
        return
    try:
        session = await session_of(websocket)
        if session is None:
            log.warning("console socket refused: not signed in")
            await socket.error("not_signed_in", "Please sign in.")
            await socket.close(4401)
            return
        if not session.user.has_role("adviser") or not origin_allowed(websocket, runtime):
            log.warning("console socket refused for %s: role or origin", session.user.username)
            await runtime.refusals.record("refused_socket", session.user.username,
                                          path="/ws/console")
            await socket.error("forbidden", "You may not open the advisers' console.")
            await socket.close(4403)
            return
        token = websocket.cookies.get("csa_session", "")
        await ConsoleSocket(socket, runtime, session.user, token).run()
        await socket.close()
    finally:
        runtime.sockets.release(address)
