"""Publishing cannot put live an article that every guidance service would refuse (issue 15).

Real Redis. What must hold: an article whose ``related`` names an article that is not
published is saved as a draft but refused at publish with a plain message, and nothing is
written to the live overlay or announced; once the named article is published, it publishes.
"""

from __future__ import annotations

import pytest
import redis

from editorial.keys import EditorKeys
from editorial.problems import ArticleInvalid
from editorial.store import ArticleStore

from .conftest import ARTICLES


def test_related_to_an_unpublished_article_is_refused_at_publish(
    store: ArticleStore, missed_bin: str, client: redis.Redis, keys: EditorKeys
) -> None:
    linked = missed_bin.replace("status: published", "status: draft").replace(
        "\nstatus:", "\nrelated: [libraries]\nstatus:", 1
    )
    assert "related: [libraries]" in linked
    store.create(linked, "Eddie")
    with pytest.raises(ArticleInvalid, match="unknown article 'libraries'"):
        store.publish("missed-bin", 1, "Eddie")
    assert client.hget(keys.published, "missed-bin") is None
    assert store.get("missed-bin").status == "draft"

    store.create((ARTICLES / "libraries.md").read_text(encoding="utf-8"), "Eddie")
    store.publish("libraries", 1, "Eddie")
    assert store.publish("missed-bin", 1, "Eddie").status == "published"
