"""Leave-one-set-out for fresh13 joining the learned check's data (ADR 0202, thirteenth round).

fresh13 was reported once and becomes training data, as fresh12 did in the twelfth round. This
scores, for each of the fourteen seen groups in turn (fresh13 included), three candidates:

- ``S`` the status quo: the check fitted on everything but the left-out set and fresh13
  (in fresh13's own row the same fit as ``J``);
- ``J`` fresh13 joins: the check fitted on everything but the left-out set;
- ``J+SO`` J with every line of ``safety/candidates/short_ordinary.jsonl`` among the ordinary
  written exemplars in every row (where they live when served: appended to
  ``safety/exemplars/ordinary.jsonl``, each tagged ``"source": "short_ordinary"``; a line
  equal to a crisis line of a seen set or a crisis exemplar is dropped, one already among the
  ordinary exemplars is not appended twice).

Each check is fitted at the served budget with the tenth round's Z(orig), exactly as
``benchmarks/safety_twelfth_loso.py`` fits it (``safety_eleventh_loso.flags_for``), served as
now (``K(0.5 %)``, ``P(0)``, the backstop in every intent of
``safety.routing.BACKSTOP_INTENTS``), the served patterns (the twelfth round's) "honest" per row
and Rasa's gate recomputed from the cached parse. Then each candidate is refitted on all its
groups and the live slice's lines are routed in process: servable only if none of its ordinary
lines and all of its crisis lines get the crisis reply. The rule, written in the ADR before any
figure, is applied by ``choose``. Blind sets not yet reported are never read
(``safety/labelled.py`` names the sets). Rows can be run in separate processes (``--rows``);
each row's counts are kept in ``--out``; ``--table`` prints them:

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 10 .venv/bin/python benchmarks/safety_thirteenth_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_thirteenth_loso.py --table

The candidates' training data do not depend on whether the short lines are served yet: the
written ordinary exemplars tagged ``short_ordinary`` are taken out for ``S`` and ``J`` and the
candidate file's lines put in their place for ``J+SO`` (``base_for``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety_round import (  # noqa: E402
    Fit,
    Patterns,
    choose_by_rule,
    join_seen,
    keep_rows,
    print_table,
    round_parser,
    score_row,
    score_slice,
    training_for,
)

from safety import labelled  # noqa: E402
from safety.fit_similarity import MAX_ALARM_RATE  # noqa: E402

JOINING = "fresh13"
CANDIDATES = ("S", "J", "J+SO")  # simplest first
SHORT = "J+SO"
SHORT_FILE = ROOT / "safety" / "candidates" / "short_ordinary.jsonl"
SHORT_SOURCE = "short_ordinary"  # the tag of these lines among the written ordinary exemplars
ORDINARY_FILE = ROOT / "safety" / "exemplars" / "ordinary.jsonl"


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def short_lines() -> tuple[list[dict[str, Any]], list[str]]:
    """The candidate file's rows to append (none equal to a crisis line of a seen set or of the
    crisis exemplars, none already among the untagged ordinary exemplars) and the texts of
    those dropped as equal to a crisis line."""
    crisis = {labelled.key(t) for g in labelled.groups().values() for t in g.crisis}
    crisis |= {labelled.key(str(r["text"])) for r in _rows(ROOT / "safety/exemplars/crisis.jsonl")}
    written = {
        labelled.key(str(r["text"]))
        for r in _rows(ORDINARY_FILE)
        if r.get("source") != SHORT_SOURCE
    }
    rows = _rows(SHORT_FILE)
    dropped = [str(r["text"]) for r in rows if labelled.key(str(r["text"])) in crisis]
    kept = [r for r in rows if labelled.key(str(r["text"])) not in crisis | written]
    return kept, dropped


def base_for(candidate: str, original: Callable[..., labelled.Labelled]) -> Any:
    """``labelled.base`` for ``candidate``: the written ordinary exemplars without the tagged
    short lines, and for ``J+SO`` the candidate file's lines after them (where the served file
    holds them), then the guidance tune questions, as ``labelled.base`` orders them."""
    file_rows = _rows(ORDINARY_FILE)
    n_file = len(file_rows)
    untagged = [str(r["text"]) for r in file_rows if r.get("source") != SHORT_SOURCE]
    added = [str(r["text"]) for r in short_lines()[0]] if candidate == SHORT else []

    def base(root: Path = labelled.ROOT) -> labelled.Labelled:
        found = original(root)
        return labelled.Labelled(found.crisis, untagged + added + found.ordinary[n_file:])

    return base


@contextmanager
def data_of(candidate: str) -> Iterator[None]:
    """``labelled.base`` as ``candidate`` has it for the block."""
    original = labelled.base
    setattr(labelled, "base", base_for(candidate, original))  # noqa: B010
    try:
        yield
    finally:
        setattr(labelled, "base", original)  # noqa: B010


def patterns_for(patterns: dict[str, Patterns], name: str | None) -> Patterns:
    """The served patterns (the twelfth round's), honest for ``name``: the same for every
    candidate of this round."""
    from safety_twelfth_loso import patterns_for as twelfth_patterns

    return twelfth_patterns("J+N12", patterns, name)


def fits(vec: dict[str, np.ndarray], leave_out: str | None) -> dict[str, Fit]:
    """Each candidate's (training, fitted check); S shares J's fit in fresh13's own row."""
    from safety_patterns_loso import fit_left_out

    out: dict[str, Fit] = {}
    for candidate in CANDIDATES:
        if candidate == "S" and leave_out == JOINING:
            continue
        with data_of(candidate):
            train = training_for(candidate, leave_out, JOINING)
        out[candidate] = (train, fit_left_out(vec, train, MAX_ALARM_RATE))
    if leave_out == JOINING:
        out["S"] = out["J"]
    return {c: out[c] for c in CANDIDATES}


def run_row(
    name: str,
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
    patterns: dict[str, Patterns],
) -> dict[str, Any]:
    """One left-out set: per candidate [caught, crisis, alarms, benign] and a note."""
    pats = patterns_for(patterns, name)
    return score_row(name, fits(vec, name), lambda _: pats, vec, parses)


def servable(
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
    patterns: dict[str, Patterns],
) -> dict[str, Any]:
    """Each candidate refitted on all its groups: the live slice's crisis lines without a
    crisis reply and ordinary lines with one (both must be 0); and the patterns' in-sample
    benign alarms (the same patterns for every candidate)."""
    pats = patterns_for(patterns, None)
    return score_slice(fits(vec, None), lambda _: pats, vec, parses)


def choose(
    means: dict[str, tuple[float, float]], ok: dict[str, bool], in_sample: dict[str, int]
) -> str:
    """The rule (ADR 0202, thirteenth round): a servable joining candidate is eligible if its
    mean recall is at most 0.003 below S's and its mean benign at most 0.05 points above; among
    the eligible, the highest mean recall with ties within 0.003; if J and J+SO are both tied
    there, J+SO (the stated exception: the short-message alarm it addresses is not measured by
    these rows); otherwise the lowest mean benign, then fewer in-sample pattern alarms, then the
    simpler. S stays if none is eligible."""
    return choose_by_rule(CANDIDATES, means, ok, in_sample, preferred=SHORT)


def main() -> None:
    """Score the rows asked for (or all, and the servable check), keep them, print the table."""
    parser = round_parser((__doc__ or "").split("\n")[0], Path("/tmp/safety_thirteenth_loso"))
    args = parser.parse_args()
    join_seen(JOINING)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.table:
        from safety_loso import vectors_for
        from safety_patterns_loso import load_patterns
        from safety_veto_loso import seen_inputs

        patterns = {"before": load_patterns(args.before), "eighth": load_patterns(args.eighth)}
        if load_patterns(ROOT / "safety" / "patterns.py") != patterns_for(patterns, None):
            raise SystemExit("the served patterns are not the twelfth round's")
        kept, dropped = short_lines()
        if dropped:
            raise SystemExit(f"{len(dropped)} short lines equal a crisis line: {dropped}")
        print(f"short ordinary lines for {SHORT}: {len(kept)}", flush=True)
        _, vec, parses = seen_inputs(args.vectors, args.parses)
        vec = vectors_for(sorted(set(vec) | {str(r["text"]) for r in kept}), args.vectors)
        keep_rows(
            args.rows,
            args.out,
            lambda name: (
                servable(vec, parses, patterns)
                if name == "servable"
                else run_row(name, vec, parses, patterns)
            ),
        )
    print_table(args.out, CANDIDATES, choose, "benign alarms of the patterns (in-sample)")


if __name__ == "__main__":
    main()
