"""The weekly open-data export: counts only, small numbers suppressed, as CSV or JSON.

One row per ISO week (Monday to Sunday, UTC days). Every count from 1 to 4 is replaced by
``"<5"`` in CSV and ``null`` in JSON (listed under ``suppressed``) so that no small group of
people can be singled out; 0 is shown as 0. The fields are documented in
docs/operations.md ("Open data").
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from gateway.performance.figures import Figures, Period, load
from records.client import AsyncRedis

SUPPRESS_BELOW = 5
MAX_WEEKS = 104
FIELDS = (
    "week_start", "week_end", "conversations", "citizen_messages", "contained",
    "handoffs_asked", "handoffs_could_not_help", "handoffs_safety", "callbacks_opened",
    "callbacks_done", "survey_yes", "survey_partly", "survey_no", "answers_helpful",
    "answers_not_helpful", "abstentions", "not_what_i_asked",
)


def week_periods(last_week_start: dt.date, weeks: int) -> list[Period]:
    """``weeks`` whole ISO weeks ending with the one starting on ``last_week_start``."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"Choose between 1 and {MAX_WEEKS} weeks.")
    monday = last_week_start - dt.timedelta(days=last_week_start.weekday())
    return [Period(monday - dt.timedelta(weeks=i), monday - dt.timedelta(weeks=i, days=-6))
            for i in reversed(range(weeks))]


def last_complete_week(today: dt.date) -> dt.date:
    """The Monday of the last week that has ended."""
    return today - dt.timedelta(days=today.weekday() + 7)


def week_row(figures: Figures) -> dict[str, int | str]:
    """The unsuppressed counts of one week."""
    handoffs = figures.handoffs()
    survey = figures.survey()
    return {
        "week_start": figures.period.start.isoformat(),
        "week_end": figures.period.end.isoformat(),
        "conversations": figures.conversations,
        "citizen_messages": figures.get("messages"),
        "contained": figures.contained,
        "handoffs_asked": handoffs["asked"],
        "handoffs_could_not_help": handoffs["could_not_help"],
        "handoffs_safety": handoffs["safety"],
        "callbacks_opened": figures.get("callback_opened"),
        "callbacks_done": figures.get("callback_done"),
        "survey_yes": survey["yes"], "survey_partly": survey["partly"], "survey_no": survey["no"],
        "answers_helpful": sum(figures.total.labelled("helpful").values()),
        "answers_not_helpful": sum(figures.total.labelled("unhelpful").values()),
        "abstentions": figures.get("abstained"),
        "not_what_i_asked": figures.get("not_what_i_asked"),
    }


def suppressed(row: dict[str, int | str]) -> dict[str, int | str | None]:
    """The row with every count from 1 to ``SUPPRESS_BELOW - 1`` replaced by None."""
    return {k: (None if isinstance(v, int) and 0 < v < SUPPRESS_BELOW else v)
            for k, v in row.items()}


async def weekly_rows(redis: AsyncRedis, prefix: str, last_week_start: dt.date,
                      weeks: int) -> list[dict[str, int | str | None]]:
    """The suppressed rows of ``weeks`` weeks up to the one starting ``last_week_start``."""
    rows = []
    for period in week_periods(last_week_start, weeks):
        rows.append(suppressed(week_row(await load(redis, prefix, period))))
    return rows


def to_csv(rows: list[dict[str, int | str | None]]) -> str:
    """CSV with a header row; suppressed counts are written ``<5``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (f"<{SUPPRESS_BELOW}" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def to_json(rows: list[dict[str, int | str | None]]) -> dict[str, object]:
    """JSON: the rows (suppressed counts are null) and how to read them."""
    return {"fields": list(FIELDS), "suppressed_below": SUPPRESS_BELOW,
            "note": "Counts only. Counts from 1 to 4 are suppressed (null).",
            "weeks": rows}
