"""Plain-worded API errors and the handlers that render every error the same way."""

from __future__ import annotations

import contextlib
import logging
import re
import unicodedata

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket

from knowledge.questions import MAX_QUESTION_CHARS

log = logging.getLogger("gateway.errors")

PLAIN = {
    "empty": "Please type a message before sending.",
    "too_long": (f"That message is too long. Please keep it to {MAX_QUESTION_CHARS:,} characters "
                 "or fewer."),
    "not_text": "The message must be text.",
    "bad_json": "The request could not be read: it is not valid JSON.",
    "bad_request": "The request is missing something or has something it should not.",
    "unknown_conversation": "We could not find that conversation. Please start a new one.",
    "too_large": "The request is too large.",
    "reserved": "That message can't be sent as it is written. Please put it in your own words.",
}

BODY_PARSE_FAILED = "There was an error parsing the body"
# Characters that show nothing: a message made only of these (and spaces) is empty.
INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"}
# Text only the gateway may send to Rasa: its external-event marker and the intents it triggers.
RESERVED = re.compile(r"^\s*(external\s*:|/\s*(handoff_unavailable|handback|session_start)\b)",
                      re.IGNORECASE)


class ApiError(Exception):
    """An error the client caused (or may retry), with a stable code and plain words."""

    def __init__(self, status: int, code: str, detail: str | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail or PLAIN.get(code, code.replace("_", " "))

    def body(self) -> dict[str, dict[str, str]]:
        """The JSON body for this error."""
        return {"error": {"code": self.code, "detail": self.detail}}


def clean_text(value: object, max_chars: int) -> str:
    """Validate a message's text: a non-empty string of at most ``max_chars`` characters.

    Control characters other than newline and tab are dropped; surrounding space is trimmed.
    """
    if not isinstance(value, str):
        raise ApiError(422, "not_text")
    text = "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    ).strip()
    if not text or all(ch.isspace() or ch in INVISIBLE or unicodedata.category(ch) == "Cf"
                       for ch in text):
        raise ApiError(422, "empty")
    if len(text) > max_chars:
        raise ApiError(
            422, "too_long",
            f"That message is too long. Please keep it to {max_chars:,} characters or fewer.",
        )
    return text


def citizen_text(value: object, max_chars: int) -> str:
    """``clean_text`` for what a citizen types, refusing text reserved for the gateway
    (``EXTERNAL: …`` and the ``/handback``-style intents only the gateway triggers)."""
    text = clean_text(value, max_chars)
    if RESERVED.match(text):
        raise ApiError(422, "reserved")
    return text


def store_down_words(app: object) -> str:
    """What to tell a citizen when messages cannot be stored right now."""
    settings = getattr(getattr(app, "state", None), "settings", None)
    phone = f" or phone us on {settings.contact_phone} ({settings.contact_hours_text})" \
        if settings is not None else ""
    return ("Sorry, we can't take messages at the moment, so this one was not sent. "
            f"Please try again in a minute{phone}.")


def validation_code(exc: RequestValidationError) -> str:
    """Map pydantic's error list to one of our codes."""
    for error in exc.errors():
        kind = str(error.get("type", ""))
        loc = [str(part) for part in error.get("loc", ())]
        if kind == "json_invalid":
            return "bad_json"
        if kind == "string_type" and "text" in loc:
            return "not_text"
    return "bad_request"


def method_of(connection: HTTPConnection) -> str:
    """The HTTP method, or ``WEBSOCKET`` for a socket (which has none)."""
    return "WEBSOCKET" if isinstance(connection, WebSocket) else str(connection.scope["method"])


async def close_socket(websocket: WebSocket, code: int, reason: str) -> None:
    """Close a socket an error escaped from (it may already be closed)."""
    with contextlib.suppress(Exception):
        await websocket.close(code, reason)


def install_error_handlers(app: FastAPI) -> None:
    """Render ApiError, validation and HTTP errors as ``{"error": {code, detail}}``.

    The same handlers see errors escaping a WebSocket route (``request`` is then a WebSocket,
    with no ``method``): there they close the socket instead of answering.
    """

    @app.exception_handler(ApiError)
    async def api_error(request: HTTPConnection, exc: ApiError) -> JSONResponse | None:
        if exc.status in (401, 403, 409):
            session = getattr(request.state, "session", None)
            actor = session.user.username if session is not None else "anonymous"
            log.warning("refused %s %s for %s: %s", method_of(request), request.url.path, actor,
                        exc.code)
            runtime = getattr(request.app.state, "runtime", None)
            if runtime is not None:
                await runtime.refusals.record("refused", actor, path=request.url.path,
                                              code=exc.code, status=exc.status)
        if isinstance(request, WebSocket):
            await close_socket(request, 1008, exc.code)
            return None
        headers = {"Retry-After": str(exc.retry_after)} if hasattr(exc, "retry_after") else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: HTTPConnection, exc: RequestValidationError) -> JSONResponse:
        code = validation_code(exc)
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()})
        detail = PLAIN[code]
        if code == "bad_request" and any(fields):
            detail += " Check: " + ", ".join(f for f in fields if f) + "."
        return JSONResponse(ApiError(422, code, detail).body(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: HTTPConnection,
                         exc: StarletteHTTPException) -> JSONResponse | None:
        if isinstance(request, WebSocket):
            await close_socket(request, 1008, "refused")
            return None
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else code
        if exc.status_code == 400 and detail == BODY_PARSE_FAILED:  # FastAPI's own words
            return JSONResponse(ApiError(422, "bad_json").body(), status_code=422)
        return JSONResponse(ApiError(exc.status_code, code, detail).body(),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RedisError)
    async def store_down(request: HTTPConnection, exc: RedisError) -> JSONResponse | None:
        log.error("Redis unavailable on %s %s: %s", method_of(request), request.url.path,
                  type(exc).__name__)
        if isinstance(request, WebSocket):
            await close_socket(request, 1013, "unavailable")  # 1013: try again later
            return None
        return JSONResponse(ApiError(503, "unavailable", store_down_words(request.app)).body(),
                            status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def crashed(request: HTTPConnection, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s: %s", method_of(request), request.url.path,
                  type(exc).__name__)
        return JSONResponse(
            ApiError(500, "internal", "Something went wrong on our side. Please try again.").body(),
            status_code=500,
        )
