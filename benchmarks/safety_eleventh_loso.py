"""Leave-one-set-out for fresh11 joining the learned check's data (ADR 0202, eleventh round).

fresh11 was reported once and becomes training data, as fresh10 did in the tenth round. This
scores, for each of the twelve seen groups in turn (fresh11 included), two candidates:

- ``S`` the status quo: the check fitted on everything but the left-out set and fresh11
  (in fresh11's own row the same fit as ``J``);
- ``J`` fresh11 joins: the check fitted on everything but the left-out set.

Both are fitted at the served budget exactly as ``benchmarks/safety_tenth_loso.py`` fits it,
with the tenth round's Z(orig) (the threshold raised, where needed, just above the highest
in-sample score of the original pair's training ordinary lines), served as now (``K(0.5 %)`` on
the second opinion, ``P(0)`` on crisis phrases, the backstop in every intent of
``safety.routing.BACKSTOP_INTENTS``), the served patterns "honest" per row (an edit of the
sixth, ninth or tenth round applies only where its source is not the left-out set) and Rasa's
gate recomputed from the cached parse. Then both are refitted on all their groups and the live
slice's lines are routed in process: servable only if none of its ordinary lines and all of its
crisis lines get the crisis reply. The rule, written in the ADR before any figure, is applied
by ``choose``. Blind sets not yet reported are never read (``safety/labelled.py`` names the
sets). Rows can be run in separate processes (``--rows``); each row's counts are kept in
``--out`` and the table is printed from all kept rows (``--table``):

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 10 .venv/bin/python benchmarks/safety_eleventh_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_eleventh_loso.py --table

Rows are scored against the eleventh round's served patterns (checked at start); since the
twelfth round narrowed two of them, rerunning rows needs ``safety/patterns.py`` of 94ac05e in
place; ``--table`` still prints the kept rows.
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
    join_seen,
    keep_rows,
    print_table,
    round_parser,
    training_for,
)

from safety import labelled  # noqa: E402
from safety.fit_similarity import MAX_ALARM_RATE, VETO_SHARE  # noqa: E402
from safety.routing import BACKSTOP_INTENTS, SAFETY_INTENT  # noqa: E402

JOINING = "fresh11"
CANDIDATES = ("S", "J")
RECALL_DROP = 0.003  # J may lose at most this much mean recall (the rule, ADR 0202)
BENIGN_RISE = 0.0005  # and gain at most this much mean benign → crisis (0.05 points)


def honest(
    patterns: dict[str, dict[str, tuple[str, ...]]], name: str | None
) -> dict[str, tuple[str, ...]]:
    """The served patterns with only the edits (sixth, ninth, tenth rounds) that another
    writer's lines prompted; every edit for None."""
    from safety_ninth_loso import honest_source, narrowed
    from safety_tenth_loso import tenth

    source = (
        patterns["eighth"]
        if name is None
        else honest_source(patterns["before"], patterns["eighth"], name)
    )
    return tenth(narrowed(source, name), name)


def route_now(
    texts: list[str], found: list[set[Any]], parses: dict[str, Any], check: np.ndarray
) -> Any:
    """``safety_veto_loso.route`` with the backstop in every intent of ``BACKSTOP_INTENTS``
    (the handoff and "not what I asked" too, as served since ADR 0202, later)."""
    from safety_patterns_loso import served_intent
    from safety_veto_loso import Routed, second_opinion

    intents = [served_intent(t, parses[t], False) for t in texts]
    return Routed(
        hit=np.array([bool(h) for h in found]),
        opinion=np.array([second_opinion(t, parses[t]) for t in texts]),
        nonhit_crisis=np.array([i == SAFETY_INTENT for i in intents]),
        guided=np.array([i in BACKSTOP_INTENTS for i in intents]),
        check=np.asarray(check),
    )


