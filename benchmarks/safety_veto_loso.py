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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety import labelled  # noqa: E402
from safety.gate import second_opinion as gate_opinion  # noqa: E402
from safety.learn import veto_threshold  # noqa: E402
from safety.routing import GUIDANCE_INTENTS, SAFETY_INTENT  # noqa: E402

SHARES = (0.0, 0.005, 0.01)


@dataclass(frozen=True)
class Routed:
    """Per line of a left-out set, what today's routing decides on: a pattern hit; the
    classifier's second opinion; that opinion deciding with no pattern hit (the gate's
    ``classifier`` reason); a guidance-bound intent; the learned check's flag."""

    hit: np.ndarray
    opinion: np.ndarray
    nonhit_crisis: np.ndarray
    guided: np.ndarray
    check: np.ndarray

    def today(self) -> np.ndarray:
        """Served today (``A``): a pattern hit or the second opinion decides; guidance-bound
        lines get the check."""
        return self.hit | self.nonhit_crisis | (self.guided & self.check)


def vetoed(label: str, routed: Routed, ok: np.ndarray) -> np.ndarray:
    """Served with the veto ``label`` (``P``, ``PK`` or ``K``); ``ok``: the score reaches
    ``t_low``. A vetoed line goes to guidance (``nlu_fallback``), where the check applies."""
    hit, check = routed.hit, routed.check
    if label == "P":  # the classifier's second opinion still decides
        by_pattern = hit & (ok | check | routed.opinion)
        rest = ~hit & (routed.nonhit_crisis | (routed.guided & check))
    elif label == "PK":  # the second opinion vetoed the same way, then guidance
        by_pattern = hit & (ok | check)
        rest = ~hit & ((routed.nonhit_crisis & (ok | check)) | (routed.guided & check))
    elif label == "K":  # only the second opinion vetoed; pattern hits decide as today
        by_pattern = hit
        rest = ~hit & ((routed.nonhit_crisis & (ok | check)) | (routed.guided & check))
    else:
        raise ValueError(f"unknown veto {label!r}")
    return np.asarray(by_pattern | rest)


def veto_threshold_lost(oof: tuple[np.ndarray, ...], pool: np.ndarray,
                        allowed: float) -> tuple[float, float]:
    """``veto_threshold`` over the training crisis lines marked in ``pool``, and how many of
    them fall below it on average over the repeats."""
    rows = np.nonzero(pool)[0]
    t_low = veto_threshold(oof, rows, allowed)
    return t_low, float(np.mean([np.sum(s[rows] < t_low) for s in oof]))


def training_pools(train: labelled.Labelled, compiled: Any,
                   parses: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Per training crisis line: a pattern of ``compiled`` catches it; the classifier's second
    opinion holds for it (known only for lines of the seen sets, which have a parse)."""
    from safety_patterns_loso import hits

    pattern = np.array([bool(h) for h in hits(compiled, train.crisis)])
    opinion = np.array([t in parses and second_opinion(t, parses[t]) for t in train.crisis])
    return pattern, opinion


def route(texts: list[str], found: list[set[Any]], parses: dict[str, Any],
          check: np.ndarray) -> Routed:
    """Today's routing of ``texts`` given their pattern hits and the check's flags; the gate is
    recomputed from the cached parse's classifier intent where no pattern decides."""
    from safety_patterns_loso import served_intent

    intents = [served_intent(t, parses[t], False) for t in texts]
    return Routed(hit=np.array([bool(h) for h in found]),
                  opinion=np.array([second_opinion(t, parses[t]) for t in texts]),
                  nonhit_crisis=np.array([i == SAFETY_INTENT for i in intents]),
                  guided=np.array([i in GUIDANCE_INTENTS for i in intents]),
                  check=np.asarray(check))


def second_opinion(text: str, parse: dict[str, Any]) -> bool:
    """The classifier's own safety_concern, confident and backed by a risk word (the gate)."""
    gate = parse.get("gate") or {}
    return gate_opinion(text, tuple(gate.get("classifier") or ("", 0.0)))


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


def seen_inputs(vectors: Path, parses: Path) -> tuple[dict[str, labelled.Labelled],
                                                      dict[str, np.ndarray], dict[str, Any]]:
    """The seen groups, the vector of every phrasing (cached in ``vectors``) and Rasa's parse
    of every seen line (cached in ``parses``)."""
    from safety_loso import vectors_for

    groups = labelled.groups()
    base = labelled.base()
    seen_texts = sorted({t for g in groups.values() for t in g.crisis + g.ordinary})
    vec = vectors_for(sorted(set(seen_texts) | set(base.crisis) | set(base.ordinary)), vectors)
    return groups, vec, parses_merged(seen_texts, parses)


def main() -> None:
    """Score each candidate per left-out set and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--parses", type=Path, default=Path("/tmp/safety_patterns_parses.json"))
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/safety_loso_vectors.npz"))
    args = parser.parse_args()
    from safety_loso import cells, rate
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
    groups, vec, parses = seen_inputs(args.vectors, args.parses)
    rows: dict[str, list[tuple[float, ...]]] = {}
    print("| left-out set | candidate | t_low | lost in training | served |")
    print("|---|---|---|---|---|")
    for name, group in groups.items():
        train = labelled.training(leave_out=name)
        fitted = fit_left_out(vec, train)
        honest = honest_patterns(before, after, name)
        pat_train, opinion_train = training_pools(train, honest, parses)
        texts = group.crisis + group.ordinary
        is_crisis = np.r_[np.ones(len(group.crisis), bool), np.zeros(len(group.ordinary), bool)]
        scores = fitted.score(np.stack([vec[t] for t in texts]), None)
        found = hits(honest, texts)
        routed = route(texts, found, parses, scores >= fitted.threshold)
        candidates: dict[str, tuple[float, float, np.ndarray]] = {}
        candidates["A today"] = (np.nan, 0.0, routed.today())
        for share in SHARES:
            for label, pool in (("P", pat_train), ("PK", pat_train | opinion_train),
                                ("K", pat_train | opinion_train)):
                t_low, lost = veto_threshold_lost(fitted.oof, pool, share * len(train.crisis))
                candidates[f"{label}({share:.1%})"] = (t_low, lost,
                                                       vetoed(label, routed, scores >= t_low))
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
                             for i, b in zip(weak_intents, strong | weak_ok | routed.check,
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
