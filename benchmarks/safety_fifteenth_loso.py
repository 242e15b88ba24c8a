"""Leave-one-set-out for fresh15 joining the learned check's data (ADR 0202, fifteenth round).

fresh15 was reported once (the fourteenth round's blind set) and becomes training data, as
fresh14 did in the fourteenth round. This scores, for each of the sixteen seen groups in turn
(``original``, ``fresh`` … ``fresh15``), two candidates, exactly as the fourteenth round did
(``benchmarks/safety_join_round.py``, which the fourteenth round's script also runs on):

- ``S`` the status quo: the check fitted on everything but the left-out set and fresh15
  (in fresh15's own row the same fit as ``J``);
- ``J`` fresh15 joins: the check fitted on everything but the left-out set.

Served as now, the served patterns (the twelfth round's) "honest" per row and the same for both,
the base as served for both, Rasa's gate recomputed from the cached parse; then each candidate
refitted on all its groups routes the live slice in process (servable only at 0 / 0). The rule,
written in the ADR before any figure, is ``safety_join_round.choose``. fresh16, the blind set
that measures this round once afterwards through the live chat, must stay in
``labelled.UNSEEN_SETS`` and is never read here. Rows can be run in separate processes
(``--rows``); each row's counts are kept in ``--out``; ``--table`` prints them:

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
