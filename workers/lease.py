"""Single-leader locks for the scheduler: a Redis lock with a TTL when Redis is configured, a
database lease row otherwise. The holder renews before the TTL runs out; if it dies, another
scheduler takes over once the lease has expired."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Engine

from brokerage.db import utcnow
from brokerage.models import SchedulerLease


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DatabaseLease:
    """A lease row: taken with one conditional UPDATE (atomic on PostgreSQL and SQLite)."""

    def __init__(self, engine: Engine, name: str = "scheduler", ttl_seconds: float = 60.0, holder: str | None = None):
        self.engine, self.name, self.ttl = engine, name, ttl_seconds
        self.holder = holder or holder_id()

    def acquire(self) -> bool:
        """Take or renew the lease; True if this process holds it now."""
        now = utcnow()
        expires = now + timedelta(seconds=self.ttl)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == self.name)
                .where((SchedulerLease.holder == self.holder) | (SchedulerLease.expires_at < now))
                .values(holder=self.holder, expires_at=expires)
            )
            if result.rowcount == 1:
                return True
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(SchedulerLease).values(name=self.name, holder=self.holder, expires_at=expires))
            return True
        except IntegrityError:
            return False

    def release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == self.name, SchedulerLease.holder == self.holder)
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )


_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class RedisLease:
    """``SET key holder NX PX ttl``; renewed only by its holder (compare-and-extend in Lua)."""

    def __init__(self, url: str, name: str = "scheduler", ttl_seconds: float = 60.0, holder: str | None = None):
        import redis

        self.client = redis.Redis.from_url(url)
        self.key = f"brokerage:lease:{name}"
        self.ttl_ms = int(ttl_seconds * 1000)
        self.holder = holder or holder_id()
        self._renew = self.client.register_script(_RENEW)
        self._release = self.client.register_script(_RELEASE)

    def acquire(self) -> bool:
        if self._renew(keys=[self.key], args=[self.holder, self.ttl_ms]):
            return True
        return bool(self.client.set(self.key, self.holder, nx=True, px=self.ttl_ms))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.holder])
