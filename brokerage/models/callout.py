"""Emergency call-outs: volunteers who said they could respond in an emergency (where and when),
the call-outs a volunteer centre or pilot lead raises, and one row per volunteer emailed about a
call-out (unique per call-out and volunteer: no one is emailed twice about one call-out).

Availability is ordinary personal data, seen only by the volunteer, centre staff and pilot leads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brokerage.db import Base, utcnow


class EmergencyAvailability(Base):
    """A volunteer's opt-in to emergency call-outs (no row: not opted in; opting out deletes it)."""

    __tablename__ = "emergency_availability"

    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True)
    # The area: any of these districts (GSS codes), and/or within this many miles of their postcode.
    district_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    radius_miles: Mapped[float | None] = mapped_column(Float)
    # The weekly time slots they could respond in (the 21-slot mask of brokerage/vocab/slots.py).
    slot_mask: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Callout(Base):
    """A call for volunteers to help at a place within a time window (a rest centre tonight)."""

    __tablename__ = "emergency_callouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id", ondelete="SET NULL"), index=True)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(8))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    district_gss: Mapped[str | None] = mapped_column(ForeignKey("districts.gss_code"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    needed: Mapped[int] = mapped_column(Integer)
    # Kept in step with the accepted invitations, under a conditional update: never above ``needed``.
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    batch_size: Mapped[int] = mapped_column(Integer)
    batches_sent: Mapped[int] = mapped_column(Integer, default=0)
    # open → filled (enough said yes) | exhausted (no one left to ask) | closed (by staff)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    last_batch_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class CalloutInvitation(Base):
    """One volunteer emailed about one call-out, and their answer."""

    __tablename__ = "emergency_callout_invitations"
    __table_args__ = (UniqueConstraint("callout_id", "volunteer_id", name="uq_callout_invitations_callout_volunteer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    callout_id: Mapped[int] = mapped_column(ForeignKey("emergency_callouts.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    batch: Mapped[int] = mapped_column(Integer)
    distance_miles: Mapped[float] = mapped_column(Float)
    # emailed → accepted | declined | too_late (said yes once the call-out was full or over)
    status: Mapped[str] = mapped_column(String(16), default="emailed")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
