"""Tables the background workers need beside the outbox: the scheduler's leader lease, one row per
periodic run (so a run happens once per period whoever is leader), and addresses that asked for no
more email (one-click unsubscribe)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brokerage.db import Base, utcnow


class SchedulerLease(Base):
    """A named lease: the holder is the only scheduler allowed to start periodic jobs until it expires."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class ScheduledRun(Base):
    """One periodic job for one period (a day or an ISO week). The unique key makes a run happen once."""

    __tablename__ = "scheduled_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("job", "period"),)


class EmailSuppression(Base):
    """An address that used the unsubscribe link: it receives no further optional email."""

    __tablename__ = "email_suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_normalised: Mapped[str] = mapped_column(String(254), unique=True)
    reason: Mapped[str] = mapped_column(String(40), default="unsubscribe")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
