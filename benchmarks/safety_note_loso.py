"""Leave-one-set-out for the helplines beside the answer (ADR 0202, twenty-third round).

The crisis reply replaces the answer; it is kept for messages the check is sure of. This round
measures a quieter second band: a guidance-bound message that gets no crisis reply but that the
learned check scores at or above ``note_threshold`` gets its answer followed by one line with the
helplines. Candidates differ only in that threshold, set by the same repeated cross-validation as
the crisis threshold at a larger alarm budget (``NOTE_BUDGETS``; none = no note).

Each of the seen groups (``safety.labelled``) is left out in turn; the check is fitted on the rest
exactly as ``safety_patterns_loso.fit_left_out`` fits the served one. Per row: crisis lines that
see the helplines (the crisis reply, approximated as a served pattern or the check at its
threshold, or the note) and ordinary lines that get the note. Rasa's second opinion is left out
of the approximation (it adds crisis replies in both columns alike). Blind sets are never read.

    nice -n 5 .venv/bin/python benchmarks/safety_note_loso.py [--vectors /tmp/v.npz]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety import labelled  # noqa: E402
from safety.detection import detect_safety_concern  # noqa: E402
from safety.learn import budget_threshold  # noqa: E402

NOTE_BUDGETS = (0.02, 0.04, 0.08)
NOTE_CAP = 0.02  # the rule: mean note rate on left-out ordinary lines at most this
MIN_GAIN = 0.010  # and at least this much mean recall of "helplines shown" over none


def note_threshold(oof: tuple[np.ndarray, ...], y: np.ndarray, budget: float) -> float:
    """The note's threshold at ``budget`` over the fit's out-of-fold scores (as the crisis
    threshold is chosen at its own budget)."""
    return budget_threshold([s[y == 0] for s in oof], budget)


def row(name: str, vec: dict[str, np.ndarray]) -> dict[str, list[int]]:
    """Per candidate: [crisis shown, crisis lines, ordinary noted, ordinary lines]."""
    from safety_patterns_loso import fit_left_out

    train = labelled.training(leave_out=name)
    fit = fit_left_out(vec, train)
    y = np.r_[np.ones(len(train.crisis), int), np.zeros(len(train.ordinary), int)]
    group = labelled.seen_group(name)
    out: dict[str, list[int]] = {}
    for kind, texts in (("crisis", group.crisis), ("ordinary", group.ordinary)):
        x = np.stack([vec[t] for t in texts])
        scores = fit.score(x, None)
        pattern = np.array([detect_safety_concern(t) for t in texts], bool)
        crisis = pattern | (scores >= fit.threshold)
        for budget in (None, *NOTE_BUDGETS):
            label = "none" if budget is None else f"{budget:.0%}"
            noted = (~crisis) & (scores >= note_threshold(fit.oof, y, budget)) \
                if budget is not None else np.zeros(len(texts), bool)
            counts = out.setdefault(label, [0, 0, 0, 0])
            if kind == "crisis":
                counts[0] += int((crisis | noted).sum())
                counts[1] += len(texts)
            else:
                counts[2] += int(noted.sum())
                counts[3] += len(texts)
    return out


def main() -> None:
    """Score every seen group left out, print the table and the rule's choice."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/safety_loso_vectors.npz"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/safety_note_loso.json"))
    args = parser.parse_args()
    from safety_loso import vectors_for

    groups = labelled.groups()
    base = labelled.base()
    every = sorted({t for g in groups.values() for t in g.crisis + g.ordinary}
                   | set(base.crisis) | set(base.ordinary))
    vec = vectors_for(every, args.vectors)
    rows = json.loads(args.out.read_text()) if args.out.exists() else {}
    for name in groups:
        if name not in rows:
            rows[name] = row(name, vec)
            args.out.write_text(json.dumps(rows))
            print(f"scored {name}", file=sys.stderr)
    labels = list(next(iter(rows.values())))
    print("| left-out set (crisis / ordinary) | " + " | ".join(
        f"{c}: shown / noted" for c in labels) + " |")
    print("|---|" + "---|" * len(labels))
    for name, counts in rows.items():
        first = counts[labels[0]]
        print(f"| {name} ({first[1]} / {first[3]}) | " + " | ".join(
            f"{counts[c][0] / counts[c][1]:.3f} / {counts[c][2] / counts[c][3]:.1%}"
            for c in labels) + " |")
    means = {c: (float(np.mean([r[c][0] / r[c][1] for r in rows.values()])),
                 float(np.mean([r[c][2] / r[c][3] for r in rows.values()]))) for c in labels}
    print("| **mean** | " + " | ".join(f"{means[c][0]:.4f} / {means[c][1]:.2%}"
                                     for c in labels) + " |")
    totals = [f"{sum(r[c][1] - r[c][0] for r in rows.values())} / "
              f"{sum(r[c][2] for r in rows.values())}" for c in labels]
    print("| crisis without helplines / ordinary noted | " + " | ".join(totals) + " |")
    allowed = [c for c in labels[1:] if means[c][1] <= NOTE_CAP
               and means[c][0] - means["none"][0] >= MIN_GAIN]
    print(f"\nrule: {allowed[-1] if allowed else 'none'}")


if __name__ == "__main__":
    main()
