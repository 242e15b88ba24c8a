"""Fit the semantic crisis check's settings on the labelled phrasings and save them.

    .venv/bin/python -m safety.fit_similarity [--rule linear|knn] [--model tuned|base]
        [--compare]

Writes ``safety/similarity.json`` (the rule, the embedding model and its fingerprint, k, the
weights or threshold and margin, cross-validated recall and alarms, counts). The data are
``safety.labelled.training()``: the written exemplars, the guidance tune questions and every
seen labelled set; a blind set not yet reported is never read. The rule is ``linear`` by
default (logistic regression over the vector and the k-nearest-neighbour features, chosen by
``benchmarks/safety_loso.py``: ADR 0202, fifth round); ``knn`` fits the earlier rule. The
model is the tuned search model by default, so the action server embeds a message once for the
search and this check (fourth round). ``--compare`` also prints the ``knn`` rule's
cross-validated figures for other k and alarm budgets, and with each sentence of a
multi-sentence phrasing scored as well (not adopted: third round). Runs in the app environment
(it needs the embedding model and scikit-learn); ``safety.similarity`` itself is pure numpy.
The ``linear`` rule also gets the veto threshold on the classifier's second opinion
(``veto_threshold``, eighth round) and on crisis phrases (``phrase_veto_threshold``,
ninth), for which the seen crisis lines are parsed once by the trained Rasa model
(``.venv-rasa``; the model is trained first if ``bot/`` changed). Since the tenth round its
threshold is also kept clear of every ordinary line of the original pair (``KEEP_CLEAR``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from safety.labelled import SEEN_SETS
from safety.similarity import (
    NEIGHBOURS,
    ROOT,
    SETTINGS_FILE,
    Parts,
    exemplar_texts,
    fit,
    knn_features,
    sentences,
)

# Share of left-out ordinary phrasings the fitted rule may flag in cross-validation: 0.2 % from
# the second round (2 of 1,080), 0.8 % since the eighth (docs/adr/0202: chosen by
# leave-one-set-out, benchmarks/safety_budget_loso.py); a share, so it grows with the data.
MAX_ALARM_RATE = 0.008
# The veto on the classifier's second opinion (ADR 0202, eighth round, K(0.5 %)): ``t_low`` is
# the highest score at which, on average over the out-of-fold repeats, at most this share of all
# crisis phrasings are phrasings a pattern or the second opinion catches that score below it.
VETO_SHARE = 0.005
# The veto on crisis phrases (ADR 0202, ninth round, P(0)): ``phrase_veto_threshold`` is the
# highest score below which, on average over the out-of-fold repeats, none of the crisis
# phrasings a pattern catches scores (a share of all crisis phrasings, like ``VETO_SHARE``).
PHRASE_VETO_SHARE = 0.0
# The threshold is raised, where needed, just above the highest score the fitted check gives
# any ordinary line of this seen group, in-sample (ADR 0202, tenth round, Z(orig)): the issue's
# own benign set, of which the test command's live slice takes every 12th tune line, gets no
# crisis reply from the check. ``CLEAR_MARGIN`` keeps the cut-off clear of the batch fit's
# arithmetic: the served message is embedded alone (float32), the fit embeds in batches.
KEEP_CLEAR = "original"
CLEAR_MARGIN = 0.001
# The helplines beside the answer (ADR 0202, twenty-third round): ``note_threshold`` is the
# lowest score at which, on average over the out-of-fold repeats, at most this share of the
# ordinary phrasings score at or above it (the crisis threshold's rule at a larger budget).
NOTE_ALARM_RATE: float | None = 0.02


def sentence_parts(embedder: Any, crisis: list[str], ordinary: list[str]) -> Parts:
    """The sentences of the multi-sentence exemplars, embedded, with their exemplar's row."""
    split_c = [(row, part) for row, text in enumerate(crisis) for part in sentences(text)]
    split_o = [(row, part) for row, text in enumerate(ordinary) for part in sentences(text)]
    return Parts(
        crisis=embedder.embed([part for _, part in split_c]),
        crisis_of=np.array([row for row, _ in split_c], int),
        ordinary=embedder.embed([part for _, part in split_o]),
        ordinary_of=np.array([row for row, _ in split_o], int),
    )


def second_opinions(crisis: list[str]) -> np.ndarray:
    """Per crisis phrasing, whether the trained Rasa model's classifier gives a second opinion
    that holds (``safety.gate.second_opinion``). Only lines of the seen sets are parsed (in
    .venv-rasa, by ``benchmarks/safety_sets.py``); the written exemplars count as none, as in
    ``benchmarks/safety_veto_loso.py``."""
    from benchmarks.safety_sets import rasa_parses
    from safety.gate import second_opinion
    from safety.labelled import groups
    from stack.model import ensure_model
    from stack.settings import StackSettings

    seen = {t for g in groups().values() for t in g.crisis}
    asked = sorted({t for t in crisis if t in seen})
    settings = StackSettings()
    model = ensure_model(settings.bot_dir, settings.models_dir, settings.rasa_bin)
    held = {
        t
        for t, parse in zip(asked, rasa_parses(asked, model), strict=True)
        if second_opinion(t, tuple((parse.get("gate") or {}).get("classifier") or ("", 0)))
    }
    return np.array([t in held for t in crisis])


