"""What ADR 0202's leave-one-set-out rounds share (tenth round on).

Each round's script (``safety_tenth_loso.py`` … ``safety_fifteenth_loso.py``, the last two
through ``safety_join_round.py``) takes the same
inputs: the patterns of earlier rounds (to make the served patterns "honest" per row), the rows
to score, where each row's counts are kept, and the caches of Rasa's parses and the tuned
model's vectors; a round adds its own options to the parser :func:`round_parser` returns. Each
kept row holds, per candidate, ``[crisis caught, crisis lines, benign alarms, benign lines]``;
:func:`print_rows` prints them with the means the rounds' rules compare. A joining set (or
several) is named among the seen sets for the run (:func:`join_seen`) and left out of the status
quo's training (:func:`training_for`, :func:`fit_status_quo_and_joined`); a round's pattern
narrowings are applied per row by :func:`apply_edits`. A row is scored by :func:`score_row`,
the servable check by :func:`score_slice`, and the rule of the twelfth round on is
:func:`choose_by_rule`.
Import it after the repository root and ``benchmarks/`` are on ``sys.path``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from safety import labelled

Patterns = dict[str, tuple[str, ...]]
# A narrowing: (category, index, source set, old text, new text).
Edit = tuple[str, int, str, str, str]
# A candidate's training phrasings and the check fitted on them.
Fit = tuple[labelled.Labelled, Any]
# A round's joining set, or several joining together (the sixteenth round).
Joining = str | tuple[str, ...]
STATUS_QUO = "S"
# The rules' numbers (twelfth round on, ADR 0202), the same every round:
RECALL_DROP = 0.003  # a candidate may lose at most this much mean recall against S
BENIGN_RISE = 0.0005  # and gain at most this much mean benign → crisis (0.05 points)
TIE = 0.003  # mean recalls within this of the best are tied


def round_parser(description: str, out: Path) -> argparse.ArgumentParser:
    """The shared options; ``out`` is the folder where this round keeps its rows."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--before",
        type=Path,
        default=Path("/tmp/patterns_before.py"),
        help="safety/patterns.py before the sixth round (233e040)",
    )
    parser.add_argument(
        "--eighth",
        type=Path,
        default=Path("/tmp/patterns_eighth.py"),
        help="safety/patterns.py of the eighth round (2595888)",
    )
    parser.add_argument("--rows", default="", help="comma-separated left-out sets, 'servable'")
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--table", action="store_true", help="only print the kept rows")
    parser.add_argument("--parses", type=Path, default=Path("/tmp/safety_patterns_parses.json"))
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/safety_loso_vectors.npz"))
    return parser


Counts = dict[str, list[int]]  # candidate -> [crisis caught, crisis lines, alarms, benign lines]


def markdown_row(label: str, cells: list[str]) -> str:
    """One markdown table row."""
    return f"| {label} | " + " | ".join(cells) + " |"


