"""Settings in one place (environment prefix ``BROKERAGE_``).

Defaults are safe for a laptop: a SQLite file and an in-process worker under ``var/``.
Production mode (``BROKERAGE_ENVIRONMENT=production``) refuses a missing or default secret
and the embedded database.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

import limits
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"
INSECURE_SECRETS = {"", "changeme", "change-me", "secret", "dev"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BROKERAGE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    var_dir: Path = DEFAULT_VAR_DIR
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default is a SQLite file under var/")
    redis_url: str | None = Field(default=None, description="Redis URL for Dramatiq; unset means in-process workers")
    broker_url: str | None = Field(default=None, description="Alternative broker URL (amqp://… for RabbitMQ)")
    secret_key: str | None = None
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address people reach the service at, for links in emails and the feed; "
        "`brokerage serve` uses its --host/--port when this is unset; https in production",
    )
    pages_enabled: bool = Field(default=True, description="Serve the web pages as well as the API")
    docs_enabled: bool | None = Field(
        default=None, description="Serve the API documentation at /docs; default: on except in production"
    )

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    mail_from: str = "Kent Volunteer Brokerage <no-reply@brokerage.invalid>"

    session_max_age_seconds: int = 60 * 60 * 12
    token_max_age_seconds: int = 60 * 60 * 12
    password_reset_max_age_seconds: int = 60 * 60
    email_change_max_age_seconds: int = 60 * 60 * 24
    # A parent or guardian's link to give consent for a volunteer under 18, and the one to withdraw it.
    guardian_consent_max_age_seconds: int = 60 * 60 * 24 * 14
    guardian_withdraw_max_age_seconds: int = 60 * 60 * 24 * 366 * 4
    # The link in an invitation's email to a volunteer with no account (answer it, set up an account).
    invitation_link_max_age_seconds: int = 60 * 60 * 24 * 30

    # Throttling (the ``limits`` library; see brokerage/throttle.py). Limits are written as
    # "AMOUNT per N UNIT". Counters live in Redis when BROKERAGE_REDIS_URL is set, in memory otherwise.
    throttle_enabled: bool = True
    throttle_storage_url: str | None = Field(default=None, description="memory:// or redis://…; default: the Redis URL if set")
    throttle_sign_in_per_address: str = "30 per 5 minutes"
    throttle_sign_in_failures_per_account_address: str = "5 per 15 minutes"
    throttle_sign_in_failures_per_account: str = "20 per 15 minutes"
    throttle_sign_up_per_address: str = "10 per hour"
    throttle_password_reset_per_address: str = "10 per hour"
    throttle_password_reset_per_account: str = "3 per hour"
    # Invitations to a role, per person sending them (a manager or centre staff member).
    throttle_invitation_per_account: str = "30 per hour"

    # Connections: the pool is sized from the worker threads so a burst of requests waits for a
    # connection briefly rather than failing (an exhausted pool is a 503 with Retry-After).
    threadpool_size: int = Field(default=40, ge=1, le=1000, description="Threads that run blocking route code")
    db_pool_size: int = Field(default=20, ge=1, le=500)
    db_max_overflow: int = Field(default=30, ge=0, le=500)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    weekly_role_email_cap: int = 3
    # Moderation: a role paused for longer than this goes back to the centre's review before it reopens.
    role_pause_review_days: int = Field(default=28, ge=0, le=3650)
    # Candidate distances shown to organisations: whole miles, and none below this floor ("nearby").
    candidate_distance_floor_miles: float = Field(default=2.0, ge=0, le=50)

    # Retention (brokerage/volunteers/retention.py, run daily by the scheduler; docs/security.md).
    retention_inactive_months: int = Field(default=24, ge=1, le=240)
    retention_erase_after_reminder_days: int = Field(default=30, ge=1, le=365)
    retention_import_file_days: int = Field(default=14, ge=1, le=365)
    retention_mail_file_weeks: int = Field(default=4, ge=1, le=520)
    # A closed safeguarding concern (its text, notes and outcome) is deleted this many years after it closed.
    retention_safeguarding_years: int = Field(default=6, ge=1, le=100)
    follow_up_working_days: int = 5
    # Re-engagement: a volunteer with no activity for this many days has gone quiet, and is sent one
    # email with roles they have not seen (brokerage/volunteers/quiet.py).
    quiet_after_days: int = Field(default=90, ge=7, le=3650)
    escalate_working_days: int = 10

    # Emergency call-outs (brokerage/callouts): how many one centre (or pilot lead) may raise in an hour,
    # each batch of emails (the larger of needed × factor and the minimum), how long a batch is given
    # to answer before the next goes out, and how long the emailed answer links work.
    callout_max_per_hour: int = Field(default=5, ge=1, le=1000)
    callout_batch_factor: int = Field(default=2, ge=1, le=20)
    callout_batch_minimum: int = Field(default=10, ge=1, le=1000)
    callout_batch_wait_seconds: int = Field(default=15 * 60, ge=1, le=7 * 86_400)
    callout_link_max_age_seconds: int = Field(default=3 * 86_400, ge=60, le=30 * 86_400)
    # How often a call-out's page asks for fresh counts.
    callout_refresh_seconds: int = Field(default=5, ge=1, le=600)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgres://"):
                url = "postgresql://" + url[len("postgres://") :]
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            return url
        return f"sqlite:///{self.var_dir / 'brokerage.sqlite3'}"

    @property
    def effective_throttle_storage_url(self) -> str:
        return self.throttle_storage_url or self.redis_url or "memory://"

    @property
    def show_docs(self) -> bool:
        return self.docs_enabled if self.docs_enabled is not None else self.environment != "production"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def effective_broker_url(self) -> str | None:
        return self.broker_url or self.redis_url

    @field_validator(
        "throttle_sign_in_per_address",
        "throttle_sign_in_failures_per_account_address",
        "throttle_sign_in_failures_per_account",
        "throttle_sign_up_per_address",
        "throttle_password_reset_per_address",
        "throttle_password_reset_per_account",
        "throttle_invitation_per_account",
    )
    @classmethod
    def _a_rate_limit(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit such as '5 per 15 minutes'") from None
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> "Settings":
        if self.environment == "production":
            if not self.secret_key or self.secret_key.strip().lower() in INSECURE_SECRETS:
                raise ValueError("BROKERAGE_SECRET_KEY must be set to a long random value in production")
            if len(self.secret_key) < 32:
                raise ValueError("BROKERAGE_SECRET_KEY must be at least 32 characters")
            if not self.database_url:
                raise ValueError("BROKERAGE_DATABASE_URL must be set in production")
            if not self.base_url.startswith("https://") or "base_url" not in self.model_fields_set:
                raise ValueError(
                    "BROKERAGE_BASE_URL must be an https:// address in production (cookies are Secure, HSTS is sent)"
                )
        return self

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once and kept under var/ (not in production)."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            value = path.read_text().strip()
            if value:
                return value
        self.var_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        path.write_text(value)
        path.chmod(0o600)
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
