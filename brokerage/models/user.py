from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from brokerage.db import Base, utcnow


class User(Base):
    """A login. ``role`` decides what the account may see; staff belong to one centre."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    email_normalised: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32), index=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A centre's designated safeguarding lead: sees the concerns raised with that centre.
    safeguarding_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on password change or logout-everywhere: old cookies and tokens stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
