"""Service performance rollups: Redis hashes of counters per day and per month, updated as
events happen.

``perf:day:{YYYY-MM-DD}`` (UTC day) and ``perf:month:{YYYY-MM}`` hold the same plain counters
(every increment goes to both, in one pipeline); the performance page and the open-data export
read a period with one pipelined round trip (:func:`read_period`): the whole months it covers
from the month hashes, the days at its edges from the day hashes, and only the chart's series
(:data:`SERIES_FIELDS`) for each day. They never scan the raw streams.
``perf:conv:{conversation_ref}`` holds what one conversation needs to be counted once
(the day it started, when it was first answered, queued, claimed, whether it was escalated);
it expires after :data:`CONVERSATION_TTL_SECONDS`. Survey comments (already redacted) go to the
stream ``perf:comments``.

Durations are kept as histograms (:data:`BUCKETS`, upper bounds in seconds) so a median or a
90th percentile over any period is the sum of the days' buckets. Writers: the gateway
(asyncio client, :class:`PerformanceWriter`) and the action server's callback store
(:func:`count_callback_opened_sync`). Readers: :func:`read_period`, :func:`read_comments`
(and :func:`read_days`, every counter of each day, for the benchmark's baseline).
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import redis.client

from records.client import AsyncRedis, StrPipeline, SyncRedis

Pipeline = redis.client.Pipeline | StrPipeline

DAY_TTL_SECONDS = 800 * 86_400
"""Counters are kept a little over two years (they hold counts only, nothing personal)."""
CONVERSATION_TTL_SECONDS = 7 * 86_400
COMMENTS_MAXLEN = 5_000
MAX_FIELD_CHARS = 160
BUCKETS: tuple[float, ...] = (
    0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 450, 600, 900, 1200,
    1800, 2700, 3600, 7200, 14_400, 86_400, float("inf"),
)
DURATIONS = ("first_answer", "wait", "handling")
SURVEY_ANSWERS = ("yes", "partly", "no")
HANDOFF_REASONS = ("asked", "could_not_help", "safety")
SERIES_FIELDS = ("conversations", "messages", "not_contained")
"""The counters the page charts day by day."""
SET_ONCE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
"""
"""Set a flag of a known conversation if it is not set yet (1 the first time), one round trip."""
KNOWN_FLAGS_CONVERSATIONS = 10_000
"""How many conversations a writer remembers the recorded flags of (the most recent ones)."""


def day_of(ts: float) -> str:
    """The UTC day (``YYYY-MM-DD``) of a Unix time."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).date().isoformat()


def bucket_of(seconds: float) -> int:
    """The index in :data:`BUCKETS` of the first upper bound at or above ``seconds``."""
    for index, bound in enumerate(BUCKETS):
        if seconds <= bound:
            return index
    return len(BUCKETS) - 1


def add_counts(pipe: Pipeline, keys: PerformanceKeys, day: str,
               increments: Mapping[str, int]) -> None:
    """Queue the increments on the day's and the month's hash (and refresh their expiry)."""
    for key in (keys.day(day), keys.month(day[:7])):
        for name, by in increments.items():
            pipe.hincrby(key, name, by)
        pipe.expire(key, DAY_TTL_SECONDS)


def clean_field(value: str) -> str:
    """A hash-field-safe label: no ':' or control characters, capped in length."""
    text = "".join(ch for ch in value if ch.isprintable()).replace(":", "/").strip()
    return text[:MAX_FIELD_CHARS] or "unknown"


@dataclass(frozen=True)
class PerformanceKeys:
    """Key builders for the rollups under ``REDIS_KEY_PREFIX``."""

    prefix: str = "csa:"

    def day(self, day: str) -> str:
        """The counters of one UTC day."""
        return f"{self.prefix}perf:day:{day}"

    def month(self, month: str) -> str:
        """The counters of one UTC month (``YYYY-MM``)."""
        return f"{self.prefix}perf:month:{month}"

    def conversation(self, conversation_ref: str) -> str:
        """What one conversation has been counted for."""
        return f"{self.prefix}perf:conv:{conversation_ref}"

    @property
    def comments(self) -> str:
        """The stream of (redacted) survey comments."""
        return f"{self.prefix}perf:comments"


@dataclass
class DayCounts:
    """Counters of one day (or of a period, once :meth:`add` has summed several days)."""

    day: str
    counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_hash(cls, day: str, data: Mapping[str, str]) -> DayCounts:
        """Parse a stored hash (fields that are not integers are ignored)."""
        counts: Counter[str] = Counter()
        for key, value in data.items():
            try:
                counts[key] = int(value)
            except ValueError:
                continue
        return cls(day=day, counts=counts)

    def add(self, other: DayCounts) -> None:
        """Add another day's counters to these."""
        self.counts.update(other.counts)

    def get(self, name: str) -> int:
        """One counter (0 when never counted)."""
        return self.counts.get(name, 0)

    def labelled(self, prefix: str) -> dict[str, int]:
        """Counters named ``{prefix}:{label}``, by label."""
        start = prefix + ":"
        return {k[len(start):]: v for k, v in self.counts.items() if k.startswith(start)}

    def histogram(self, name: str) -> list[int]:
        """The bucket counts of a duration (``first_answer``, ``wait``, ``handling``)."""
        return [self.counts.get(f"{name}_b:{i}", 0) for i in range(len(BUCKETS))]


