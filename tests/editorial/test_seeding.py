"""Importing knowledge/articles into the store; git changes vs editor changes; export."""

from __future__ import annotations

import shutil
from pathlib import Path

from editorial.seeding import GIT_AUTHOR, export_published, sync_from_files
from editorial.store import ArticleStore

from .conftest import ARTICLES


def copy_articles(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in names:
        shutil.copy(ARTICLES / f"{name}.md", folder / f"{name}.md")
    return folder


def test_import_once_then_nothing(store: ArticleStore, tmp_path: Path) -> None:
    folder = copy_articles(tmp_path, ["missed-bin", "vehicle-tax"])
    report = sync_from_files(store, folder)
    assert sorted(report.imported) == ["missed-bin", "vehicle-tax"]
    state = store.get("missed-bin")
    assert (state.status, state.head_version, state.published_version) == ("published", 1, 1)
    assert store.head("missed-bin").author == GIT_AUTHOR
    again = sync_from_files(store, folder)
    assert again.imported == [] and again.updated == []
    assert store.get("missed-bin").head_version == 1


def test_git_change_fast_forwards_when_nobody_edited(store: ArticleStore, tmp_path: Path) -> None:
    folder = copy_articles(tmp_path, ["missed-bin"])
    sync_from_files(store, folder)
    path = folder / "missed-bin.md"
    path.write_text(path.read_text().replace("7am to 6pm", "6am to 6pm"))
    report = sync_from_files(store, folder)
    assert report.updated == ["missed-bin"]
    assert "6am to 6pm" in store.head("missed-bin").markdown
    assert store.get("missed-bin").published_version == 2


def test_git_change_never_overwrites_an_editor_change(store: ArticleStore, tmp_path: Path) -> None:
    folder = copy_articles(tmp_path, ["missed-bin"])
    sync_from_files(store, folder)
    text = store.head("missed-bin").markdown
    store.save("missed-bin", text.replace("7am to 6pm", "editor's hours"), 1, "Eddie")
    path = folder / "missed-bin.md"
    path.write_text(path.read_text().replace("7am to 6pm", "git's hours"))
    report = sync_from_files(store, folder)
    assert report.kept_editor_version == ["missed-bin"]
    assert "editor's hours" in store.head("missed-bin").markdown
    assert store.audit.entries("missed-bin")[0].action == "file-changed"


def test_export_writes_published_versions_back(store: ArticleStore, tmp_path: Path) -> None:
    folder = copy_articles(tmp_path, ["missed-bin"])
    sync_from_files(store, folder)
    text = store.head("missed-bin").markdown
    store.save("missed-bin", text.replace("7am to 6pm", "8am to 4pm"), 1, "Eddie")
    store.publish("missed-bin", 2, "Eddie")
    assert export_published(store, folder) == ["missed-bin"]
    assert "8am to 4pm" in (folder / "missed-bin.md").read_text()
    assert sync_from_files(store, folder).updated == []  # the store knows this file content
