"""Leave-one-set-out for the lexical patterns' benign alarms (ADR 0202, sixth round).

The learned check flags almost no benign line of an unseen writer; the patterns cause most of
the remaining crisis replies to ordinary questions. This scores ways of cutting them, each set
of ``safety.labelled`` left out in turn, with the learned check fitted on everything else
exactly as ``benchmarks/safety_loso.py`` fits its chosen candidate:

- ``A`` the patterns before the change (``--before``: a copy of the old ``safety/patterns.py``);
- ``B`` narrowed patterns (the served ``safety/patterns.py``); each changed pattern names in
  ``EDIT_SOURCES`` the sets whose ordinary lines it was narrowed for, and in the row of a
  left-out set an edit is applied only if some *other* source motivated it (``B, honest``);
  ``B, all edits`` applies every edit (in-sample on the seen sets);
- ``C`` a weak tier fixed by a rule: a pattern that flags any ordinary phrasing of the training
  data is weak; a weak hit counts only in the guidance backstop and only when the learned
  check's score reaches ``t_low``, the lowest score at which at most ``WEAK_ALARM_RATE`` of the
  training ordinary phrasings are weak hits at or above it (out-of-fold scores, 5 folds x 3);
  the Rasa gate ignores weak hits;
- ``D`` = B (honest) + C; ``E`` = A with C's weak patterns removed.

Served figures recompute the Rasa gate for lines whose old phrase no longer decides, from the
classifier's own top intent in the cached parse (``bot/nlu_gate.py``'s rule). The patterns were
hand-written while looking at the original pair and the fresh sets, so figures for ``A`` on seen
sets are partly in-sample. Blind sets not yet reported are never read.

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    .venv/bin/python benchmarks/safety_patterns_loso.py --before /tmp/patterns_before.py
        [--parses /tmp/safety_patterns_parses.json] [--vectors /tmp/safety_loso_vectors.npz]
        [--list]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety import labelled  # noqa: E402
from safety.detection import has_risk_words, normalise  # noqa: E402
from safety.fit_similarity import MAX_ALARM_RATE  # noqa: E402
from safety.gate import SECOND_OPINION, SECOND_OPINION_MIN  # noqa: E402
from safety.learn import Features, LinearFit, fit_with_budget  # noqa: E402
from safety.routing import GUIDANCE_INTENTS, SAFETY_INTENT  # noqa: E402

FALLBACK, FALLBACK_THRESHOLD = "nlu_fallback", 0.25  # bot/config.yml, NluGate
# Share of the training ordinary phrasings a weak pattern may still flag (with the check's
# out-of-fold score at or above t_low): half the learned check's own budget.
WEAK_ALARM_RATE = 0.001
EXEMPLARS = "exemplars"
# The sources whose ordinary lines each narrowed pattern was edited for (ADR 0202, sixth round).
_TOPIC = ("fresh2", "fresh3", "fresh4", "fresh5", "fresh6", EXEMPLARS)  # the shared topic guard
EDIT_SOURCES: dict[tuple[str, int], tuple[str, ...]] = {
    ("suicide_self_harm", 1): _TOPIC, ("suicide_self_harm", 9): (EXEMPLARS,),
    ("suicide_self_harm", 16): ("fresh2", EXEMPLARS),
    ("suicide_self_harm", 17): ("fresh2", "fresh3", "fresh4", "fresh5", EXEMPLARS),
    ("suicide_self_harm", 18): (EXEMPLARS,), ("suicide_self_harm", 22): _TOPIC,
    ("suicide_self_harm", 61): (EXEMPLARS,), ("abuse", 1): _TOPIC,
    ("abuse", 5): ("fresh2", "fresh4", "fresh6"), ("abuse", 6): ("fresh", "fresh4", "fresh5",
                                                                 EXEMPLARS),
    ("abuse", 9): ("fresh", "fresh6"), ("abuse", 10): (EXEMPLARS,), ("abuse", 12): ("fresh6",),
    ("abuse", 16): ("fresh3", EXEMPLARS), ("abuse", 27): ("fresh3",),
    ("abuse", 56): ("fresh", "fresh5", EXEMPLARS),
    ("immediate_danger", 5): ("fresh6",), ("immediate_danger", 7): ("fresh6",),
    ("immediate_danger", 13): (EXEMPLARS,), ("immediate_danger", 15): (EXEMPLARS,),
    ("immediate_danger", 28): ("fresh3", EXEMPLARS),
}
Key = tuple[str, int]
Compiled = dict[Key, re.Pattern[str]]


def load_patterns(path: Path) -> dict[str, tuple[str, ...]]:
    """``PATTERNS`` of a patterns file (the served one or an old copy)."""
    spec = importlib.util.spec_from_file_location(f"patterns_{abs(hash(str(path)))}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.PATTERNS)


def compile_all(patterns: dict[str, tuple[str, ...]]) -> Compiled:
    """Each pattern compiled, keyed by (category, index)."""
    return {(c, i): re.compile(p, re.IGNORECASE) for c, ps in patterns.items()
            for i, p in enumerate(ps)}


def hits(compiled: Compiled, texts: list[str]) -> list[set[Key]]:
    """The patterns that match each text."""
    out = []
    for text in texts:
        norm = normalise(text)
        out.append({key for key, pattern in compiled.items() if pattern.search(norm)})
    return out


def served_intent(text: str, parse: dict[str, Any], strong: bool) -> str | None:
    """Rasa's intent after the gate when only ``strong`` pattern hits decide (bot/nlu_gate.py),
    with the classifier's second opinion deciding as it did before the eighth round's veto."""
    from actions.form_exits import CONTROL_INTENTS, meant_as_control
    from actions.intent_checks import stands
    from actions.welsh import looks_welsh

    gate = parse.get("gate") or {}
    if gate.get("reason") == SECOND_OPINION:
        return SAFETY_INTENT  # the second opinion decides here; vetoes: safety_veto_loso.vetoed
    if gate.get("reason") != "phrase":
        return parse["intent"]  # the old patterns did not decide; fewer patterns cannot either
    if strong:
        return SAFETY_INTENT
    name, confidence = gate["classifier"]
    if name == SAFETY_INTENT:
        ok = confidence >= SECOND_OPINION_MIN and has_risk_words(text)
        intent = SAFETY_INTENT if ok else FALLBACK
    else:
        intent = name if confidence >= FALLBACK_THRESHOLD else FALLBACK
    if intent == SAFETY_INTENT:
        return intent
    if looks_welsh(text):
        return "other_language"
    if (intent in CONTROL_INTENTS and not meant_as_control(text)) or not stands(intent, text):
        return FALLBACK
    return intent


def parses_for(texts: list[str], cache: Path) -> dict[str, Any]:
    """Rasa's parse (gate included) per text with the current model, parsed once and cached."""
    from safety_sets import rasa_parses

    from stack.model import ensure_model
    from stack.settings import StackSettings

    settings = StackSettings()
    model = ensure_model(settings.bot_dir, settings.models_dir, settings.rasa_bin)
    if cache.exists():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data["model"] == model.name and set(texts) <= set(data["parses"]):
            return dict(data["parses"])
    parses = dict(zip(texts, rasa_parses(texts, model), strict=True))
    cache.write_text(json.dumps({"model": model.name, "parses": parses}), encoding="utf-8")
    return parses


