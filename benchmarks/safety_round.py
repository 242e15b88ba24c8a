"""What ADR 0202's leave-one-set-out rounds share (tenth round on).

Each round's script (``safety_tenth_loso.py``, ``safety_eleventh_loso.py``,
``safety_twelfth_loso.py``) takes the same inputs: the patterns of earlier rounds (to make the
served patterns "honest" per row), the rows to score, where each row's counts are kept, and
the caches of Rasa's parses and the tuned model's vectors; a round adds its own options to the
parser :func:`round_parser` returns. Each kept row holds, per candidate, ``[crisis caught,
crisis lines, benign alarms, benign lines]``; :func:`print_rows` prints them with the means the
rounds' rules compare. A joining set is named among the seen sets for the run
(:func:`join_seen`) and left out of the status quo's training (:func:`training_for`); a
round's pattern narrowings are applied per row by :func:`apply_edits`. Import it after the
repository root is on ``sys.path``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from safety import labelled

Patterns = dict[str, tuple[str, ...]]
# A narrowing: (category, index, source set, old text, new text).
Edit = tuple[str, int, str, str, str]
STATUS_QUO = "S"


def round_parser(description: str, out: Path) -> argparse.ArgumentParser:
    """The shared options; ``out`` is the folder where this round keeps its rows."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--before",
        type=Path,
        default=Path("/tmp/patterns_before.py"),
        help="safety/patterns.py before the sixth round (233e040)",
    )
    parser.add_argument(
        "--eighth",
        type=Path,
        default=Path("/tmp/patterns_eighth.py"),
        help="safety/patterns.py of the eighth round (2595888)",
    )
    parser.add_argument("--rows", default="", help="comma-separated left-out sets, 'servable'")
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--table", action="store_true", help="only print the kept rows")
    parser.add_argument("--parses", type=Path, default=Path("/tmp/safety_patterns_parses.json"))
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/safety_loso_vectors.npz"))
    return parser


Counts = dict[str, list[int]]  # candidate -> [crisis caught, crisis lines, alarms, benign lines]


def markdown_row(label: str, cells: list[str]) -> str:
    """One markdown table row."""
    return f"| {label} | " + " | ".join(cells) + " |"


