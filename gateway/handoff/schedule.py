"""Opening hours: a weekly schedule plus bank-holiday dates, overridable by an admin in Redis."""

from __future__ import annotations

import json
import time as monotonic_clock
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from gateway.redis_client import StrRedis
from gateway.settings import WEEKDAYS, Settings

CACHE_SECONDS = 2.0


def parse_clock(value: str) -> time:
    """'09:30' → time(9, 30); '24:00' means the end of the day."""
    hours, minutes = value.split(":")
    if hours == "24" and minutes == "00":
        return time.max
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class OpeningSchedule:
    """When advisers are working."""

    weekly: dict[str, list[tuple[str, str]]]
    bank_holidays: frozenset[date]
    timezone: str

    def is_open(self, now: datetime | None = None) -> bool:
        """True when ``now`` (default: the current time) falls in an opening period."""
        local = (now or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(self.timezone))
        if local.date() in self.bank_holidays:
            return False
        clock = local.time().replace(tzinfo=None)
        for start, end in self.weekly.get(WEEKDAYS[local.weekday()], []):
            if parse_clock(start) <= clock < parse_clock(end):
                return True
        return False

    def to_json(self) -> dict[str, Any]:
        """The shape the console API uses."""
        return {
            "weekly": {day: [list(p) for p in self.weekly.get(day, [])] for day in WEEKDAYS},
            "bank_holidays": sorted(d.isoformat() for d in self.bank_holidays),
            "timezone": self.timezone,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], default_timezone: str) -> OpeningSchedule:
        """Build (and validate) from the console API shape; raises ValueError when invalid."""
        weekly: dict[str, list[tuple[str, str]]] = {}
        for day, periods in data.get("weekly", {}).items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown day {day!r}")
            checked = []
            for start, end in periods:
                if not parse_clock(start) < parse_clock(end):
                    raise ValueError(f"{day}: {start} is not before {end}")
                checked.append((start, end))
            weekly[day] = checked
        timezone = data.get("timezone") or default_timezone
        ZoneInfo(timezone)  # raises when unknown
        holidays = frozenset(date.fromisoformat(d) for d in data.get("bank_holidays", []))
        return cls(weekly=weekly, bank_holidays=holidays, timezone=timezone)


class ScheduleStore:
    """The configured schedule, or the one an admin saved in Redis (``config:schedule``)."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self.key = settings.key("config", "schedule")
        self._cached: tuple[float, OpeningSchedule] | None = None

    def configured(self) -> OpeningSchedule:
        """The schedule from the settings."""
        return OpeningSchedule(
            weekly={d: list(p) for d, p in self.settings.opening_schedule.items()},
            bank_holidays=frozenset(self.settings.bank_holidays),
            timezone=self.settings.opening_timezone,
        )

    async def current(self) -> OpeningSchedule:
        """The schedule in force (re-read from Redis at most every ``CACHE_SECONDS``)."""
        now = monotonic_clock.monotonic()
        if self._cached is not None and now - self._cached[0] < CACHE_SECONDS:
            return self._cached[1]
        schedule = await self._load()
        self._cached = (now, schedule)
        return schedule

    async def _load(self) -> OpeningSchedule:
        raw = await self.redis.get(self.key)
        if raw:
            try:
                return OpeningSchedule.from_json(json.loads(raw), self.settings.opening_timezone)
            except (ValueError, KeyError, TypeError):
                pass
        return self.configured()

    async def save(self, schedule: OpeningSchedule) -> None:
        """Store an admin's schedule."""
        await self.redis.set(self.key, json.dumps(schedule.to_json()))
        self._cached = None
