"""Leave-one-set-out for crisis phrases written from the W candidates (ADR 0202, twentieth round).

The nineteenth round's W (``safety/candidates/crisis_suicide_danger.jsonl`` and
``ordinary_near_crisis.jsonl``, written blind from a brief) did not move the learned check; the
served routing missed 36 of W's 363 crisis lines (18 suicide, 18 immediate danger; the patterns
caught 60 of its 173 danger lines) and flagged 8 of its 346 ordinary ones. This round's
candidates are phrases written from W's lines only (no line of any seen, reported or blind set
read), so they are honest for every row:

- ``S`` the status quo;
- ``P`` the served patterns plus ``ADD_SUICIDE`` and ``ADD_DANGER``;
- ``P+N`` P with ``NARROW``, three narrowings for W's ordinary lines the patterns flag.

The learned check is the same for all three (one fit per row, as served), so only the patterns
and what follows from them (the vetoes' pools, Rasa's gate) differ. Rows, the fit and the
served routing as in the nineteenth round (``benchmarks/safety_nineteenth_loso.py``): the
twenty-one seen groups left out in turn, then the reported sets scored by the fit on all seen;
the rule's means take the seen groups, fresh18 and form3; fresh19, form4, fresh20 and form5 are
printed apart (their counts by kind pointed at suicide and danger). fresh21 and form6 measure
the round once afterwards, through the live chat, and are never read here.

    nice -n 5 .venv/bin/python benchmarks/safety_twentieth_loso.py --rows original,fresh,...
    .venv/bin/python benchmarks/safety_twentieth_loso.py --table
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from safety_nineteenth_loso import IN_RULE, print_table, readable, run_round  # noqa: E402
from safety_round import (  # noqa: E402
    STATUS_QUO,
    Patterns,
    score_row,
    score_slice,
)
from safety_thirteenth_loso import patterns_for  # noqa: E402

from safety import labelled  # noqa: E402

CANDIDATES = (STATUS_QUO, "P", "P+N")  # simplest first
APART = ("fresh19", "form4", "fresh20", "form5")  # reported; outside the rule
BLIND = ("fresh21", "form6")  # measure the round afterwards; never read here
OUT = Path("/tmp/safety_twentieth_loso")

# Phrases written from the W candidate lines only (suicide, then immediate danger).
ADD_SUICIDE = (
    r"\b(?:i'm|i am) (?:now |still |sat |stood |standing |sitting )?(?:at|on) the (?:top of the )?"
    r"(?:railway (?:line|bridge|tracks?)|cliffs?|cliff edge|quarry|car park roof)\b"
    r"|\bat the (?:top of the )?(?:railway (?:line|bridge|tracks?)|cliffs?|cliff edge|quarry"
    r"|car park roof)\b,? (?:right )?now\b",
    r"\b(?:going|heading|walking|driving) (?:up |down |out )?to the (?:railway (?:line|bridge"
    r"|tracks?)|cliffs?|cliff edge|quarry|car park roof)\b.{0,30}\b(?:now|tonight|after (?:i send"
    r"|this))\b",
    r"\b(?:pills|tablets|paracetamol|painkillers|meds) (?:all )?(?:lined up|counted out)\b",
    r"\b(?:took|taken|swallowed|had|downed) (?:the |a )?(?:whole|hale|full|entire) (?:packet"
    r"|box|bottle|strip)\b|\b(?:i've|i have) (?:took|taken) everything\b",
    r"\b(?:woods|forest|loft|garage|tree)\b.{0,20}\bwith (?:the|a) rope\b|\bwith (?:the|a) rope"
    r"\b.{0,20}\b(?:tonight|later|now)\b",
    r"\b(?:barbecue|bbq|charcoal)\b.{0,40}\b(?:windows?|doors?) (?:shut|closed|sealed|taped)\b",
    r"\b(?:everything|all) i need to end (?:it|things|my life)\b",
    r"\b(?:took|taken|swallowed|had|downed)\b.{0,25}\b(?:[1-9]\d+|too many|a load of|all (?:her"
    r"|his|my|their)|the whole)\b.{0,10}\b(?:co-?codamol|codeine|ibuprofen|antidepressants"
    r"|sertraline|diazepam|tramadol)\b",
)
ADD_DANGER = (
    r"\bbleeding (?:so |really )?(?:heavily|badly|everywhere)\b|\b(?:won'?t|will not|can'?t)"
    r" stop (?:the )?bleeding\b|\bbleeding (?:and )?(?:won'?t|will not) stop\b",
    r"\b(?:not|no|isnae|isn'?t|stopped) (?:breathin|breethin\w*|breething|breathin')\b",
    r"\b(?:fit|seizure|convulsion)s? (?:won'?t|will not|wont|isn'?t|is not|hasn'?t|has not)"
    r" stop|\b(?:is|he's|she's|'s) having a (?:fit|seizure)\b(?! of)",
    r"\btrapped (?:in|under|inside) (?:the )?(?:rubble|car|wreckage|water|debris|building)\b"
    r"|\b(?:someone|somebody|a (?:man|woman|person|child|kid)|people)(?:'s| is| are)? trapped\b",
    r"\b(?:baby|child|kid|toddler|son|daughter)\b.{0,40}\blocked (?:himself |herself"
    r" |themselves )?in (?:the|a|my|his|her|their) (?:hot )?car\b",
    r"\bdogs?\b.{0,20}\battack(?:ing|s)? (?:a|my|the|his|her|our) (?:child|kid|baby|son"
    r"|daughter|toddler|boy|girl)\b",
    r"^(?!.*\b(?:ago|last (?:year|month|week)|claim\w*|compensation|insurance|insurer)\b)"
    r".*\b(?:hit by|run over by|knocked (?:down|off|over) by) (?:a |the )?(?:car|van|bus|lorry"
    r"|truck|train)\b.{0,60}\b(?:screaming|trapped|under|stuck|hurt|injured)\b",
    r"\b(?:car|van|lorry|bus)(?:'s| is)? on (?:its|it's) roof\b|\b(?:crash|collision|accident)\b"
    r".{0,40}\b(?:people|someone|somebody|child|kids?|driver|passengers?) (?:trapped|inside"
    r"|in the back)\b",
    r"\b(?:fallen|fell|collapsed) (?:in|into|down) (?:the |a )?(?:hole|trench|sewer\w*|shaft"
    r"|well|manhole|pit)\b.{0,80}\b(?:not (?:answering|responding|moving)|can'?t get out"
    r"|trapped|hurt)\b",
    r"^(?!.*\b(?:(?:years?|months?|weeks?) ago|last (?:year|month|week)|scheme|tracker|register"
    r"|advice)\b)"
    r".*(?:\b(?:gone missing|is missing|went missing|hasn'?t come home|not come home)\b.{0,80}"
    r"\b(?:dementia|epilep\w*|medication|diabet\w*|alzheimer\w*|suicidal|autis\w*)\b"
    r"|\b(?:dementia|epilep\w*|alzheimer\w*)\b.{0,80}\b(?:gone missing|is missing|went missing"
    r"|wandered off)\b)",
    r"\bsmoke alarms? (?:is |are |keeps? )?(?:going off|screaming|sounding)\b.{0,60}\b(?:fire"
    r"|flames|burning|barricaded)\b|\b(?:fire|flames|burning)\b.{0,60}\bsmoke alarms? (?:is"
    r" |are )?(?:going off|screaming|sounding)\b",
)
# (category, index, old, new): each old text occurs once in the served pattern
NARROW = (
    ("suicide_self_harm", 35, r"\bjump(?:ing)? (?:off", r"\b(?<!rather )jump(?:ing)? (?:off"),
    (
        "suicide_self_harm",
        7,
        r"\b(?:take|taking|took) (?:my|his|her|their) (?:own )?life\b",
        r"^(?!.*\b(?:years ago|bereavement)\b).*\b(?:take|taking|took) (?:my|his|her|their)"
        r" (?:own )?life\b",
    ),
    (
        "immediate_danger",
        1,
        r"\b(?:in|immediate|serious) danger\b",
        r"\b(?<!not )(?<!no longer )(?:in|immediate|serious) danger\b",
    ),
)


def candidate_patterns(candidate: str, served: Patterns) -> Patterns:
    """``served`` (the served patterns, honest for a row) as ``candidate`` has them. A
    narrowing whose old text a row's honest pattern lacks is left out in that row."""
    if candidate == STATUS_QUO:
        return served
    out = {c: list(ps) for c, ps in served.items()}
    if candidate == "P+N":
        for category, index, old, new in NARROW:
            if out[category][index].count(old) == 1:
                out[category][index] = out[category][index].replace(old, new)
    out["suicide_self_harm"] += ADD_SUICIDE
    out["immediate_danger"] += ADD_DANGER
    return {c: tuple(ps) for c, ps in out.items()}


