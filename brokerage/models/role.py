from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from brokerage.db import Base, utcnow
from brokerage.vocab.shifts import ACTIVE_BOOKING_STATUSES

_ACTIVE_BOOKING_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in ACTIVE_BOOKING_STATUSES))


class Activity(Base):
    """The standard's Activity: what an organisation runs; it holds one or more roles."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    requires_emergency_participation: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[str | None] = mapped_column(String(300), index=True)  # the IRI it was published under
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Role(Base):
    """A volunteering role (the opportunity a volunteer applies for)."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    # The standard's requiresEmergencyParticipation belongs to the activity: a role shows its activity's.
    requires_emergency_participation: Mapped[bool] = column_property(
        select(Activity.requires_emergency_participation)
        .where(Activity.id == activity_id)
        .correlate_except(Activity)
        .scalar_subquery()
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    commitment: Mapped[str | None] = mapped_column(String(300))
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    one_off: Mapped[bool] = mapped_column(Boolean, default=False)
    slot_mask: Mapped[int] = mapped_column(Integer, default=0)
    mode: Mapped[str] = mapped_column(String(16), default="in_person")
    location_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(8))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    district_gss: Mapped[str | None] = mapped_column(ForeignKey("districts.gss_code"), index=True)
    dbs_level: Mapped[str] = mapped_column(String(16), default="none")
    requirements: Mapped[list[str]] = mapped_column(JSON, default=list)
    accessibility: Mapped[list[str]] = mapped_column(JSON, default=list)
    rewards: Mapped[list[str]] = mapped_column(JSON, default=list)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    # Suitable for volunteers under 18 (with their guardian's consent); when not, no one under 18 is matched.
    suitable_for_under_18s: Mapped[bool] = mapped_column(Boolean, default=False)
    # None: the number of places is not known (an import whose file does not say); never full
    places_available: Mapped[int | None] = mapped_column(Integer)
    apply_link: Mapped[str | None] = mapped_column(String(300))
    publish_start: Mapped[date | None] = mapped_column(Date)
    publish_end: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    source: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[str | None] = mapped_column(String(300), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, index=True)

    skill_links: Mapped[list[RoleSkill]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    cause_links: Mapped[list[RoleCause]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    sessions: Mapped[list[RoleSession]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RoleSession.starts_at"
    )

    @property
    def causes(self) -> list[str]:
        return sorted(link.cause_id for link in self.cause_links)

    @property
    def required_skills(self) -> list[str]:
        return sorted(link.skill_id for link in self.skill_links if link.required)

    @property
    def desired_skills(self) -> list[str]:
        return sorted(link.skill_id for link in self.skill_links if not link.required)

    @property
    def essential_skills(self) -> list[str]:
        """The few skills the poster marked essential: only these rule a volunteer out."""
        return sorted(link.skill_id for link in self.skill_links if link.essential)


class RoleSkill(Base):
    __tablename__ = "role_skills"

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)
    required: Mapped[bool] = mapped_column(Boolean, default=False)  # needed (scores fully); else "would like"
    essential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # a real condition: gates


class RoleCause(Base):
    __tablename__ = "role_causes"

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    cause_id: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


class RoleSession(Base):
    """A dated session of a role (start and end, local time). With a number of places
    (``capacity``) volunteers book it on the role's page; a full session keeps a waiting list.
    Sessions added together as a weekly repeat share a ``series``."""

    __tablename__ = "role_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    series: Mapped[str | None] = mapped_column(String(36))


class SessionBooking(Base):
    """A volunteer's place on a session: booked, waiting (in order of asking) or cancelled; after
    the session, whether they came and the hours proposed for it."""

    __tablename__ = "session_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("role_sessions.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    hours_entry_id: Mapped[int | None] = mapped_column(ForeignKey("hours_entries.id", ondelete="SET NULL"))

    __table_args__ = (
        Index(
            "uq_session_bookings_active",
            "session_id",
            "volunteer_id",
            unique=True,
            postgresql_where=text(_ACTIVE_BOOKING_SQL),
            sqlite_where=text(_ACTIVE_BOOKING_SQL),
        ),
    )


class RoleStatusChange(Base):
    """The lifecycle history of a role."""

    __tablename__ = "role_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