def fit_linear_rule(
    crisis: list[str],
    ordinary: list[str],
    crisis_vectors: np.ndarray,
    ordinary_vectors: np.ndarray,
    opinions: np.ndarray,
) -> dict[str, Any]:
    """The ``linear`` rule fitted on all phrasings: weights over the vector and the two
    k-nearest-neighbour features, bias, score threshold at the alarm budget, and the veto
    threshold over the crisis phrasings a pattern or the second opinion (``opinions``) catches,
    and the phrase veto threshold over those a pattern catches (``safety.learn``)."""
    from safety.detection import detect_safety_concern
    from safety.learn import Features, budget_threshold, fit_with_budget, veto_threshold

    x = np.vstack([crisis_vectors, ordinary_vectors])
    y = np.r_[np.ones(len(crisis), int), np.zeros(len(ordinary), int)]
    hits = np.array([detect_safety_concern(t) is not None for t in crisis + ordinary], float)
    found = fit_with_budget(x, y, hits, Features(knn=True, k=NEIGHBOURS), MAX_ALARM_RATE)
    pool = np.nonzero(hits[: len(crisis)].astype(bool) | opinions)[0]
    t_low = veto_threshold(found.oof, pool, VETO_SHARE * len(crisis))
    caught = np.nonzero(hits[: len(crisis)].astype(bool))[0]
    t_phrase = veto_threshold(found.oof, caught, PHRASE_VETO_SHARE * len(crisis))
    dim = x.shape[1]
    weights = [round(float(w), 6) for w in found.weights[:dim]]
    knn_weights = [round(float(w), 6) for w in found.weights[dim : dim + 2]]
    bias = round(found.bias, 6)
    clear = ordinary_high(
        crisis_vectors,
        ordinary_vectors,
        keep_clear(ordinary, ordinary_vectors),
        np.asarray(weights),
        np.asarray(knn_weights),
        bias,
    )
    threshold = max(found.threshold, np.ceil((clear + CLEAR_MARGIN) * 1e6) / 1e6)
    note = None if NOTE_ALARM_RATE is None else budget_threshold(
        [s[y == 0] for s in found.oof], NOTE_ALARM_RATE)
    return {
        "threshold": round(float(threshold), 6),
        "note_threshold": None if note is None else round(min(note, float(threshold)), 6),
        "note_budget": NOTE_ALARM_RATE,
        "budget_threshold": round(found.threshold, 6),
        "keep_clear_high": round(clear, 6),
        "veto_threshold": round(t_low, 6) if np.isfinite(t_low) else None,
        "veto_pool": len(pool),
        "phrase_veto_threshold": round(t_phrase, 6) if np.isfinite(t_phrase) else None,
        "phrase_veto_pool": len(caught),
        "bias": bias,
        "C": found.c,
        "recall": found.cv_recall,
        "knn_weights": knn_weights,
        "weights": weights,
    }


def keep_clear(ordinary: list[str], ordinary_vectors: np.ndarray) -> np.ndarray:
    """The vectors of the training ordinary phrasings of the ``KEEP_CLEAR`` group."""
    from safety.labelled import seen_group

    wanted = set(seen_group(KEEP_CLEAR).ordinary)
    return ordinary_vectors[[i for i, text in enumerate(ordinary) if text in wanted]]


def ordinary_high(
    crisis_vectors: np.ndarray,
    ordinary_vectors: np.ndarray,
    lines: np.ndarray,
    weights: np.ndarray,
    knn_weights: np.ndarray,
    bias: float,
    k: int = NEIGHBOURS,
) -> float:
    """The highest score the served check (these weights, the training phrasings as its
    exemplars, float32 like the served head) gives ``lines``; −inf for none."""
    if not len(lines):
        return float("-inf")
    feats = knn_features(lines, crisis_vectors, ordinary_vectors, k)
    scores = lines @ weights.astype(np.float32) + feats @ knn_weights + bias
    return float(scores.max())


