"""An import into the editor's store never publishes what a guidance service would refuse.

Real Redis. A Welsh item and its English counterpart name each other in ``related``; the first
of the two to be published names an article that is not live yet. What must hold: the import
does not stop half-way with an exception; that article is reported ``failed`` with the reason
and is not in the live overlay; the other one, whose counterpart then exists, is applied.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import redis

from editorial.keys import EditorKeys
from editorial.store import ArticleStore
from knowledge.importers.editor_sync import sync_report
from knowledge.importers.import_run import plan_import

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_a_pair_naming_each_other_is_reported_not_half_published(
    tmp_path: Path, sync_redis: redis.Redis
) -> None:
    english = json.loads((FIXTURES / "guide--guide.json").read_text())
    welsh = {**english, "locale": "cy", "base_path": "/cwricwlwm-cenedlaethol"}
    welsh["links"] = {
        "available_translations": [{"locale": "en", "base_path": "/national-curriculum"}]
    }
    for name, item in (("en.json", english), ("cy.json", welsh)):
        (tmp_path / name).write_text(json.dumps(item))
    keys = EditorKeys(f"test-import-{uuid.uuid4().hex[:8]}:")
    store = ArticleStore(sync_redis, keys)
    try:
        report = plan_import([tmp_path], tmp_path / "out")
        sync_report(store, report)
        results = {o.article_id: o for o in report.outcomes}
        failed = [o for o in results.values() if o.result == "failed"]
        assert len(failed) == 1 and "not published" in failed[0].reason
        assert "unknown article" in failed[0].reason
        assert sync_redis.hget(keys.published, failed[0].article_id) is None
        assert set(results) == {"national-curriculum", "cwricwlwm-cenedlaethol"}
    finally:
        for key in sync_redis.scan_iter(f"{keys.prefix}*"):
            sync_redis.delete(key)
