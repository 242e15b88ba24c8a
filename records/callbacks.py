"""Callback requests: ``callback:{id}`` hashes and the ``callbacks`` sorted set.

The bot's callback form creates a request (:func:`create_callback`, blocking client, in the
action server); advisers list them and mark them done in the console (:func:`list_callbacks`,
:func:`set_status`, asyncio client, in the gateway); erasure and retention delete them
(:func:`delete_callback`). A request's status is ``open`` until an adviser marks it ``done``;
the same two words are stored and shown.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from records.client import AsyncRedis, SyncRedis

Status = Literal["open", "done"]
STATUSES: tuple[Status, ...] = ("open", "done")
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B)
REFERENCE_LENGTH = 6


def new_reference(kind: str) -> str:
    """A random reference like ``CB-7K3Q9X`` (``kind`` is the two-letter prefix)."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{kind}-{body}"


@dataclass(frozen=True)
class CallbackKeys:
    """Key builders for callback requests under ``REDIS_KEY_PREFIX``."""

    prefix: str = "csa:"

    def record(self, callback_id: str) -> str:
        """One request's hash."""
        return f"{self.prefix}callback:{callback_id}"

    @property
    def index(self) -> str:
        """Sorted set of request ids scored by the time they were made."""
        return f"{self.prefix}callbacks"

    @property
    def pattern(self) -> str:
        """SCAN pattern matching every request hash."""
        return self.record("*")


@dataclass(frozen=True)
class CallbackRequest:
    """One callback request as stored in ``callback:{id}`` (``id`` is the key's, not a field)."""

    id: str
    reference: str
    name: str
    phone: str
    preferred_time: str
    consent: str
    conversation_id: str
    topic: str
    created: float
    status: str = "open"
    handled_by: str = ""
    handled_at: str = ""
    type: str = "callback"

    def to_hash(self) -> dict[str, str]:
        """The hash fields (all strings)."""
        data = {k: str(v) for k, v in asdict(self).items() if k != "id"}
        data["created"] = f"{self.created:.3f}"
        return data

    @classmethod
    def from_hash(cls, callback_id: str, data: Mapping[str, str]) -> CallbackRequest:
        """Read a stored hash (unknown fields are ignored, missing ones empty)."""
        known = {f.name for f in fields(cls)} - {"id"}
        values: dict[str, Any] = {k: str(v) for k, v in data.items() if k in known}
        for name in ("name", "phone", "preferred_time", "consent", "conversation_id", "topic"):
            values.setdefault(name, "")
        values["id"] = callback_id
        values.setdefault("reference", callback_id)
        try:
            values["created"] = float(values.get("created") or 0)
        except ValueError:
            values["created"] = 0.0
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """JSON for the console: every field."""
        return asdict(self)


def create_callback(
    client: SyncRedis, keys: CallbackKeys, details: Mapping[str, str], ttl_seconds: int
) -> CallbackRequest:
    """Store a new request (status ``open``), index it, and return it.

    ``details`` holds name, phone, preferred_time, consent, conversation_id and topic. The
    reference is claimed with HSETNX, so two requests never share one.
    """
    now = round(time.time(), 3)  # as stored, so the record read back is equal
    for _ in range(10):
        reference = new_reference("CB")
        request = CallbackRequest(
            id=reference,
            reference=reference,
            name=details.get("name", ""),
            phone=details.get("phone", ""),
            preferred_time=details.get("preferred_time", ""),
            consent=details.get("consent", ""),
            conversation_id=details.get("conversation_id", ""),
            topic=details.get("topic", ""),
            created=now,
        )
        key = keys.record(request.reference)
        if client.hsetnx(key, "reference", request.reference):
            with client.pipeline(transaction=True) as pipe:
                pipe.hset(key, mapping=request.to_hash())  # type: ignore[arg-type]
                pipe.expire(key, ttl_seconds)
                pipe.zadd(keys.index, {request.reference: now})
                pipe.execute()
            return request
    raise RuntimeError("could not find a free callback reference after 10 tries")


async def list_callbacks(
    client: AsyncRedis, keys: CallbackKeys, limit: int = 200
) -> list[CallbackRequest]:
    """The newest ``limit`` requests still stored (every one for ``limit=0``), newest first."""
    ids = await client.zrevrange(keys.index, 0, limit - 1 if limit > 0 else -1)
    pipe = client.pipeline(transaction=False)
    for callback_id in ids:
        pipe.hgetall(keys.record(str(callback_id)))
    found = []
    for callback_id, data in zip(ids, await pipe.execute(), strict=True):
        if data:
            found.append(CallbackRequest.from_hash(str(callback_id), data))
    return found


async def set_status(
    client: AsyncRedis, keys: CallbackKeys, callback_id: str, status: Status, adviser: str
) -> CallbackRequest | None:
    """Mark a request ``open`` or ``done``; None if there is no such request."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
    key = keys.record(callback_id)
    if not await client.exists(key):
        return None
    await client.hset(
        key, mapping={"status": status, "handled_by": adviser, "handled_at": f"{time.time():.0f}"}
    )
    stored = await client.hgetall(key)
    return CallbackRequest.from_hash(callback_id, {str(k): str(v) for k, v in stored.items()})


async def delete_callback(client: AsyncRedis, keys: CallbackKeys, callback_id: str) -> int:
    """Delete one request and its index entry; return how many keys were deleted."""
    removed = int(await client.delete(keys.record(callback_id)))
    await client.zrem(keys.index, callback_id)
    return removed
