"""HTTP hardening: a request-size limit and security headers on every response."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
       "img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")


class HardeningMiddleware:
    """Refuse bodies over ``max_body`` bytes (413) and add security headers."""

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
            body = json.dumps({"error": {"code": "too_large",
                                         "detail": "The request is too large."}}).encode()
            await send({"type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return

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
