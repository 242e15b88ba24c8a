"""The gateway's one pydantic-settings ``Settings``: the only place it reads the environment."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.questions import MAX_QUESTION_CHARS

ROOT = Path(__file__).resolve().parent.parent

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def default_schedule() -> dict[str, list[tuple[str, str]]]:
    """Monday to Friday, 9am to 5pm."""
    return {day: ([("09:00", "17:00")] if day not in ("sat", "sun") else []) for day in WEEKDAYS}


def default_bank_holidays() -> list[date]:
    """England and Wales bank holidays, 2026-2027."""
    return [
        date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1), date(2027, 3, 26),
        date(2027, 3, 29), date(2027, 5, 3), date(2027, 5, 31), date(2027, 8, 30),
        date(2027, 12, 27), date(2027, 12, 28),
    ]


class Settings(BaseSettings):
    """Everything the gateway can be told through the environment (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    assistant_env: Literal["production", "development", "test"] = "production"
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000

    redis_url: str = "redis://127.0.0.1:6379/0"
    # "host:port,host:port": connect to the master these Sentinels name (REDIS_URL then gives
    # only the database and password); empty: connect to REDIS_URL (records/redis_connect.py).
    redis_sentinels: str = ""
    redis_sentinel_master: str = "assistant"
    redis_key_prefix: str = "csa:"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: SecretStr = SecretStr("")
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    rasa_timeout_seconds: float = Field(default=8.0, gt=0)
    health_timeout_seconds: float = Field(default=2.0, gt=0)

    knowledge_dir: Path = ROOT / "knowledge" / "articles"
    knowledge_index_dir: Path = ROOT / "var" / "index"
    widget_dir: Path = ROOT / "widget"
    # Rasa's domain: the gateway reads the helplines' words from it (gateway/crisis_fallback.py)
    bot_domain_file: Path = ROOT / "bot" / "domain.yml"

    contact_phone: str = "01632 960 000"
    contact_hours_text: str = "Monday to Friday, 9am to 5pm, except bank holidays"
    opening_schedule: dict[str, list[tuple[str, str]]] = Field(default_factory=default_schedule)
    bank_holidays: list[date] = Field(default_factory=default_bank_holidays)
    opening_timezone: str = "Europe/London"
    handoff_queues: list[str] = Field(
        default_factory=lambda: ["general", "housing", "safeguarding"])
    safety_queue: str = "safeguarding"
    eta_default_seconds_per_person: int = 300
    eta_history_seconds: int = 4 * 3600
    presence_timeout_seconds: int = 60

    transcript_retention_days: float = Field(default=30, gt=0)
    # Age limits of everything else (privacy.policy states them; privacy.retention enforces
    # them hourly; audit_retention_days is below). CASE_TTL_DAYS / CALLBACK_TTL_DAYS are the
    # action server's names too.
    tracker_retention_days: float = Field(default=7, gt=0)  # bot/endpoints.yml record_exp
    callback_ttl_days: int = Field(default=30, ge=1, le=3650)
    case_ttl_days: int = Field(default=90, ge=1, le=3650)
    analytics_retention_days: float = Field(default=90, gt=0)
    gaps_retention_days: float = Field(default=180, gt=0)
    retention_sweep_seconds: float = Field(default=3600, gt=0)
    # The performance page's estimated saving: contained conversations x the cost of one phone
    # contact (GBP). The default is the often-quoted SOCITM Insight (2012) average for a UK
    # council phone contact; set your own from your contact centre's costs.
    performance_cost_per_contact: float = Field(default=2.83, ge=0, le=1000)
    # /metrics answers loopback and private-network clients only, unless this is true.
    metrics_public: bool = False
    performance_cost_source: str = ("The default, £2.83, is the average cost of a council phone "
                                    "contact published by SOCITM Insight in 2012.")
    stream_maxlen: int = 2000
    max_body_bytes: int = 8192
    # The editor's API checks its own limit (an article up to 100 kB, JSON-escaped).
    editor_max_body_bytes: int = 256 * 1024

    # Abuse limits (issue 12; gateway/rate_limits.py), in the `limits` library's notation
    # ("10/minute;100/hour"), counted in Redis so they hold across instances.
    limit_conversations_per_address: str = "30/minute;300/hour"
    limit_messages_per_conversation: str = "20/minute;300/hour"
    limit_messages_per_address: str = "120/minute;2000/hour"
    limit_frames_per_conversation: str = "120/minute"
    limit_feedback_per_conversation: str = "60/hour"
    max_sockets_per_address: int = Field(default=50, ge=1)
    max_sockets_per_process: int = Field(default=20000, ge=1)
    # Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For is believed.
    trusted_proxies: list[str] = Field(default_factory=list)
    redis_max_connections: int = Field(default=16, ge=4)
    socket_reader_shards: int = Field(default=4, ge=1, le=16)
    login_failures_per_user_address: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=30, ge=1)
    login_delay_max_seconds: int = Field(default=900, ge=1)
    audit_retention_days: float = Field(default=400, gt=0)

    session_idle_seconds: int = 8 * 3600
    session_absolute_seconds: int = 24 * 3600
    session_cookie_secure: bool | None = None
    console_allowed_origins: list[str] = Field(default_factory=list)
    widget_allowed_origins: list[str] = Field(default_factory=list)

    editor_enabled: bool = True
    demo_users: bool = False
    demo_password: SecretStr | None = None

    @property
    def max_text_chars(self) -> int:
        """The longest chat message, citizen's or adviser's: any message may be a question, so
        this is the guidance service's own limit (``knowledge.questions``), not a setting."""
        return MAX_QUESTION_CHARS

    @property
    def retention_seconds(self) -> int:
        """How long transcripts live after their last message."""
        return int(self.transcript_retention_days * 86400)

    @property
    def cookie_secure(self) -> bool:
        """Session cookies are ``Secure`` unless explicitly off or in development/test."""
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return self.assistant_env == "production"

    @cached_property
    def action_server_health_url(self) -> str:
        """The action server's ``/health`` next to its webhook."""
        base = self.action_server_url.rstrip("/")
        return base.removesuffix("/webhook") + "/health"

    def key(self, *parts: str) -> str:
        """A Redis key under the gateway's prefix: ``key("conv", cid)`` → ``csa:conv:cid``."""
        return self.redis_key_prefix + ":".join(parts)
