from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brokerage.db import Base, utcnow


class Placement(Base):
    """A volunteer in a role: begins when the referral is ``started``, ends when ``completed``."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id", ondelete="SET NULL"), unique=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    # The DBS check the placement relied on when it started: its level, certificate date and who checked.
    dbs_level: Mapped[str | None] = mapped_column(String(16))
    dbs_certificate_date: Mapped[date | None] = mapped_column(Date)
    dbs_checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    dbs_checked_by_name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Leaving well: each side's reason the placement ended (brokerage/vocab/placements.py), with a
    # note, and the volunteer's answer to the one question asked four weeks in.
    volunteer_exit_reason: Mapped[str | None] = mapped_column(String(16))
    volunteer_exit_note: Mapped[str | None] = mapped_column(Text)
    organisation_exit_reason: Mapped[str | None] = mapped_column(String(16))
    organisation_exit_note: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    satisfaction_at: Mapped[datetime | None] = mapped_column(DateTime)


class HoursEntry(Base):
    """Hours given on one day. Corrections add a new entry that supersedes the old one."""

    __tablename__ = "hours_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    worked_on: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    activity: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    query_note: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("hours_entries.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)


class Milestone(Base):
    """A volunteer reached a number of approved hours (10, 25, 50 …): reached once, with the
    certificate's figures as they stood then and the unguessable code that verifies it."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    threshold: Mapped[int] = mapped_column(Integer)
    reached_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    organisations: Mapped[list[str]] = mapped_column(JSON, default=list)

    __table_args__ = (UniqueConstraint("volunteer_id", "threshold", name="uq_milestones_volunteer_threshold"),)
