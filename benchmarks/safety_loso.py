"""Leave-one-set-out evaluation of the crisis backstop: how it does on an unseen writer.

Each seen set (``safety.labelled``: the original pair and ``fresh`` … ``fresh7``) was written by
a different person. For each in turn, every candidate check is fitted on everything else (the
written exemplars, the guidance tune questions as ordinary, the other seen sets; no line equal
to one of the left-out set's) and scored on the left-out set:

- the backstop: the lexical patterns, or the candidate;
- served: as ``benchmarks/safety_sets.py`` computes it (Rasa's intent with the gate; the
  backstop for guidance-bound intents, ``safety.routing.gets_crisis_reply``);
- served with the backstop applied to every intent outside a form, not only the
  guidance-bound ones (measured only; the bot does not do this).

Each candidate's threshold is chosen on its training data only, by the same fixed rule: 5-fold
cross-validation repeated 3 times, at most ``MAX_ALARM_RATE`` of left-out ordinary phrasings
flagged on average (``safety.learn``). Blind sets not yet reported (``labelled.UNSEEN_SETS``)
are never read. Rasa's intents are parsed once (the NLU does not change) and cached:

    .venv/bin/python benchmarks/safety_loso.py [--intents /tmp/intents.json]
        [--vectors /tmp/vectors.npz] [--only knn,linear]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from safety import labelled  # noqa: E402
from safety.detection import detect_safety_concern  # noqa: E402
from safety.fit_similarity import MAX_ALARM_RATE  # noqa: E402
from safety.gate import SECOND_OPINION  # noqa: E402
from safety.learn import Features, fit_with_budget  # noqa: E402
from safety.routing import SAFETY_INTENT, gets_crisis_reply  # noqa: E402
from safety.similarity import fit as fit_knn  # noqa: E402
from safety.similarity import knn_features  # noqa: E402

# The check served in the fourth round, for the baseline row: k 8, threshold 0.44, margin 0.09
# over the written exemplars, the original pair's tune halves and the guidance tune questions.
FOURTH_ROUND_K, FOURTH_ROUND_THRESHOLD, FOURTH_ROUND_MARGIN = 8, 0.44, 0.09
Flags = Callable[[np.ndarray], np.ndarray]


def intents_for(texts: list[str], cache: Path) -> dict[str, str | None]:
    """Rasa's served intent (gate included) per text, parsed once with the current model."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from safety_sets import rasa_parses

    from stack.model import ensure_model
    from stack.settings import StackSettings

    settings = StackSettings()
    model = ensure_model(settings.bot_dir, settings.models_dir, settings.rasa_bin)
    known: dict[str, str | None] = {}
    if cache.exists():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data["model"] == model.name:
            known = data["intents"]
    missing = sorted({t for t in texts if t not in known})
    if missing:
        parses = rasa_parses(missing, model)
        # the classifier's second opinion decides, as before the eighth round's veto (measured
        # in benchmarks/safety_budget_loso.py)
        known.update({t: SAFETY_INTENT if (p.get("gate") or {}).get("reason") == SECOND_OPINION
                      else p["intent"] for t, p in zip(missing, parses, strict=True)})
        cache.write_text(json.dumps({"model": model.name, "intents": known}), encoding="utf-8")
    return known


def cached_vectors(
    texts: list[str], cache: Path, fingerprint: str, embed: Callable[[list[str]], np.ndarray]
) -> dict[str, np.ndarray]:
    """A vector per text from ``cache`` when it was made by the model ``fingerprint`` names;
    the texts it lacks are embedded with ``embed`` and the cache rewritten."""
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        data = np.load(cache, allow_pickle=False)
        if str(data["fingerprint"]) == fingerprint:
            known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    missing = sorted({t for t in texts if t not in known})
    if missing:
        known.update(zip(missing, embed(missing), strict=True))
        keys = sorted(known)
        np.savez(cache, fingerprint=fingerprint, texts=np.array(keys),
                 vectors=np.stack([known[t] for t in keys]))
    return known


def vectors_for(texts: list[str], cache: Path) -> dict[str, np.ndarray]:
    """The tuned search model's vector per text, embedded once and cached by fingerprint."""
    from knowledge.embedding import load_embedder

    embedder = load_embedder(ROOT / "var" / "onnx-cache", model="tuned")
    return cached_vectors(texts, cache, embedder.fingerprint, embedder.embed)


def fourth_round_reference(leave_out: str) -> labelled.Labelled:
    """The fourth round's reference phrasings, without lines of the left-out set."""
    base = labelled.base()
    original = ROOT / "safety" / "eval"
    tune = {name: [str(r["text"]) for r in map(json.loads, (original / f"{name}.jsonl")
                   .read_text(encoding="utf-8").splitlines()) if r and r["split"] == "tune"]
            for name in ("crisis", "benign")}
    crisis, ordinary = tune["crisis"] + base.crisis, tune["benign"] + base.ordinary
    out = labelled.seen_group(leave_out)
    held = {labelled.key(t) for t in out.crisis + out.ordinary}
    return labelled.Labelled([t for t in crisis if labelled.key(t) not in held],
                             [t for t in ordinary if labelled.key(t) not in held])


def knn_flags(crisis: np.ndarray, ordinary: np.ndarray, k: int, threshold: float,
              margin: float) -> Flags:
    """The k-nearest-neighbour rule as ``similarity.CrisisSimilarity`` applies it."""
    def flags(query: np.ndarray) -> np.ndarray:
        f = knn_features(query, crisis, ordinary, k)
        return np.asarray((f[:, 0] >= threshold) & (f[:, 1] >= margin))

    return flags


