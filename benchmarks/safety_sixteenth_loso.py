"""Leave-one-set-out for short1 and form1 joining the check's data (ADR 0202, sixteenth round).

short1 (short messages, reported in the fourteenth session) and form1 (replies typed while a
form question waits, reported once in the sixteenth session) join together: candidates ``S``
(neither) and ``J`` (both) over the eighteen seen groups, exactly as the fourteenth round
(``benchmarks/safety_join_round.py``). form2, the blind set of mid-form replies that measures
this round afterwards, must stay in ``labelled.UNSEEN_SETS`` and is never read here (nor is
fresh17). Rows as in the fourteenth round's script:

    git show 233e040:safety/patterns.py > /tmp/patterns_before.py
    git show 2595888:safety/patterns.py > /tmp/patterns_eighth.py
    nice -n 19 .venv/bin/python benchmarks/safety_sixteenth_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_sixteenth_loso.py --table
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from safety_join_round import main  # noqa: E402

JOINING = ("short1", "form1")
BLIND = "form2"  # measures this round once, through the live chat; never read here

if __name__ == "__main__":
    main(__doc__, JOINING, BLIND, Path("/tmp/safety_sixteenth_loso"))
