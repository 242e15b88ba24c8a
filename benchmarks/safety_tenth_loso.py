"""Leave-one-set-out for fresh10 joining the learned check's data (ADR 0202, tenth round).

fresh10 was reported once and becomes training data; the standing refit with it flagged
(in-sample) an ordinary line of the original tune set that the test command's live slice
(``tests/gateway/test_answer_quality_slice.py``) holds to no crisis reply. This scores, for
each of the eleven seen groups in turn (fresh10 included), with the check fitted on everything
else at the served budget exactly as ``benchmarks/safety_ninth_loso.py`` fits it, served as
the ninth round serves (``K(0.5 %)`` on the second opinion, ``P(0)`` on crisis phrases), the
patterns "honest" per row and Rasa's gate recomputed from the cached parse:

- ``J`` fresh10 joins with the standing refit;
- ``J+N10`` narrowed patterns: ``TENTH_EDITS`` (each names its source; in a row an edit applies
  only when its source is not the left-out set);
- ``J+Z(orig)`` the check's threshold raised, where needed, just above the highest in-sample
  score of the original pair's ordinary lines in the row's training data;
- ``J+Z(slice)`` the same over the 17 ordinary lines the live slice uses;
- ``J+N10+Z(orig)``, ``J+N10+Z(slice)``.

Then each candidate is refitted on all eleven groups and the slice's lines are routed in
process: a candidate is servable only if none of its ordinary lines and all of its crisis lines
get the crisis reply. The rule, written in the ADR before any figure, is applied by ``choose``.
Blind sets not yet reported are never read. Rows can be run in separate processes
(``--rows``); each row's counts are kept in ``--out`` and the table is printed from all kept
rows (``--table``):

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    git show 0cbee6c:safety/patterns.py > /tmp/patterns_ninth.py  # before TENTH_EDITS
    nice -n 19 .venv/bin/python benchmarks/safety_tenth_loso.py --current /tmp/patterns_ninth.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety_round import (  # noqa: E402
    Edit,
    Patterns,
    apply_edits,
    join_seen,
    keep_rows,
    kept_rows,
    print_rows,
    round_parser,
)

from safety import labelled  # noqa: E402
from safety.fit_similarity import MAX_ALARM_RATE, VETO_SHARE  # noqa: E402

JOINING = "fresh10"
SLICE_BENIGN_STEP, SLICE_CRISIS_STEP = 12, 8  # as tests/gateway/test_answer_quality_slice.py
# (category, index, source, old text, new text), applied in order to the ninth round's patterns.
TENTH_EDITS: tuple[Edit, ...] = (
    # "the heat in this top floor flat is going to kill me this summer"
    (
        "immediate_danger",
        12,
        "fresh10",
        r"^(?!.*\b(?:rats?|fox",
        r"^(?!.*\b(?:heat|cold|damp|mould|noise|weather)\b(?: [\w']+){0,6} (?:is|are|'s) going to"
        r" kill me\b)^(?!.*\b(?:rats?|fox",
    ),
    # "my neighbours are trying to kill me with their karaoke" (its own lookahead, so that it
    # applies with or without the ninth round's fresh7 edit of the same expression)
    (
        "immediate_danger",
        12,
        "fresh10",
        r"(?:me|us|my)\b",
        r"(?:me|us|my)\b(?! with (?:their|his|her|the|that) (?:\w+ ){0,2}(?:karaoke|music|noise"
        r"|part(?:y|ies)|bass|drilling|singing|barking)\b)",
    ),
    # "lol i'm going to kill my husband, he's put the glass in the wrong bin again"
    (
        "immediate_danger",
        12,
        "fresh10",
        r"^(?!.*\b(?:heat|",
        r"^(?!(?=.*\b(?:lol|haha\w*|lmao)\b).*\bi(?:'m| am) going to kill my\b)^(?!.*\b(?:heat|",
    ),
)
CANDIDATES = ("J", "J+N10", "J+Z(orig)", "J+Z(slice)", "J+N10+Z(orig)", "J+N10+Z(slice)")
BENIGN_CAP = 0.005
TIE = 0.003


def tenth(patterns: Patterns, leave_out: str | None) -> Patterns:
    """``patterns`` with the tenth round's edits whose source is not ``leave_out``."""
    return apply_edits(patterns, TENTH_EDITS, leave_out)


