"""Leave-one-set-out for the patterns' benign alarms on new writers (ADR 0202, ninth round).

After the eighth round, five of the six benign crisis replies on the newest writer (fresh9)
came from the lexical patterns. This scores, for each seen set of ``safety.labelled`` in turn,
with the check fitted on everything else at the served budget (``fit_similarity``:
``MAX_ALARM_RATE``) exactly as ``benchmarks/safety_budget_loso.py`` fits it, the patterns
"honest" per row (``safety_patterns_loso.honest_patterns``) and Rasa's gate recomputed from the
cached parse:

- ``A8`` the baseline, the eighth round as served: budget 0.8 %, the veto ``K(0.5 %)`` on the
  classifier's second opinion (``t_K`` over the training crisis lines a pattern or the second
  opinion catches, as ``safety.fit_similarity`` fits it);
- ``N`` narrowed patterns: ``NINTH_EDITS`` (each one names the source whose ordinary line it
  was written for; in a row an edit applies only when its source is not the left-out set);
- ``P(0)`` a veto on every pattern hit: a hit decides only at a check score of at least
  ``t_P``, the highest score below which no training crisis line a pattern catches scores out
  of fold (``safety.learn.veto_threshold``, 0 allowed); below it the message goes to guidance
  (the check at its threshold, then the second opinion under ``K``);
- ``Q(50 %)`` the same veto at ``t_Q``, the median out-of-fold score of the training ordinary
  phrasings (a cut-off set by the ordinary lines, not the crisis ones);
- ``N+P(0)`` both.

The choice rule was written in the ADR before any figure and is applied by ``choose``. Blind
sets not yet reported are never read. ``--current`` names the patterns of the eighth round
(the served file until the ninth round applied ``NINTH_EDITS`` to it; since then pass the old
copy):

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 19 .venv/bin/python benchmarks/safety_ninth_loso.py --before /tmp/patterns_before.py \
        --current /tmp/patterns_eighth.py
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety_round import Patterns, apply_edits  # noqa: E402

from safety import labelled  # noqa: E402
from safety.fit_similarity import MAX_ALARM_RATE, VETO_SHARE  # noqa: E402
from safety.patterns import _TOPIC_ONLY  # noqa: E402

EXEMPLARS = "exemplars"
_GONE = r"(?:years?|months?) ago,? i (?:left|fled|escaped|got out of) (?:an?|my) abusive\b"
# (category, index, source, old text, new text): textual edits of one pattern each, applied in
# order; ``source`` is the seen set (or the written exemplars) whose ordinary line prompted it.
NINTH_EDITS: tuple[tuple[str, int, str, str, str], ...] = (
    # "hall bookings are being abused"
    ("abuse", 6, "fresh7", "badges?|permits?)", "badges?|permits?|bookings?|halls?|venues?)"),
    ("abuse", 56, "fresh7", "badges?|permits?)", "badges?|permits?|bookings?|halls?|venues?)"),
    # "our car got hit by a council van"
    ("abuse", 56, "fresh7", "| by (?:a |the )?(?:ball|", r"| by (?:a |the |an )?(?:\w+ )?(?:ball|"),
    # a pet's overdose
    ("suicide_self_harm", 22, "fresh7", r"^(?!.*\b(?:training",
     r"^(?!.*\b(?:cats?|dogs?|pets?|puppy|kitten|horse|rabbit|hamster)(?:'s)? (?:\w+ ){0,2}"
     r"overdos)^(?!.*\b(?:training"),
    # "going to kill me if I don't get the permit sorted"
    ("immediate_danger", 12, "fresh7", r"(?:me|us|my)\b",
     r"(?:me|us|my)\b(?! if (?:i|we) (?:don'?t|do not) get (?:\w+ ){0,5}(?:sorted|done|fixed"
     r"|booked|renewed)\b)"),
    # "the domestic abuse officer", "the domestic abuse housing alliance"
    ("abuse", 5, "fresh7", "|refuges?))", "|refuges?|officers?))"),
    ("abuse", 5, "fresh8", "|refuges?", "|refuges?|(?:housing )?alliance"),
    # "will kill me if the pool is shut"
    ("abuse", 16, "fresh9", "| if i (?:forget|miss|lose))",
     r"| if i (?:forget|miss|lose)| if (?:the|my|our) (?:\w+ ){0,2}(?:is|are|'s) (?:shut|closed"
     r"|cancelled|full)\b)"),
    # "was abusive in an email to me"
    ("abuse", 9, "fresh9", r"(?! to me\b)",
     r"(?! to me\b| (?:in|by) (?:an? |the )?(?:email|letter|message|phone call|call|comment|post"
     r"|reply|meeting)s?\b)"),
    # "years ago I left an abusive marriage"
    ("abuse", 9, "fresh9", r"\babus(?:es|ing|ed|ive)\b",
     rf"^(?!.*\b{_GONE}).*\babus(?:es|ing|ed|ive)\b"),
    ("abuse", 10, "fresh9", r"^(?!.*\b(?:left|fled", rf"^(?!.*\b{_GONE})^(?!.*\b(?:left|fled"),
    # "the policy on housing people fleeing domestic abuse", "training on coercive control"
    ("abuse", 34, "fresh9", r"|\bflee(?:ing)?\b", rf"|{_TOPIC_ONLY}.*\bflee(?:ing)?\b"),
    ("abuse", 19, "fresh9", r"\bcoercive control|", rf"{_TOPIC_ONLY}.*\bcoercive control|"),
    # "this chatbot is on fire today"
    ("immediate_danger", 27, EXEMPLARS, r"\b(?:is|are|'s|'re) on fire\b",
     r"\b(?:is|are|'s|'re) on fire\b(?! today\b| this (?:week|season|year)\b)"),
)
CANDIDATES = ("A8", "N", "P(0)", "Q(50%)", "N+P(0)")  # in the rule's order of simplicity


def narrowed(patterns: Patterns, leave_out: str | None) -> Patterns:
    """``patterns`` with the ninth round's edits whose source is not ``leave_out`` (all of them
    for None)."""
    return apply_edits(patterns, NINTH_EDITS, leave_out)


@dataclass(frozen=True)
class Row:
    """Counts of one candidate on one left-out set: caught, crisis, alarms, benign."""

    caught: int
    crisis: int
    alarms: int
    benign: int


def served(routed: Any, scores: np.ndarray, threshold: float, t_k: float,
           t_p: float) -> np.ndarray:
    """Served crisis replies: a pattern hit decides at a score ≥ ``t_p`` (−inf: always);
    otherwise guidance decides: the check at ``threshold``, then the second opinion unless the
    score is below ``t_k``; lines no pattern hits are routed as Rasa's gate sends them."""
    hit = routed.hit
    check = scores >= threshold
    opinion_ok = routed.opinion & (scores >= t_k)
    by_pattern = hit & ((scores >= t_p) | check | opinion_ok)
    rest = ~hit & ((routed.nonhit_crisis & ((scores >= t_k) | check)) | (routed.guided & check))
    return np.asarray(by_pattern | rest)


