"""Process-wide resources of the action server, created lazily on first use.

The Redis client and the guidance service are created once per process, the first time an
action needs them, never at import time. The guidance service is loaded in a lock so two
concurrent requests do not load the model twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import redis

from actions.settings import get_settings
from records.redis_connect import sync_client

if TYPE_CHECKING:
    from knowledge.embedding import Embedder
    from knowledge.live import LiveUpdates
    from safety.similarity import CrisisSimilarity, Level

logger = logging.getLogger(__name__)

# Shown by Redis's CLIENT LIST, so an operator (or a test) can tell the action server's links.
CLIENT_NAME = "csa-actions"

# Re-entrant: get_guidance() holds it while _load_guidance() calls get_redis().
_lock = threading.RLock()
_redis: redis.Redis | None = None
_guidance: GuidanceLike | None = None
_live: LiveUpdates | None = None
_crisis: SemanticCrisisCheck | None = None
# Set once the warm-up has finished (loaded, or failed and logged): the server's readiness.
_warmed = threading.Event()


@dataclass(frozen=True)
class SemanticCrisisCheck:
    """The semantic crisis check and the embedding it is fitted for."""

    similarity: CrisisSimilarity
    vector_of: Callable[[str], np.ndarray]

    def level(self, text: str) -> Level:
        """The check's verdict on ``text``: crisis, the helplines beside the answer, or None
        (``CrisisSimilarity.level``)."""
        return self.similarity.level(self.vector_of(text))

    def second_opinion_stands(self, text: str) -> bool:
        """False when the check vetoes the classifier's second opinion on ``text``."""
        return self.similarity.second_opinion_stands(self.vector_of(text))

    def phrase_stands(self, text: str) -> bool:
        """False when the check vetoes the crisis phrase in ``text`` (ADR 0202, ninth round)."""
        return self.similarity.phrase_stands(self.vector_of(text))


class GuidanceLike(Protocol):
    """What the actions need from ``knowledge.answering.GuidanceService``."""

    def answer(self, question: str, context: str | None = None,
               earlier: str | None = None) -> Any:
        """Return a result with ``status``, ``answer`` and ``candidates``; ``context`` is the
        article the conversation last quoted (for a follow-up), ``earlier`` the citizen's
        question before this one."""
        ...

    def answer_from(self, article_id: str, question: str, anchor: str | None = None) -> Any:
        """Return the picked article's answer for ``question`` (or from its part ``anchor``),
        or None if it is unknown."""
        ...


def get_redis() -> redis.Redis:
    """Return the shared Redis client (``decode_responses=True``)."""
    global _redis
    if _redis is None:
        with _lock:
            if _redis is None:
                settings = get_settings()
                _redis = sync_client(settings.redis_url, settings.redis_sentinels,
                                     settings.redis_sentinel_master, client_name=CLIENT_NAME)
    return _redis


def _load_guidance() -> GuidanceLike:
    from knowledge.answering import GuidanceService  # heavy: imported on first question

    global _live
    settings = get_settings()
    service = GuidanceService.load(settings.knowledge_dir, settings.knowledge_index_dir)
    if settings.knowledge_sync:
        from actions.knowledge_sync import start_knowledge_sync

        _live = start_knowledge_sync(service, get_redis(), settings.redis_key_prefix)
    return service


def get_guidance() -> GuidanceLike:
    """Return the process-wide guidance service, loading it on first use."""
    global _guidance
    if _guidance is None:
        with _lock:
            if _guidance is None:
                _guidance = _load_guidance()
                logger.info("guidance service loaded")
    return _guidance


def get_crisis_similarity() -> SemanticCrisisCheck | None:
    """The semantic crisis check, built on first use.

    It embeds with the model its settings were fitted on (``safety.similarity.fitted_model``).
    When that is the guidance search's own model, the check reuses the search's vector of the
    message (one model call per question); otherwise that model is loaded beside it. A fake
    guidance service's embedder (no model name) is used as it is. None when the guidance
    service has no embedding model.
    """
    global _crisis
    if _crisis is None:
        guidance = get_guidance()
        embedder = getattr(guidance, "embedder", None)
        if embedder is None:
            return None
        with _lock:
            if _crisis is None:
                from knowledge.embedding import embedder_for
                from safety.similarity import build_check, fitted_fingerprint, fitted_model

                cache = Path(get_settings().knowledge_index_dir).parent / "onnx-cache"
                name = fitted_model()
                model = embedder_for(embedder, cache, name)  # the one rule
                fitted = fitted_fingerprint()
                if fitted and fitted != getattr(model, "fingerprint", fitted):
                    logger.warning("safety/similarity.json was fitted on other %s model files: "
                                   "run python -m safety.fit_similarity", name)
                vector_of = getattr(guidance, "question_vector", None)
                if model is not embedder or vector_of is None:
                    vector_of = _first_vector(model)
                _crisis = SemanticCrisisCheck(build_check(_kept(model, cache)), vector_of)
                logger.info("semantic crisis check ready (%d crisis phrasings, %s model)",
                            len(_crisis.similarity.crisis), name)
    return _crisis


def _kept(model: Embedder, cache: Path) -> Callable[[list[str]], np.ndarray]:
    """``model.embed`` for the crisis exemplars, with a real model's vectors kept on disk
    (``safety/vector_cache.py``); a fake embedder (no fingerprint) embeds every time."""
    fingerprint = getattr(model, "fingerprint", None)
    if not fingerprint:
        return model.embed
    from safety.vector_cache import cached_vectors

    def embed(texts: list[str]) -> np.ndarray:
        return cached_vectors(texts, model.embed, cache, str(fingerprint))

    return embed


def _first_vector(embedder: Embedder) -> Callable[[str], np.ndarray]:
    def vector_of(text: str) -> np.ndarray:
        return np.asarray(embedder.embed([text])[0])

    return vector_of


def warm_up_guidance(after_load: Callable[[], object] | None = None) -> None:
    """Start loading the guidance service in a background thread (no-op once loaded); call
    ``after_load`` in that thread once it and the crisis check have loaded."""
    if _guidance is not None or any(t.name == "guidance-warm-up" for t in threading.enumerate()):
        return

    def load() -> None:
        try:
            get_guidance()
            get_crisis_similarity()
        except Exception:  # the first question will report the problem to the citizen
            logger.exception("guidance service could not be loaded")
            return
        finally:
            _warmed.set()
        if after_load is not None:
            after_load()

    threading.Thread(target=load, name="guidance-warm-up", daemon=True).start()


def warmed_up() -> bool:
    """Whether the warm-up has finished (or a service was set): until then a question waits
    for the model, the index and the crisis check's exemplar vectors to load, which on a cold
    vector cache takes longer than Rasa waits for an action."""
    return _warmed.is_set()


def set_guidance(service: GuidanceLike | None) -> None:
    """Replace the guidance service (tests use a small fake; ``None`` forces a reload).

    The live-update subscriber of a service loaded here is stopped.
    """
    global _guidance, _live, _crisis
    if _live is not None:
        _live.stop()
        _live = None
    _guidance = service
    _crisis = None
    if service is None:
        _warmed.clear()
    else:
        _warmed.set()


def set_redis(client: redis.Redis | None) -> None:
    """Replace the Redis client (tests pass fakeredis or a client for the test server)."""
    global _redis
    _redis = client