def score(
    name: str, vec: dict[str, np.ndarray], parses: dict[str, Any], patterns: dict[str, Any]
) -> dict[str, Any]:
    """A seen group's row (left out of the fit), or ``servable``: the fit on everything seen,
    the live slice and the reported sets."""
    from safety_patterns_loso import fit_left_out

    from safety.fit_similarity import MAX_ALARM_RATE

    leave_out = None if name == "servable" else name
    train = labelled.training(leave_out=leave_out)
    fitted = (train, fit_left_out(vec, train, MAX_ALARM_RATE))
    fits = {c: fitted for c in CANDIDATES}
    served = patterns_for(patterns, leave_out)
    pats = {c: candidate_patterns(c, served) for c in CANDIDATES}
    if name != "servable":
        return score_row(name, fits, lambda c: pats[c], vec, parses)
    out = score_slice(fits, lambda c: pats[c], vec, parses)
    out["reported"] = {}
    for reported in IN_RULE + APART:
        with readable(reported):
            out["reported"][reported] = score_row(reported, fits, lambda c: pats[c], vec, parses)
    return out


def main() -> None:
    """Run the twentieth round (``--table`` only prints the kept rows)."""
    run_round(
        __doc__,
        OUT,
        score,
        BLIND,
        APART,
        lambda out: print_table(
            out, CANDIDATES, APART, "their counts by kind pointed at suicide and danger"
        ),
    )


if __name__ == "__main__":
    main()
