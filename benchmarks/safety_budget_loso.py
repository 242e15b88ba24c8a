"""Leave-one-set-out for the check's alarm budget and the classifier veto (ADR 0202, eighth round).

On three blind sets by new writers the learned check alone raised no benign alarm, while its
misses were most of the recall gap: its budget (``MAX_ALARM_RATE``, 0.2 % of out-of-fold
ordinary phrasings) may be stricter than it needs to be. This scores, for each seen set of
``safety.labelled`` in turn, with the check fitted on everything else exactly as
``benchmarks/safety_loso.py`` fits the served check (``safety_patterns_loso.fit_left_out``) and
the patterns "honest" per row (``safety_patterns_loso.honest_patterns``):

- ``A`` today: budget 0.2 %, no veto;
- ``B(b)``: the check's budget ``b`` in 0.4 %, 0.8 % (threshold by the same cross-validation);
- ``K(X)``: the seventh round's veto on the classifier's second opinion only, at budget 0.2 %
  (``safety_veto_loso``: ``t_low(X)`` over the training crisis lines a pattern or the second
  opinion catches, ``X`` in 0, 0.5 %, 1 % of the training crisis lines);
- ``B(b)+K(X)``: both, every pair (``t_low`` from the out-of-fold scores of the ``b`` fit).

The choice rule was written in the ADR before any figure and is applied by ``choose``. Columns
marked "not a candidate" are printed for the record only. Blind sets not yet reported are
never read.

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    nice -n 19 .venv/bin/python benchmarks/safety_budget_loso.py --before /tmp/patterns_before.py
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety import labelled  # noqa: E402

# The check's budget before this round (``A``); the served one is ``fit_similarity.MAX_ALARM_RATE``.
BASELINE_BUDGET = 0.002
BUDGETS = (0.004, 0.008)
SHARES = (0.0, 0.005, 0.01)
MAX_BENIGN = 0.005  # mean served benign → crisis allowed by the rule
TIE_RECALL = 0.003  # recall within this of the best counts as tied


@dataclass(frozen=True)
class Candidate:
    """One routing of the eighth round: the check's budget, and the veto share (None: none)."""

    budget: float
    share: float | None

    @property
    def label(self) -> str:
        """``A``, ``K(X)``, ``B(b)`` or ``B(b)+K(X)``."""
        veto = None if self.share is None else f"K({self.share:.1%})"
        if self.budget == BASELINE_BUDGET:
            return veto or "A"
        budget = f"B({self.budget:.1%})"
        return budget if veto is None else f"{budget}+{veto}"

    def simplicity(self) -> tuple[int, float, float]:
        """The rule's order: A < K < B < B+K, then smaller X, then smaller b."""
        kind = (0 if self.budget == BASELINE_BUDGET else 2) + (self.share is not None)
        return kind, self.share or 0.0, self.budget


def candidates() -> list[Candidate]:
    """Every candidate of the rule, in the table's order."""
    out = [Candidate(BASELINE_BUDGET, None)]
    out += [Candidate(b, None) for b in BUDGETS]
    out += [Candidate(BASELINE_BUDGET, x) for x in SHARES]
    out += [Candidate(b, x) for b in BUDGETS for x in SHARES]
    return out


def choose(means: dict[Candidate, tuple[float, float]]) -> Candidate | None:
    """The rule (ADR 0202, eighth round): the highest mean served recall with mean served
    benign ≤ 0.5 %; candidates within 0.003 of it are tied, and the lowest mean benign among
    them wins, then the simplest. None when no candidate meets the benign limit."""
    allowed = {c: v for c, v in means.items() if v[1] <= MAX_BENIGN + 1e-12}
    if not allowed:
        return None
    best = max(recall for recall, _ in allowed.values())
    tied = {c: v for c, v in allowed.items() if v[0] >= best - TIE_RECALL - 1e-12}
    lowest = min(benign for _, benign in tied.values())
    return min((c for c, v in tied.items() if v[1] <= lowest + 1e-12),
               key=Candidate.simplicity)


