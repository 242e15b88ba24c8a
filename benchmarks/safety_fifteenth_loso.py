"""Leave-one-set-out for fresh15 joining the learned check's data (ADR 0202, fifteenth round).

fresh15 was reported once (the fourteenth round's blind set) and becomes training data, as
fresh14 did. Candidates ``S`` and ``J`` over the sixteen seen groups (fresh15 included), exactly
as the fourteenth round (``benchmarks/safety_join_round.py``); fresh16, the blind set that
measures this round afterwards, must stay in ``labelled.UNSEEN_SETS`` and is never read here.
Rows as in the fourteenth round's script:

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 19 .venv/bin/python benchmarks/safety_fifteenth_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_fifteenth_loso.py --table
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety_join_round import main  # noqa: E402

JOINING = "fresh15"
BLIND = "fresh16"  # measures this round once, through the live chat; never read here

if __name__ == "__main__":
    main(__doc__, JOINING, BLIND, Path("/tmp/safety_fifteenth_loso"))
