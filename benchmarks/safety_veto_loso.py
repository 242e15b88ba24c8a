"""Leave-one-set-out for a veto on the lowest learned scores (ADR 0202, seventh round).

On two blind sets by new writers every benign crisis reply came from a lexical pattern or from
the classifier's second opinion; the learned check alone raised none. This measures whether a
pattern hit (and, as a variant, the classifier's second opinion) should still decide alone
when the learned check scores the message very low. For each seen set of ``safety.labelled``
in turn, the check is fitted on everything else exactly as ``benchmarks/safety_loso.py`` fits
it, and the veto threshold is chosen on that training data only (the rule below was written
before any figure):

- ``t_low(X)``: the highest score such that, over the check's out-of-fold scores (3 repeats),
  on average at most ``X`` × (training crisis lines) of the training crisis lines a pattern
  catches (for ``PK`` also those the classifier's second opinion catches) score below it;
- ``A`` today: a pattern hit decides, the classifier's second opinion decides;
- ``P(X)`` a pattern hit gets the crisis reply only at a score ≥ ``t_low``; below it the
  message goes to guidance, where the learned check applies as before;
- ``PK(X)`` the same veto and threshold on the classifier's second opinion as well;
- ``K(X)`` the veto on the classifier's second opinion only, pattern hits deciding as today
  (added after the first table was seen, so not a candidate of the seventh round's rule);
- ``C`` the sixth round's weak tier (``safety_patterns_loso``) on today's patterns.

Patterns are "honest" per row (a sixth-round edit only where another source motivated it),
and Rasa's gate is recomputed from the cached parse's classifier intent. Blind sets not yet
reported are never read.

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    .venv/bin/python benchmarks/safety_veto_loso.py --before /tmp/patterns_before.py
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety import labelled  # noqa: E402
from safety.detection import has_risk_words  # noqa: E402
from safety.gate import SECOND_OPINION_MIN  # noqa: E402
from safety.routing import GUIDANCE_INTENTS, SAFETY_INTENT  # noqa: E402

SHARES = (0.0, 0.005, 0.01)


def veto_threshold(oof: tuple[np.ndarray, ...], rows: np.ndarray, allowed: float) -> float:
    """The highest score t at which on average (over the repeats) at most ``allowed`` of the
    ``rows`` score below t."""
    if not len(rows):
        return -np.inf
    values = np.unique(np.concatenate([s[rows] for s in oof]))
    best = -np.inf
    for t in values:  # ascending; lines strictly below t are lost
        if np.mean([np.sum(s[rows] < t) for s in oof]) <= allowed + 1e-9:
            best = float(t)
        else:
            break
    return best


def second_opinion(text: str, parse: dict[str, Any]) -> bool:
    """The classifier's own safety_concern, confident and backed by a risk word (the gate)."""
    gate = parse.get("gate") or {}
    name, confidence = gate.get("classifier") or (None, 0.0)
    return bool(name == SAFETY_INTENT and confidence >= SECOND_OPINION_MIN
                and has_risk_words(text))


def parses_merged(texts: list[str], cache: Path) -> dict[str, Any]:
    """Rasa's parse per text, reusing ``cache`` and parsing only what it lacks."""
    from safety_sets import rasa_parses

    from stack.model import ensure_model
    from stack.settings import StackSettings

    settings = StackSettings()
    model = ensure_model(settings.bot_dir, settings.models_dir, settings.rasa_bin)
    known: dict[str, Any] = {}
    if cache.exists():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data["model"] == model.name:
            known = dict(data["parses"])
    missing = sorted(set(texts) - set(known))
    if missing:
        known.update(zip(missing, rasa_parses(missing, model), strict=True))
        cache.write_text(json.dumps({"model": model.name, "parses": known}), encoding="utf-8")
    return known


