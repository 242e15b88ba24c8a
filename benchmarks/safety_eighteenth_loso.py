"""Leave-one-set-out for the two reported blind sets joining the check's data (ADR 0202, 18th).

fresh18 (a writer of whole messages) and form3 (replies typed mid-form), each reported once and
neither trained on, join together: candidates ``S`` (none) and ``J`` (both) over the twenty-three
seen groups, as the sixteenth and seventeenth rounds (``benchmarks/safety_join_round.py``).
fresh19 and form4, the blind sets that measure this round afterwards, must stay in
``labelled.UNSEEN_SETS`` and are never read here. Rows as in the fourteenth round's script:

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 5 .venv/bin/python benchmarks/safety_eighteenth_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_eighteenth_loso.py --table
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety_join_round import main  # noqa: E402

JOINING = ("fresh18", "form3")
BLIND = "fresh19"  # with form4, measures this round once, through the live chat; never read here

if __name__ == "__main__":
    main(__doc__, JOINING, BLIND, Path("/tmp/safety_eighteenth_loso"))