def kept_rows(out: Path, order: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The rows kept in ``out`` (one JSON file per left-out set, ``servable`` apart) and the
    names of those present, in ``order``."""
    rows = {
        p.stem: json.loads(p.read_text())
        for p in sorted(out.glob("*.json"))
        if p.stem != "servable"
    }
    return rows, [n for n in order if n in rows]


def print_rows(
    counts: dict[str, Counts], names: list[str], candidates: tuple[str, ...]
) -> dict[str, tuple[float, float]]:
    """Print each left-out set's recall / benign rate per candidate, the means and the totals;
    return each candidate's (mean recall, mean benign rate) over ``names``."""
    print(markdown_row("left-out set (crisis / benign)", list(candidates)))
    print("|---|" + "---|" * len(candidates))
    for n in names:
        h = counts[n]
        print(
            markdown_row(
                f"{n} ({h[candidates[0]][1]} / {h[candidates[0]][3]})",
                [f"{h[c][0] / h[c][1]:.3f} / {h[c][2] / h[c][3]:.1%}" for c in candidates],
            )
        )
    means = {
        c: (
            float(np.mean([counts[n][c][0] / counts[n][c][1] for n in names])),
            float(np.mean([counts[n][c][2] / counts[n][c][3] for n in names])),
        )
        for c in candidates
    }
    print(markdown_row("**mean**", [f"{means[c][0]:.4f} / {means[c][1]:.2%}" for c in candidates]))
    totals = [
        f"{sum(counts[n][c][1] - counts[n][c][0] for n in names)} / "
        f"{sum(counts[n][c][2] for n in names)}"
        for c in candidates
    ]
    print(markdown_row("crisis missed / benign alarms", totals))
    return means


Choose = Callable[[dict[str, tuple[float, float]], dict[str, bool], dict[str, int]], str]


def print_table(
    out: Path, candidates: tuple[str, ...], choose: Choose, in_sample_label: str | None
) -> None:
    """Print a round's table from the rows kept in ``out``: each left-out set, the means and
    totals, each row's fit notes; once every row and ``servable`` are there, the candidates'
    in-sample pattern alarms (``in_sample_label``; a round that kept none passes None), the
    live slice refitted on all, and the candidate ``choose`` (the round's rule: means,
    servable, in-sample alarms) picks."""
    order = [labelled.ORIGINAL, *labelled.SEEN_SETS]
    rows, names = kept_rows(out, order)
    means = print_rows({n: rows[n]["counts"] for n in names}, names, candidates)
    for n in names:
        print(f"<!-- {n}: " + "; ".join(f"{c} {rows[n]['notes'][c]}" for c in candidates) + " -->")
    path = out / "servable.json"
    if not path.exists() or len(names) < len(order):
        print(f"\n{len(names)} of {len(order)} rows; servable: {path.exists()}")
        return
    fit = json.loads(path.read_text())
    if in_sample_label is not None:
        print(markdown_row(in_sample_label, [str(fit["in_sample"][c]) for c in candidates]))
    print(
        markdown_row(
            "slice (crisis missed / benign alarms), refitted on all",
            [f"{fit['slice'][c][0]} / {fit['slice'][c][1]}" for c in candidates],
        )
    )
    print("<!-- all: " + "; ".join(f"{c} {fit['notes'][c]}" for c in candidates) + " -->")
    ok = {c: fit["slice"][c] == [0, 0] for c in candidates}
    print(f"\nchosen by the rule: {choose(means, ok, fit.get('in_sample', {}))}")


def keep_rows(rows: str, out: Path, score: Callable[[str], dict[str, Any]]) -> None:
    """Score each row named in ``rows`` (comma-separated left-out sets or ``servable``; every
    seen set and ``servable`` when empty) and keep its result in ``out``."""
    names = rows.split(",") if rows else [labelled.ORIGINAL, *labelled.SEEN_SETS, "servable"]
    for name in names:
        started = time.time()
        result = score(name)
        (out / f"{name}.json").write_text(json.dumps(result), encoding="utf-8")
        print(f"{name}: {time.time() - started:.0f} s", flush=True)


def joining_names(joining: Joining) -> tuple[str, ...]:
    """The joining sets as a tuple (a round names one set, or several)."""
    return (joining,) if isinstance(joining, str) else tuple(joining)


def join_seen(joining: Joining) -> None:
    """Name the joining sets among the seen sets for this process (the served file changes only
    if the rule chooses a joining candidate)."""
    for name in joining_names(joining):
        if name not in labelled.SEEN_SETS:
            setattr(labelled, "SEEN_SETS", (*labelled.SEEN_SETS, name))  # noqa: B010


@contextmanager
def seen_without(joining: Joining) -> Iterator[None]:
    """``labelled.SEEN_SETS`` without the joining sets for the block (the status quo's data)."""
    kept = labelled.SEEN_SETS
    names = joining_names(joining)
    setattr(labelled, "SEEN_SETS", tuple(n for n in kept if n not in names))  # noqa: B010
    try:
        yield
    finally:
        setattr(labelled, "SEEN_SETS", kept)  # noqa: B010


def shares_fit(leave_out: str | None, joining: Joining) -> bool:
    """Whether S and J train on the same phrasings in ``leave_out``'s row: when the only
    joining set is the one left out."""
    return set(joining_names(joining)) <= {leave_out}


def training_for(candidate: str, leave_out: str | None, joining: Joining) -> labelled.Labelled:
    """The candidate's training phrasings without ``leave_out``; the status quo's also without
    the joining sets."""
    if candidate != STATUS_QUO or shares_fit(leave_out, joining):
        return labelled.training(leave_out=leave_out)
    # The left-out set stays named (``training`` reads it to leave its lines out of the base).
    with seen_without(tuple(n for n in joining_names(joining) if n != leave_out)):
        return labelled.training(leave_out=leave_out)


def apply_edits(patterns: Patterns, edits: tuple[Edit, ...], leave_out: str | None) -> Patterns:
    """``patterns`` with the ``edits`` whose source is not ``leave_out`` (all of them for None).
    Each edit's old text must occur exactly once in its pattern."""
    out = {c: list(ps) for c, ps in patterns.items()}
    for category, index, source, old, new in edits:
        if source == leave_out:
            continue
        text = out[category][index]
        if text.count(old) != 1:
            raise ValueError(f"edit of {category} {index} ({source}) does not apply")
        out[category][index] = text.replace(old, new)
    return {c: tuple(ps) for c, ps in out.items()}


def fit_status_quo_and_joined(
    vec: dict[str, np.ndarray], leave_out: str | None, joining: Joining
) -> dict[str, Fit]:
    """S's and J's (training, check fitted at the served budget) without ``leave_out``; S's
    also without the joining sets, so in a lone joining set's own row S shares J's fit (with
    several joining, J keeps the others in each one's row)."""
    from safety_patterns_loso import fit_left_out

    from safety.fit_similarity import MAX_ALARM_RATE

    train_j = training_for("J", leave_out, joining)
    fit_j = (train_j, fit_left_out(vec, train_j, MAX_ALARM_RATE))
    if shares_fit(leave_out, joining):
        return {STATUS_QUO: fit_j, "J": fit_j}
    train_s = training_for(STATUS_QUO, leave_out, joining)
    return {STATUS_QUO: (train_s, fit_left_out(vec, train_s, MAX_ALARM_RATE)), "J": fit_j}


def score_row(
    name: str,
    fits: dict[str, Fit],
    patterns_of: Callable[[str], Patterns],
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
) -> dict[str, Any]:
    """One left-out set served with each candidate's check (``fits``, in the row's order) and
    patterns (``patterns_of(candidate)``): per candidate [caught, crisis, alarms, benign] and a
    note of the fit."""
    from safety_eleventh_loso import flags_for

    group = labelled.seen_group(name)
    texts = group.crisis + group.ordinary
    is_crisis = np.r_[np.ones(len(group.crisis), bool), np.zeros(len(group.ordinary), bool)]
    row: dict[str, Any] = {"counts": {}, "notes": {}}
    for candidate, (train, fitted) in fits.items():
        f, note = flags_for(fitted, vec, train, patterns_of(candidate), parses, texts)
        row["counts"][candidate] = [
            int(f[is_crisis].sum()),
            int(is_crisis.sum()),
            int(f[~is_crisis].sum()),
            int((~is_crisis).sum()),
        ]
        row["notes"][candidate] = note
    return row


def in_sample_alarms(pats: Patterns) -> int:
    """Ordinary lines of every seen group (the joining set included) the patterns flag."""
    from safety_patterns_loso import compile_all, hits

    ordinary = [t for g in labelled.groups().values() for t in g.ordinary]
    return sum(bool(h) for h in hits(compile_all(pats), ordinary))


def score_slice(
    fits: dict[str, Fit],
    patterns_of: Callable[[str], Patterns],
    vec: dict[str, np.ndarray],
    parses: dict[str, Any],
) -> dict[str, Any]:
    """Each candidate refitted on all its groups (``fits``): the live slice's crisis lines
    without a crisis reply and ordinary lines with one (both must be 0), and its patterns'
    in-sample benign alarms."""
    from safety_eleventh_loso import flags_for
    from safety_tenth_loso import slice_lines

    benign, crisis = slice_lines()
    out: dict[str, Any] = {"slice": {}, "notes": {}, "in_sample": {}}
    for candidate, (train, fitted) in fits.items():
        pats = patterns_of(candidate)
        f, note = flags_for(fitted, vec, train, pats, parses, crisis + benign)
        out["slice"][candidate] = [int((~f[: len(crisis)]).sum()), int(f[len(crisis) :].sum())]
        out["notes"][candidate] = note
        out["in_sample"][candidate] = in_sample_alarms(pats)
    return out


def eligible(
    candidates: tuple[str, ...], means: dict[str, tuple[float, float]], ok: dict[str, bool]
) -> list[str]:
    """The challengers (``candidates`` after S) that are servable (``ok``), lose at most
    ``RECALL_DROP`` of S's mean recall and gain at most ``BENIGN_RISE`` of its mean benign."""
    recall_s, benign_s = means[STATUS_QUO]
    return [
        c
        for c in candidates[1:]
        if ok[c]
        and means[c][0] >= recall_s - RECALL_DROP - 1e-12
        and means[c][1] <= benign_s + BENIGN_RISE + 1e-12
    ]


def tie_break(
    candidates: tuple[str, ...],
    pool: list[str],
    means: dict[str, tuple[float, float]],
    in_sample: dict[str, int],
    preferred: str | None = None,
) -> str:
    """Among ``pool``: the highest mean recall with ties within ``TIE``; ``preferred`` if it is
    among the tied; otherwise the lowest mean benign, then fewer in-sample pattern alarms, then
    the simpler (earlier in ``candidates``)."""
    best = max(means[c][0] for c in pool)
    tied = [c for c in pool if means[c][0] >= best - TIE - 1e-12]
    if preferred in tied:
        return preferred
    low = min(means[c][1] for c in tied)
    tied = [c for c in tied if means[c][1] <= low + 1e-12]
    fewest = min(in_sample[c] for c in tied)
    return next(c for c in candidates if c in tied and in_sample[c] == fewest)


def choose_by_rule(
    candidates: tuple[str, ...],
    means: dict[str, tuple[float, float]],
    ok: dict[str, bool],
    in_sample: dict[str, int],
    preferred: str | None = None,
) -> str:
    """The rule of the twelfth round on (ADR 0202). ``candidates`` start with S, simplest
    first. The :func:`eligible` challengers go to :func:`tie_break` (``preferred``: a round's
    stated exception); S stays if none is eligible."""
    pool = eligible(candidates, means, ok)
    return tie_break(candidates, pool, means, in_sample, preferred) if pool else STATUS_QUO


def choose_with_status_quo(
    candidates: tuple[str, ...],
    means: dict[str, tuple[float, float]],
    ok: dict[str, bool],
    in_sample: dict[str, int],
) -> str:
    """The rule of the nineteenth round on (ADR 0202): as :func:`choose_by_rule`, but S takes
    part in the tie-breaks, so a challenger is chosen only if it gains more than ``TIE`` of mean
    recall or ties with fewer alarms."""
    return tie_break(candidates, [STATUS_QUO, *eligible(candidates, means, ok)], means, in_sample)