class PerformanceWriter:
    """The gateway's writer of the rollups (asyncio client). Every method is one round trip
    or two; callers treat failures as best effort, like all analytics.

    A conversation's flags are set once and never cleared while its record lives (an expired
    or erased record is never made again, and setting a flag on it does nothing), so the
    writer remembers which flags it has seen recorded (:meth:`recorded_flags`) and callers
    skip trying them again: a conversation's later turns cost fewer round trips (issue 12).
    """

    def __init__(self, client: AsyncRedis, keys: PerformanceKeys) -> None:
        self.client = client
        self.keys = keys
        self._set_once = client.register_script(SET_ONCE_SCRIPT)
        self._flags: OrderedDict[str, set[str]] = OrderedDict()

    def recorded_flags(self, conversation_ref: str) -> frozenset[str]:
        """The flags of a conversation this writer has seen recorded (set by it, or read)."""
        return frozenset(self._flags.get(conversation_ref, ()))

    def _seen(self, conversation_ref: str, flags: Iterable[str]) -> None:
        known = self._flags.setdefault(conversation_ref, set())
        known.update(flags)
        self._flags.move_to_end(conversation_ref)
        while len(self._flags) > KNOWN_FLAGS_CONVERSATIONS:
            self._flags.popitem(last=False)

    def queue_count(self, pipe: StrPipeline, ts: float, *names: str) -> None:
        """Queue :meth:`count`'s increments on a pipeline that carries other writes."""
        add_counts(pipe, self.keys, day_of(ts), {name: 1 for name in names})

    async def _incr(self, ts: float, *names: str, by: int = 1) -> None:
        pipe = self.client.pipeline(transaction=False)
        add_counts(pipe, self.keys, day_of(ts), {name: by for name in names})
        await pipe.execute()

    async def count(self, ts: float, *names: str) -> None:
        """Add one to each named counter of the day of ``ts``."""
        await self._incr(ts, *names)

    async def duration(self, ts: float, name: str, seconds: float) -> None:
        """Count a duration in its histogram bucket (and the sum, in milliseconds)."""
        seconds = max(seconds, 0.0)
        pipe = self.client.pipeline(transaction=False)
        add_counts(pipe, self.keys, day_of(ts), {f"{name}_b:{bucket_of(seconds)}": 1,
                                                 f"{name}_n": 1,
                                                 f"{name}_ms": int(seconds * 1000)})
        await pipe.execute()

    async def conversation_started(self, conversation_ref: str, ts: float, page: str) -> None:
        """A new conversation: counted on its day, with the page it started from (its record
        and the counters in one transaction, one round trip)."""
        conv = self.keys.conversation(conversation_ref)
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(conv, mapping={"day": day_of(ts), "started": f"{ts:.3f}"})
        pipe.expire(conv, CONVERSATION_TTL_SECONDS)
        add_counts(pipe, self.keys, day_of(ts), {"conversations": 1,
                                                 f"start:{clean_field(page)}": 1})
        await pipe.execute()

    async def set_conversation_once(self, conversation_ref: str, flag: str, value: str) -> bool:
        """Set a conversation's flag once; True the first time (False if unknown or set)."""
        conv = self.keys.conversation(conversation_ref)
        first = bool(await self._set_once(keys=[conv], args=[flag, value]))
        if first:
            self._seen(conversation_ref, (flag,))
        return first

    async def conversation(self, conversation_ref: str) -> dict[str, str]:
        """What is recorded of one conversation ({} if unknown or expired)."""
        data = await self.client.hgetall(self.keys.conversation(conversation_ref))
        recorded = {str(k): str(v) for k, v in data.items()}
        if recorded:
            self._seen(conversation_ref, recorded)
        return recorded

    async def set_conversation(self, conversation_ref: str, **fields: str) -> None:
        """Record timestamps of one conversation (only if it is known)."""
        conv = self.keys.conversation(conversation_ref)
        if await self.client.exists(conv):
            await self.client.hset(conv, mapping=fields)

    async def answered(self, conversation_ref: str, ts: float, recorded: Mapping[str, str],
                       article_id: str | None) -> None:
        """The bot's reply to a citizen's message: the first one counts the time to first
        answer; the first sourced one sets the conversation's topic.

        ``recorded`` is what :meth:`conversation` read just before (it has ``asked``); a flag
        already in it is not tried again, so a later reply costs no more round trips.
        """
        if "answered" not in recorded and await self.set_conversation_once(
                conversation_ref, "answered", f"{ts:.3f}"):
            await self.duration(ts, "first_answer", ts - float(recorded["asked"]))
        topic = clean_field(article_id) if article_id else ""
        if topic and "topic" not in recorded and await self.set_conversation_once(
                conversation_ref, "topic", topic):
            info = await self.conversation(conversation_ref)
            await self._incr(float(info.get("started", ts)), f"topic:{topic}")
            if info.get("escalated"):
                await self._incr(float(info.get("started", ts)),
                                 f"topic_escalated:{topic}")

    async def escalated(self, conversation_ref: str) -> None:
        """The conversation was handed off, got a callback or was marked unhelpful: it no
        longer counts as contained (counted once, on the day it started)."""
        if not await self.set_conversation_once(conversation_ref, "escalated", "1"):
            return
        info = await self.conversation(conversation_ref)
        started = float(info.get("started", time.time()))
        names = ["not_contained"]
        if info.get("topic"):
            names.append(f"topic_escalated:{info['topic']}")
        await self._incr(started, *names)

    async def add_comment(self, ts: float, answer: str, comment: str) -> None:
        """Keep one (already redacted) survey comment."""
        await self.client.xadd(self.keys.comments, {"ts": f"{ts:.3f}", "answer": answer,
                                                    "text": comment},
                               maxlen=COMMENTS_MAXLEN, approximate=True)


