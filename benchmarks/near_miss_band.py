"""The near-miss band ("did you mean" below the answer gate), priced and cross-validated on tune.

ADR 0101, twenty-fourth session. Scores the tune questions as ``knowledge eval`` does (each
without its own example question), ranks them with the committed calibration, and for every
method, with the usual gates and with the text-only ones (every example question out), prints:
the committed ``suggest_threshold``; the one the priced rule below fits on all tune
questions, with what it offers (on-topic questions whose article is among the three offered,
on-topic ones whose article is not, off-topic ones) and its cost change; and the summed cost
change out of fold (5 folds, seed 13: the threshold fitted on four folds, priced on the fifth).
Only tune questions are read.

    .venv/bin/python benchmarks/near_miss_band.py [--write]

``--write`` stores the fitted thresholds in the committed calibration, and nothing else, for
every gate set whose out-of-fold change is below zero (the bar written before measuring). The
rule is not served (its out-of-fold change was above zero), so it lives here and not in
``knowledge.calibration``, whose ``fit_suggest`` is unchanged.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.abstention import Gates  # noqa: E402
from knowledge.calibration import CLARIFY_COST, Calibration, Features, features  # noqa: E402
from knowledge.fusion import METHODS  # noqa: E402

FOLDS = 5
SEED = 13

# The near-miss band's prices (ADR 0101, twenty-fourth session), per question and relative to
# abstaining, as shares of the on-topic and of the off-topic questions like the gates' costs:
# an on-topic near miss offered its article is one tap from it (the gates' price of a "did you
# mean" instead of a stuck citizen's 1); an off-topic question offered three titles that do
# not fit costs half of answering it; an on-topic one whose article is not offered is as stuck
# as before.
OFFERED_GAIN = 1.0 - CLARIFY_COST
OFFTOPIC_OFFER_COST = 0.5
CHOICES = 3  # the articles a near miss is offered (``answering``: the top three)


def in_band(f: Features, gates: Gates, threshold: float) -> bool:
    """The question passes the off-topic gate and scores in [``threshold``, confidence)."""
    return (f.top is not None and f.offtopic >= gates.offtopic_threshold
            and threshold <= f.top < gates.confidence_threshold)


def helped(f: Features) -> bool:
    """An on-topic question whose article is among the choices offered."""
    return f.gold is not None and (f.gold_rank or CHOICES + 1) <= CHOICES


def near_miss_gain(feats: Sequence[Features], gates: Gates, threshold: float) -> float:
    """The change in cost when the questions in the band (:func:`in_band`) are offered the top
    articles instead of an abstention (negative: better), priced as above."""
    n_on = max(1, sum(1 for f in feats if f.gold is not None))
    n_off = max(1, sum(1 for f in feats if f.gold is None))
    band = [f for f in feats if in_band(f, gates, threshold)]
    return (OFFTOPIC_OFFER_COST * sum(1 for f in band if f.gold is None) / n_off
            - OFFERED_GAIN * sum(1 for f in band if helped(f)) / n_on)


def priced_threshold(feats: Sequence[Features], gates: Gates) -> float | None:
    """The near-miss threshold with the lowest :func:`near_miss_gain` (ties: the higher one,
    so fewer offers), or None when no threshold lowers the cost.

    The candidates are the top scores of the questions that pass the off-topic gate but not
    the confidence gate; below the chosen one a question is still abstained on.
    """
    candidates = sorted(
        {f.top for f in feats if f.top is not None and in_band(f, gates, -np.inf)}, reverse=True
    )
    best, chosen = 0.0, None
    for t in candidates:
        gain = near_miss_gain(feats, gates, t)
        if gain < best - 1e-12:
            best, chosen = gain, float(t)
    return chosen


def offered(feats: Sequence[Features], gates: Gates, threshold: float | None) -> tuple[int, ...]:
    """(on-topic offered their article, on-topic offered without it, off-topic offered)."""
    if threshold is None:
        return (0, 0, 0)
    band = [f for f in feats if in_band(f, gates, threshold)]
    good = sum(1 for f in band if helped(f))
    off = sum(1 for f in band if f.gold is None)
    return (good, len(band) - good - off, off)


def out_of_fold(feats: Sequence[Features], gates: Gates) -> tuple[float, list[float | None]]:
    """Summed cost change on each fold of the threshold fitted on the other folds."""
    order = np.random.default_rng(SEED).permutation(len(feats))
    folds = [order[k::FOLDS] for k in range(FOLDS)]
    total, chosen = 0.0, []
    for k, fold in enumerate(folds):
        train = [feats[i] for j, f in enumerate(folds) if j != k for i in f]
        test = [feats[i] for i in fold]
        threshold = priced_threshold(train, gates)
        chosen.append(threshold)
        if threshold is not None:
            total += near_miss_gain(test, gates, threshold) * len(test) / len(feats)
    return total, chosen


def main() -> int:
    """Score, fit, cross-validate, print; with ``--write`` store what passes the bar."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    from knowledge import calibration_store as store
    from knowledge.articles import load_articles
    from knowledge.build import open_knowledge_base
    from knowledge.embedding import load_embedder
    from knowledge.evaluation import load_questions, score_questions
    from knowledge.index import set_threads
    from knowledge.self_exclusion import SelfExclusion, without_examples
    from knowledge.settings import KnowledgeSettings

    settings = KnowledgeSettings()
    articles_dir, index_dir = settings.knowledge_dir, settings.knowledge_index_dir
    articles = load_articles(articles_dir)
    tune = [
        q for q in load_questions(settings.knowledge_questions, articles) if q.split == "tune"
    ]
    embedder = load_embedder(index_dir.parent / "onnx-cache")
    opened = open_knowledge_base(articles_dir, index_dir, embedder)
    set_threads(1)
    source = store.path_for_reading(articles_dir, index_dir, settings.knowledge_calibration)
    calibration = Calibration.load(source)
    titles = {a.id: a.title for a in articles.values()}
    golds = [q.article_id for q in tune]
    usual = score_questions(opened.kb, tune, None, SelfExclusion(opened.kb).without)
    bare = score_questions(without_examples(opened.kb), tune)

    fitted: dict[tuple[str, str], float | None] = {}
    print("| gates | method | committed | fitted | offered: on-topic with its article / "
          "without / off-topic | cost change in sample | out of fold (fold thresholds) |")
    print("|---|---|---|---|---|---|---|")
    for name, scores, gate_set in (
        ("usual", usual, calibration.gates),
        ("text-only", bare, calibration.text_only_gates or {}),
    ):
        for method in METHODS:
            if method not in gate_set:
                continue
            gates = gate_set[method]
            w = calibration.fusion_weight if method == "fused" else 1.0
            text_w = calibration.text_only_weight if method == "fused" else None
            if name == "text-only" and method == "fused":
                w = text_w or w
            feats = [
                features(s, method, w, g, titles, calibration.signpost_margin, text_w)
                for s, g in zip(scores, golds, strict=True)
            ]
            threshold = priced_threshold(feats, gates)
            oof, per_fold = out_of_fold(feats, gates)
            gain = near_miss_gain(feats, gates, threshold) if threshold is not None else 0.0
            if oof < 0:
                fitted[(name, method)] = threshold
            committed = gates.suggest_threshold
            print(
                f"| {name} | {method} | {'none' if committed is None else f'{committed:.4f}'} "
                f"| {'none' if threshold is None else f'{threshold:.4f}'} "
                f"| {' / '.join(str(n) for n in offered(feats, gates, threshold))} "
                f"| {gain:+.4f} | {oof:+.4f} "
                f"({', '.join('none' if t is None else f'{t:.3f}' for t in per_fold)}) |"
            )
    if args.write:
        for (name, method), threshold in fitted.items():
            chosen = calibration.gates if name == "usual" else calibration.text_only_gates
            assert chosen is not None
            chosen[method] = replace(chosen[method], suggest_threshold=threshold)
        calibration.fitted["near_miss_band"] = (
            "suggest_threshold refitted on tune by benchmarks/near_miss_band.py "
            "(ADR 0101, twenty-fourth session); nothing else changed"
        )
        target = store.path_for_writing(articles_dir, index_dir, settings.knowledge_calibration)
        calibration.save(target)
        print(f"\nwrote {len(fitted)} thresholds to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
