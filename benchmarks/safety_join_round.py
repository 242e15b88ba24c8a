"""A leave-one-set-out round whose only question is whether one reported set joins (ADR 0202).

The fourteenth and fifteenth rounds each score two candidates for every seen group in turn (the
joining set included):

- ``S`` the status quo: the check fitted on everything but the left-out set and the joining set
  (in the joining set's own row the same fit as ``J``);
- ``J`` the joining set joins: the check fitted on everything but the left-out set.

The sixteenth round names two joining sets at once: ``S`` leaves both out, ``J`` only the
left-out set (so in one joining set's row ``J`` keeps the other).

The base is as served (the written exemplars, the short ordinary messages among them since the
thirteenth round, the guidance tune questions) for both. Each check is fitted at the served
budget with the tenth round's Z(orig), exactly as ``benchmarks/safety_thirteenth_loso.py`` fits
it, served as now (``K(0.5 %)``, ``P(0)``, the backstop in every intent of
``safety.routing.BACKSTOP_INTENTS``), the served patterns (the twelfth round's) "honest" per row
and Rasa's gate recomputed from the cached parse. Then each candidate is refitted on all its
groups and the live slice's lines are routed in process: servable only if none of its ordinary
lines and all of its crisis lines get the crisis reply. The rule, written in the ADR before any
figure, is :func:`choose`. The blind set that measures the round afterwards must stay in
``labelled.UNSEEN_SETS`` and is never read. A round's script calls :func:`main` with its
joining set, its blind set and where its rows are kept. Import this after the repository root
and ``benchmarks/`` are on ``sys.path``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from safety_round import (
    Fit,
    Joining,
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

# The served patterns (the twelfth round's), honest for a left-out set, as the thirteenth round
# had them: the same for both candidates.
from safety_thirteenth_loso import patterns_for

from safety import labelled

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = ("S", "J")  # simplest first


def run_row(
    name: str,
    joining: Joining,
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
    patterns: dict[str, Patterns],
) -> dict[str, Any]:
    """One left-out set: per candidate [caught, crisis, alarms, benign] and a note; S shares
    J's fit in the joining set's own row."""
    pats = patterns_for(patterns, name)
    fits: dict[str, Fit] = fit_status_quo_and_joined(vec, name, joining)
    return score_row(name, fits, lambda _: pats, vec, parses)


def servable(
    joining: Joining,
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
    patterns: dict[str, Patterns],
) -> dict[str, Any]:
    """Both candidates refitted on all their groups: the live slice's crisis lines without a
    crisis reply and ordinary lines with one (both must be 0); and the patterns' in-sample
    benign alarms over every seen set, the joining set included (the same patterns for both)."""
    pats = patterns_for(patterns, None)
    return score_slice(fit_status_quo_and_joined(vec, None, joining), lambda _: pats, vec, parses)


def choose(
    means: dict[str, tuple[float, float]], ok: dict[str, bool], in_sample: dict[str, int]
) -> str:
    """The rule (ADR 0202, fourteenth and fifteenth rounds): J is eligible if servable, its
    mean recall is at most 0.003 below S's and its mean benign at most 0.05 points above; the
    tie-breaks of the twelfth round (highest mean recall within 0.003, lowest mean benign, fewer
    in-sample pattern alarms, the simpler) decide among the eligible. S stays if J is not
    eligible."""
    return choose_by_rule(CANDIDATES, means, ok, in_sample)


def main(doc: str | None, joining: Joining, blind: str, out: Path) -> None:
    """Score the rows asked for (or all, and the servable check), keep them in ``out``, print
    the table; ``joining`` is named among the seen sets for the run, ``blind`` must stay
    unseen."""
    parser = round_parser((doc or "").split("\n")[0], out)
    args = parser.parse_args()
    join_seen(joining)
    if blind in labelled.SEEN_SETS or blind not in labelled.UNSEEN_SETS:
        raise SystemExit(f"{blind} must stay unseen (safety/labelled.py)")
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
                servable(joining, vec, parses, patterns)
                if name == "servable"
                else run_row(name, joining, vec, parses, patterns)
            ),
        )
    print_table(args.out, CANDIDATES, choose, "benign alarms of the patterns (in-sample)")
