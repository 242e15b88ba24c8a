"""Leave-one-set-out for fresh14 joining the learned check's data (ADR 0202, fourteenth round).

fresh14 was reported once and becomes training data, as fresh13 did in the thirteenth round.
This scores, for each of the fifteen seen groups in turn (fresh14 included), two candidates:

- ``S`` the status quo: the check fitted on everything but the left-out set and fresh14
  (in fresh14's own row the same fit as ``J``);
- ``J`` fresh14 joins: the check fitted on everything but the left-out set.

The base is as served (the written exemplars, the short ordinary messages among them since the
thirteenth round, the guidance tune questions) for both. Each check is fitted at the served
budget with the tenth round's Z(orig), exactly as ``benchmarks/safety_thirteenth_loso.py`` fits
it, served as now (``K(0.5 %)``, ``P(0)``, the backstop in every intent of
``safety.routing.BACKSTOP_INTENTS``), the served patterns (the twelfth round's) "honest" per row
and Rasa's gate recomputed from the cached parse. Then each candidate is refitted on all its
groups and the live slice's lines are routed in process: servable only if none of its ordinary
lines and all of its crisis lines get the crisis reply. The rule, written in the ADR before any
figure, is applied by ``choose``. Blind sets not yet reported are never read
(``safety/labelled.py`` names the sets; fresh15 is not among them). Rows can be run in separate
processes (``--rows``); each row's counts are kept in ``--out``; ``--table`` prints them:

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 19 .venv/bin/python benchmarks/safety_fourteenth_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_fourteenth_loso.py --table
"""

from __future__ import annotations

import sys
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
    fit_status_quo_and_joined,
    join_seen,
    keep_rows,
    print_table,
    round_parser,
    score_row,
    score_slice,
)

from safety import labelled  # noqa: E402

JOINING = "fresh14"
BLIND = "fresh15"  # measures this round once, through the live chat; never read here
CANDIDATES = ("S", "J")  # simplest first


def patterns_for(patterns: dict[str, Patterns], name: str | None) -> Patterns:
    """The served patterns (the twelfth round's), honest for ``name``, as the thirteenth round
    had them: the same for both candidates."""
    from safety_thirteenth_loso import patterns_for as thirteenth_patterns

    return thirteenth_patterns(patterns, name)


def fits(vec: dict[str, np.ndarray], leave_out: str | None) -> dict[str, Fit]:
    """S's and J's (training, fitted check); S shares J's fit in fresh14's own row."""
    return fit_status_quo_and_joined(vec, leave_out, JOINING)


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
    """Both candidates refitted on all their groups: the live slice's crisis lines without a
    crisis reply and ordinary lines with one (both must be 0); and the patterns' in-sample
    benign alarms over every seen set, fresh14 included (the same patterns for both)."""
    pats = patterns_for(patterns, None)
    return score_slice(fits(vec, None), lambda _: pats, vec, parses)


def choose(
    means: dict[str, tuple[float, float]], ok: dict[str, bool], in_sample: dict[str, int]
) -> str:
    """The rule (ADR 0202, fourteenth round): J is eligible if servable, its mean recall is at
    most 0.003 below S's and its mean benign at most 0.05 points above; the tie-breaks of the
    twelfth round (highest mean recall within 0.003, lowest mean benign, fewer in-sample
    pattern alarms, the simpler) decide among the eligible. S stays if J is not eligible."""
    return choose_by_rule(CANDIDATES, means, ok, in_sample)


def main() -> None:
    """Score the rows asked for (or all, and the servable check), keep them, print the table."""
    parser = round_parser((__doc__ or "").split("\n")[0], Path("/tmp/safety_fourteenth_loso"))
    args = parser.parse_args()
    join_seen(JOINING)
    if BLIND in labelled.SEEN_SETS or BLIND not in labelled.UNSEEN_SETS:
        raise SystemExit(f"{BLIND} must stay unseen (safety/labelled.py)")
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.table:
        from safety_patterns_loso import load_patterns
        from safety_veto_loso import seen_inputs

        patterns = {"before": load_patterns(args.before), "eighth": load_patterns(args.eighth)}
        if load_patterns(ROOT / "safety" / "patterns.py") != patterns_for(patterns, None):
            raise SystemExit("the served patterns are not the twelfth round's")
        _, vec, parses = seen_inputs(args.vectors, args.parses)
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
