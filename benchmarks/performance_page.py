"""Performance page render time: a year with 1,000,000 conversations, from the per-day rollups.

Writes a year (plus the previous year, for the comparison) of generated per-day hashes to a
private embedded Redis in the shape ``records.performance`` keeps them (about 2,740
conversations a day, 60 topics, 30 start pages, every duration histogram, survey and handoff
counters; the month hashes the writer keeps beside them), then times the page exactly as
``GET /performance`` builds it: a pipelined read of the period and one of the period before
(whole months from the month hashes, edge days from the day hashes, the charted series per
day), the figures, the SVG charts and the HTML. Prints median and worst of several runs for a
week, 28 days and a year; the baseline in the same run builds the year's page from every day
hash (what reading without the month hashes costs).
Target (issue 13): the year renders in 500 ms or less.

    .venv/bin/python benchmarks/performance_page.py [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import redis
import redis.asyncio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.performance import page  # noqa: E402
from gateway.performance.figures import Figures, Period, load_with_previous  # noqa: E402
from records.client import str_replies  # noqa: E402
from records.performance import BUCKETS, DayCounts, PerformanceKeys, read_days  # noqa: E402
from stack.redis_server import start_embedded_redis  # noqa: E402

PREFIX = "bench:"
CONVERSATIONS_PER_YEAR = 1_000_000
TARGET_MS = 500.0


def day_hash(rng: random.Random, conversations: int) -> dict[str, int]:
    """One generated day of counters, shaped like the gateway's rollups."""
    counts: dict[str, int] = {"conversations": conversations,
                              "messages": conversations * 3,
                              "not_contained": conversations // 4,
                              "abstained": conversations // 20,
                              "not_what_i_asked": conversations // 50,
                              "callback_opened": conversations // 60,
                              "callback_done": conversations // 70,
                              "handoff_unavailable": conversations // 80}
    for reason in ("asked", "could_not_help", "safety"):
        counts[f"handoff:{reason}"] = rng.randint(0, conversations // 10)
    for answer in ("yes", "partly", "no"):
        counts[f"survey:{answer}"] = rng.randint(0, conversations // 20)
    for topic in range(60):
        counts[f"topic:article-{topic}"] = rng.randint(0, conversations // 30)
        counts[f"topic_escalated:article-{topic}"] = rng.randint(0, conversations // 120)
        counts[f"helpful:article-{topic}"] = rng.randint(0, 20)
        counts[f"unhelpful:article-{topic}"] = rng.randint(0, 5)
    for start in range(30):
        counts[f"start:/services/page-{start}"] = rng.randint(0, conversations // 15)
    for name in ("first_answer", "wait", "handling"):
        total = 0
        for index in range(len(BUCKETS)):
            value = rng.randint(0, 40)
            counts[f"{name}_b:{index}"] = value
            total += value
        counts[f"{name}_n"] = total
        counts[f"{name}_ms"] = total * 4000
    return counts


def seed(client: redis.Redis, first: dt.date, days: int) -> None:
    """Write ``days`` generated days from ``first``."""
    rng = random.Random(13)
    keys = PerformanceKeys(PREFIX)
    per_day = CONVERSATIONS_PER_YEAR // 365
    months: dict[str, Counter[str]] = {}
    with client.pipeline(transaction=False) as pipe:
        for offset in range(days):
            day = (first + dt.timedelta(days=offset)).isoformat()
            counts = day_hash(rng, per_day)
            months.setdefault(day[:7], Counter()).update(counts)
            pipe.hset(keys.day(day), mapping=counts)  # type: ignore[arg-type]
        for month, counts in months.items():  # what the writer's month hashes add up to
            pipe.hset(keys.month(month), mapping=dict(counts))  # type: ignore[arg-type]
        pipe.execute()


async def render(url: str, period: Period) -> tuple[float, int, int]:
    """Build the page once: seconds, conversations shown, bytes of HTML."""
    client = str_replies(redis.asyncio.Redis.from_url(url, decode_responses=True))
    try:
        await client.ping()
        started = time.perf_counter()
        now, before = await load_with_previous(client, PREFIX, period)
        html = page.report(now, before, 2.83, "Benchmark figure.")
        return time.perf_counter() - started, now.conversations, len(html)
    finally:
        await client.aclose()


async def render_from_days(url: str, period: Period) -> tuple[float, int, int]:
    """The baseline: the same page from every day hash of both periods (no month hashes)."""
    client = str_replies(redis.asyncio.Redis.from_url(url, decode_responses=True))
    try:
        await client.ping()
        started = time.perf_counter()
        built = []
        for part in (period, period.previous()):
            days = await read_days(client, PerformanceKeys(PREFIX), part.days())
            total = DayCounts(day="total")
            for day in days:
                total.add(day)
            built.append(Figures(part, days, total))
        html = page.report(built[0], built[1], 2.83, "Benchmark figure.")
        return time.perf_counter() - started, built[0].conversations, len(html)
    finally:
        await client.aclose()


def main() -> None:
    """Seed two years, time three periods, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    end = dt.date(2026, 11, 30)
    year = Period(end - dt.timedelta(days=364), end)
    with tempfile.TemporaryDirectory() as work:
        server = start_embedded_redis(Path(work) / "redis", appendonly=False)
        try:
            client = redis.Redis.from_url(server.url, decode_responses=True)
            seed(client, year.previous().start, 730)
            rows = []
            for label, period, how in (
                    ("7 days", Period(end - dt.timedelta(days=6), end), render),
                    ("28 days", Period(end - dt.timedelta(days=27), end), render),
                    ("365, day hashes only", year, render_from_days),
                    ("365 days", year, render)):
                timings, shown, size = [], 0, 0
                for _ in range(args.runs):
                    seconds, shown, size = asyncio.run(how(server.url, period))
                    timings.append(seconds * 1000)
                rows.append((label, shown, size, statistics.median(timings), max(timings)))
        finally:
            server.stop()
    print(f"{'period':<20} {'conversations':>13} {'html bytes':>10} {'median ms':>10} "
          f"{'worst ms':>9}")
    for label, shown, size, median, worst in rows:
        print(f"{label:<20} {shown:>13,} {size:>10,} {median:>10.1f} {worst:>9.1f}")
    year_median = rows[-1][3]
    verdict = "meets" if year_median <= TARGET_MS else "MISSES"
    print(f"\nA year with {rows[-1][1]:,} conversations renders in {year_median:.0f} ms "
          f"(median): {verdict} the {TARGET_MS:.0f} ms target; "
          f"baseline from day hashes only: {rows[2][3]:.0f} ms.")


if __name__ == "__main__":
    main()
