"""The gateway process freezes what it loaded once started (``stack.heap``; full collections
paused it for up to 1.1 s under load), while apps built by tests do not touch the collector."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import gateway.__main__ as gateway_main
import gateway.app
from gateway.app import create_app, served_app
from gateway.settings import Settings


def test_only_the_served_app_freezes_its_loaded_heap(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen: list[str] = []
    monkeypatch.setattr(gateway.app, "freeze_loaded", frozen.append)
    with TestClient(create_app(settings)):
        assert frozen == []
    monkeypatch.setattr(gateway.app, "Settings", lambda: settings)
    with TestClient(served_app()):
        assert "gateway" in frozen  # after start-up, before the first request
    assert not settings.editor_enabled or "gateway editor" in frozen  # its index too


def test_the_editor_calls_after_load_only_once_its_index_has_loaded(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.editor import runtime as editor_runtime

    calls: list[str] = []
    monkeypatch.setattr(editor_runtime.EditorRuntime, "load_guidance",
                        lambda self: setattr(self, "load_error", "OSError: no index"))
    editor = editor_runtime.start_editor(settings, background=False,
                                         after_load=lambda: calls.append("frozen"))
    editor.stop()
    assert calls == []  # a preview service that failed to load is not frozen
    monkeypatch.setattr(editor_runtime.EditorRuntime, "load_guidance", lambda self: None)
    editor = editor_runtime.start_editor(settings, background=False,
                                         after_load=lambda: calls.append("frozen"))
    editor.stop()
    assert calls == ["frozen"]


def test_python_m_gateway_serves_the_freezing_app(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[object] = []
    monkeypatch.setattr(gateway_main.uvicorn, "run",
                        lambda app, **options: served.append((app, options["factory"])))
    assert gateway_main.serve(["--port", "8123"]) == 0
    assert served == [("gateway.app:served_app", True)]
