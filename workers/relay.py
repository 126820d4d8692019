"""The outbox relay: hands committed outbox rows to the broker and marks them dispatched.

* Rows are taken ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of relays can run and no
  row is handed out twice by two of them; SQLite (embedded) has one relay and serialises writers.
* If the broker is down, nothing is marked: the rows wait, and the relay tries again with a
  growing pause until the broker is back.
* A job dispatched long ago that never finished (its worker was killed, the broker lost it) is put
  back to pending and goes again; actors are idempotent, so at-least-once is safe.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import timedelta

import dramatiq
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from brokerage.db import get_sessionmaker, utcnow
from brokerage.models import OutboxMessage
from workers.settings import get_worker_settings

logger = logging.getLogger(__name__)


class BrokerUnavailable(Exception):
    pass


class Relay:
    def __init__(self, broker: dramatiq.Broker, session_factory: sessionmaker[Session] | None = None):
        self.broker = broker
        self.session_factory = session_factory or get_sessionmaker()
        self.settings = get_worker_settings()
        self._stop = threading.Event()
        self._last_sweep = 0.0

    def _queue_for(self, actor_name: str) -> str | None:
        try:
            return self.broker.get_actor(actor_name).queue_name
        except dramatiq.ActorNotFound:
            return None

    def dispatch_once(self) -> int:
        """Hand one batch of due rows to the broker; returns how many went."""
        now = utcnow()
        session = self.session_factory()
        try:
            rows = session.execute(
                select(OutboxMessage.id, OutboxMessage.actor, OutboxMessage.payload)
                .where(
                    OutboxMessage.dispatched_at.is_(None),
                    OutboxMessage.status == "pending",
                    or_(OutboxMessage.available_at.is_(None), OutboxMessage.available_at <= now),
                )
                .order_by(OutboxMessage.id)
                .limit(self.settings.relay_batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                session.rollback()
                return 0
            known = [row for row in rows if self._queue_for(row.actor) is not None]
            unknown = [row.id for row in rows if self._queue_for(row.actor) is None]
            # Mark first, then hand over, then commit: the rows stay locked (SKIP LOCKED on
            # PostgreSQL, the write lock on SQLite) until the commit, so a worker that finishes a job
            # before the relay commits waits for it instead of having its result overwritten.
            if known:
                self._mark(
                    session, [r.id for r in known], status="dispatched", dispatched_at=now, attempts=OutboxMessage.attempts + 1
                )
            if unknown:
                self._mark(
                    session,
                    unknown,
                    status="failed",
                    finished_at=now,
                    attempts=OutboxMessage.attempts + 1,
                    last_error="No background job is registered under this name.",
                )
            sent = 0
            error: Exception | None = None
            for row in known:
                message = dramatiq.Message(
                    queue_name=self._queue_for(row.actor),
                    actor_name=row.actor,
                    args=(),
                    kwargs=dict(row.payload or {}),
                    options={"outbox_id": row.id},
                )
                try:
                    self.broker.enqueue(message)
                except Exception as exc:  # broker down: the rest wait in the outbox
                    error = exc
                    break
                sent += 1
            if error is not None:
                self._mark(
                    session,
                    [r.id for r in known[sent:]],
                    status="pending",
                    dispatched_at=None,
                    attempts=OutboxMessage.attempts - 1,
                )
            session.commit()
            if error is not None:
                raise BrokerUnavailable(str(error)) from error
            return sent + len(unknown)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @staticmethod
    def _mark(session: Session, ids: list[int], **values) -> None:
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    def redispatch_stale(self) -> int:
        """Put back jobs dispatched long ago that never finished."""
        cutoff = utcnow() - timedelta(seconds=self.settings.redispatch_after_seconds)
        with self.session_factory() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "dispatched", OutboxMessage.dispatched_at < cutoff)
                .values(status="pending", dispatched_at=None)
                .execution_options(synchronize_session=False)
            )
            session.commit()
            if result.rowcount:
                logger.warning("Handing out %d jobs again that were dispatched but never finished", result.rowcount)
            return result.rowcount or 0

    def drain(self) -> int:
        """Dispatch everything due now (used by ``--once`` and tests)."""
        total = 0
        while True:
            n = self.dispatch_once()
            total += n
            if n < self.settings.relay_batch_size:
                return total

    def run(self, stop: threading.Event | None = None) -> None:
        stop = stop or self._stop
        pause = self.settings.relay_poll_seconds
        broker_down_since: float | None = None
        while not stop.is_set():
            try:
                if time.monotonic() - self._last_sweep > min(60.0, self.settings.redispatch_after_seconds / 2):
                    self._last_sweep = time.monotonic()
                    self.redispatch_stale()
                n = self.dispatch_once()
                if broker_down_since is not None:
                    logger.info("The broker is back; handing out waiting jobs")
                    broker_down_since = None
                pause = self.settings.relay_poll_seconds
                if n >= self.settings.relay_batch_size:
                    continue
            except BrokerUnavailable as exc:
                if broker_down_since is None:
                    broker_down_since = time.monotonic()
                    logger.warning("The broker is unavailable (%s); jobs stay in the outbox until it is back", exc)
                pause = min(5.0, max(pause * 2, 0.5))
            except Exception:
                logger.exception("The relay hit an error; trying again shortly")
                pause = min(5.0, max(pause * 2, 0.5))
            stop.wait(pause)

    def stop(self) -> None:
        self._stop.set()


def run_relay(once: bool = False) -> int:
    from workers.broker import ensure_broker

    broker = ensure_broker()
    import workers.actors  # noqa: F401  (registers actor names and queues)

    relay = Relay(broker)
    if once:
        n = relay.drain()
        print(f"Handed {n} jobs to the broker.")
        return 0
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: relay.stop())
    logger.info("Relay running")
    relay.run()
    return 0
