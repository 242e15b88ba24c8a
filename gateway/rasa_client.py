"""Talk to Rasa through its HTTP API (REST channel + conversations API), with timeouts."""

from __future__ import annotations

import json
from typing import Any

from gateway.rasa_transport import AiohttpTransport, RasaTransport, TransportFailed
from gateway.settings import Settings


class RasaUnavailable(Exception):
    """Rasa (or something it needs) did not answer in time or answered with an error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RasaClient:
    """A thin async client for the endpoints the gateway uses (bytes move through
    ``transport``: ``gateway/rasa_transport.py``)."""

    def __init__(self, settings: Settings, transport: RasaTransport | None = None) -> None:
        self.settings = settings
        self.base = settings.rasa_url.rstrip("/")
        self.transport: RasaTransport = transport or AiohttpTransport()

    @property
    def _token(self) -> dict[str, str]:
        token = self.settings.rasa_token.get_secret_value()
        return {"token": token} if token else {}

    async def _call(self, method: str, path: str, *, json_body: Any = None,
                    params: dict[str, str] | None = None,
                    timeout: float | None = None) -> Any:
        try:
            status, body = await self.transport.exchange(
                method, self.base + path, body=json_body, params={**self._token, **(params or {})},
                timeout=timeout if timeout is not None else self.settings.rasa_timeout_seconds)
        except TransportFailed as exc:
            raise RasaUnavailable(exc.reason) from exc
        if status >= 400:
            raise RasaUnavailable(f"http {status}")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise RasaUnavailable("bad response") from exc

    async def send(self, sender: str, text: str,
                   metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Post a user message through the REST channel; return the bot's responses."""
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        data = await self._call("POST", "/webhooks/rest/webhook", json_body=body)
        return data if isinstance(data, list) else []

    async def trigger_intent(self, sender: str, intent: str) -> list[dict[str, Any]]:
        """Inject an intent (e.g. ``handoff_unavailable``); return the bot's responses."""
        data = await self._call("POST", f"/conversations/{sender}/trigger_intent",
                                json_body={"name": intent, "entities": {}})
        messages = data.get("messages") if isinstance(data, dict) else None
        return messages if isinstance(messages, list) else []

    async def append_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        """Append events (``resume``, ``pause``) to the tracker without running any action."""
        await self._call("POST", f"/conversations/{sender}/tracker/events", json_body=events,
                         params={"include_events": "NONE"})

    async def replace_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        """Replace the tracker's events (an empty list erases what Rasa holds)."""
        await self._call("PUT", f"/conversations/{sender}/tracker/events", json_body=events,
                         params={"include_events": "NONE"})

    async def tracker(self, sender: str) -> dict[str, Any]:
        """The full tracker (events, slots, active loop) for the adviser's context."""
        data = await self._call("GET", f"/conversations/{sender}/tracker",
                                params={"include_events": "ALL"})
        return data if isinstance(data, dict) else {}

    async def rasa_status(self) -> str:
        """Check Rasa is up with a model loaded; raise RasaUnavailable otherwise."""
        data = await self._call("GET", "/status", timeout=self.settings.health_timeout_seconds)
        loaded = isinstance(data, dict) and (data.get("model_id") or data.get("model_file"))
        if not loaded:
            raise RasaUnavailable("no model loaded")
        return str(data.get("model_file", "model loaded"))

    async def action_server_status(self) -> str:
        """Check the action server's ``/health``; raise RasaUnavailable otherwise."""
        try:
            status, _ = await self.transport.exchange(
                "GET", self.settings.action_server_health_url,
                timeout=self.settings.health_timeout_seconds)
        except TransportFailed as exc:
            raise RasaUnavailable(exc.reason) from exc
        if status != 200:
            raise RasaUnavailable(f"http {status}")
        return "ok"

    async def aclose(self) -> None:
        """Close the kept connections."""
        await self.transport.aclose()