def kept_rows(out: Path, order: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The rows kept in ``out`` (one JSON file per left-out set, ``servable`` apart) and the
    names of those present, in ``order``."""
    rows = {
        p.stem: json.loads(p.read_text())
        for p in sorted(out.glob("*.json"))
        if p.stem != "servable"
    }
    return rows, [n for n in order if n in rows]


def print_rows(
    counts: dict[str, Counts], names: list[str], candidates: tuple[str, ...]
) -> dict[str, tuple[float, float]]:
    """Print each left-out set's recall / benign rate per candidate, the means and the totals;
    return each candidate's (mean recall, mean benign rate) over ``names``."""
    print(markdown_row("left-out set (crisis / benign)", list(candidates)))
    print("|---|" + "---|" * len(candidates))
    for n in names:
        h = counts[n]
        print(
            markdown_row(
                f"{n} ({h['J'][1]} / {h['J'][3]})",
                [f"{h[c][0] / h[c][1]:.3f} / {h[c][2] / h[c][3]:.1%}" for c in candidates],
            )
        )
    means = {
        c: (
            float(np.mean([counts[n][c][0] / counts[n][c][1] for n in names])),
            float(np.mean([counts[n][c][2] / counts[n][c][3] for n in names])),
        )
        for c in candidates
    }
    print(markdown_row("**mean**", [f"{means[c][0]:.4f} / {means[c][1]:.2%}" for c in candidates]))
    totals = [
        f"{sum(counts[n][c][1] - counts[n][c][0] for n in names)} / "
        f"{sum(counts[n][c][2] for n in names)}"
        for c in candidates
    ]
    print(markdown_row("crisis missed / benign alarms", totals))
    return means


Choose = Callable[[dict[str, tuple[float, float]], dict[str, bool], dict[str, int]], str]


def print_table(
    out: Path, candidates: tuple[str, ...], choose: Choose, in_sample_label: str
) -> None:
    """Print a round's table from the rows kept in ``out``: each left-out set, the means and
    totals, each row's fit notes; once every row and ``servable`` are there, the candidates'
    in-sample pattern alarms (``in_sample_label``), the live slice refitted on all, and the
    candidate ``choose`` (the round's rule: means, servable, in-sample alarms) picks."""
    order = [labelled.ORIGINAL, *labelled.SEEN_SETS]
    rows, names = kept_rows(out, order)
    means = print_rows({n: rows[n]["counts"] for n in names}, names, candidates)
    for n in names:
        print(f"<!-- {n}: " + "; ".join(f"{c} {rows[n]['notes'][c]}" for c in candidates) + " -->")
    path = out / "servable.json"
    if not path.exists() or len(names) < len(order):
        print(f"\n{len(names)} of {len(order)} rows; servable: {path.exists()}")
        return
    fit = json.loads(path.read_text())
    print(markdown_row(in_sample_label, [str(fit["in_sample"][c]) for c in candidates]))
    print(
        markdown_row(
            "slice (crisis missed / benign alarms), refitted on all",
            [f"{fit['slice'][c][0]} / {fit['slice'][c][1]}" for c in candidates],
        )
    )
    print("<!-- all: " + "; ".join(f"{c} {fit['notes'][c]}" for c in candidates) + " -->")
    ok = {c: fit["slice"][c] == [0, 0] for c in candidates}
    print(f"\nchosen by the rule: {choose(means, ok, fit['in_sample'])}")


def keep_rows(rows: str, out: Path, score: Callable[[str], dict[str, Any]]) -> None:
    """Score each row named in ``rows`` (comma-separated left-out sets or ``servable``; every
    seen set and ``servable`` when empty) and keep its result in ``out``."""
    names = rows.split(",") if rows else [labelled.ORIGINAL, *labelled.SEEN_SETS, "servable"]
    for name in names:
        started = time.time()
        result = score(name)
        (out / f"{name}.json").write_text(json.dumps(result), encoding="utf-8")
        print(f"{name}: {time.time() - started:.0f} s", flush=True)


def join_seen(joining: str) -> None:
    """Name the joining set among the seen sets for this process (the served file changes only
    if the rule chooses a joining candidate)."""
    if joining not in labelled.SEEN_SETS:
        setattr(labelled, "SEEN_SETS", (*labelled.SEEN_SETS, joining))  # noqa: B010


@contextmanager
def seen_without(joining: str) -> Iterator[None]:
    """``labelled.SEEN_SETS`` without the joining set for the block (the status quo's data)."""
    kept = labelled.SEEN_SETS
    setattr(labelled, "SEEN_SETS", tuple(n for n in kept if n != joining))  # noqa: B010
    try:
        yield
    finally:
        setattr(labelled, "SEEN_SETS", kept)  # noqa: B010


def training_for(candidate: str, leave_out: str | None, joining: str) -> labelled.Labelled:
    """The candidate's training phrasings without ``leave_out``; the status quo's also without
    the joining set."""
    if candidate != STATUS_QUO or leave_out == joining:
        return labelled.training(leave_out=leave_out)
    with seen_without(joining):
        return labelled.training(leave_out=leave_out)


def apply_edits(patterns: Patterns, edits: tuple[Edit, ...], leave_out: str | None) -> Patterns:
    """``patterns`` with the ``edits`` whose source is not ``leave_out`` (all of them for None).
    Each edit's old text must occur exactly once in its pattern."""
    out = {c: list(ps) for c, ps in patterns.items()}
    for category, index, source, old, new in edits:
        if source == leave_out:
            continue
        text = out[category][index]
        if text.count(old) != 1:
            raise ValueError(f"edit of {category} {index} ({source}) does not apply")
        out[category][index] = text.replace(old, new)
    return {c: tuple(ps) for c, ps in out.items()}
