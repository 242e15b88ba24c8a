"""Leave-one-set-out for fresh14 joining the learned check's data (ADR 0202, fourteenth round).

fresh14 was reported once and becomes training data, as fresh13 did in the thirteenth round.
This scores, for each of the fifteen seen groups in turn (fresh14 included), two candidates:

- ``S`` the status quo: the check fitted on everything but the left-out set and fresh14
  (in fresh14's own row the same fit as ``J``);
- ``J`` fresh14 joins: the check fitted on everything but the left-out set.

The base is as served (the written exemplars, the short ordinary messages among them since the
thirteenth round, the guidance tune questions) for both. Each check is fitted at the served
budget with the tenth round's Z(orig), exactly as ``benchmarks/safety_thirteenth_loso.py`` fits
it, served as now (``K(0.5 %)``, ``P(0)``, the backstop in every intent of
``safety.routing.BACKSTOP_INTENTS``), the served patterns (the twelfth round's) "honest" per row
and Rasa's gate recomputed from the cached parse. Then each candidate is refitted on all its
groups and the live slice's lines are routed in process: servable only if none of its ordinary
lines and all of its crisis lines get the crisis reply. The rule, written in the ADR before any
figure, is applied by ``choose``. Blind sets not yet reported are never read
(``safety/labelled.py`` names the sets; fresh15 is not among them). Rows can be run in separate
processes (``--rows``); each row's counts are kept in ``--out``; ``--table`` prints them. The
round's pieces, shared with the fifteenth round, are in ``benchmarks/safety_join_round.py``:

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
