"""The stated policy and the log filter.

What must hold: docs/privacy.md's table is exactly what privacy.policy builds from the
default gateway settings (so docs, the privacy page and the retention task agree); the privacy
page shows the table with the configured numbers; log lines never carry a full conversation id
or session token; a conversation ref cannot be used as an id.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.ids import is_conversation_id, new_conversation_id
from gateway.settings import Settings
from privacy.log_filter import ShortenTokens
from privacy.policy import as_markdown, policy_rows
from privacy.refs import conversation_ref, shorten_tokens
from tests.gateway.conftest import gateway_settings

ROOT = Path(__file__).resolve().parents[2]


def test_docs_table_is_generated_from_the_settings() -> None:
    table = as_markdown(policy_rows(Settings(_env_file=None)))  # type: ignore[call-arg]
    assert table in (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8"), (
        "regenerate the table with: .venv/bin/python -m privacy.policy")


def test_privacy_page_states_the_configured_limits(redis_url: str) -> None:
    settings = gateway_settings(redis_url, transcript_retention_days=12, gaps_retention_days=45)
    with TestClient(create_app(settings)) as client:
        page = client.get("/privacy")
    assert page.status_code == 200
    assert "What we keep and for how long" in page.text
    assert "12 days after the last message" in page.text and "45 days" in page.text
    assert "<!-- retention-table -->" not in page.text


def test_log_lines_never_hold_full_ids(caplog: pytest.LogCaptureFixture) -> None:
    cid = new_conversation_id()
    token = "s3ss10n-T0k3n_" + "x" * 30
    logger = logging.getLogger("test.privacy.logs")
    caplog.handler.addFilter(ShortenTokens())
    with caplog.at_level(logging.INFO, logger="test.privacy.logs"):
        logger.info('127.0.0.1:5000 - "WebSocket /ws/conversations/%s" [accepted]', cid)
        logger.info("cookie csa_session=%s", token)
    assert cid not in caplog.text and token not in caplog.text
    assert cid[:8] + "…" in caplog.text
    assert shorten_tokens("short ids like abc123 stay") == "short ids like abc123 stay"


def test_a_ref_opens_nothing() -> None:
    cid = new_conversation_id()
    ref = conversation_ref(cid)
    assert ref == conversation_ref(cid) and ref != conversation_ref(new_conversation_id())
    assert not is_conversation_id(ref) and cid not in ref
