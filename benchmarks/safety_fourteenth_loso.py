"""Leave-one-set-out for fresh14 joining the learned check's data (ADR 0202, fourteenth round).

fresh14 was reported once and becomes training data, as fresh13 did in the thirteenth round.
Candidates ``S`` and ``J`` over the fifteen seen groups (fresh14 included), scored, checked on
the live slice and chosen by the rule as ``benchmarks/safety_join_round.py`` describes; fresh15,
the blind set that measures this round afterwards, is never read here. Rows can be run in
separate processes (``--rows``); each row's counts are kept in ``--out``; ``--table`` prints
them:

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 19 .venv/bin/python benchmarks/safety_fourteenth_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_fourteenth_loso.py --table
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety_join_round import main  # noqa: E402

JOINING = "fresh14"
BLIND = "fresh15"  # measured this round once, through the live chat; never read here

if __name__ == "__main__":
    main(__doc__, JOINING, BLIND, Path("/tmp/safety_fourteenth_loso"))
