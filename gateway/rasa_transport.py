"""How the gateway's Rasa client moves bytes: one HTTP exchange at a time, errors in one shape.

``RasaClient`` (``gateway/rasa_client.py``) decides what to ask Rasa and what its answers mean;
a transport only sends a request and returns the status and body, or raises
``TransportFailed`` ("timeout" or "down"). Two transports:

- ``AiohttpTransport``, the one the gateway serves with: one ``aiohttp`` session per process
  with every connection kept. Under load the gateway has one Rasa call in flight per waiting
  citizen; at 40 concurrent calls ``httpx`` spent about 1.1 ms of CPU per call in its pool
  bookkeeping, ``aiohttp`` about 0.1 ms (ADR 0306);
- ``HttpxTransport``, over any ``httpx.AsyncClient``: tests and in-process benchmarks hand it a
  client with ``httpx.MockTransport`` to stand in for Rasa.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

import aiohttp
import httpx

CONNECT_SECONDS = 2.0
# Below the 5 s after which Rasa's Sanic closes an idle connection, so a kept connection is
# never reused just as the server closes it.
KEEP_ALIVE_SECONDS = 4.0
MAX_CONNECTIONS = 100


class TransportFailed(Exception):
    """The exchange did not complete: ``reason`` is "timeout" or "down"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RasaTransport(Protocol):
    """One HTTP exchange with a JSON body (or none); the status and the raw response body."""

    async def exchange(self, method: str, url: str, *, body: Any = None,
                       params: dict[str, str] | None = None,
                       timeout: float) -> tuple[int, bytes]:
        """Send the request; raise ``TransportFailed`` when no response arrives in time."""
        ...

    async def aclose(self) -> None:
        """Close the kept connections."""
        ...


class AiohttpTransport:
    """The served transport: one ``aiohttp`` session, opened on first use inside the loop."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS,
                                               keepalive_timeout=KEEP_ALIVE_SECONDS),
                json_serialize=_compact_json,
            )
        return self._session

    async def exchange(self, method: str, url: str, *, body: Any = None,
                       params: dict[str, str] | None = None,
                       timeout: float) -> tuple[int, bytes]:
        """Send the request; the status and body, or ``TransportFailed``."""
        limits = aiohttp.ClientTimeout(total=timeout, sock_connect=CONNECT_SECONDS)
        try:
            async with self._open().request(method, url, json=body, params=params,
                                            timeout=limits) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TransportFailed("timeout") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise TransportFailed("down") from exc

    async def aclose(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None


class HttpxTransport:
    """A transport over an ``httpx.AsyncClient`` (with ``httpx.MockTransport`` in tests)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @classmethod
    def mocked(cls, handler: Callable[[httpx.Request], httpx.Response]
               | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]],
               ) -> HttpxTransport:
        """A transport whose every request is answered by ``handler`` (no network)."""
        return cls(httpx.AsyncClient(transport=httpx.MockTransport(handler)))

    async def exchange(self, method: str, url: str, *, body: Any = None,
                       params: dict[str, str] | None = None,
                       timeout: float) -> tuple[int, bytes]:
        """Send the request; the status and body, or ``TransportFailed``."""
        try:
            response = await self.client.request(method, url, json=body, params=params,
                                                 timeout=timeout)
        except httpx.TimeoutException as exc:
            raise TransportFailed("timeout") from exc
        except httpx.HTTPError as exc:
            raise TransportFailed("down") from exc
        return response.status_code, response.content

    async def aclose(self) -> None:
        """Close the client."""
        await self.client.aclose()


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
