"""What the editor router needs while the gateway runs: Redis, the store, the preview service.

``start_editor(settings)`` is called once from the gateway's lifespan. It imports new or
changed article files into the store, then loads the editor-preview ``GuidanceService`` in a
background thread (the model takes a few seconds) and keeps it in step with every publish.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from editorial.clustering import CachedEmbedder
from editorial.draft_index import DraftPreviews
from editorial.keys import EditorKeys
from editorial.seeding import SyncReport, sync_from_files
from editorial.store import ArticleStore
from knowledge.live import LiveUpdates
from records.redis_connect import sync_client

log = logging.getLogger("gateway.editor")


@dataclass
class EditorRuntime:
    """Shared state of the editor router (one per gateway process)."""

    redis: redis.Redis
    keys: EditorKeys
    store: ArticleStore
    knowledge_dir: Path
    eval_file: Path
    settings: Any = None
    guidance: Any = None
    live: LiveUpdates | None = None
    gap_embedder: CachedEmbedder | None = None
    drafts: DraftPreviews | None = None
    sync_report: SyncReport | None = None
    load_error: str | None = None
    _loaded: threading.Event = field(default_factory=threading.Event)

    def wait_for_guidance(self, timeout: float = 60.0) -> Any:
        """The preview service once loaded, or None (``load_error`` says why)."""
        self._loaded.wait(timeout)
        return self.guidance

    def load_guidance(self) -> None:
        """Load the preview service, apply the overlay and subscribe to events."""
        try:
            from knowledge.answering import GuidanceService
            from knowledge.embedding import embedder_for
            from knowledge.tuned_model import BASE

            service = GuidanceService.load(self.settings)
            live = LiveUpdates(service, self.redis, self.keys.live)
            live.start()
            self.guidance, self.live = service, live
            self.drafts = DraftPreviews(service)
            # Gaps are grouped by how alike the questions are: the base model (ADR 0107).
            self.gap_embedder = CachedEmbedder(
                embedder_for(service.embedder, service.index_dir.parent / "onnx-cache", BASE))
        except Exception as exc:  # reported on the pages, the rest of the editor still works
            log.exception("editor preview service did not load")
            self.load_error = f"{type(exc).__name__}: {exc}"
        finally:
            self._loaded.set()

    def stop(self) -> None:
        """Stop the event listener and close Redis."""
        if self.live is not None:
            self.live.stop()
        self.redis.close()


def start_editor(settings: Any, background: bool = True,
                 after_load: Callable[[], object] | None = None) -> EditorRuntime:
    """Connect, import the article files, and start loading the preview service; then call
    ``after_load`` (the served gateway freezes what was loaded there, ``stack.heap``)."""
    client = sync_client(settings.redis_url, settings.redis_sentinels,
                         settings.redis_sentinel_master)
    keys = EditorKeys(settings.redis_key_prefix)
    store = ArticleStore(client, keys)
    knowledge_dir = Path(settings.knowledge_dir)
    runtime = EditorRuntime(
        redis=client,
        keys=keys,
        store=store,
        knowledge_dir=knowledge_dir,
        eval_file=knowledge_dir.parent / "eval" / "questions.jsonl",
        settings=settings,
    )
    try:
        runtime.sync_report = sync_from_files(store, knowledge_dir)
    except redis.RedisError as exc:
        log.error("editor could not import the article files: %s", exc)

    def load() -> None:
        runtime.load_guidance()
        if after_load is not None and runtime.load_error is None:
            after_load()

    if background:
        threading.Thread(target=load, name="editor-guidance", daemon=True).start()
    else:
        load()
    return runtime
