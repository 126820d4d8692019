"""Choose the Dramatiq broker once per process, before any actor module is imported.

``redis://`` (production), ``amqp://`` (RabbitMQ, needs ``pika``), or — with no broker configured —
an in-process ``StubBroker`` that the embedded worker's threads consume (the laptop default).
Retries are not left in the broker: the outbox middleware records each failure in the database and
the relay hands the job out again after an exponential backoff (see ``workers.middleware``).

On Redis the outbox is the record of what must run and the broker only carries it, so the relay
asks the broker two things (``OutboxRedisBroker``): whether it still holds a job it was handed (a
Redis that restarted empty holds nothing), and to put back at once what a worker process that
stopped heartbeating had taken (Dramatiq itself does that only on a random one in a thousand
fetches). Each worker process heartbeats from a thread of its own, so a process busy with long
jobs is never taken for dead.
"""

from __future__ import annotations

import logging
import threading

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AgeLimit, Callbacks, CurrentMessage, Pipelines, ShutdownNotifications, TimeLimit

from brokerage.config import get_settings
from workers.settings import get_worker_settings

logger = logging.getLogger(__name__)

QUEUE = "default"
_lock = threading.Lock()
_broker: dramatiq.Broker | None = None


def _middleware() -> list:
    from workers.middleware import Heartbeat, OutboxMiddleware, Preload

    return [
        AgeLimit(),
        TimeLimit(),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        CurrentMessage(),
        OutboxMiddleware(),
        Heartbeat(),
        Preload(),
    ]


def make_broker(url: str | None) -> dramatiq.Broker:
    """A broker for ``url`` (None: in-process) with our middleware and no broker-side retries."""
    ws = get_worker_settings()
    middleware = _middleware()
    if not url:
        broker: dramatiq.Broker = StubBroker(middleware=middleware)
    elif url.startswith(("redis://", "rediss://", "unix://")):
        from workers.redis_broker import OutboxRedisBroker

        broker = OutboxRedisBroker(
            url=url,
            middleware=middleware,
            heartbeat_timeout=ws.redis_heartbeat_timeout_ms,
            maintenance_chance=ws.redis_maintenance_chance,
        )
    elif url.startswith(("amqp://", "amqps://")):
        try:
            from dramatiq.brokers.rabbitmq import RabbitmqBroker
        except ImportError as exc:  # pragma: no cover - optional dependency
            raise RuntimeError("RabbitMQ needs the 'pika' package: pip install 'dramatiq[rabbitmq]'") from exc
        broker = RabbitmqBroker(url=url, middleware=middleware)
    else:
        raise ValueError(f"Unsupported broker URL scheme: {url.split(':', 1)[0]}")
    broker.declare_queue(QUEUE)
    return broker


def ensure_broker() -> dramatiq.Broker:
    """Set the process's broker once, from the configured broker URL (none: in-process)."""
    global _broker
    with _lock:
        if _broker is None:
            _broker = make_broker(get_settings().effective_broker_url)
            dramatiq.set_broker(_broker)
        return _broker


def current_broker() -> dramatiq.Broker | None:
    return _broker
