"""Worker settings (environment prefix ``BROKERAGE_WORKER_``), beside the app's own settings.

Broker, database, SMTP, base URL and the weekly cap come from ``brokerage.config``; these are the
knobs only the background side needs: retries, the relay's pace, the scheduler's clock and lease.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from brokerage.hours import reminders as hours_reminders
from brokerage.volunteers import reminders


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BROKERAGE_WORKER_", env_file=".env", extra="ignore")

    # Failure handling: a failed job waits min_backoff * 2**(attempt-1) seconds (capped), then is
    # handed out again; after max_attempts it is marked failed and listed for admins.
    max_attempts: int = 6
    min_backoff_seconds: float = 5.0
    max_backoff_seconds: float = 30 * 60.0

    # Relay: how often to look for new outbox rows and how many to hand over at once; how often to
    # sweep for jobs a dead worker held or the broker lost (they go again within seconds of the
    # broker being back); and after how long a dispatched job that never finished for any other
    # reason goes again.
    relay_poll_seconds: float = 0.2
    relay_batch_size: int = 500
    relay_sweep_seconds: float = 10.0
    redispatch_after_seconds: float = 15 * 60.0

    # Redis broker: a worker process whose heartbeat is older than this is dead, and the relay's
    # next sweep puts its unacknowledged messages back on the queue (live processes heartbeat every
    # quarter of it from a thread of their own). Dramatiq's own chance of that sweep per command.
    redis_heartbeat_timeout_ms: int = 20_000
    redis_maintenance_chance: int = 1000  # out of a million commands

    # ``brokerage worker`` also runs an outbox relay beside the Dramatiq processes.
    worker_runs_relay: bool = True

    # Threads for the in-process (embedded) worker.
    embedded_threads: int = 2

    # Scheduler: local time of the daily jobs and of the weekly digest (0 = Monday).
    timezone: str = "Europe/London"
    daily_hour: int = 7
    digest_weekday: int = 0
    digest_hour: int = 8
    scheduler_tick_seconds: float = 30.0
    lease_seconds: float = 60.0

    # Notifications.
    role_candidates: int = 50  # best-fit volunteers considered when a role is published
    send_chunk: int = 25  # emails per background job (digests: each one ranks roles for its volunteer)
    role_email_chunk: int = 100  # role-match emails per job: each job's fixed cost is spread over many emails
    instant_matches: int = 5  # roles in a "your matches" email
    digest_roles: int = 8
    dbs_valid_years: int = reminders.DBS_VALID_YEARS  # a certificate older than this is due for renewal
    dbs_warning_days: int = reminders.DBS_WARNING_DAYS  # the first reminder goes this many days before
    # Hours waiting longer than the first for approval are in the weekly reminder, until they have
    # waited the second: a backlog of months is not news to the organisation.
    hours_reminder_days: int = hours_reminders.REMIND_AFTER_DAYS
    hours_reminder_stop_days: int = hours_reminders.STOP_AFTER_DAYS
    refresh_reminder_days: int = 7


@lru_cache
def get_worker_settings() -> WorkerSettings:
    return WorkerSettings()
