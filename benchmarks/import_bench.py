"""GOV.UK import at scale: 5,000 items, then a re-import with 1 % changed (issue 16).

Generates N content items from the real published examples in ``tests/knowledge/fixtures``
(every copy gets its own content id, path and title), then measures, in one run:

1. the first import (convert, validate, write every article) and the first index build
   (every chunk embedded with the real ONNX model) — the baseline;
2. a re-import of the same items (everything ``unchanged``) and the index update (nothing
   embedded);
3. a re-import after 1 % of the items changed at the source (those ``updated``, in place) and
   the index update, which embeds only the changed articles' chunks.

Progress goes to stderr; the table to stdout.

    .venv/bin/python benchmarks/import_bench.py [--items 5000] [--changed 50] [--no-embed]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.articles import load_articles  # noqa: E402
from knowledge.build import open_knowledge_base  # noqa: E402
from knowledge.chunking import chunk_article  # noqa: E402
from knowledge.cli import Progress  # noqa: E402
from knowledge.embedding import Embedder, load_embedder  # noqa: E402
from knowledge.importers.import_run import plan_import, write_report  # noqa: E402

FIXTURES = ROOT / "tests" / "knowledge" / "fixtures"


def generate(folder: Path, count: int) -> list[Path]:
    """Write ``count`` distinct items cycling through the fixture examples."""
    examples = [json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))]
    examples = [e for e in examples if not (e.get("details") or {}).get("withdrawn_notice")]
    folder.mkdir(parents=True)
    paths = []
    for n in range(count):
        item = json.loads(json.dumps(examples[n % len(examples)]))
        item["content_id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-{n}"))
        item["base_path"] = f"{item['base_path']}-{n}"
        item["title"] = f"{item['title']} ({n})"
        path = folder / f"item-{n:05d}.json"
        path.write_text(json.dumps(item), encoding="utf-8")
        paths.append(path)
    return paths


def change(paths: list[Path], count: int) -> None:
    """Change the description and date of ``count`` items spread through the folder."""
    step = max(1, len(paths) // max(count, 1))
    for path in paths[::step][:count]:
        item = json.loads(path.read_text())
        item["description"] = f"{item.get('description') or ''} Updated for the benchmark."
        item["public_updated_at"] = "2026-11-30T09:00:00Z"
        path.write_text(json.dumps(item), encoding="utf-8")


def timed_import(items: Path, out: Path, count: int, label: str) -> tuple[dict[str, int], float]:
    """Import the folder; return the result counts and the seconds taken."""
    started = time.perf_counter()
    report = plan_import([items], out, progress=Progress(label, count))
    write_report(report, out)
    return dict(report.counts()), time.perf_counter() - started


def timed_index(out: Path, index: Path, embedder: Embedder, label: str) -> tuple[int, int, float]:
    """Bring the index up to date; return chunks embedded, chunks reused and seconds."""
    articles = load_articles(out)
    total = sum(len(chunk_article(a)) for a in articles.values() if a.searchable)
    progress: Callable[[int], None] = Progress(label, total)
    started = time.perf_counter()
    opened = open_knowledge_base(out, index, embedder, progress=progress)
    report = opened.report
    return report.chunks_embedded, report.chunks_reused, time.perf_counter() - started


def main() -> None:
    """Run the three steps and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--no-embed", action="store_true", help="skip the index columns")
    args = parser.parse_args()
    embedder = None if args.no_embed else load_embedder(ROOT / "var" / "onnx-cache")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        items, out, index = Path(tmp) / "items", Path(tmp) / "articles", Path(tmp) / "index"
        paths = generate(items, args.items)
        steps = ("first import", "re-import, nothing changed", f"{args.changed} items changed")
        for number, step in enumerate(steps):
            if number == 2:
                change(paths, args.changed)
            label = step
            counts, seconds = timed_import(items, out, args.items, label)
            embedded = reused = 0
            index_seconds = 0.0
            if embedder is not None:
                embedded, reused, index_seconds = timed_index(out, index, embedder, "index")
            rows.append((step, counts, seconds, embedded, reused, index_seconds))
    print(f"\nGOV.UK import benchmark: {args.items} items generated from the fixtures\n")
    print(
        "| step | imported | updated | unchanged | import s | items/s "
        "| chunks embedded | chunks reused | index s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for step, counts, seconds, embedded, reused, index_seconds in rows:
        rate = args.items / seconds if seconds else 0.0
        index_cols = f"{embedded:,} | {reused:,} | {index_seconds:.1f}" if embedder else "- | - | -"
        print(
            f"| {step} | {counts.get('imported', 0):,} | {counts.get('updated', 0):,} "
            f"| {counts.get('unchanged', 0):,} | {seconds:.1f} | {rate:,.0f} | {index_cols} |"
        )
    failed = sum(r[1].get("failed", 0) + r[1].get("skipped", 0) for r in rows)
    print(f"\nfailed or skipped items: {failed} (expected 0)")
    if embedder is not None and rows[0][3]:
        share = rows[2][3] / rows[0][3]
        print(f"re-embedded after the change: {share:.1%} of the first build's chunks")


if __name__ == "__main__":
    main()
