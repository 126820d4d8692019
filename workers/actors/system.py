"""A job that does nothing: the benchmark's baseline for the broker's own speed."""

from __future__ import annotations

from workers.actors._common import actor


@actor("system.noop")
def noop(n: int = 0) -> None:
    return None
