"""Keep the outbox row of every job up to date: done, or failed and waiting to go again.

The relay puts ``outbox_id`` in each message's options. After the actor runs, this middleware marks
the row ``done``; on an exception it records the error and either schedules another attempt after an
exponential backoff (``dramatiq.Retry(delay=…)`` is honoured) or, after the last attempt, marks the
job ``failed`` so that admins see it (``GET /jobs/failed``) and can re-drive it. The broker always
acknowledges the message, and only after this: the durable state is the outbox row, not the queue.

``done`` means that every side effect the job owns is recorded (each email's delivery row is
committed only once the mail server has accepted it, see ``workers.notify``), and it is final: an
older run of the same job that fails late (a copy a dead worker's broker handed out again, say)
does not turn a finished job back into a pending or failed one.
"""

from __future__ import annotations

import logging
import random
import threading
from datetime import timedelta

import dramatiq
from dramatiq.middleware import Middleware
from sqlalchemy import select, update

from brokerage.db import get_engine, utcnow
from brokerage.models import OutboxMessage
from workers.settings import get_worker_settings

logger = logging.getLogger(__name__)


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with a little jitter, capped."""
    ws = get_worker_settings()
    base = min(ws.max_backoff_seconds, ws.min_backoff_seconds * (2 ** max(0, attempt - 1)))
    return base * random.uniform(0.8, 1.0)


def record_outcome(outbox_id: int, exception: BaseException | None) -> str:
    """Mark an outbox row after its job ran; returns the new status."""
    now = utcnow()
    with get_engine().begin() as conn:
        if exception is None:
            conn.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id)
                .values(status="done", finished_at=now, last_error=None, available_at=None)
            )
            return "done"
        row = conn.execute(
            select(OutboxMessage.attempts, OutboxMessage.status).where(OutboxMessage.id == outbox_id).with_for_update()
        ).first()
        if row is None or row.status == "done":  # another run of this job finished it
            return "done"
        attempts = row.attempts or 0
        error = f"{type(exception).__name__}: {exception}"[:2000]
        if attempts >= get_worker_settings().max_attempts:
            conn.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id)
                .values(status="failed", finished_at=now, last_error=error)
            )
            return "failed"
        if isinstance(exception, dramatiq.Retry) and exception.delay is not None:
            delay = exception.delay / 1000
        else:
            delay = backoff_seconds(attempts)
        conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(status="pending", dispatched_at=None, available_at=now + timedelta(seconds=delay), last_error=error)
        )
        return "pending"


class OutboxMiddleware(Middleware):
    def after_process_message(self, broker, message, *, result=None, exception=None):
        outbox_id = message.options.get("outbox_id")
        if outbox_id is None:
            return
        try:
            status = record_outcome(int(outbox_id), exception)
        except Exception:  # the database is away: the relay's stale sweep will hand the job out again
            logger.exception("Could not record the outcome of job %s", outbox_id)
            return
        if status == "failed":
            logger.error("Job %s (%s) failed for good after its last attempt", outbox_id, message.actor_name)

    def after_skip_message(self, broker, message):
        self.after_process_message(broker, message)


class Heartbeat(Middleware):
    """On Redis, a worker process says it is alive from a thread of its own, every quarter of the
    heartbeat timeout. Dramatiq's consumers heartbeat only when they fetch, and they stop fetching
    while every thread is busy, so a live process running long jobs would be taken for dead and
    its jobs handed to another; with this, only a process that has really stopped is."""

    def __init__(self):
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker, worker):
        beat = getattr(broker, "heartbeat", None)
        if beat is None or self._thread is not None:
            return
        interval = max(0.1, broker.heartbeat_timeout / 4000)
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    beat()
                except Exception:  # Redis is away: the consumers report it; try again next time
                    logger.debug("Heartbeat failed", exc_info=True)

        self._thread = threading.Thread(target=run, name="broker-heartbeat", daemon=True)
        self._thread.start()

    def before_worker_shutdown(self, broker, worker):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class Preload(Middleware):
    """Load the matching library (numpy, scikit-learn: about a second) when a worker boots, not
    inside the first ``role.published`` job, where it delays every email of the role."""

    def before_worker_boot(self, broker, worker):
        try:
            import brokerage.matches.service  # noqa: F401
        except Exception:  # pragma: no cover - the job itself will report it
            logger.exception("Could not load the matching library ahead of the first job")
