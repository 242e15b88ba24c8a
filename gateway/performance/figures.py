"""The figures of a period (and the one before it) from the per-day rollups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from records.client import AsyncRedis
from records.performance import (
    BUCKETS,
    HANDOFF_REASONS,
    SURVEY_ANSWERS,
    DayCounts,
    PerformanceKeys,
    read_period,
)

MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Period:
    """A run of whole UTC days, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def length(self) -> int:
        """How many days."""
        return (self.end - self.start).days + 1

    def days(self) -> list[str]:
        """Each day as ``YYYY-MM-DD``."""
        return [(self.start + dt.timedelta(days=i)).isoformat() for i in range(self.length)]

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.length - 1), end)


def parse_period(start: str | None, end: str | None, today: dt.date) -> Period:
    """The period from two ``YYYY-MM-DD`` strings (default: the 28 days up to today).

    Raises ValueError with a message for people on a bad date, an end before the start or a
    period longer than :data:`MAX_PERIOD_DAYS`.
    """
    try:
        last = dt.date.fromisoformat(end) if end else today
        first = dt.date.fromisoformat(start) if start else last - dt.timedelta(days=27)
    except ValueError as exc:
        raise ValueError("Dates are written YYYY-MM-DD, for example 2026-11-30.") from exc
    if last < first:
        raise ValueError("The period must end on or after the day it starts.")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ValueError(f"A period is at most {MAX_PERIOD_DAYS} days.")
    return Period(first, last)


def quantile(histogram: list[int], q: float) -> float | None:
    """The bucket upper bound (seconds) at quantile ``q``; None with no data."""
    total = sum(histogram)
    if total == 0:
        return None
    needed = q * total
    running = 0
    for index, count in enumerate(histogram):
        running += count
        if running >= needed:
            return BUCKETS[index]
    return BUCKETS[-1]


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` or None when ``whole`` is 0."""
    return part / whole if whole else None


@dataclass
class Figures:
    """Every figure of one period: ``total`` holds every counter summed over the period,
    ``daily`` only the charted series (``records.performance.SERIES_FIELDS``) day by day."""

    period: Period
    daily: list[DayCounts]
    total: DayCounts

    def get(self, name: str) -> int:
        """A summed counter."""
        return self.total.get(name)

    @property
    def conversations(self) -> int:
        """Conversations started."""
        return self.get("conversations")

    @property
    def contained(self) -> int:
        """Conversations that ended without an adviser or callback and were not unhelpful."""
        return max(self.conversations - self.get("not_contained"), 0)

    def handoffs(self) -> dict[str, int]:
        """Handoffs by reason."""
        found = self.total.labelled("handoff")
        return {reason: found.get(reason, 0) for reason in HANDOFF_REASONS}

    def survey(self) -> dict[str, int]:
        """Survey answers."""
        found = self.total.labelled("survey")
        return {answer: found.get(answer, 0) for answer in SURVEY_ANSWERS}

    def speed(self, name: str) -> dict[str, float | int | None]:
        """Count, median and 90th percentile (bucket upper bounds, seconds) of a duration."""
        histogram = self.total.histogram(name)
        return {"count": sum(histogram), "median": quantile(histogram, 0.5),
                "p90": quantile(histogram, 0.9),
                "mean": (self.get(f"{name}_ms") / 1000 / sum(histogram)) if sum(histogram)
                else None}

    def topics(self, limit: int = 10) -> list[dict[str, object]]:
        """Per topic (article first answered from): conversations, contained, helpful votes."""
        started = self.total.labelled("topic")
        escalated = self.total.labelled("topic_escalated")
        helpful = self.total.labelled("helpful")
        unhelpful = self.total.labelled("unhelpful")
        names = sorted(set(started) | set(helpful) | set(unhelpful),
                       key=lambda t: (-started.get(t, 0), t))
        return [{"topic": name, "conversations": started.get(name, 0),
                 "contained": max(started.get(name, 0) - escalated.get(name, 0), 0),
                 "helpful": helpful.get(name, 0), "not_helpful": unhelpful.get(name, 0)}
                for name in names[:limit]]

    def start_pages(self, limit: int = 10) -> list[tuple[str, int]]:
        """The pages conversations most often started from."""
        pages = self.total.labelled("start")
        return sorted(pages.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    def summary(self, cost_per_contact: float) -> dict[str, object]:
        """The headline figures as JSON."""
        return {
            "period": {"start": self.period.start.isoformat(),
                       "end": self.period.end.isoformat()},
            "conversations": self.conversations,
            "messages": self.get("messages"),
            "contained": self.contained,
            "containment_rate": rate(self.contained, self.conversations),
            "handoffs": self.handoffs(),
            "handoff_unavailable": self.get("handoff_unavailable"),
            "callbacks": {"opened": self.get("callback_opened"),
                          "done": self.get("callback_done")},
            "first_answer_seconds": self.speed("first_answer"),
            "wait_seconds": self.speed("wait"),
            "handling_seconds": self.speed("handling"),
            "survey": self.survey(),
            "abstained": self.get("abstained"),
            "not_what_i_asked": self.get("not_what_i_asked"),
            "topics": self.topics(),
            "start_pages": [{"page": p, "conversations": n} for p, n in self.start_pages()],
            "estimated_saving": round(self.contained * cost_per_contact, 2),
        }


async def load(redis: AsyncRedis, prefix: str, period: Period) -> Figures:
    """The figures of a period (one pipelined read)."""
    total, daily = await read_period(redis, PerformanceKeys(prefix), period.days())
    return Figures(period, daily, total)


async def load_with_previous(redis: AsyncRedis, prefix: str,
                             period: Period) -> tuple[Figures, Figures]:
    """The period's figures and the previous period's."""
    return await load(redis, prefix, period), await load(redis, prefix, period.previous())