def slice_lines() -> tuple[list[str], list[str]]:
    """The live slice's ordinary and crisis lines (the original pair's tune halves)."""
    from answer_quality_live import load_routing_set

    return (
        load_routing_set("benign", "tune")[::SLICE_BENIGN_STEP],
        load_routing_set("crisis", "tune")[::SLICE_CRISIS_STEP],
    )


def above(fitted: Any, vec: dict[str, np.ndarray], lines: list[str], threshold: float) -> float:
    """The threshold raised just above the highest in-sample score of ``lines`` (those in the
    training data), or ``threshold`` when it is already above or no line is given."""
    if not lines:
        return threshold
    top = float(fitted.score(np.stack([vec[t] for t in lines]), None).max())
    return max(threshold, float(np.nextafter(top, np.inf)))


def z_lines(train: labelled.Labelled) -> dict[str, list[str]]:
    """The training ordinary lines each Z constrains: the original pair's and the slice's."""
    known = set(train.ordinary)
    benign, _ = slice_lines()
    original = labelled.seen_group(labelled.ORIGINAL).ordinary
    return {"orig": [t for t in original if t in known], "slice": [t for t in benign if t in known]}


def score_set(
    fitted: Any,
    vec: dict[str, np.ndarray],
    train: labelled.Labelled,
    pattern_sets: dict[str, dict[str, tuple[str, ...]]],
    parses: dict[str, Any],
    texts: list[str],
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Served flags of ``texts`` per candidate (``pattern_sets`` keyed ``J`` and ``N10``)."""
    from safety_ninth_loso import served
    from safety_patterns_loso import compile_all, hits
    from safety_veto_loso import route, training_pools, veto_threshold_lost

    scores = fitted.score(np.stack([vec[t] for t in texts]), None)
    limits = {"": fitted.threshold}
    limits.update(
        {
            f"+Z({k})": above(fitted, vec, lines, fitted.threshold)
            for k, lines in z_lines(train).items()
        }
    )
    notes = [
        f"threshold {fitted.threshold:.3f} (C {fitted.c:g}), "
        + ", ".join(f"{k} {v:.3f}" for k, v in limits.items() if k)
    ]
    flags: dict[str, np.ndarray] = {}
    for kind, source in pattern_sets.items():
        compiled = compile_all(source)
        pat_train, opinion_train = training_pools(train, compiled, parses)
        t_k, _ = veto_threshold_lost(
            fitted.oof, pat_train | opinion_train, VETO_SHARE * len(train.crisis)
        )
        t_p, _ = veto_threshold_lost(fitted.oof, pat_train, 0.0)
        notes.append(f"{kind}: t_K {t_k:.2f}, t_P {t_p:.2f}")
        routed = route(texts, hits(compiled, texts), parses, scores >= fitted.threshold)
        for z, limit in limits.items():
            label = ("J" if kind == "J" else "J+N10") + z
            flags[label] = served(routed, scores, limit, t_k, t_p)
    return flags, notes


def run_row(
    name: str,
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
    patterns: dict[str, dict[str, tuple[str, ...]]],
) -> dict[str, Any]:
    """One left-out set: per candidate (caught, crisis, alarms, benign), honest and with every
    edit applied (in-sample for the patterns)."""
    from safety_ninth_loso import honest_source, narrowed
    from safety_patterns_loso import fit_left_out

    group = labelled.seen_group(name)
    train = labelled.training(leave_out=name)
    honest = narrowed(honest_source(patterns["before"], patterns["eighth"], name), name)
    fitted = fit_left_out(vec, train, MAX_ALARM_RATE)
    texts = group.crisis + group.ordinary
    is_crisis = np.r_[np.ones(len(group.crisis), bool), np.zeros(len(group.ordinary), bool)]
    row: dict[str, Any] = {}
    for mode, sets in (
        ("honest", {"J": honest, "N10": tenth(honest, name)}),
        ("all", {"J": patterns["current"], "N10": tenth(patterns["current"], None)}),
    ):
        flags, notes = score_set(fitted, vec, train, sets, parses, texts)
        row[mode] = {
            c: [
                int(f[is_crisis].sum()),
                int(is_crisis.sum()),
                int(f[~is_crisis].sum()),
                int((~is_crisis).sum()),
            ]
            for c, f in flags.items()
        }
        row[f"notes_{mode}"] = notes
    return row


def servable(
    vec: dict[str, np.ndarray], parses: dict[str, Any], current: dict[str, tuple[str, ...]]
) -> dict[str, Any]:
    """Each candidate refitted on all eleven groups: the slice's ordinary lines with a crisis
    reply and crisis lines without one (both must be 0)."""
    from safety_patterns_loso import fit_left_out

    train = labelled.training()
    fitted = fit_left_out(vec, train, MAX_ALARM_RATE)
    benign, crisis = slice_lines()
    flags, notes = score_set(
        fitted, vec, train, {"J": current, "N10": tenth(current, None)}, parses, crisis + benign
    )
    return {
        "slice": {
            c: [int((~f[: len(crisis)]).sum()), int(f[len(crisis) :].sum())]
            for c, f in flags.items()
        },
        "notes": notes,
    }


def choose(
    means: dict[str, tuple[float, float]], in_sample: dict[str, int], ok: dict[str, bool]
) -> str | None:
    """The rule (ADR 0202, tenth round): among servable candidates (those with mean benign at
    most 0.5 %, if any), the highest mean recall; within 0.003 of it, the lowest mean benign,
    then fewer in-sample alarms, then the simpler. None when no candidate is servable."""
    pool = [c for c in CANDIDATES if ok[c]]
    capped = [c for c in pool if means[c][1] <= BENIGN_CAP + 1e-12]
    pool = capped or pool
    if not pool:
        return None
    best = max(means[c][0] for c in pool)
    tied = [c for c in pool if means[c][0] >= best - TIE - 1e-12]
    return min(tied, key=lambda c: (round(means[c][1], 12), in_sample[c], CANDIDATES.index(c)))


def table(out: Path) -> None:
    """Print the table of every kept row and the rule's choice."""
    order = [labelled.ORIGINAL, *labelled.SEEN_SETS]
    rows, names = kept_rows(out, order)
    means = print_rows({n: rows[n]["honest"] for n in names}, names, CANDIDATES)
    in_sample = {c: sum(rows[n]["all"][c][2] for n in names) for c in CANDIDATES}
    print(
        "| benign alarms, every edit applied (in-sample) | "
        + " | ".join(str(in_sample[c]) for c in CANDIDATES)
        + " |"
    )
    for n in names:
        print(f"<!-- {n}: {'; '.join(rows[n]['notes_honest'])} -->")
    path = out / "servable.json"
    if not path.exists() or len(names) < len(order):
        print(f"\n{len(names)} of {len(order)} rows; servable: {path.exists()}")
        return
    fit = json.loads(path.read_text())
    print(
        "| slice (crisis missed / benign alarms), refitted on all | "
        + " | ".join(f"{fit['slice'][c][0]} / {fit['slice'][c][1]}" for c in CANDIDATES)
        + " |"
    )
    print(f"<!-- all: {'; '.join(fit['notes'])} -->")
    ok = {c: fit["slice"][c] == [0, 0] for c in CANDIDATES}
    print(f"\nchosen by the rule: {choose(means, in_sample, ok)}")


def main() -> None:
    """Score the rows asked for (or all, and the servable check), keep them, print the table."""
    parser = round_parser((__doc__ or "").split("\n")[0], Path("/tmp/safety_tenth_loso"))
    parser.add_argument(
        "--current",
        type=Path,
        default=Path("/tmp/patterns_ninth.py"),
        help="safety/patterns.py of the ninth round (0cbee6c; the served file has TENTH_EDITS)",
    )
    args = parser.parse_args()
    join_seen(JOINING)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.table:
        from safety_patterns_loso import load_patterns
        from safety_veto_loso import seen_inputs

        patterns = {
            "before": load_patterns(args.before),
            "eighth": load_patterns(args.eighth),
            "current": load_patterns(args.current),
        }
        _, vec, parses = seen_inputs(args.vectors, args.parses)
        keep_rows(
            args.rows,
            args.out,
            lambda name: (
                servable(vec, parses, patterns["current"])
                if name == "servable"
                else run_row(name, vec, parses, patterns)
            ),
        )
    table(args.out)


if __name__ == "__main__":
    main()
