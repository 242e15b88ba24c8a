"""The ``import-govuk`` command: options, the run, and the summary table it prints."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from knowledge.importers.govuk import WITHDRAWN_CHOICES
from knowledge.importers.import_run import ImportReport, plan_import, write_report
from knowledge.importers.writing import ImportError_


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options."""
    parser.add_argument("paths", nargs="+", type=Path, help="content item files or folders")
    parser.add_argument("--out", type=Path, required=True, help="the articles folder")
    parser.add_argument("--id-prefix", default="")
    parser.add_argument("--service-area", default="GOV.UK")
    parser.add_argument(
        "--withdrawn",
        choices=WITHDRAWN_CHOICES,
        default="retire",
        help="withdrawn items: import them retired with the notice (default) or skip them",
    )
    parser.add_argument(
        "--review-months",
        type=int,
        default=12,
        help="review_by = last update + this many months (the editor flags overdue ones)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="any skipped item fails the command; nothing written"
    )
    parser.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    parser.add_argument(
        "--to-editor",
        action="store_true",
        help="also send the import to the editor's store (REDIS_URL): live on every instance, "
        "editor changes reported as conflicts and kept",
    )


def _sync_to_editor(report: ImportReport, redis_url: str | None, prefix: str,
                    sentinels: str = "", master: str = "assistant") -> None:
    from editorial.keys import EditorKeys
    from editorial.store import ArticleStore
    from knowledge.importers.editor_sync import sync_report
    from records.redis_connect import sync_client

    if not redis_url:
        raise ImportError_("--to-editor needs REDIS_URL (the Redis the editor uses; with "
                           "REDIS_SENTINELS, its database and credentials)")
    client = sync_client(redis_url, sentinels, master)  # the Sentinels' master when set
    try:
        sync_report(ArticleStore(client, EditorKeys(prefix)), report)
    finally:
        client.close()


def run(
    args: argparse.Namespace,
    progress: Callable[[int], None] | None = None,
    redis_url: str | None = None,
    redis_prefix: str = "csa:",
    *,
    sentinels: str = "",
    master: str = "assistant",
) -> int:
    """Import, print the table; 1 when an item failed (or, with ``--strict``, was skipped)."""
    if args.review_months < 1:
        raise ImportError_(f"--review-months must be 1 or more, got {args.review_months}")
    started = time.perf_counter()
    report = plan_import(
        args.paths,
        args.out,
        id_prefix=args.id_prefix,
        service_area=args.service_area,
        withdrawn=args.withdrawn,
        review_months=args.review_months,
        progress=progress,
    )
    write = not args.dry_run and not (args.strict and report.failed(strict=True))
    if write and args.to_editor:
        _sync_to_editor(report, redis_url, redis_prefix, sentinels, master)
    if write:
        write_report(report, args.out)
    report.seconds = time.perf_counter() - started
    print(report.table())
    if not write:
        why = "--dry-run" if args.dry_run else "--strict and an item was skipped or failed"
        print(f"nothing written ({why})", file=sys.stderr)
    return 1 if report.failed(args.strict) else 0
