"""``python -m gateway.performance export [--weeks N] [--until YYYY-MM-DD] [--format csv|json]
[--output FILE]``: the weekly open-data export from the command line (same rows as the page's
download: counts only, 1 to 4 suppressed)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from pathlib import Path

from gateway.performance.export import MAX_WEEKS, last_complete_week, to_csv, to_json, weekly_rows
from gateway.redis_client import connect
from gateway.settings import Settings


async def export(weeks: int, until: dt.date | None, fmt: str) -> str:
    """The export as text (reads the rollups in the Redis the settings name)."""
    settings = Settings()
    redis = connect(settings)
    try:
        last = until or last_complete_week(dt.datetime.now(dt.UTC).date())
        rows = await weekly_rows(redis, settings.redis_key_prefix, last, weeks)
    finally:
        await redis.aclose()
    return to_csv(rows) if fmt == "csv" else json.dumps(to_json(rows), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, write the export; 2 with a message on bad input."""
    parser = argparse.ArgumentParser(prog="python -m gateway.performance")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("export", help="weekly open data (counts only)")
    command.add_argument("--weeks", type=int, default=12, help=f"1 to {MAX_WEEKS} (default 12)")
    command.add_argument("--until", help="a day in the last week to export (default: the last "
                         "complete week)")
    command.add_argument("--format", choices=("csv", "json"), default="csv")
    command.add_argument("--output", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)
    if not 1 <= args.weeks <= MAX_WEEKS:
        parser.error(f"--weeks must be between 1 and {MAX_WEEKS}")
    try:
        until = dt.date.fromisoformat(args.until) if args.until else None
    except ValueError:
        parser.error("--until is a date written YYYY-MM-DD")
    text = asyncio.run(export(args.weeks, until, args.format))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"Wrote {args.weeks} weeks to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
