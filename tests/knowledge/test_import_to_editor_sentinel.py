"""The importer's ``--to-editor`` connects the way every blocking client does: to REDIS_URL, or
through the Sentinels named by REDIS_SENTINELS (ADR 0307), never to REDIS_URL alone when
Sentinels are set. The real Sentinel path is tested in tests/records/test_redis_sentinel.py."""

from __future__ import annotations

from typing import Any

import fakeredis
import pytest

from knowledge.importers import govuk_command
from knowledge.importers.import_run import ImportReport


def test_to_editor_connects_through_the_sentinels_when_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def fake_sync_client(url: str, sentinels: str = "", master: str = "") -> Any:
        calls.append((url, sentinels, master))
        return fakeredis.FakeRedis(decode_responses=True)

    monkeypatch.setattr("records.redis_connect.sync_client", fake_sync_client)
    govuk_command._sync_to_editor(ImportReport(outcomes=[]), "redis://db-only/2", "csa:",
                                  "s1:26379,s2:26379", "assistant")
    assert calls == [("redis://db-only/2", "s1:26379,s2:26379", "assistant")]


def test_to_editor_without_a_redis_url_is_refused_and_connects_nowhere() -> None:
    with pytest.raises(govuk_command.ImportError_, match="REDIS_URL"):
        govuk_command._sync_to_editor(ImportReport(outcomes=[]), None, "csa:")