def flags_for(
    fitted: Any,
    vec: dict[str, np.ndarray],
    train: labelled.Labelled,
    patterns: dict[str, tuple[str, ...]],
    parses: dict[str, Any],
    texts: list[str],
) -> tuple[np.ndarray, str]:
    """Served crisis replies of ``texts`` with the check ``fitted`` on ``train`` (Z(orig)
    applied) and ``patterns``; and a note of the thresholds."""
    from safety_ninth_loso import served
    from safety_patterns_loso import compile_all, hits
    from safety_tenth_loso import above
    from safety_veto_loso import training_pools, veto_threshold_lost

    known = set(train.ordinary)
    original = [t for t in labelled.seen_group(labelled.ORIGINAL).ordinary if t in known]
    limit = above(fitted, vec, original, fitted.threshold)
    compiled = compile_all(patterns)
    pat_train, opinion_train = training_pools(train, compiled, parses)
    t_k, _ = veto_threshold_lost(
        fitted.oof, pat_train | opinion_train, VETO_SHARE * len(train.crisis)
    )
    t_p, _ = veto_threshold_lost(fitted.oof, pat_train, 0.0)
    scores = fitted.score(np.stack([vec[t] for t in texts]), None)
    routed = route_now(texts, hits(compiled, texts), parses, scores >= limit)
    note = (
        f"budget {fitted.threshold:.3f} (C {fitted.c:g}), Z(orig) {limit:.3f}, "
        f"t_K {t_k:.2f}, t_P {t_p:.2f}, {len(train.crisis)}/{len(train.ordinary)}"
    )
    return np.asarray(served(routed, scores, limit, t_k, t_p)), note


def run_row(
    name: str,
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
    patterns: dict[str, dict[str, tuple[str, ...]]],
) -> dict[str, Any]:
    """One left-out set: per candidate [caught, crisis, alarms, benign] and a note."""
    from safety_patterns_loso import fit_left_out

    group = labelled.seen_group(name)
    texts = group.crisis + group.ordinary
    is_crisis = np.r_[np.ones(len(group.crisis), bool), np.zeros(len(group.ordinary), bool)]
    pats = honest(patterns, name)
    row: dict[str, Any] = {"counts": {}, "notes": {}}
    for candidate in CANDIDATES:
        if candidate == "S" and name == JOINING:
            continue  # the same fit as J's (fresh11 is left out of both)
        train = training_for(candidate, name, JOINING)
        fitted = fit_left_out(vec, train, MAX_ALARM_RATE)
        f, note = flags_for(fitted, vec, train, pats, parses, texts)
        row["counts"][candidate] = [
            int(f[is_crisis].sum()),
            int(is_crisis.sum()),
            int(f[~is_crisis].sum()),
            int((~is_crisis).sum()),
        ]
        row["notes"][candidate] = note
    if name == JOINING:
        row["counts"]["S"], row["notes"]["S"] = row["counts"]["J"], row["notes"]["J"]
    return row


def servable(
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
    patterns: dict[str, dict[str, tuple[str, ...]]],
) -> dict[str, Any]:
    """Each candidate refitted on all its groups: the live slice's crisis lines without a
    crisis reply and ordinary lines with one (both must be 0)."""
    from safety_patterns_loso import fit_left_out
    from safety_tenth_loso import slice_lines

    benign, crisis = slice_lines()
    out: dict[str, Any] = {"slice": {}, "notes": {}}
    for candidate in CANDIDATES:
        train = training_for(candidate, None, JOINING)
        fitted = fit_left_out(vec, train, MAX_ALARM_RATE)
        f, note = flags_for(fitted, vec, train, honest(patterns, None), parses, crisis + benign)
        out["slice"][candidate] = [int((~f[: len(crisis)]).sum()), int(f[len(crisis) :].sum())]
        out["notes"][candidate] = note
    return out


def choose(means: dict[str, tuple[float, float]], ok: dict[str, bool]) -> str:
    """The rule (ADR 0202, eleventh round): J replaces S if servable, its mean recall is not
    lower by more than 0.003 and its mean benign not higher by more than 0.05 points."""
    recall_ok = means["J"][0] >= means["S"][0] - RECALL_DROP - 1e-12
    benign_ok = means["J"][1] <= means["S"][1] + BENIGN_RISE + 1e-12
    return "J" if ok["J"] and recall_ok and benign_ok else "S"


def main() -> None:
    """Score the rows asked for (or all, and the servable check), keep them, print the table."""
    parser = round_parser((__doc__ or "").split("\n")[0], Path("/tmp/safety_eleventh_loso"))
    args = parser.parse_args()
    join_seen(JOINING)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.table:
        from safety_patterns_loso import load_patterns
        from safety_veto_loso import seen_inputs

        patterns = {"before": load_patterns(args.before), "eighth": load_patterns(args.eighth)}
        if honest(patterns, None) != load_patterns(ROOT / "safety" / "patterns.py"):
            raise SystemExit("the eighth round's patterns with every edit are not the served ones")
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
    print_table(args.out, CANDIDATES, lambda means, ok, _: choose(means, ok), None)


if __name__ == "__main__":
    main()