def choose(means: dict[str, tuple[float, float]], missed: dict[str, int],
           in_sample: dict[str, int]) -> str:
    """The rule (ADR 0202, ninth round): among the candidates whose mean served recall is at
    least A8's and whose missed count is at most A8's, the lowest mean served benign; equal
    means go to fewer in-sample benign alarms (every edit applied), then to the simpler."""
    recall_a, _ = means["A8"]
    eligible = [c for c in CANDIDATES if means[c][0] >= recall_a - 1e-12
                and missed[c] <= missed["A8"]]
    return min(eligible, key=lambda c: (round(means[c][1], 12), in_sample[c],
                                        CANDIDATES.index(c)))


def main() -> None:
    """Score the baseline and every candidate per left-out set, print the table and choice."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True,
                        help="safety/patterns.py before the sixth round (233e040)")
    parser.add_argument("--current", type=Path, default=ROOT / "safety" / "patterns.py",
                        help="safety/patterns.py of the eighth round")
    parser.add_argument("--parses", type=Path, default=Path("/tmp/safety_patterns_parses.json"))
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/safety_loso_vectors.npz"))
    args = parser.parse_args()
    from safety_patterns_loso import compile_all, fit_left_out, hits, load_patterns
    from safety_veto_loso import route, seen_inputs, training_pools, veto_threshold_lost

    before, current = load_patterns(args.before), load_patterns(args.current)
    groups, vec, parses = seen_inputs(args.vectors, args.parses)
    rows: dict[str, list[Row]] = {c: [] for c in CANDIDATES}
    in_sample = {c: 0 for c in CANDIDATES}
    print("| left-out set | " + " | ".join(CANDIDATES) + " |")
    print("|---|" + "---|" * len(CANDIDATES))
    for name, group in groups.items():
        started = time.time()
        train = labelled.training(leave_out=name)
        honest = honest_source(before, current, name)
        pattern_sets = {("A8", True): honest, ("N", True): narrowed(honest, name),
                        ("A8", False): current, ("N", False): narrowed(current, None)}
        fitted = fit_left_out(vec, train, MAX_ALARM_RATE)
        texts = group.crisis + group.ordinary
        is_crisis = np.r_[np.ones(len(group.crisis), bool), np.zeros(len(group.ordinary), bool)]
        scores = fitted.score(np.stack([vec[t] for t in texts]), None)
        t_q = float(np.median(np.concatenate([s[len(train.crisis):] for s in fitted.oof])))
        notes = [f"threshold {fitted.threshold:.2f}, C {fitted.c:g}, t_Q {t_q:.2f}"]
        for (kind, honest_row), source in pattern_sets.items():
            compiled = compile_all(source)
            pat_train, opinion_train = training_pools(train, compiled, parses)
            t_k, _ = veto_threshold_lost(fitted.oof, pat_train | opinion_train,
                                         VETO_SHARE * len(train.crisis))
            t_p0, _ = veto_threshold_lost(fitted.oof, pat_train, 0.0)
            routed = route(texts, hits(compiled, texts), parses, scores >= fitted.threshold)
            if honest_row:
                notes.append(f"{kind}: t_K {t_k:.2f}, t_P(0) {t_p0:.2f}")
            for label in CANDIDATES:
                if ("N" if label.startswith("N") else "A8") != kind:
                    continue
                t_p = {"P(0)": t_p0, "N+P(0)": t_p0, "Q(50%)": t_q}.get(label, -np.inf)
                flags = served(routed, scores, fitted.threshold, t_k, t_p)
                if honest_row:
                    rows[label].append(Row(int(flags[is_crisis].sum()), int(is_crisis.sum()),
                                           int(flags[~is_crisis].sum()),
                                           int((~is_crisis).sum())))
                else:
                    in_sample[label] += int(flags[~is_crisis].sum())
        print(f"| {name} ({int(is_crisis.sum())} / {int((~is_crisis).sum())}) | "
              + " | ".join(cell(rows[c][-1]) for c in CANDIDATES) + " |", flush=True)
        print(f"<!-- {name}: {'; '.join(notes)}; {time.time() - started:.0f} s -->", flush=True)
    means = {c: mean(rows[c]) for c in CANDIDATES}
    missed = {c: sum(r.crisis - r.caught for r in rows[c]) for c in CANDIDATES}
    print("| **mean** | " + " | ".join(f"{r:.4f} / {b:.2%}" for r, b in means.values()) + " |")
    print("| crisis missed / benign alarms | " + " | ".join(
        f"{missed[c]} / {sum(r.alarms for r in rows[c])}" for c in CANDIDATES) + " |")
    print("| benign alarms, every edit applied (in-sample) | "
          + " | ".join(str(in_sample[c]) for c in CANDIDATES) + " |")
    print(f"\nchosen by the rule: {choose(means, missed, in_sample)}")


def honest_source(before: dict[str, tuple[str, ...]], current: dict[str, tuple[str, ...]],
                  name: str) -> dict[str, tuple[str, ...]]:
    """The eighth round's patterns with only the sixth-round edits another writer's lines
    prompted (``safety_patterns_loso.honest_patterns``, as expressions)."""
    from safety_patterns_loso import EDIT_SOURCES

    return {c: tuple(current[c][i] if (c, i) not in EDIT_SOURCES
                     or set(EDIT_SOURCES[(c, i)]) - {name} else p for i, p in enumerate(ps))
            for c, ps in before.items()}


def cell(row: Row) -> str:
    """Served recall / benign → crisis of one left-out set."""
    return f"{row.caught / row.crisis:.3f} / {row.alarms / row.benign:.1%}"


def mean(rows: list[Row]) -> tuple[float, float]:
    """Mean over the left-out sets of (served recall, benign → crisis)."""
    return (float(np.mean([r.caught / r.crisis for r in rows])),
            float(np.mean([r.alarms / r.benign for r in rows])))


if __name__ == "__main__":
    main()
