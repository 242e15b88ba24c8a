"""Small helpers for JSON WebSockets: serialised sends and bounded, parsed receives."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from gateway.json_guard import BadJson, loads

MAX_FRAME_BYTES = 8192


class FrameError(Exception):
    """A frame that is not a JSON object of acceptable size."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


class JsonSocket:
    """Wraps a WebSocket: one sender at a time, parsed frames in."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self._lock = asyncio.Lock()
        self.closed = False

    async def send(self, frame: dict[str, Any]) -> bool:
        """Send one frame; False (and no exception) once the socket is gone."""
        if self.closed:
            return False
        async with self._lock:
            try:
                await self.websocket.send_text(json.dumps(frame, separators=(",", ":")))
                return True
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.closed = True
                return False

    async def error(self, code: str, detail: str, **extra: Any) -> None:
        """Send an error frame."""
        await self.send({"type": "error", "code": code, "detail": detail, **extra})

    async def receive(self) -> dict[str, Any]:
        """The next frame as a dict; raises WebSocketDisconnect, or FrameError for bad frames."""
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            self.closed = True
            raise WebSocketDisconnect(message.get("code", 1000))
        raw = message.get("text")
        if raw is None:
            raise FrameError("bad_frame", "Send text frames containing JSON.")
        if len(raw.encode()) > MAX_FRAME_BYTES:
            raise FrameError("too_large", "That frame is too large.")
        try:
            frame = loads(raw)
        except BadJson as exc:
            raise FrameError("bad_frame", exc.detail.replace("The request", "That frame")) \
                from exc
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise FrameError("bad_frame", "Each frame is a JSON object with a type.")
        return frame

    async def close(self, code: int = 1000) -> None:
        """Close if still open."""
        self.closed = True
        if self.websocket.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(Exception):
                await self.websocket.close(code)
