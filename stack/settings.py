"""Launcher settings: ports, Redis, the Rasa token. The only place `stack` reads the env."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class StackSettings(BaseSettings):
    """How the whole assistant is laid out on this machine."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    redis_url: str | None = Field(default=None, description="Use this Redis instead of finding one")
    local_redis_url: str = "redis://127.0.0.1:6379/0"
    embedded_redis_port: int = 6390
    host: str = "127.0.0.1"
    gateway_port: int = 8000
    rasa_port: int = 5005
    actions_port: int = 5055
    rasa_token: str = Field(default_factory=lambda: secrets.token_urlsafe(24))
    # `./assistant run` is a local demonstration: demo staff accounts with a fresh password.
    assistant_env: str = "development"
    demo_users: bool = True
    demo_password: str = Field(default_factory=lambda: secrets.token_urlsafe(9))
    root: Path = ROOT
    var_dir: Path = ROOT / "var"
    models_dir: Path = ROOT / "models"
    bot_dir: Path = ROOT / "bot"
    rasa_bin: Path = ROOT / ".venv-rasa" / "bin" / "rasa"
    app_python: Path = ROOT / ".venv" / "bin" / "python"
