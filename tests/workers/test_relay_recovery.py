"""What the relay does about jobs the broker will not finish, against our own redis-server and the
test's PostgreSQL database: a Redis that came back empty, and a worker process that died holding
messages. The relay and the "workers" run in this process, so that each step can be checked."""

from __future__ import annotations

import time

import dramatiq
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from brokerage.db import utcnow
from brokerage.models import OutboxMessage

ACTOR = "test.noop"


@pytest.fixture
def redis_relay(worker_env, redis_server, configure, worker_engine):
    """``(make_broker, relay)``: Redis brokers as worker processes would have them (each its own
    worker id), and a relay on one of them that sweeps with no grace period."""
    configure(
        worker_env,
        BROKERAGE_WORKER_RELAY_SWEEP_SECONDS="0",
        BROKERAGE_WORKER_REDIS_HEARTBEAT_TIMEOUT_MS="500",
        BROKERAGE_WORKER_REDIS_MAINTENANCE_CHANCE="0",  # only the relay puts anything back
    )
    from workers.broker import make_broker
    from workers.relay import Relay

    brokers = []

    def new_broker():
        broker = make_broker(redis_server.url)
        dramatiq.actor(lambda: None, actor_name=ACTOR, broker=broker)
        brokers.append(broker)
        return broker

    relay = Relay(new_broker(), sessionmaker(worker_engine))
    yield new_broker, relay
    for broker in brokers:
        broker.close()


def _jobs(engine, n: int) -> list[int]:
    with sessionmaker(engine)() as s:
        rows = [OutboxMessage(actor=ACTOR, payload={}, status="pending", attempts=0) for _ in range(n)]
        s.add_all(rows)
        s.commit()
        return [r.id for r in rows]


def _status(engine) -> dict[int, tuple[str, int]]:
    with engine.connect() as conn:
        return {
            r.id: (r.status, r.attempts)
            for r in conn.execute(select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts))
        }


def test_jobs_lost_with_redis_are_handed_out_again_and_no_others(redis_relay, redis_server, worker_engine):
    _new_broker, relay = redis_relay
    finished, lost, later = _jobs(worker_engine, 3)
    assert relay.drain() == 3
    # One job finished before Redis went: its worker recorded it, then acknowledged the message.
    with worker_engine.begin() as conn:
        conn.execute(update(OutboxMessage).where(OutboxMessage.id == finished).values(status="done", finished_at=utcnow()))

    redis_server.stop()
    redis_server.start(empty=True)  # it kept nothing on disk
    later_row = _jobs(worker_engine, 1)[0]
    assert relay.drain() == 1  # handed to the new Redis: it holds this one
    assert relay.recover() == 2  # the two dispatched jobs it lost, and only them

    status = _status(worker_engine)
    assert status[finished] == ("done", 1)
    assert status[lost] == ("pending", 1) and status[later] == ("pending", 1)
    assert status[later_row] == ("dispatched", 1)
    assert relay.drain() == 2  # and they go again, as second attempts
    assert _status(worker_engine)[lost] == ("dispatched", 2)
    assert relay.recover() == 0  # the new hand-overs are held: nothing more to do


def test_what_a_dead_worker_had_taken_goes_back_on_the_queue_and_a_live_workers_does_not(redis_relay, worker_engine):
    new_broker, relay = redis_relay
    _jobs(worker_engine, 2)
    relay.drain()
    dead, live = new_broker(), new_broker()
    # Each worker process takes one message; then one of them dies (it stops heartbeating).
    taken = {name: _take(broker) for name, broker in (("dead", dead), ("live", live))}
    deadline = time.monotonic() + 1.5  # three heartbeat timeouts
    while time.monotonic() < deadline:
        live.heartbeat()  # what the Heartbeat middleware's thread does in a worker process
        time.sleep(0.1)

    assert relay.recover() == 0  # both messages are still the broker's: no outbox row goes twice
    survivor = new_broker()
    assert _take(survivor) == taken["dead"]  # the dead worker's message is back on the queue
    consumer = survivor.consume("default", prefetch=5, timeout=100)
    assert all(next(consumer) is None for _ in range(5))  # the live worker's was left with it
    assert all(status == "dispatched" for status, _ in _status(worker_engine).values())


def _take(broker) -> int:
    """Fetch one message as a worker process's consumer would (it stays unacknowledged)."""
    consumer = broker.consume("default", prefetch=1, timeout=100)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        message = next(consumer)
        if message is not None:
            return message.options["outbox_id"]
    raise AssertionError("no message to take")
