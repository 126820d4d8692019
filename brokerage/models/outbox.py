from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from brokerage.db import Base, utcnow


class OutboxMessage(Base):
    """A job recorded in the same transaction as the change that caused it.

    The relay hands undispatched rows to Dramatiq and stamps ``dispatched_at``.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A retry waits until this time (exponential backoff kept in the database, not the broker).
    available_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Set by the worker once the job has finished (or permanently failed).
    status: Mapped[str] = mapped_column(String(16), default="pending")
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_outbox_undispatched", "dispatched_at", "id"),
        Index("ix_outbox_status_actor", "status", "actor"),
    )


class Delivery(Base):
    """One side effect done once: the unique key makes every actor idempotent."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    recipient: Mapped[str | None] = mapped_column(String(254))
    volunteer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    role_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="sent")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