def weak_threshold(oof: tuple[np.ndarray, ...], weak_ordinary: np.ndarray, n_ordinary: int,
                   offset: int) -> float:
    """The lowest score at which at most ``WEAK_ALARM_RATE`` of the ordinary training phrasings
    are weak-only hits scoring at or above it (mean over the out-of-fold repeats)."""
    rows = np.nonzero(weak_ordinary)[0] + offset
    allowed = WEAK_ALARM_RATE * n_ordinary
    candidates = np.r_[-np.inf, np.unique(np.concatenate([s[rows] for s in oof]))]
    for t in candidates:
        if np.mean([np.sum(s[rows] >= t) for s in oof]) <= allowed + 1e-9:
            return float(t)
    return float("inf")


def fit_left_out(vec: dict[str, np.ndarray], train: labelled.Labelled,
                 max_rate: float = MAX_ALARM_RATE) -> LinearFit:
    """The learned check (fifth-round rule; the served budget unless ``max_rate`` names
    another) fitted on ``train`` (the training phrasings without the left-out set)."""
    xc = np.stack([vec[t] for t in train.crisis])
    xo = np.stack([vec[t] for t in train.ordinary])
    x, y = np.vstack([xc, xo]), np.r_[np.ones(len(xc), int), np.zeros(len(xo), int)]
    return fit_with_budget(x, y, np.zeros(len(x)), Features(knn=True), max_rate)


def honest_patterns(before: dict[str, tuple[str, ...]], after: dict[str, tuple[str, ...]],
                    name: str) -> Compiled:
    """The patterns with only the sixth-round edits that another writer's lines prompted."""
    return compile_all({c: tuple(after[c][i] if (c, i) in EDIT_SOURCES and set(
        EDIT_SOURCES[(c, i)]) - {name} else p for i, p in enumerate(ps))
        for c, ps in before.items()})


