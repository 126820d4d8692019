from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from brokerage.db import Base, utcnow
from brokerage.vocab.referrals import ACTIVE_REFERRAL_STATUSES

_ACTIVE_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in ACTIVE_REFERRAL_STATUSES))


class Referral(Base):
    """An expression of interest by a volunteer in a role, and what happened next."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="interested", index=True)
    message: Mapped[str | None] = mapped_column(Text)
    share_email: Mapped[bool] = mapped_column(Boolean, default=True)
    share_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index(
            "uq_referrals_active_volunteer_role",
            "volunteer_id",
            "role_id",
            unique=True,
            postgresql_where=text(_ACTIVE_SQL),
            sqlite_where=text(_ACTIVE_SQL),
        ),
        # the centre's referrals page: the latest change first, and the longest waiting first
        Index("ix_referrals_status_changed_at_id", "status_changed_at", "id"),
    )


class ReferralEvent(Base):
    """Every transition of a referral, with time and actor."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)


class ReferralMessage(Base):
    """A message in a referral's conversation between the volunteer, the organisation and the
    volunteer centre. ``staff_only`` notes are seen by centre staff alone."""

    __tablename__ = "referral_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "volunteer", "organisation" or "centre"
    author_side: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    staff_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