def main() -> None:
    """Score each candidate per left-out set and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--parses", type=Path, default=Path("/tmp/safety_patterns_parses.json"))
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/safety_loso_vectors.npz"))
    args = parser.parse_args()
    from safety_loso import cells, rate, vectors_for
    from safety_patterns_loso import (
        fit_left_out,
        hits,
        honest_patterns,
        load_patterns,
        served_intent,
        weak_threshold,
    )

    before = load_patterns(args.before)
    after = load_patterns(ROOT / "safety" / "patterns.py")
    groups = labelled.groups()
    base = labelled.base()
    seen_texts = sorted({t for g in groups.values() for t in g.crisis + g.ordinary})
    vec = vectors_for(sorted(set(seen_texts) | set(base.crisis) | set(base.ordinary)),
                      args.vectors)
    parses = parses_merged(seen_texts, args.parses)
    rows: dict[str, list[tuple[float, ...]]] = {}
    print("| left-out set | candidate | t_low | lost in training | served |")
    print("|---|---|---|---|---|")
    for name, group in groups.items():
        train = labelled.training(leave_out=name)
        fitted = fit_left_out(vec, train)
        honest = honest_patterns(before, after, name)
        # training crisis lines a pattern catches; and those the classifier's second opinion does
        pat_train = np.array([bool(h) for h in hits(honest, train.crisis)])
        opinion_train = np.array([t in parses and second_opinion(t, parses[t])
                                  for t in train.crisis])
        texts = group.crisis + group.ordinary
        is_crisis = np.r_[np.ones(len(group.crisis), bool), np.zeros(len(group.ordinary), bool)]
        scores = fitted.score(np.stack([vec[t] for t in texts]), None)
        check = scores >= fitted.threshold
        found = hits(honest, texts)
        hit = np.array([bool(h) for h in found])
        opinion = np.array([second_opinion(t, parses[t]) for t in texts])
        # the intent when no pattern decides (the gate recomputed from the classifier)
        intents = [served_intent(t, parses[t], False) for t in texts]
        guided = np.array([i in GUIDANCE_INTENTS for i in intents])
        nonhit_crisis = np.array([i == SAFETY_INTENT for i in intents])  # opinion, no hit
        candidates: dict[str, tuple[float, float, np.ndarray]] = {}
        baseline = hit | nonhit_crisis | (guided & check)
        candidates["A today"] = (np.nan, 0.0, baseline)
        for share in SHARES:
            allowed = share * len(train.crisis)
            for label, pool in (("P", pat_train), ("PK", pat_train | opinion_train),
                                ("K", pat_train | opinion_train)):
                t_low = veto_threshold(fitted.oof, np.nonzero(pool)[0], allowed)
                lost = float(np.mean([np.sum(s[np.nonzero(pool)[0]] < t_low)
                                      for s in fitted.oof]))
                ok = scores >= t_low
                # a vetoed pattern hit goes to guidance (nlu_fallback): the check applies there
                if label == "P":  # the classifier's second opinion still decides
                    by_pattern = hit & (ok | check | opinion)
                    rest = ~hit & (nonhit_crisis | (guided & check))
                elif label == "PK":  # the second opinion vetoed the same way, then guidance
                    by_pattern = hit & (ok | check)
                    rest = ~hit & ((nonhit_crisis & (ok | check)) | (guided & check))
                else:  # K (added after the first table): only the second opinion vetoed
                    by_pattern = hit
                    rest = ~hit & ((nonhit_crisis & (ok | check)) | (guided & check))
                candidates[f"{label}({share:.1%})"] = (t_low, lost, by_pattern | rest)
        # the sixth round's weak tier on today's (honest) patterns, for comparison
        train_hits = hits(honest, train.ordinary)
        weak = set().union(*train_hits)
        weak_only = np.array([bool(h) and h <= weak for h in train_hits])
        t_weak = weak_threshold(fitted.oof, weak_only, len(train.ordinary), len(train.crisis))
        strong = np.array([bool(h - weak) for h in found])
        weak_ok = np.array([bool(h) and h <= weak for h in found]) & (scores >= t_weak)
        weak_intents = [served_intent(t, parses[t], bool(s)) for t, s in zip(texts, strong,
                                                                            strict=True)]
        c_served = np.array([i == SAFETY_INTENT or (i in GUIDANCE_INTENTS and bool(b))
                             for i, b in zip(weak_intents, strong | weak_ok | check,
                                             strict=True)])
        candidates["C weak tier"] = (t_weak, np.nan, c_served)
        for label, (t_low, lost, served) in candidates.items():
            row = (rate(served[is_crisis]), rate(served[~is_crisis]))
            rows.setdefault(label, []).append(row)
            print(f"| {name} ({int(is_crisis.sum())} / {int((~is_crisis).sum())}) | {label} | "
                  f"{t_low:.2f} | {lost:.1f} | {cells(row)} |", flush=True)
        print(f"<!-- {name}: threshold {fitted.threshold:.2f}, "
              f"training crisis {len(train.crisis)}, "
              f"pattern-caught {int(pat_train.sum())}, opinion-caught {int(opinion_train.sum())},"
              f" weak patterns {len(weak)} -->", flush=True)
    print("| **mean** | candidate | | | served |")
    for label, values in rows.items():
        print(f"| **mean** | {label} | | | {cells(tuple(np.mean(values, axis=0)))} |")


if __name__ == "__main__":
    main()