def main() -> None:
    """Score every option per left-out set and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--parses", type=Path, default=Path("/tmp/safety_patterns_parses.json"))
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/safety_loso_vectors.npz"))
    parser.add_argument("--list", action="store_true", help="print seen lines by pattern")
    args = parser.parse_args()
    from safety_loso import cells, rate, vectors_for

    before = load_patterns(args.before)
    after = load_patterns(ROOT / "safety" / "patterns.py")
    changed = {(c, i) for c in before for i, (x, y) in enumerate(zip(before[c], after[c],
                                                                      strict=True)) if x != y}
    assert changed == set(EDIT_SOURCES), sorted(changed ^ set(EDIT_SOURCES))
    old, new = compile_all(before), compile_all(after)
    groups = labelled.groups()
    base = labelled.base()
    every = sorted({t for g in groups.values() for t in g.crisis + g.ordinary}
                   | set(base.crisis) | set(base.ordinary))
    vec = vectors_for(every, args.vectors)
    parses = parses_for(sorted({t for g in groups.values() for t in g.crisis + g.ordinary}),
                        args.parses)
    rows: dict[str, list[tuple[float, ...]]] = {}
    print("| left-out set | option | t_low | weak patterns | patterns alone | backstop | served |")
    print("|---|---|---|---|---|---|---|")
    for name, group in groups.items():
        train = labelled.training(leave_out=name)
        fitted = fit_left_out(vec, train)
        texts = group.crisis + group.ordinary
        is_crisis = np.r_[np.ones(len(group.crisis), bool), np.zeros(len(group.ordinary), bool)]
        scores = fitted.score(np.stack([vec[t] for t in texts]), None)
        check = scores >= fitted.threshold
        honest = honest_patterns(before, after, name)
        options: dict[str, tuple[Compiled, bool, bool]] = {
            "A before": (old, False, False), "B honest": (honest, False, False),
            "B all edits (in-sample)": (new, False, False), "C weak tier": (old, True, False),
            "D B honest + C": (honest, True, False), "E weak removed": (old, True, True)}
        for option, (compiled, weak_tier, drop) in options.items():
            train_hits = hits(compiled, train.ordinary)
            weak = set().union(*train_hits) if weak_tier else set()
            weak_only = np.array([bool(h) and h <= weak for h in train_hits])
            t_low = (float("inf") if drop or not weak_tier
                     else weak_threshold(fitted.oof, weak_only, len(train.ordinary),
                                          len(train.crisis)))
            found = hits(compiled, texts)
            strong = np.array([bool(h - weak) for h in found])
            weak_ok = np.array([bool(h) and h <= weak for h in found]) & (scores >= t_low)
            lexical = strong | weak_ok
            backstop = lexical | check
            intents = [served_intent(t, parses[t], bool(s)) for t, s in zip(texts, strong,
                                                                            strict=True)]
            served = np.array([i == SAFETY_INTENT or (i in GUIDANCE_INTENTS and bool(b))
                               for i, b in zip(intents, backstop, strict=True)])
            row = (rate(lexical[is_crisis]), rate(lexical[~is_crisis]),
                   rate(backstop[is_crisis]), rate(backstop[~is_crisis]),
                   rate(served[is_crisis]), rate(served[~is_crisis]))
            rows.setdefault(option, []).append(row)
            print(f"| {name} | {option} | {t_low:.2f} | {len(weak)} | {cells(row)} |",
                  flush=True)
            if args.list and option == "A before":
                listing(name, texts, is_crisis, found, check, served)
    for option, values in rows.items():
        print(f"| **mean** | {option} | | | {cells(tuple(np.mean(values, axis=0)))} |")


def listing(name: str, texts: list[str], is_crisis: np.ndarray, found: list[set[Key]],
            check: np.ndarray, served: np.ndarray) -> None:
    """Seen lines only: ordinary ones a pattern flags, crisis ones only a pattern catches."""
    def say(line: str) -> None:
        print(f"<!-- {name}: {line} -->")

    for text, crisis, h, c in zip(texts, is_crisis, found, check, strict=True):
        if h and not crisis:
            say(f"ordinary flagged by {sorted(h)}: {text}")
        elif h and crisis and not c:
            say(f"crisis caught only by patterns {sorted(h)}: {text}")
    del served


if __name__ == "__main__":
    main()