def main() -> None:
    """Score every candidate per left-out set, print the tables and the choice."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--parses", type=Path, default=Path("/tmp/safety_patterns_parses.json"))
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/safety_loso_vectors.npz"))
    args = parser.parse_args()
    from safety_patterns_loso import fit_left_out, hits, honest_patterns, load_patterns
    from safety_veto_loso import route, seen_inputs, training_pools, veto_threshold_lost, vetoed

    before = load_patterns(args.before)
    after = load_patterns(ROOT / "safety" / "patterns.py")
    groups, vec, parses = seen_inputs(args.vectors, args.parses)
    cands = candidates()
    extra = [f"check alone, budget {b:.1%}" for b in (BASELINE_BUDGET, *BUDGETS)]
    extra += [f"{Candidate(b, x).label}, pool: second opinion only"
              for b in (BASELINE_BUDGET, *BUDGETS) for x in SHARES]
    served: dict[str, list[tuple[int, int, int, int]]] = {}  # caught, crisis, alarms, benign
    print("| left-out set | " + " | ".join(c.label for c in cands) + " |")
    print("|---|" + "---|" * len(cands))
    for name, group in groups.items():
        started = time.time()
        train = labelled.training(leave_out=name)
        honest = honest_patterns(before, after, name)
        pat_train, opinion_train = training_pools(train, honest, parses)
        texts = group.crisis + group.ordinary
        is_crisis = np.r_[np.ones(len(group.crisis), bool), np.zeros(len(group.ordinary), bool)]
        found = hits(honest, texts)
        out: dict[str, np.ndarray] = {}
        notes = []
        for budget in (BASELINE_BUDGET, *BUDGETS):
            fitted = fit_left_out(vec, train, budget)
            scores = fitted.score(np.stack([vec[t] for t in texts]), None)
            routed = route(texts, found, parses, scores >= fitted.threshold)
            out[Candidate(budget, None).label] = routed.today()
            out[f"check alone, budget {budget:.1%}"] = routed.check
            notes.append(f"budget {budget:.1%}: C {fitted.c:g}, threshold "
                         f"{fitted.threshold:.2f}, cv recall {fitted.cv_recall:.3f}")
            for share in SHARES:
                allowed = share * len(train.crisis)
                t_low, lost = veto_threshold_lost(fitted.oof, pat_train | opinion_train, allowed)
                out[Candidate(budget, share).label] = vetoed("K", routed, scores >= t_low)
                notes.append(f"K({share:.1%}) t_low {t_low:.2f} (lost {lost:.1f})")
                t_op, _ = veto_threshold_lost(fitted.oof, opinion_train, allowed)
                out[f"{Candidate(budget, share).label}, pool: second opinion only"] = vetoed(
                    "K", routed, scores >= t_op)
        for label, flags in out.items():
            served.setdefault(label, []).append((int(flags[is_crisis].sum()),
                                                 int(is_crisis.sum()),
                                                 int(flags[~is_crisis].sum()),
                                                 int((~is_crisis).sum())))
        print(f"| {name} ({int(is_crisis.sum())} / {int((~is_crisis).sum())}) | "
              + " | ".join(cell(served[c.label][-1]) for c in cands) + " |", flush=True)
        print(f"<!-- {name}: training crisis {len(train.crisis)}, pattern-caught "
              f"{int(pat_train.sum())}, second-opinion-caught {int(opinion_train.sum())}, both "
              f"{int((pat_train & opinion_train).sum())}; {'; '.join(notes)}; "
              f"{time.time() - started:.0f} s -->", flush=True)
    means = {c: mean(served[c.label]) for c in cands}
    print("| **mean** | " + " | ".join(f"{r:.4f} / {b:.2%}" for r, b in means.values()) + " |")
    print("| crisis missed / benign alarms | "
          + " | ".join(totals(served[c.label]) for c in cands) + " |")
    print("\nNot candidates (for the record):\n")
    print("| figure | mean | crisis missed / benign alarms |")
    print("|---|---|---|")
    for label in extra:
        r, b = mean(served[label])
        print(f"| {label} | {r:.4f} / {b:.2%} | {totals(served[label])} |")
    chosen = choose(means)
    print(f"\nchosen by the rule: {chosen.label if chosen else 'none meets the benign limit'}")


def cell(counts: tuple[int, int, int, int]) -> str:
    """Served recall / benign → crisis of one left-out set."""
    caught, crisis, alarms, benign = counts
    return f"{caught / crisis:.3f} / {alarms / benign:.1%}"


def mean(rows: list[tuple[int, int, int, int]]) -> tuple[float, float]:
    """Mean over the left-out sets of (served recall, benign → crisis)."""
    return (float(np.mean([c / n for c, n, _, _ in rows])),
            float(np.mean([a / b for _, _, a, b in rows])))


def totals(rows: list[tuple[int, int, int, int]]) -> str:
    """Crisis lines missed / benign lines alarmed, over all left-out sets."""
    return f"{sum(n - c for c, n, _, _ in rows)} / {sum(a for _, _, a, _ in rows)}"


if __name__ == "__main__":
    main()
