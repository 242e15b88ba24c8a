"""Leave-one-set-out for written suicide and danger exemplars joining the check (ADR 0202, 19th).

The eighteenth round's readings by kind put the lost recall on new writers in suicide and
immediate-danger messages, and its mid-form alarms on plain answers to the form's question. A
writer working from a brief alone (no file of the repository read) wrote candidates for both:
``safety/candidates/crisis_suicide_danger.jsonl`` (crisis) and
``safety/candidates/ordinary_near_crisis.jsonl`` (ordinary lines sharing their words, and form
answers). Two candidates:

- ``S`` the status quo: the check as served (the base and the twenty-one seen groups);
- ``W`` the candidates join the base (the written exemplars) with the standing refit.

Rows: each seen group left out in turn (as every round), then the reported sets nobody trains on
(``fresh18``, ``form3``, ``fresh19``, ``form4``), each scored by the candidates' fits on
everything seen. The rule's means take the seen groups, fresh18 and form3; fresh19 and form4 are
printed apart and outside the rule, because their counts by kind shaped the writer's brief.
fresh20 and form5 measure the round once afterwards, through the live chat, and are never read
here. Everything else is as the join rounds (``benchmarks/safety_join_round.py``): the served
budget with Z(orig), the served patterns honest per row, Rasa's gate from the cached parses.

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 5 .venv/bin/python benchmarks/safety_nineteenth_loso.py --rows original,fresh,...
    nice -n 5 .venv/bin/python benchmarks/safety_nineteenth_loso.py --rows servable
    .venv/bin/python benchmarks/safety_nineteenth_loso.py --table
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from safety_round import (  # noqa: E402
    STATUS_QUO,
    Fit,
    choose_with_status_quo,
    keep_rows,
    kept_rows,
    print_rows,
    round_parser,
    score_row,
    score_slice,
)
from safety_thirteenth_loso import patterns_for  # noqa: E402

from safety import labelled  # noqa: E402

CANDIDATES = (STATUS_QUO, "W")  # simplest first
CANDIDATE_FILES = {
    "crisis": ROOT / "safety" / "candidates" / "crisis_suicide_danger.jsonl",
    "ordinary": ROOT / "safety" / "candidates" / "ordinary_near_crisis.jsonl",
}
IN_RULE = ("fresh18", "form3")  # reported, never trained on: rows of the rule
APART = ("fresh19", "form4")  # reported, never trained on; outside the rule (they shaped W)
BLIND = ("fresh20", "form5")  # measure the round afterwards; never read here
OUT = Path("/tmp/safety_nineteenth_loso")


def candidate_lines() -> labelled.Labelled:
    """The written candidates: crisis and ordinary phrasings."""
    texts = {
        name: [
            str(json.loads(line)["text"])
            for line in path.read_text(encoding="utf-8").splitlines()
            if line
        ]
        for name, path in CANDIDATE_FILES.items()
    }
    return labelled.Labelled(texts["crisis"], texts["ordinary"])


@contextmanager
def with_candidates() -> Iterator[None]:
    """``labelled.base`` with the candidates appended, for the block (W's training)."""
    served_base = labelled.base
    extra = candidate_lines()

    def base(root: Path = labelled.ROOT) -> labelled.Labelled:
        b = served_base(root)
        return labelled.Labelled(b.crisis + extra.crisis, b.ordinary + extra.ordinary)

    setattr(labelled, "base", base)  # noqa: B010
    try:
        yield
    finally:
        setattr(labelled, "base", served_base)  # noqa: B010


@contextmanager
def readable(name: str) -> Iterator[None]:
    """A reported set named among the seen sets for the block, so its group can be read (the
    fits are made before, so it is never trained on)."""
    kept = labelled.SEEN_SETS
    setattr(labelled, "SEEN_SETS", (*kept, name))  # noqa: B010
    try:
        yield
    finally:
        setattr(labelled, "SEEN_SETS", kept)  # noqa: B010


def fits_without(vec: dict[str, np.ndarray], leave_out: str | None) -> dict[str, Fit]:
    """S's and W's training without ``leave_out`` and the check fitted on each."""
    from safety_patterns_loso import fit_left_out

    from safety.fit_similarity import MAX_ALARM_RATE

    train_s = labelled.training(leave_out=leave_out)
    with with_candidates():
        train_w = labelled.training(leave_out=leave_out)
    return {
        c: (t, fit_left_out(vec, t, MAX_ALARM_RATE))
        for c, t in ((STATUS_QUO, train_s), ("W", train_w))
    }


def score(
    name: str, vec: dict[str, np.ndarray], parses: dict[str, Any], patterns: dict[str, Any]
) -> dict[str, Any]:
    """A seen group's row (left out of both fits), or ``servable``: the fits on everything seen,
    the live slice and the four reported sets."""
    if name != "servable":
        pats = patterns_for(patterns, name)
        return score_row(name, fits_without(vec, name), lambda _: pats, vec, parses)
    pats = patterns_for(patterns, None)
    full = fits_without(vec, None)
    out = score_slice(full, lambda _: pats, vec, parses)
    out["reported"] = {}
    for reported in IN_RULE + APART:
        with readable(reported):
            out["reported"][reported] = score_row(reported, full, lambda _: pats, vec, parses)
    return out


def inputs(
    vectors: Path, parses: Path, reported: tuple[str, ...] = IN_RULE + APART
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Vectors of every seen, ``reported`` and candidate line, and Rasa's parses of every seen
    and reported line (cached in the round's usual files)."""
    from safety_loso import vectors_for
    from safety_veto_loso import parses_merged

    texts: set[str] = set()
    for name in (labelled.ORIGINAL, *labelled.SEEN_SETS, *reported):
        with readable(name) if name not in labelled.SEEN_SETS else nullcontext():
            g = labelled.seen_group(name)
        texts |= set(g.crisis + g.ordinary)
    base, extra = labelled.base(), candidate_lines()
    every = texts | set(base.crisis + base.ordinary + extra.crisis + extra.ordinary)
    return vectors_for(sorted(every), vectors), parses_merged(sorted(texts), parses)


def print_table(
    out: Path,
    candidates: tuple[str, ...] = CANDIDATES,
    apart: tuple[str, ...] = APART,
    why_apart: str = "their counts by kind shaped W's brief",
    in_rule: tuple[str, ...] = IN_RULE,
) -> None:
    """The rule's rows (seen groups and the reported sets ``in_rule``) and their notes, the
    reported rows kept ``apart`` from the rule, the slice, the in-sample pattern alarms and the
    candidate the rule (:func:`safety_round.choose_with_status_quo`) picks; a round with other
    candidates or rows (the twentieth, the twenty-first) passes its own."""
    order = [labelled.ORIGINAL, *labelled.SEEN_SETS]
    rows, names = kept_rows(out, order)
    counts = {n: rows[n]["counts"] for n in names}
    path = out / "servable.json"
    fit = json.loads(path.read_text()) if path.exists() else None
    if fit is not None:
        counts |= {n: fit["reported"][n]["counts"] for n in in_rule + apart}
    rule_rows = names + (list(in_rule) if fit is not None else [])
    means = print_rows(counts, rule_rows, candidates)
    for n in names:
        notes = "; ".join(f"{c} {rows[n]['notes'][c]}" for c in candidates)
        print(f"<!-- {n}: {notes} -->")
    if fit is None or len(names) < len(order):
        print(f"\n{len(names)} of {len(order)} rows; servable: {fit is not None}")
        return
    if apart:
        print(f"\nOutside the rule ({why_apart}):")
        print_rows(counts, list(apart), candidates)
    print("\n| refitted on all | " + " | ".join(candidates) + " |")
    print("|---|" + "---|" * len(candidates))
    for label, key in (
        ("slice (crisis missed / benign alarms)", "slice"),
        ("benign alarms of the patterns, seen sets (in-sample)", "in_sample"),
    ):
        cells = [
            f"{fit[key][c][0]} / {fit[key][c][1]}" if key == "slice" else str(fit[key][c])
            for c in candidates
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")
    ok = {c: fit["slice"][c] == [0, 0] for c in candidates}
    print(
        f"\nchosen by the rule: {choose_with_status_quo(candidates, means, ok, fit['in_sample'])}"
    )


def must_stay_unseen(names: tuple[str, ...]) -> None:
    """Stop unless every set named is one nobody trains on (``safety/labelled.py``)."""
    for name in names:
        if name in labelled.SEEN_SETS or name not in labelled.UNSEEN_SETS:
            raise SystemExit(f"{name} must stay unseen (safety/labelled.py)")


Score = Callable[[str, dict[str, np.ndarray], dict[str, Any], dict[str, Any]], dict[str, Any]]


def run_round(
    doc: str | None,
    out: Path,
    score: Score,
    blind: tuple[str, ...],
    apart: tuple[str, ...],
    show: Callable[[Path], None],
) -> None:
    """A round of this kind (the nineteenth and twentieth): score the rows asked for (every
    seen group and ``servable`` when none) with ``score``, keep them in ``out`` and ``show`` the
    table. The ``blind`` sets, fresh18, form3 and the ``apart`` ones must stay unseen."""
    parser = round_parser((doc or "").split("\n")[0], out)
    args = parser.parse_args()
    must_stay_unseen(blind + IN_RULE + apart)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.table:
        from safety_patterns_loso import load_patterns

        patterns = {"before": load_patterns(args.before), "eighth": load_patterns(args.eighth)}
        if load_patterns(ROOT / "safety" / "patterns.py") != patterns_for(patterns, None):
            raise SystemExit("the served patterns are not the twelfth round's")
        vec, parses = inputs(args.vectors, args.parses, IN_RULE + apart)
        keep_rows(args.rows, args.out, lambda name: score(name, vec, parses, patterns))
    show(args.out)


def main() -> None:
    """Run the nineteenth round (``--table`` only prints the kept rows)."""
    run_round(__doc__, OUT, score, BLIND, APART, print_table)


if __name__ == "__main__":
    main()
