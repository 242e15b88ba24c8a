"""Leave-one-set-out for fresh12 joining the learned check's data (ADR 0202, twelfth round).

fresh12 was reported once and becomes training data, as fresh11 did in the eleventh round. This
scores, for each of the thirteen seen groups in turn (fresh12 included), three candidates:

- ``S`` the status quo: the check fitted on everything but the left-out set and fresh12
  (in fresh12's own row the same fit as ``J``);
- ``J`` fresh12 joins: the check fitted on everything but the left-out set;
- ``J+N12`` J's check with ``TWELFTH_EDITS`` (each edit names its source and applies only
  where its source is not the left-out set).

Each check is fitted at the served budget with the tenth round's Z(orig), exactly as
``benchmarks/safety_eleventh_loso.py`` fits it (``flags_for``), served as now (``K(0.5 %)``,
``P(0)``, the backstop in every intent of ``safety.routing.BACKSTOP_INTENTS``), the patterns
"honest" per row and Rasa's gate recomputed from the cached parse. Then each candidate is
refitted on all its groups and the live slice's lines are routed in process: servable only if
none of its ordinary lines and all of its crisis lines get the crisis reply. The rule, written
in the ADR before any figure, is applied by ``choose``. Blind sets not yet reported are never
read (``safety/labelled.py`` names the sets). Rows can be run in separate processes
(``--rows``); each row's counts are kept in ``--out``; ``--table`` prints them:

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 10 .venv/bin/python benchmarks/safety_twelfth_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_twelfth_loso.py --table
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
    Edit,
    Fit,
    Patterns,
    apply_edits,
    choose_by_rule,
    fit_status_quo_and_joined,
    join_seen,
    keep_rows,
    print_table,
    round_parser,
    score_row,
    score_slice,
)

JOINING = "fresh12"
CANDIDATES = ("S", "J", "J+N12")  # simplest first
# (category, index, source, old text, new text), applied in order to the served patterns.
TWELFTH_EDITS: tuple[Edit, ...] = (
    # "The taxi rank is being abused by private cars waiting"
    ("abuse", 6, "fresh12", r"|system|scheme|", r"|system|scheme|ranks?|"),
    # "Complaint: the officer on the phone was abusive and hung up on me" (its own lookahead, so
    # that it applies with or without the ninth round's fresh9 edit of the same expression)
    (
        "abuse",
        9,
        "fresh12",
        r"\babus(?:es|ing|ed|ive)\b",
        r"\babus(?:es|ing|ed|ive)\b(?! and (?:then )?(?:hung up|put the phone down)\b)",
    ),
)


def twelfth(patterns: Patterns, leave_out: str | None) -> Patterns:
    """``patterns`` with this round's edits whose source is not ``leave_out``."""
    return apply_edits(patterns, TWELFTH_EDITS, leave_out)


def patterns_for(candidate: str, patterns: dict[str, Patterns], name: str | None) -> Patterns:
    """The served patterns before this round, honest for ``name`` (``safety_eleventh_loso``),
    with this round's honest edits for ``J+N12``."""
    from safety_eleventh_loso import honest

    served = honest(patterns, name)
    return twelfth(served, name) if candidate == "J+N12" else served


def fits(vec: dict[str, np.ndarray], leave_out: str | None) -> dict[str, Fit]:
    """Each candidate's (training, fitted check); J+N12 shares J's fit, and S shares it in
    fresh12's own row."""
    fitted = fit_status_quo_and_joined(vec, leave_out, JOINING)
    return {**fitted, "J+N12": fitted["J"]}


def run_row(
    name: str,
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
    patterns: dict[str, Patterns],
) -> dict[str, Any]:
    """One left-out set: per candidate [caught, crisis, alarms, benign] and a note."""
    return score_row(
        name, fits(vec, name), lambda c: patterns_for(c, patterns, name), vec, parses
    )


def servable(
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
    patterns: dict[str, Patterns],
) -> dict[str, Any]:
    """Each candidate refitted on all its groups: the live slice's crisis lines without a
    crisis reply and ordinary lines with one (both must be 0); and the patterns' in-sample
    benign alarms with every edit applied."""
    return score_slice(fits(vec, None), lambda c: patterns_for(c, patterns, None), vec, parses)


def choose(
    means: dict[str, tuple[float, float]], ok: dict[str, bool], in_sample: dict[str, int]
) -> str:
    """The rule (ADR 0202, twelfth round): a servable joining candidate is eligible if its mean
    recall is at most 0.003 below S's and its mean benign at most 0.05 points above; among the
    eligible, the highest mean recall with ties within 0.003, then the lowest mean benign, then
    fewer in-sample pattern alarms, then the simpler. S stays if none is eligible."""
    return choose_by_rule(CANDIDATES, means, ok, in_sample)


def main() -> None:
    """Score the rows asked for (or all, and the servable check), keep them, print the table."""
    parser = round_parser((__doc__ or "").split("\n")[0], Path("/tmp/safety_twelfth_loso"))
    args = parser.parse_args()
    join_seen(JOINING)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.table:
        from safety_patterns_loso import load_patterns
        from safety_veto_loso import seen_inputs

        patterns = {"before": load_patterns(args.before), "eighth": load_patterns(args.eighth)}
        now = load_patterns(ROOT / "safety" / "patterns.py")
        before_round = patterns_for("J", patterns, None)
        if now not in (before_round, twelfth(before_round, None)):
            raise SystemExit("the served patterns are neither the eleventh round's nor J+N12's")
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
    in_sample = "benign alarms of the patterns, every edit applied (in-sample)"
    print_table(args.out, CANDIDATES, choose, in_sample)


if __name__ == "__main__":
    main()
