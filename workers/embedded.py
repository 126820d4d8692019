"""The embedded mode: relay, actors and scheduler as threads inside ``brokerage serve``.

With no broker configured, messages go through Dramatiq's in-process ``StubBroker`` to a
``dramatiq.Worker`` in this process, on the same database (SQLite by default). The outbox keeps
jobs durable: anything dispatched but unfinished when the process stopped is handed out again at
the next start, because an in-memory queue does not survive a restart.
"""

from __future__ import annotations

import logging
import threading

import dramatiq
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import update

from brokerage.db import get_engine
from brokerage.models import OutboxMessage
from workers.relay import Relay
from workers.scheduler import Scheduler
from workers.settings import get_worker_settings

logger = logging.getLogger(__name__)


class EmbeddedWorker:
    def __init__(self, threads: int | None = None, scheduler: bool = True):
        self.threads = threads or get_worker_settings().embedded_threads
        self.with_scheduler = scheduler
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.worker: dramatiq.Worker | None = None
        self.relay: Relay | None = None
        self.scheduler: Scheduler | None = None

    def start(self) -> None:
        from workers.broker import ensure_broker

        broker = ensure_broker()
        import workers.actors  # noqa: F401  (actors after the broker)

        if isinstance(broker, StubBroker):
            with get_engine().begin() as conn:
                conn.execute(
                    update(OutboxMessage).where(OutboxMessage.status == "dispatched").values(status="pending", dispatched_at=None)
                )
        self.worker = dramatiq.Worker(broker, worker_threads=self.threads, worker_timeout=250)
        self.worker.start()
        self.relay = relay = Relay(broker)
        self._spawn("outbox-relay", relay.run)
        if self.with_scheduler:
            self.scheduler = scheduler = Scheduler()
            self._spawn("scheduler", scheduler.run)
        logger.info("Background jobs are running in this process (%d threads)", self.threads)

    def _spawn(self, name: str, target) -> None:
        thread = threading.Thread(target=target, args=(self._stop,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=timeout)
        if self.worker is not None:
            self.worker.stop(timeout=int(timeout * 1000))
        from workers.mail import get_mailer

        get_mailer().close()
