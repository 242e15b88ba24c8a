"""Settings of the knowledge command line (the only place it reads the environment)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class KnowledgeSettings(BaseSettings):
    """Where the articles and the index live (``KNOWLEDGE_DIR``, ``KNOWLEDGE_INDEX_DIR``)."""

    model_config = SettingsConfigDict(extra="ignore")

    knowledge_dir: Path = Path("knowledge/articles")
    knowledge_index_dir: Path = Path("var/index")
    # None: the index's own calibration.json if it has one, else the committed default
    # (see knowledge.calibration_store); fitting another corpus never overwrites the default.
    knowledge_calibration: Path | None = None
    knowledge_questions: Path = Path("knowledge/eval/questions.jsonl")
    redis_url: str | None = None  # only ``import-govuk --to-editor`` connects
    redis_key_prefix: str = "csa:"
    # With Sentinel (ADR 0307): the Sentinels' host:port list and the master's name, as for
    # the gateway; ``redis_url`` then gives only the database and credentials.
    redis_sentinels: str = ""
    redis_sentinel_master: str = "assistant"
