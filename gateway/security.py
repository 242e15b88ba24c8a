"""HTTP hardening: a request-size limit, unreadable JSON refused before any route sees it
(not UTF-8, nested too deeply, lone surrogates: 422 ``bad_json``), and security headers."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.json_guard import BadJson, loads

BODY_METHODS = {"POST", "PUT", "PATCH"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
       "img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")


async def refuse(send: Send, status: int, code: str, detail: str) -> None:
    """Answer with the gateway's error shape, before the app is reached."""
    body = json.dumps({"error": {"code": code, "detail": detail}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"),
                            (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})


def expects_json(scope: Scope, content_type: bytes) -> bool:
    """A body the API will parse as JSON (FastAPI parses only bodies typed as JSON)."""
    return (scope.get("method") in BODY_METHODS and scope.get("path", "").startswith("/api/")
            and b"json" in content_type)


class HardeningMiddleware:
    """Refuse bodies over ``max_body`` bytes (413) or unreadable JSON bodies (422), and add
    security headers."""

    def __init__(self, app: ASGIApp, max_body: int,
                 larger_bodies: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.larger_bodies = larger_bodies or {}

    def limit_for(self, path: str) -> int:
        """The body limit for ``path``: a larger one under listed prefixes (the editor's API)."""
        for prefix, limit in self.larger_bodies.items():
            if path.startswith(prefix):
                return limit
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        max_body = self.limit_for(scope.get("path", ""))
        if not length.isdigit() or int(length) > max_body:
            await refuse(send, 413, "too_large", "The request is too large.")
            return
        if expects_json(scope, headers.get(b"content-type", b"").lower()):
            buffered = await self._read_body(receive, max_body)
            if buffered is None:
                await refuse(send, 413, "too_large", "The request is too large.")
                return
            if buffered.strip():
                try:
                    loads(buffered)
                except BadJson as exc:
                    await refuse(send, 422, "bad_json", exc.detail)
                    return
            receive = self._replay(buffered, receive)

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_body:
                    raise ValueError("request body too large")
            return message

        async def secured_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"SAMEORIGIN"),
                ]
                content_type = dict(message.get("headers") or []).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    extra.append((b"content-security-policy", CSP.encode()))
                if scope.get("path", "").startswith("/api/"):
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = list(message.get("headers") or []) + extra
            await send(message)

        await self.app(scope, limited_receive, secured_send)

    @staticmethod
    async def _read_body(receive: Receive, max_body: int) -> bytes | None:
        """The whole body (None when over ``max_body``); a disconnect ends it early."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    def _replay(body: bytes, receive: Receive) -> Receive:
        """A receive that hands the app the buffered body, then the real channel."""
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay
