"""The scheduler: starts the periodic jobs, under a single-leader lock.

Only the leader (Redis lock when Redis is configured, a database lease otherwise) looks at the
clock. For each job it records one ``scheduled_runs`` row per period (a day, or an ISO week for the
digest) in the same transaction as the job's outbox row; the unique (job, period) key means that a
run happens once even if two schedulers ever both thought they were leader. The jobs themselves
are idempotent through their delivery keys, a third line of defence.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from brokerage import events
from brokerage.config import get_settings
from brokerage.db import get_engine, session_scope
from brokerage.models import ScheduledRun
from brokerage.events import Event
from brokerage.outbox import enqueue
from workers.settings import get_worker_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    event: type[Event]  # its payload is ``day`` (ISO date) or, weekly, ``week`` (ISO week)
    weekly: bool = False

    @property
    def name(self) -> str:
        return self.event.name

    def period(self, local: datetime) -> str | None:
        """The period due at ``local`` time, or None if it is not yet time today/this week."""
        ws = get_worker_settings()
        if self.weekly:
            year, week, weekday = local.isocalendar()
            if (weekday - 1, local.hour) < (ws.digest_weekday, ws.digest_hour):
                return None
            return f"{year}-W{week:02d}"
        if local.hour < ws.daily_hour:
            return None
        return local.date().isoformat()

    def payload(self, period: str) -> dict[str, str]:
        return {"week": period} if self.weekly else {"day": period}

    def event_for(self, period: str) -> Event:
        return self.event(**self.payload(period))


JOBS = (
    PeriodicJob(events.RoleExpiryDue),
    PeriodicJob(events.ReferralFollowUpDue),
    PeriodicJob(events.DbsRemindersDue),
    PeriodicJob(events.HoursRemindersDue),
    PeriodicJob(events.RetentionDue),
    PeriodicJob(events.SessionRemindersDue),
    PeriodicJob(events.SatisfactionQuestionsDue),
    PeriodicJob(events.QuietVolunteersDue),
    PeriodicJob(events.WeeklyDigestDue, weekly=True),
)


def make_lease(holder: str | None = None):
    from workers.lease import DatabaseLease, RedisLease

    settings, ws = get_settings(), get_worker_settings()
    if settings.redis_url:
        return RedisLease(settings.redis_url, ttl_seconds=ws.lease_seconds, holder=holder)
    return DatabaseLease(get_engine(), ttl_seconds=ws.lease_seconds, holder=holder)


class Scheduler:
    def __init__(self, lease=None, jobs: tuple[PeriodicJob, ...] = JOBS, clock=None):
        self.lease = lease or make_lease()
        self.jobs = jobs
        self.zone = ZoneInfo(get_worker_settings().timezone)
        self.clock = clock or (lambda: datetime.now(self.zone))
        self._stop = threading.Event()
        self.is_leader = False

    def start_due(self, now: datetime | None = None) -> list[str]:
        """Record and enqueue every job whose period has come and has not run yet."""
        local = now or self.clock()
        started = []
        for job in self.jobs:
            period = job.period(local)
            if period is None:
                continue
            try:
                with session_scope() as session:
                    session.add(ScheduledRun(job=job.name, period=period))
                    session.flush()
                    enqueue(session, job.event_for(period))
            except IntegrityError:
                continue  # already run for this period
            started.append(f"{job.name}:{period}")
            logger.info("Started %s for %s", job.name, period)
        return started

    def tick(self) -> list[str]:
        try:
            leader = self.lease.acquire()
        except Exception:
            logger.exception("Could not take the scheduler lease")
            leader = False
        if leader != self.is_leader:
            logger.info("This scheduler is %s", "now the leader" if leader else "no longer the leader")
            self.is_leader = leader
        return self.start_due() if leader else []

    def run(self, stop: threading.Event | None = None) -> None:
        stop = stop or self._stop
        tick = get_worker_settings().scheduler_tick_seconds
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                logger.exception("The scheduler hit an error; trying again shortly")
            stop.wait(tick)
        if self.is_leader:
            try:
                self.lease.release()
            except Exception:
                pass

    def stop(self) -> None:
        self._stop.set()


def run_scheduler() -> int:
    scheduler = Scheduler()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: scheduler.stop())
    logger.info("Scheduler running")
    scheduler.run()
    return 0


def today_local() -> date:
    return datetime.now(ZoneInfo(get_worker_settings().timezone)).date()