def main() -> int:
    """Fit and save; print what was fitted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", action="store_true", help="print other k and budgets")
    parser.add_argument(
        "--rule",
        choices=["linear", "knn"],
        default="linear",
        help="the rule to fit (default: linear, served since the fifth round)",
    )
    parser.add_argument(
        "--model",
        choices=["tuned", "base"],
        default="tuned",
        help="the embedding model to fit on (default: the search's tuned one)",
    )
    args = parser.parse_args()
    from knowledge.embedding import load_embedder
    from safety.detection import detect_safety_concern

    embedder = load_embedder(ROOT / "var" / "onnx-cache", model=args.model)
    crisis, ordinary = exemplar_texts()
    crisis_vectors, ordinary_vectors = embedder.embed(crisis), embedder.embed(ordinary)
    # Recall is counted on every crisis phrasing, not only on those the patterns miss: the
    # patterns were written from these same phrasings, so their misses here are too few and
    # too odd to fit on.
    missed = sum(detect_safety_concern(text) is None for text in crisis)
    max_alarms = MAX_ALARM_RATE * len(ordinary)
    if args.compare:
        budgets = (0.0, 1.0, 2.0, 3.0, round(max_alarms, 2))
        print("| k | ordinary alarms allowed | cross-validated recall (semantic check alone) |")
        print("|---|---|---|")
        for k in (1, 3, 5, 8, 12):
            for budget in budgets:
                found = fit(crisis_vectors, ordinary_vectors, k, budget)
                print(
                    f"| {k} | {budget:g} | {found['recall']:.3f} "
                    f"(t {found['threshold']:.2f}, m {found['margin']:.2f}) |"
                )
        parts = sentence_parts(embedder, crisis, ordinary)
        print(
            f"\nEach sentence as well as the whole message ({len(parts.crisis)} crisis and "
            f"{len(parts.ordinary)} ordinary sentences of multi-sentence exemplars):\n"
        )
        print("| k | ordinary alarms allowed | whole message | whole or any sentence |")
        print("|---|---|---|---|")
        for k in (5, 8, 12):
            for budget in budgets[1:]:
                whole = fit(crisis_vectors, ordinary_vectors, k, budget)
                split = fit(crisis_vectors, ordinary_vectors, k, budget, parts=parts)
                print(
                    f"| {k} | {budget:g} | {whole['recall']:.3f} | {split['recall']:.3f} "
                    f"(t {split['threshold']:.2f}, m {split['margin']:.2f}) |"
                )
    fitted = (
        fit_linear_rule(crisis, ordinary, crisis_vectors, ordinary_vectors, second_opinions(crisis))
        if args.rule == "linear"
        else fit(crisis_vectors, ordinary_vectors, NEIGHBOURS, max_alarms)
    )
    settings = {
        "rule": args.rule,
        "model": args.model,
        "model_fingerprint": embedder.fingerprint,
        **fitted,
        "k": NEIGHBOURS,
        "fitted": {
            "exemplars": "safety/exemplars + knowledge tune questions + the seen labelled sets "
            f"(safety.labelled: original pair, fresh to {SEEN_SETS[-1]})",
            "crisis_phrasings": len(crisis),
            "crisis_missed_by_patterns": missed,
            "ordinary_phrasings": len(ordinary),
            "rule": f"5-fold cross-validation repeated 3 times; at most {max_alarms:.1f} "
            f"({MAX_ALARM_RATE:.1%}) left-out ordinary phrasings flagged on average",
            **(
                {
                    "veto": f"the classifier's second opinion stands at a score of at least "
                    f"veto_threshold: on average at most {VETO_SHARE * len(crisis):.1f} "
                    f"({VETO_SHARE:.1%}) of the crisis phrasings, among the veto_pool ones a "
                    "pattern or the second opinion catches, score below it out of fold"
                }
                if args.rule == "linear"
                else {}
            ),
            **(
                {
                    "phrase_veto": "a crisis phrase stands at a score of at least "
                    "phrase_veto_threshold: on average at most "
                    f"{PHRASE_VETO_SHARE * len(crisis):.1f}"
                    " of the phrase_veto_pool crisis phrasings a pattern catches score below it out"
                    " of fold"
                }
                if args.rule == "linear"
                else {}
            ),
            **(
                {
                    "note": "note_threshold: the lowest score at which, on average over the "
                    "out-of-fold repeats, at most note_budget of the ordinary phrasings score "
                    "at or above it; a guidance-bound message scoring in [note_threshold, "
                    "threshold) gets its reply with the helplines beside it (ADR 0202, "
                    "twenty-third round)"
                }
                if args.rule == "linear" and NOTE_ALARM_RATE is not None
                else {}
            ),
            "keep_clear": f"threshold raised, where needed, to at least {CLEAR_MARGIN} above "
            f"keep_clear_high, the highest in-sample score of the {KEEP_CLEAR} group's ordinary "
            "lines (budget_threshold: the budget's own)",
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    }
    if "weights" in settings:  # the long list last, so the file's head stays readable
        settings["weights"] = settings.pop("weights")
    Path(SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in settings.items() if k != "weights"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
