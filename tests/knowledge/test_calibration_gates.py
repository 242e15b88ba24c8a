"""Fitting the gates copes with a question set that offers no second candidate (issue 15).

What must hold: when no on-topic question has a runner-up (so there is no gap between a first
and a second article to learn a clarify margin from), fitting still returns gates, with a
clarify margin of 0 (never ask "did you mean"), instead of failing with IndexError.
"""

from __future__ import annotations

from knowledge.calibration import Features, fit_gates


def test_no_runner_up_gives_a_zero_clarify_margin() -> None:
    feats = [
        Features(offtopic=0.8, top=0.9, second=None, ranked_ids=("a",), gold="a"),
        Features(offtopic=0.7, top=0.8, second=None, ranked_ids=("b",), gold="b"),
        Features(offtopic=0.1, top=0.2, second=None, ranked_ids=("a",), gold=None),
    ]
    gates = fit_gates(feats)
    assert gates.clarify_margin == 0.0
    assert gates.offtopic_threshold <= 0.7  # both on-topic questions still pass
