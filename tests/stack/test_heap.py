"""``stack.heap.freeze_loaded`` moves what a process has loaded out of the garbage collector's
full collections, and nothing made afterwards (ADR 0306: full collections paused Rasa and the
gateway for 0.4-1.1 s under load)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from stack.heap import freeze_loaded


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process goes on collecting as before


def test_freeze_takes_what_is_alive_and_nothing_made_later() -> None:
    loaded = [[index] for index in range(10_000)]  # tracked containers, alive at the freeze
    frozen = freeze_loaded("test")
    assert frozen == gc.get_freeze_count() >= len(loaded)
    assert not any(loaded[0] is obj for obj in gc.get_objects())  # out of every generation
    made_later = [[1], [2]]
    assert any(made_later is obj for obj in gc.get_objects())  # still collected as usual
    assert gc.get_freeze_count() == frozen


def test_cyclic_garbage_made_later_is_still_collected() -> None:
    freeze_loaded("test")

    class Node:
        partner: object = None

    first, second = Node(), Node()
    first.partner, second.partner = second, first
    del first, second
    assert gc.collect() >= 2
