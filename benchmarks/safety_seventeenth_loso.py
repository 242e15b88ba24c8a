"""Leave-one-set-out for the four reported blind sets joining the check's data (ADR 0202, 17th).

fresh15, fresh16, fresh17 (writers of whole messages) and form2 (replies typed mid-form), each
reported once and none trained on, join together: candidates ``S`` (none) and ``J`` (all four)
over the twenty-one seen groups, as the sixteenth round (``benchmarks/safety_join_round.py``).
fresh18 and form3, the blind sets that measure this round afterwards, must stay in
``labelled.UNSEEN_SETS`` and are never read here. Rows as in the fourteenth round's script:

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 5 .venv/bin/python benchmarks/safety_seventeenth_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_seventeenth_loso.py --table
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety_join_round import main  # noqa: E402

JOINING = ("fresh15", "fresh16", "fresh17", "form2")
BLIND = "fresh18"  # with form3, measures this round once, through the live chat; never read here

if __name__ == "__main__":
    main(__doc__, JOINING, BLIND, Path("/tmp/safety_seventeenth_loso"))
