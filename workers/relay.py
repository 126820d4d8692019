"""The outbox relay: hands committed outbox rows to the broker and marks them dispatched.

* Rows are taken ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of relays can run and no
  row is handed out twice by two of them; SQLite (embedded) has one relay and serialises writers.
* If the broker is down, nothing is marked: the rows wait, and the relay tries again with a
  growing pause until the broker is back.
* Nothing handed out is left behind. Every few seconds (``relay_sweep_seconds``) the relay has the
  broker put back what dead worker processes had taken (a process is dead once its heartbeat is
  older than the heartbeat timeout), and puts back to pending every dispatched job the broker no
  longer holds at all (a Redis that restarted empty, a message dropped): such jobs go again within
  seconds of the broker being back, not after the long timer below.
* A job dispatched long ago that never finished, for any other reason, goes again after
  ``redispatch_after_seconds``. Actors are idempotent, so at-least-once is safe.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import dramatiq
from sqlalchemy import CursorResult, Result, Row, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from brokerage.db import get_sessionmaker, session_scope, utcnow
from brokerage.models import OutboxMessage
from workers.settings import get_worker_settings

logger = logging.getLogger(__name__)


class BrokerUnavailable(Exception):
    pass


_MESSAGE_IDS = uuid.UUID("6f1d3c5e-9a59-4d4b-8f0e-2b7c1e4a9d10")


def message_id(outbox_id: int, attempt: int, dispatched_at: datetime) -> str:
    """The broker message that carries one hand-over of an outbox row: derived from the row, so
    that the relay can later ask the broker whether it still holds it without storing anything."""
    return str(uuid.uuid5(_MESSAGE_IDS, f"{outbox_id}:{attempt}:{dispatched_at.isoformat()}"))


# A job handed to the broker, as redispatch_lost reads it: id, actor, attempts, dispatched_at.
_HandedOut = Row[int, str, int, datetime | None]


def _cursor(result: Result[Any]) -> CursorResult[Any]:
    """An UPDATE's result, which carries the count of rows it changed (``Session.execute`` is typed
    as returning any result; for a DML statement it is a cursor result)."""
    return cast(CursorResult[Any], result)


class Relay:
    def __init__(self, broker: dramatiq.Broker, session_factory: sessionmaker[Session] | None = None):
        self.broker = broker
        # The database this relay serves for its whole life, even if the process's engine changes.
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
        error: Exception | None = None
        with session_scope(self.session_factory) as session:
            rows = session.execute(
                select(OutboxMessage.id, OutboxMessage.actor, OutboxMessage.payload, OutboxMessage.attempts)
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
                return 0
            queues = {row.id: self._queue_for(row.actor) for row in rows}
            known = [(row, queue) for row in rows if (queue := queues[row.id]) is not None]
            unknown = [row.id for row in rows if queues[row.id] is None]
            # Mark first, then hand over, then commit: the rows stay locked (SKIP LOCKED on
            # PostgreSQL, the write lock on SQLite) until the commit, so a worker that finishes a job
            # before the relay commits waits for it instead of having its result overwritten.
            if known:
                self._mark(
                    session, [r.id for r, _ in known], status="dispatched", dispatched_at=now, attempts=OutboxMessage.attempts + 1
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
            for row, queue in known:
                message: dramatiq.Message[None] = dramatiq.Message(
                    queue_name=queue,
                    actor_name=row.actor,
                    args=(),
                    kwargs=dict(row.payload or {}),
                    options={"outbox_id": row.id},
                    message_id=message_id(row.id, (row.attempts or 0) + 1, now),
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
                    [r.id for r, _ in known[sent:]],
                    status="pending",
                    dispatched_at=None,
                    attempts=OutboxMessage.attempts - 1,
                )
        if error is not None:
            raise BrokerUnavailable(str(error)) from error
        return sent + len(unknown)

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
        with session_scope(self.session_factory) as session:
            result = _cursor(
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.status == "dispatched", OutboxMessage.dispatched_at < cutoff)
                    .values(status="pending", dispatched_at=None)
                    .execution_options(synchronize_session=False)
                )
            )
            count = result.rowcount or 0
        if count:
            logger.warning("Handing out %d jobs again that were dispatched but never finished", count)
        return count

    def redispatch_lost(self, batch: int = 1000) -> int:
        """Put back dispatched jobs that the broker no longer holds, neither queued nor taken by a
        worker (it restarted empty, or dropped them). A worker acknowledges a message only after
        recording its job's outcome, so a job still ``dispatched`` whose message is gone will not
        finish. Brokers that cannot say are left to ``redispatch_stale``."""
        held = getattr(self.broker, "held", None)
        if held is None:
            return 0
        cutoff = utcnow() - timedelta(seconds=self.settings.relay_sweep_seconds)
        lost = after = 0
        while True:
            with session_scope(self.session_factory) as session:
                rows = session.execute(
                    select(OutboxMessage.id, OutboxMessage.actor, OutboxMessage.attempts, OutboxMessage.dispatched_at)
                    .where(OutboxMessage.status == "dispatched", OutboxMessage.dispatched_at < cutoff, OutboxMessage.id > after)
                    .order_by(OutboxMessage.id)
                    .limit(batch)
                ).all()
            # Asked after the rows were read: a job that finished in between is 'done' by now.
            gone = self._not_held(rows, held)
            if gone:
                with session_scope(self.session_factory) as session:
                    for r in gone:  # only if it is still that hand-over: not finished, not handed out again
                        result = _cursor(
                            session.execute(
                                update(OutboxMessage)
                                .where(
                                    OutboxMessage.id == r.id,
                                    OutboxMessage.status == "dispatched",
                                    OutboxMessage.attempts == r.attempts,
                                    OutboxMessage.dispatched_at == r.dispatched_at,
                                )
                                .values(status="pending", dispatched_at=None)
                                .execution_options(synchronize_session=False)
                            )
                        )
                        lost += result.rowcount or 0
            if len(rows) < batch:
                break
            after = rows[-1].id
        if lost:
            logger.warning("Handing out %d jobs again that the broker no longer held", lost)
        return lost

    def _not_held(self, rows: Sequence[_HandedOut], held: Callable[[str, list[str]], set[str]]) -> list[_HandedOut]:
        by_queue: dict[str | None, dict[str, _HandedOut]] = {}
        for r in rows:
            by_queue.setdefault(self._queue_for(r.actor), {})[message_id(r.id, r.attempts, r.dispatched_at)] = r
        gone: list[_HandedOut] = []
        for queue, by_id in by_queue.items():
            present = held(queue, list(by_id)) if queue is not None else set()
            gone.extend(r for mid, r in by_id.items() if mid not in present)
        return gone

    def recover(self) -> int:
        """One sweep: a dead worker's jobs back on the queue, lost and stale jobs back to pending."""
        recover_dead_workers = getattr(self.broker, "recover_dead_workers", None)
        if recover_dead_workers is not None:
            recover_dead_workers()
        return self.redispatch_lost() + self.redispatch_stale()

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
            self._sweep_if_due()
            try:
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

    def _sweep_if_due(self) -> None:
        if time.monotonic() - self._last_sweep < self.settings.relay_sweep_seconds:
            return
        self._last_sweep = time.monotonic()
        try:
            self.recover()
        except Exception as exc:  # the broker or the database is away: the next sweep tries again
            logger.warning("Could not look for lost jobs (%s); trying again shortly", exc)

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
