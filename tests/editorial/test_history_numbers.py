"""Restore numbering and the default comparison (issue 14 item 14), on a real Redis.

What must hold: restoring a published article makes exactly one new version, which is live and
which the history lists as the restore (so "restored as version N" and the history agree); the
history opens comparing the published version with the newest draft when one is waiting, the
newest change of text otherwise, and says plainly when there is only one version.
"""

from __future__ import annotations

from editorial.comparison import default_comparison
from editorial.store import ArticleStore


def test_restore_and_publish_is_one_version(store: ArticleStore, missed_bin: str) -> None:
    store.create(missed_bin, "Eddie", action="imported")
    store.save("missed-bin", missed_bin.replace("7am", "8am"), 1, "Sam")
    store.publish("missed-bin", 2, "Sam")
    state = store.restore(
        "missed-bin", from_version=1, base_version=3, author="Eddie", publish=True
    )
    assert state.head_version == 4 and state.published_version == 4
    newest = store.versions("missed-bin")[0]
    assert (newest.number, newest.action, newest.restored_from) == (4, "restored", 1)
    assert store.published_markdown("missed-bin") == newest.markdown
    assert "8am" not in newest.markdown
    assert store.audit.entries("missed-bin")[0].summary == "restored version 1 and published it"


def test_default_comparison(store: ArticleStore, missed_bin: str) -> None:
    store.create(missed_bin, "Eddie", action="imported")
    only = default_comparison(store, "missed-bin")
    assert only.from_version is None and "only one version" in only.explanation

    store.save("missed-bin", missed_bin.replace("7am", "8am"), 1, "Sam")
    waiting = default_comparison(store, "missed-bin")
    assert (waiting.from_version, waiting.to_version) == (1, 2)
    assert "published version (1)" in waiting.explanation

    store.publish("missed-bin", 2, "Sam")  # same text as version 2: compare 1 with 3, not 2 with 3
    published = default_comparison(store, "missed-bin")
    assert (published.from_version, published.to_version) == (1, 3)
    assert "It is the published version." in published.explanation
