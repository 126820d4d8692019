from __future__ import annotations

from datetime import datetime
from typing import Any

from brokerage.schemas import Output


class JobOut(Output):
    id: int
    actor: str
    payload: dict[str, Any]
    status: str
    attempts: int
    created_at: datetime
    dispatched_at: datetime | None
    available_at: datetime | None
    finished_at: datetime | None
    last_error: str | None


class DeliveryCount(Output):
    kind: str
    sent: int
    failed: int
    capped: int


class JobCount(Output):
    actor: str
    pending: int
    dispatched: int
    done: int
    failed: int


class JobStats(Output):
    deliveries: list[DeliveryCount]
    jobs: list[JobCount]
