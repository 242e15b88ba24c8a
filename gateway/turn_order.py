"""One bot turn per conversation at a time, in the order the messages were stored, across every
gateway instance (issue 12).

Rasa's Redis lock store has a cross-instance race: two messages of one conversation reaching two
Rasa servers at once can both read the same tracker and one turn is lost or answered out of
order. The gateway therefore never sends Rasa two messages of one conversation at once: a turn
takes a short Redis lock (``turn:{hash of id}:lock``, SET NX with an expiry, released only by its
holder) and, holding it, waits while an earlier citizen message of the same conversation has not
had its turn yet (``turn:{hash}:done`` holds the newest message id answered). A turn whose
predecessor never comes (its gateway died between storing and answering) goes ahead after
``wait_seconds``.

A caller may pass reads to make as soon as the lock is taken (``also``: commands queued on a
pipeline, e.g. the conversation's state): they travel in the same round trip as the attempt
that takes the lock, right after it, so a turn sees the state as it is once it holds the turn.
It may also pass writes that need not wait for the turn (``first``, e.g. the message's analytics
entry): they travel once, before the first attempt, in the same round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from redis.exceptions import NoScriptError

from gateway.redis_client import StrRedis
from gateway.settings import Settings
from records.client import StrPipeline
from records.conversations import ConversationKeys

log = logging.getLogger("gateway.turn_order")

Receiver = Callable[[list[Any] | BaseException], None]
"""Takes the replies of the commands ``first`` queued (or the error that ended the request)."""

DONE_TTL_SECONDS = 3600
POLL_SECONDS = 0.02

LATER = """
local function later(a, b)
  local ams, aseq = string.match(a, '(%d+)-(%d+)')
  local bms, bseq = string.match(b, '(%d+)-(%d+)')
  ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
  return ams > bms or (ams == bms and aseq > bseq)
end
"""

# KEYS: lock, done, the conversation's messages. ARGV: token, message id, lock ms.
# Take the lock; keep it (1) if this message's turn has come: it was answered already, or no
# citizen message stored after the last answered one and before it is still waiting. Else
# give the lock back and return 0 (try again shortly). One round trip per attempt.
ACQUIRE_SCRIPT = LATER + """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then return 0 end
local done = redis.call('GET', KEYS[2]) or '0-0'
if not later(ARGV[2], done) then return 1 end
local entries = redis.call('XRANGE', KEYS[3], '(' .. done, '(' .. ARGV[2], 'COUNT', 50)
for _, entry in ipairs(entries) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'role' and fields[i + 1] == 'citizen' then
      redis.call('DEL', KEYS[1])
      return 0
    end
  end
end
return 1
"""

# KEYS: lock, done. ARGV: token, message id, done ttl. Record the turn as done (ids only grow)
# and release the lock if this turn still holds it.
FINISH_SCRIPT = LATER + """
local current = redis.call('GET', KEYS[2])
if (not current) or later(ARGV[2], current) then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


class TurnOrder:
    """Serialise and order a conversation's bot turns through Redis."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.messages = ConversationKeys(settings.redis_key_prefix)
        self.wait_seconds = settings.rasa_timeout_seconds + 2.0
        self.lock_ms = int((settings.rasa_timeout_seconds * 2 + 5) * 1000)
        self._acquire = redis.register_script(ACQUIRE_SCRIPT)
        self._finish = redis.register_script(FINISH_SCRIPT)

    def keys(self, conversation_id: str) -> tuple[str, str]:
        """The lock and the last-answered id of a conversation (named by a hash of its id, so
        nothing outlives an erasure that could lead back to it; both expire on their own)."""
        name = hashlib.blake2b(conversation_id.encode(), digest_size=12).hexdigest()
        return self.settings.key("turn", name, "lock"), self.settings.key("turn", name, "done")

    async def _attempt(self, keys: list[str], args: list[Any],
                       also: Callable[[StrPipeline], None] | None,
                       first: Callable[[StrPipeline], Receiver] | None = None,
                       ) -> tuple[bool, list[Any]]:
        """One try at the turn, and the replies of ``also`` read right after it; the commands
        ``first`` queues go before it, and their replies to the receiver it returns."""
        pipe = self.redis.pipeline(transaction=False)
        receive = first(pipe) if first is not None else None
        written = len(pipe)
        pipe.evalsha(self._acquire.sha, len(keys), *keys, *args)
        if also is not None:
            also(pipe)
        try:
            replies = await pipe.execute(raise_on_error=False)
        except BaseException as exc:
            if receive is not None:
                receive(exc)
            raise
        if receive is not None:
            receive(replies[:written])
        replies = replies[written:]
        if isinstance(replies[0], NoScriptError):  # Redis lost its scripts (restart, failover)
            taken = bool(await self._acquire(keys=keys, args=args))  # loads it, then tries
            return taken, await self._read(also)
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return bool(replies[0]), replies[1:]

    async def _read(self, also: Callable[[StrPipeline], None] | None) -> list[Any]:
        if also is None:
            return []
        pipe = self.redis.pipeline(transaction=False)
        also(pipe)
        return await pipe.execute()

    @contextlib.asynccontextmanager
    async def turn(self, conversation_id: str, message_id: str,
                   also: Callable[[StrPipeline], None] | None = None,
                   first: Callable[[StrPipeline], Receiver] | None = None,
                   ) -> AsyncIterator[list[Any]]:
        """Hold the conversation's turn for the message ``message_id`` while the block runs;
        the block gets the replies of the commands ``also`` queues, read once the turn is
        taken (or once waiting gave up). ``first`` queues writes sent once, with the first
        attempt (before it), and returns the receiver of their replies."""
        lock, done_key = self.keys(conversation_id)
        token = secrets.token_hex(8)
        deadline = time.monotonic() + self.wait_seconds
        stream = self.messages.messages(conversation_id)
        keys, args = [lock, done_key, stream], [token, message_id, self.lock_ms]
        while True:
            taken, replies = await self._attempt(keys, args, also, first)
            first = None  # sent with the first attempt only
            if taken:
                break
            if time.monotonic() >= deadline:
                log.warning("turn order: gave up waiting for an earlier turn; going ahead")
                break
            await asyncio.sleep(POLL_SECONDS)
        try:
            yield replies
        finally:  # a turn that gave up waiting holds no lock: the token matches nothing
            await self._finish(keys=[lock, done_key], args=[token, message_id,
                                                            DONE_TTL_SECONDS])