def candidates(train: labelled.Labelled, vec: dict[str, np.ndarray], leave_out: str,
               only: set[str]) -> dict[str, tuple[Flags, str]]:
    """Each candidate fitted on ``train``: name -> (flags for vectors, fitted settings)."""
    xc = np.stack([vec[t] for t in train.crisis])
    xo = np.stack([vec[t] for t in train.ordinary])
    out: dict[str, tuple[Flags, str]] = {}
    if "baseline" in only:
        ref = fourth_round_reference(leave_out)
        out["baseline: fourth-round k-NN"] = (knn_flags(
            np.stack([vec[t] for t in ref.crisis]), np.stack([vec[t] for t in ref.ordinary]),
            FOURTH_ROUND_K, FOURTH_ROUND_THRESHOLD, FOURTH_ROUND_MARGIN), "t 0.44 m 0.09")
    if "knn" in only:
        best = fit_knn(xc, xo, 8, MAX_ALARM_RATE * len(xo))
        out["(i) k-NN, seen sets added"] = (knn_flags(xc, xo, 8, best["threshold"],
                                                      best["margin"]),
                                            f"t {best['threshold']:.2f} m {best['margin']:.2f}")
    x = np.vstack([xc, xo])
    y = np.r_[np.ones(len(xc), int), np.zeros(len(xo), int)]
    hits = np.array([detect_safety_concern(t) is not None
                     for t in train.crisis + train.ordinary], float)
    variants = {"(ii-a) linear: vector": Features(),
                "(ii-b) linear: vector + k-NN": Features(knn=True),
                "(ii-c) linear: vector + k-NN + patterns": Features(knn=True, patterns=True),
                "(ii-d) linear: vector + patterns": Features(patterns=True)}
    for name, feats in variants.items():
        if "linear" not in only:
            continue
        fitted = fit_with_budget(x, y, hits, feats, MAX_ALARM_RATE)

        def flags(query: np.ndarray, fitted: Any = fitted) -> np.ndarray:
            return np.asarray(fitted.score(query, None) >= fitted.threshold)

        out[name] = (flags, f"C {fitted.c:g} cv {fitted.cv_recall:.3f}")
    return out


def constant(value: bool) -> Callable[[str], bool]:
    """A semantic check that answers ``value`` (the candidate's flag for one message)."""
    return lambda _text: value


def rate(flags: np.ndarray) -> float:
    """Share of True."""
    return float(np.mean(flags)) if len(flags) else 0.0


def cells(row: tuple[float, ...]) -> str:
    """Pairs of (recall, benign rate) as table cells."""
    return " | ".join(f"{row[i]:.3f} / {row[i + 1]:.1%}" for i in range(0, len(row), 2))


def main() -> None:
    """Fit each candidate per left-out set and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--intents", type=Path, default=Path("/tmp/safety_loso_intents.json"))
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/safety_loso_vectors.npz"))
    parser.add_argument("--only", default="baseline,knn,linear")
    args = parser.parse_args()
    only = set(args.only.split(","))
    groups = labelled.groups()
    every = sorted({t for g in groups.values() for t in g.crisis + g.ordinary}
                   | set(labelled.base().crisis) | set(labelled.base().ordinary))
    vec = vectors_for(every, args.vectors)
    intents = intents_for(sorted({t for g in groups.values() for t in g.crisis + g.ordinary}),
                          args.intents)
    rows: dict[str, list[tuple[float, ...]]] = {}
    print("Each cell: crisis recall / benign → crisis.\n")
    print("| held-out set | candidate | settings | check alone | backstop (patterns or check) "
          "| served | served, backstop for every intent |")
    print("|---|---|---|---|---|---|---|")
    for name, group in groups.items():
        started = time.time()
        train = labelled.training(leave_out=name)
        texts = group.crisis + group.ordinary
        is_crisis = np.r_[np.ones(len(group.crisis), bool), np.zeros(len(group.ordinary), bool)]
        q = np.stack([vec[t] for t in texts])
        hits = np.array([detect_safety_concern(t) is not None for t in texts])
        for cand, (flags_of, settings) in candidates(train, vec, name, only).items():
            flags = flags_of(q)
            backstop = hits | flags
            served = np.array([gets_crisis_reply(intents[t], t, constant(bool(f)))
                               for t, f in zip(texts, flags, strict=True)])
            everywhere = np.array([intents[t] == "safety_concern" or b
                                   for t, b in zip(texts, backstop, strict=True)])
            row = (rate(flags[is_crisis]), rate(flags[~is_crisis]),
                   rate(backstop[is_crisis]), rate(backstop[~is_crisis]),
                   rate(served[is_crisis]), rate(served[~is_crisis]),
                   rate(everywhere[is_crisis]), rate(everywhere[~is_crisis]))
            rows.setdefault(cand, []).append(row)
            print(f"| {name} | {cand} | {settings} | {cells(row)} |", flush=True)
        print(f"<!-- {name}: {len(train.crisis)} crisis, {len(train.ordinary)} ordinary in "
              f"training; {time.time() - started:.0f} s -->", flush=True)
    for cand, values in rows.items():
        print(f"| **mean** | {cand} | | {cells(tuple(np.mean(values, axis=0)))} |")


if __name__ == "__main__":
    main()
