"""The open-data export from the command line (real Redis): the same suppressed weekly rows
as the page's download; bad arguments are refused with a message and write nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
from pathlib import Path

import pytest
import redis.asyncio

from gateway.performance.__main__ import main
from gateway.performance.export import week_periods
from records.client import str_replies
from records.performance import PerformanceKeys, PerformanceWriter

MONDAY = dt.date(2026, 11, 23)


async def seed(url: str, prefix: str) -> None:
    """Week of 23 Nov: 7 conversations, 3 of them handed off (asked); 2 survey "yes"."""
    client = str_replies(redis.asyncio.Redis.from_url(url, decode_responses=True))
    writer = PerformanceWriter(client, PerformanceKeys(prefix))
    ts = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC).timestamp()
    for n in range(7):
        await writer.conversation_started(f"ref{n}", ts, "/bins")
    await writer.count(ts, "handoff:asked", "handoff:asked", "survey:yes")
    await writer.count(ts, "handoff:asked", "survey:yes")
    await client.aclose()


@pytest.fixture
def prefix(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    value = f"t{secrets.token_hex(4)}:"
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", value)
    asyncio.run(seed(redis_url, value))
    return value


def test_csv_and_json_from_the_command_line(prefix: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Two weeks: the empty week shows zeros; 7 shown, 3 and 2 suppressed."""
    assert main(["export", "--weeks", "2", "--until", "2026-11-29"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    empty, seeded = lines[1].split(","), lines[2].split(",")
    assert empty[:3] == ["2026-11-16", "2026-11-22", "0"]
    assert seeded[:3] == ["2026-11-23", "2026-11-29", "7"]
    header = lines[0].split(",")
    assert seeded[header.index("handoffs_asked")] == "<5"
    assert seeded[header.index("survey_yes")] == "<5"
    out = tmp_path / "week.json"
    assert main(["export", "--weeks", "1", "--until", "2026-11-26", "--format", "json",
                 "--output", str(out)]) == 0
    week = json.loads(out.read_text())["weeks"][0]
    assert week["conversations"] == 7 and week["handoffs_asked"] is None
    assert week["handoffs_safety"] == 0


def test_bad_arguments_are_refused(prefix: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Out-of-range weeks and a bad date exit 2 with a message; no file is written."""
    out = tmp_path / "x.csv"
    for argv in (["export", "--weeks", "0", "--output", str(out)],
                 ["export", "--until", "29/11/2026", "--output", str(out)]):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert not out.exists()


def test_week_periods_are_whole_iso_weeks() -> None:
    """Any day picks its Monday-to-Sunday week; the weeks run oldest first."""
    weeks = week_periods(dt.date(2026, 11, 26), 2)
    assert [(w.start, w.end) for w in weeks] == [
        (dt.date(2026, 11, 16), dt.date(2026, 11, 22)), (MONDAY, dt.date(2026, 11, 29))]
