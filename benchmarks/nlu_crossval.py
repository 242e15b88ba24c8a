"""NLU report: per-intent precision, recall and F1 from cross-validation of the training data.

Runs ``rasa test nlu --cross-validation`` with the bot's own pipeline (``bot/config.yml``)
on ``bot/data/nlu.yml`` and prints a table, plus the same table for a word-count
LogisticRegression baseline run in the same invocation, so a change of pipeline or data
shows up as a difference between the two columns.

    .venv/bin/python benchmarks/nlu_crossval.py [--folds 5] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
TRAIN = ROOT / "bot" / "data" / "nlu.yml"
CONFIG = ROOT / "bot" / "config.yml"
BASELINE = {
    "recipe": "default.v1",
    "language": "en",
    "pipeline": [
        {"name": "WhitespaceTokenizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "LogisticRegressionClassifier", "max_iter": 200, "random_state": 42},
    ],
    "policies": [],
}


Report = dict[str, Any]


def cross_validate(config: Path, folds: int, out: Path) -> tuple[Report, float]:
    """Run Rasa's cross-validation; return the test-fold intent report and seconds taken."""
    started = time.perf_counter()
    result = subprocess.run(
        [
            str(RASA),
            "test",
            "nlu",
            "--cross-validation",
            "--folds",
            str(folds),
            "-c",
            str(config),
            "--nlu",
            str(TRAIN),
            "--out",
            str(out),
            "--no-plot",
        ],
        cwd=ROOT / "bot",
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit("cross-validation failed")
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    return report, time.perf_counter() - started


def main() -> int:
    """Print the per-intent table for the bot's pipeline and the baseline."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nlu-cv-") as tmp:
        work = Path(tmp)
        ours, ours_s = cross_validate(CONFIG, args.folds, work / "ours")
        base: Report = {}
        base_s = 0.0
        if not args.no_baseline:
            config = work / "baseline.yml"
            config.write_text(yaml.safe_dump(BASELINE), encoding="utf-8")
            base, base_s = cross_validate(config, args.folds, work / "baseline")
    print(
        f"{args.folds}-fold cross-validation of bot/data/nlu.yml "
        f"(bot pipeline {ours_s:.0f} s, baseline {base_s:.0f} s)"
    )
    print(f"{'intent':<22}{'P':>6}{'R':>6}{'F1':>6}{'n':>5}{'baseline F1':>13}")
    for intent, scores in sorted(ours.items()):
        if not isinstance(scores, dict) or "support" not in scores or " avg" in intent:
            continue
        baseline_f1 = base.get(intent, {}).get("f1-score")
        shown = f"{baseline_f1:.2f}" if baseline_f1 is not None else "-"
        print(
            f"{intent:<22}{scores['precision']:>6.2f}{scores['recall']:>6.2f}"
            f"{scores['f1-score']:>6.2f}{scores['support']:>5}{shown:>13}"
        )
    base_acc = f"{base['accuracy']:.3f}" if base else "-"
    print(f"{'accuracy':<22}{ours['accuracy']:>18.3f}{'':>5}{base_acc:>13}")
    print(f"{'macro F1':<22}{ours['macro avg']['f1-score']:>18.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
