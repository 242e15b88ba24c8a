"""The labelled phrasings the learned crisis check is fitted on, grouped by who wrote them.

Two kinds of data (docs/adr/0202, fifth round):

- the **base**: phrasings written for the purpose (``safety/exemplars/``; since the thirteenth
  round its ordinary file also holds the short ordinary messages of
  ``safety/candidates/short_ordinary.jsonl``, tagged ``"source": "short_ordinary"``) and the
  guidance tune questions of ``knowledge/eval/questions.jsonl`` as ordinary ones (those the
  patterns would flag left out);
- the **seen sets**, one group per writer: the original pair ``safety/eval/{crisis,benign}.jsonl``
  (both halves) and the blind sets ``fresh`` … ``fresh14`` (fresh10 from ADR 0202's tenth round,
  fresh11 from its eleventh, fresh12 from its twelfth, fresh13 from its thirteenth, fresh14
  from its fourteenth), short1 (short messages) and form1 (replies typed mid-form), which
  joined together in its sixteenth round, and fresh15, fresh16, fresh17 and form2, which joined
  together in its seventeenth.
  Each was reported once as an unseen measurement; that value is spent, so they are training
  data now.

Only the folders named in ``SEEN_SETS`` are read: the eval folder is never globbed, so a blind
set written later (``fresh15`` and after) cannot leak into the check or its fitting until it is
deliberately added here after its one report. Nothing is read at import.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The original pair, then the blind sets already reported (each by a different writer).
ORIGINAL = "original"
SEEN_SETS = (
    "fresh",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
    "fresh9",
    "fresh10",
    "fresh11",
    "fresh12",
    "fresh13",
    "fresh14",
    "short1",
    "form1",
    "fresh15",
    "fresh16",
    "fresh17",
    "form2",
)
# Blind sets not yet trained on: never read by the check, its fitting or the evaluation.
# fresh18 and form3 are reported (each measured ADR 0202's seventeenth round once, figures only;
# the eighteenth round's rule kept them out), as are fresh19 and form4 (the eighteenth round's
# blind sets); none is trained on. fresh20 and form5, written in the eighteenth session, measured
# the nineteenth round once (figures only) and are reported too, as are fresh21 and form6 (the
# twentieth round's blind sets, measured once). None of those is trained on. fresh22 and form7,
# written at the end of the nineteenth session, measured the twenty-third round once (figures
# only) and are reported too. fresh23 and form8, written from briefs alone in the twenty-third
# session, were measured once after the twenty-fourth session's routing changes (figures only)
# and are reported too. fresh24 and form9 were written from briefs alone in the twenty-fourth
# session for the next round and are unread: nobody has measured or looked at them.
UNSEEN_SETS = (
    "fresh18",
    "form3",
    "fresh19",
    "form4",
    "fresh20",
    "form5",
    "fresh21",
    "form6",
    "fresh22",
    "form7",
    "fresh23",
    "form8",
    "fresh24",
    "form9",
)
assert not set(SEEN_SETS) & set(UNSEEN_SETS)


@dataclass(frozen=True)
class Labelled:
    """Crisis and ordinary phrasings of one source."""

    crisis: list[str]
    ordinary: list[str]


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def key(text: str) -> str:
    """A phrasing's identity for de-duplication: lower-case words only."""
    return re.sub(r"\W+", " ", text.lower()).strip()


def base(root: Path = ROOT) -> Labelled:
    """The written exemplars and the guidance tune questions (ordinary)."""
    from safety.detection import detect_safety_concern

    folder = root / "safety" / "exemplars"
    crisis = [str(r["text"]) for r in _rows(folder / "crisis.jsonl")]
    ordinary = [str(r["text"]) for r in _rows(folder / "ordinary.jsonl")]
    ordinary += [
        str(r["question"])
        for r in _rows(root / "knowledge/eval/questions.jsonl")
        if r["split"] == "tune" and not detect_safety_concern(str(r["question"]))
    ]
    return Labelled(crisis, ordinary)


def seen_group(name: str, root: Path = ROOT) -> Labelled:
    """One seen set (``original`` or a name of ``SEEN_SETS``), all its lines."""
    if name != ORIGINAL and name not in SEEN_SETS:
        raise ValueError(f"{name!r} is not a seen set (see safety/labelled.py)")
    folder = root / "safety" / "eval" if name == ORIGINAL else root / "safety" / "eval" / name
    crisis = [str(r["text"]) for r in _rows(folder / "crisis.jsonl")]
    ordinary = [str(r["text"]) for r in _rows(folder / "benign.jsonl")]
    return Labelled(crisis, ordinary)


def groups(root: Path = ROOT) -> dict[str, Labelled]:
    """Every seen set by name, the original pair first."""
    return {name: seen_group(name, root) for name in (ORIGINAL, *SEEN_SETS)}


def training(root: Path = ROOT, leave_out: str | None = None) -> Labelled:
    """The base and every seen set except ``leave_out``; no line equal to one of the left-out
    set's (by ``key``) and no repeated line."""
    parts = [base(root)] + [g for name, g in groups(root).items() if name != leave_out]
    held = set()
    if leave_out is not None:
        out = seen_group(leave_out, root)
        held = {key(text) for text in out.crisis + out.ordinary}
    crisis: list[str] = []
    ordinary: list[str] = []
    seen: set[str] = set(held)
    for part in parts:
        for texts, target in ((part.crisis, crisis), (part.ordinary, ordinary)):
            for text in texts:
                if key(text) not in seen:
                    seen.add(key(text))
                    target.append(text)
    return Labelled(crisis, ordinary)
