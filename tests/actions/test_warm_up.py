"""The action server's warm-up calls ``after_load`` (the server freezes its heap there,
``stack.heap``) once the guidance and the crisis check have loaded, and not when loading
failed."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from actions import resources


@pytest.fixture(autouse=True)
def _no_guidance() -> Iterator[None]:
    resources.set_guidance(None)
    yield
    resources.set_guidance(None)


def _warm_up_and_wait(after_load: threading.Event) -> None:
    resources.warm_up_guidance(after_load=after_load.set)
    for thread in threading.enumerate():
        if thread.name == "guidance-warm-up":
            thread.join(timeout=10)


def test_after_load_runs_once_both_have_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str] = []
    monkeypatch.setattr(resources, "get_guidance", lambda: loaded.append("guidance"))
    monkeypatch.setattr(resources, "get_crisis_similarity", lambda: loaded.append("crisis"))
    done = threading.Event()
    _warm_up_and_wait(done)
    assert loaded == ["guidance", "crisis"] and done.is_set()


def test_after_load_is_skipped_when_loading_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise OSError("no index")

    monkeypatch.setattr(resources, "get_guidance", broken)
    done = threading.Event()
    _warm_up_and_wait(done)
    assert not done.is_set()


def test_ready_only_once_the_warm_up_has_finished(monkeypatch: pytest.MonkeyPatch) -> None:
    """``GET /ready`` (actions/server.py) follows ``warmed_up``: false while loading, true once
    loaded, and true after a failed load too (logged; the first question reports it), so a
    launcher waiting for it never hangs on a broken index."""
    release = threading.Event()

    def slow() -> None:
        release.wait(timeout=10)

    monkeypatch.setattr(resources, "get_guidance", slow)
    monkeypatch.setattr(resources, "get_crisis_similarity", lambda: None)
    assert not resources.warmed_up()
    resources.warm_up_guidance()
    assert not resources.warmed_up()  # still loading
    release.set()
    _warm_up_and_wait(threading.Event())
    assert resources.warmed_up()

    resources.set_guidance(None)
    assert not resources.warmed_up()

    def broken() -> None:
        raise OSError("no index")

    monkeypatch.setattr(resources, "get_guidance", broken)
    _warm_up_and_wait(threading.Event())
    assert resources.warmed_up()


def test_the_ready_route_answers_503_then_200(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from actions.server import ready

    monkeypatch.setattr("actions.server.warmed_up", lambda: False)
    assert asyncio.run(ready(None)).status == 503  # type: ignore[arg-type]
    monkeypatch.setattr("actions.server.warmed_up", lambda: True)
    assert asyncio.run(ready(None)).status == 200  # type: ignore[arg-type]
