"""Opening hours in plain words, from the schedule in force (so text never disagrees with it).

``weekly_words`` describes the week ("Monday to Friday, 9am to 5pm, closed on bank holidays");
``next_opening`` finds when advisers are next at work; ``opening_words`` says it the way a
person would ("tomorrow at 9am", "on Monday at 9am").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from gateway.handoff.schedule import OpeningSchedule, parse_clock
from gateway.settings import WEEKDAYS

DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                "Saturday", "Sunday"), strict=True))
LOOK_AHEAD_DAYS = 31


def clock_words(value: str) -> str:
    """'09:00' → '9am', '17:30' → '5:30pm', '12:00' → 'midday', '24:00' → 'midnight'."""
    hours, minutes = (int(part) for part in value.split(":"))
    if hours in (0, 24) and minutes == 0:
        return "midnight"
    if hours == 12 and minutes == 0:
        return "midday"
    suffix = "am" if hours < 12 else "pm"
    shown = hours % 12 or 12
    return f"{shown}{suffix}" if minutes == 0 else f"{shown}:{minutes:02d}{suffix}"


def _periods_words(periods: list[tuple[str, str]]) -> str:
    if [tuple(p) for p in periods] in ([("00:00", "24:00")], [("00:00", "23:59")]):
        return "all day"
    spans = [f"{clock_words(start)} to {clock_words(end)}" for start, end in periods]
    if len(spans) <= 1:
        return "".join(spans)
    return ", ".join(spans[:-1]) + " and " + spans[-1]


def _day_range(first: str, last: str) -> str:
    if (first, last) == (WEEKDAYS[0], WEEKDAYS[-1]):
        return "Every day"
    if first == last:
        return DAY_NAMES[first]
    if WEEKDAYS.index(last) - WEEKDAYS.index(first) == 1:
        return f"{DAY_NAMES[first]} and {DAY_NAMES[last]}"
    return f"{DAY_NAMES[first]} to {DAY_NAMES[last]}"


def weekly_words(schedule: OpeningSchedule) -> str:
    """The week in words: consecutive days with the same hours are grouped."""
    groups: list[tuple[str, str, str]] = []  # (first day, last day, hours)
    for day in WEEKDAYS:
        periods = schedule.weekly.get(day) or []
        if not periods:
            continue
        words = _periods_words(list(periods))
        previous = WEEKDAYS[WEEKDAYS.index(day) - 1] if day != WEEKDAYS[0] else None
        if groups and groups[-1][2] == words and groups[-1][1] == previous:
            groups[-1] = (groups[-1][0], day, words)
        else:
            groups.append((day, day, words))
    if not groups:
        return "Advisers are not working at the moment"
    text = "; ".join(f"{_day_range(first, last)}, {hours}" for first, last, hours in groups)
    if schedule.bank_holidays:
        text += ", closed on bank holidays"
    return text


def next_opening(schedule: OpeningSchedule, now: datetime | None = None) -> datetime | None:
    """When the next opening period starts (local time), or None within a month."""
    zone = ZoneInfo(schedule.timezone)
    local = (now or datetime.now(ZoneInfo("UTC"))).astimezone(zone)
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        if day in schedule.bank_holidays:
            continue
        for start, _end in sorted(schedule.weekly.get(WEEKDAYS[day.weekday()], [])):
            begins = datetime.combine(day, parse_clock(start), tzinfo=zone)
            if begins > local:
                return begins
    return None


def _when(day: date, today: date) -> str:
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    name = DAY_NAMES[WEEKDAYS[day.weekday()]]
    if day - today < timedelta(days=7):
        return f"on {name}"
    return f"on {name} {day.day} {day.strftime('%B')}"


def opening_words(schedule: OpeningSchedule, now: datetime | None = None) -> str | None:
    """'tomorrow at 9am' style words for the next opening, or None when none is scheduled."""
    opens = next_opening(schedule, now)
    if opens is None:
        return None
    zone = ZoneInfo(schedule.timezone)
    today = (now or datetime.now(ZoneInfo("UTC"))).astimezone(zone).date()
    clock = opens.timetz().replace(tzinfo=None)
    return f"{_when(opens.date(), today)} at {clock_words(_hhmm(clock))}"


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"
