"""The action server's settings: the only place that reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of the action server, read from environment variables."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_sentinels: str = ""  # host:port,…: the master is found through Sentinel
    redis_sentinel_master: str = "assistant"
    redis_key_prefix: str = "csa:"
    knowledge_dir: Path = Path("knowledge/articles")
    knowledge_index_dir: Path = Path("var/index")
    case_ttl_days: int = Field(default=90, ge=1, le=3650)
    callback_ttl_days: int = Field(default=30, ge=1, le=3650)
    timezone: str = "Europe/London"
    knowledge_sync: bool = True
    replies_file: Path = Path(__file__).resolve().parent.parent / "bot" / "replies.yml"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once, on first use)."""
    return Settings()
