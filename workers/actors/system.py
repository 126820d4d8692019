"""A job that does nothing: the benchmark's baseline for the broker's own speed."""

from __future__ import annotations

from brokerage import events
from workers.actors._common import actor


@actor(events.Noop)
def noop(n: int = 0) -> None:
    return None