def count_sync(client: SyncRedis, keys: PerformanceKeys, ts: float, name: str) -> None:
    """Add one to a counter of the day of ``ts`` (action server, blocking client)."""
    with client.pipeline(transaction=False) as pipe:
        add_counts(pipe, keys, day_of(ts), {name: 1})
        pipe.execute()


def count_callback_opened_sync(client: SyncRedis, keys: PerformanceKeys, ts: float,
                               conversation_ref: str | None) -> None:
    """A callback request was stored (action server, blocking client): counted on its day,
    and its conversation, if known, is no longer contained."""
    with client.pipeline(transaction=False) as pipe:
        add_counts(pipe, keys, day_of(ts), {"callback_opened": 1})
        pipe.execute()
    if not conversation_ref:
        return
    conv = keys.conversation(conversation_ref)
    if client.exists(conv) and client.hsetnx(conv, "escalated", "1"):
        info = {str(k): str(v) for k, v in client.hgetall(conv).items()}
        started = day_of(float(info.get("started", ts)))
        increments = {"not_contained": 1}
        if info.get("topic"):
            increments[f"topic_escalated:{info['topic']}"] = 1
        with client.pipeline(transaction=False) as pipe:
            add_counts(pipe, keys, started, increments)
            pipe.execute()


async def read_days(client: AsyncRedis, keys: PerformanceKeys,
                    days: Iterable[str]) -> list[DayCounts]:
    """The counters of each day, in the order given (empty for days with nothing)."""
    wanted = list(days)
    pipe = client.pipeline(transaction=False)
    for day in wanted:
        pipe.hgetall(keys.day(day))
    return [DayCounts.from_hash(day, data or {})
            for day, data in zip(wanted, await pipe.execute(), strict=True)]


async def read_comments(client: AsyncRedis, keys: PerformanceKeys, since: float,
                        until: float, limit: int = 50) -> list[dict[str, str]]:
    """The newest survey comments between two Unix times (newest first)."""
    entries = await client.xrevrange(keys.comments, max=f"{int(until * 1000)}",
                                     min=f"{int(since * 1000)}", count=limit)
    return [{str(k): str(v) for k, v in (fields or {}).items()} for _, fields in entries or []]


def whole_months(days: list[str]) -> tuple[list[str], list[str]]:
    """The months every day of which is in ``days`` (``YYYY-MM``), and the other days."""
    by_month: dict[str, list[str]] = {}
    for day in days:
        by_month.setdefault(day[:7], []).append(day)
    months, rest = [], []
    for month, in_month in by_month.items():
        length = calendar.monthrange(int(month[:4]), int(month[5:7]))[1]
        if len(set(in_month)) == length:
            months.append(month)
        else:
            rest += in_month
    return months, rest


async def read_period(client: AsyncRedis, keys: PerformanceKeys,
                      days: list[str]) -> tuple[DayCounts, list[DayCounts]]:
    """A period's totals (whole months from the month hashes, the other days from the day
    hashes) and, for each day, only :data:`SERIES_FIELDS` — in one pipelined round trip."""
    months, rest = whole_months(days)
    pipe = client.pipeline(transaction=False)
    for month in months:
        pipe.hgetall(keys.month(month))
    for day in rest:
        pipe.hgetall(keys.day(day))
    for day in days:
        pipe.hmget(keys.day(day), list(SERIES_FIELDS))
    results = await pipe.execute()
    total = DayCounts(day="total")
    for data in results[:len(months) + len(rest)]:
        total.add(DayCounts.from_hash("", data or {}))
    series = [DayCounts.from_hash(day, {name: value for name, value
                                        in zip(SERIES_FIELDS, values, strict=True)
                                        if value is not None})
              for day, values in zip(days, results[len(months) + len(rest):], strict=True)]
    return total, series
