from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brokerage.db import Base, utcnow


LISTED_SQL = "status NOT IN ('erased', 'merged')"


class Volunteer(Base):
    """A person who volunteers. Demographic fields are optional and never logged."""

    __tablename__ = "volunteers"
    __table_args__ = (
        # the centre's list of volunteers, by name, without those erased or merged into another record
        Index(
            "ix_volunteers_listed_by_name",
            "last_name",
            "first_name",
            "id",
            postgresql_where=text(LISTED_SQL),
            sqlite_where=text(LISTED_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    email_normalised: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # With no date of birth: they told us they are 18 or over. Without either, roles for adults are
    # closed to them (matching's ``age_not_known``), as a child could be behind the record.
    adult_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    postcode: Mapped[str | None] = mapped_column(String(8))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    district_gss: Mapped[str | None] = mapped_column(ForeignKey("districts.gss_code"), index=True)
    travel_radius_miles: Mapped[float] = mapped_column(Float, default=5.0)
    mode: Mapped[str] = mapped_column(String(16), default="either")
    availability_mask: Mapped[int] = mapped_column(Integer, default=0)
    max_hours_per_week: Mapped[float | None] = mapped_column(Float)
    preference: Mapped[str] = mapped_column(String(16), default="either")
    skills_text: Mapped[str | None] = mapped_column(Text)
    dbs_level: Mapped[str] = mapped_column(String(16), default="none")
    dbs_certificate_date: Mapped[date | None] = mapped_column(Date)
    dbs_update_service: Mapped[bool] = mapped_column(Boolean, default=False)
    dbs_willing: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Volunteers aged 14 to 17: a parent or guardian's email, and when they gave consent (None: not yet,
    # or withdrawn). Until then the young person cannot say they are interested in a role.
    guardian_email: Mapped[str | None] = mapped_column(String(254))
    guardian_consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    notification_preference: Mapped[str] = mapped_column(String(16), default="weekly_digest")
    registering_centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    gender: Mapped[str | None] = mapped_column(String(24))
    ethnicity: Mapped[str | None] = mapped_column(String(24))
    ethnicity_detail: Mapped[str | None] = mapped_column(String(40))  # ONS 2021 detailed group
    ethnicity_as_given: Mapped[str | None] = mapped_column(String(100))  # an imported answer that maps to no detailed group
    disability: Mapped[str | None] = mapped_column(String(24))
    employment_status: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    registered_on: Mapped[date] = mapped_column(Date, default=date.today, index=True)
    source: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[str | None] = mapped_column(String(200))
    merged_into_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    skill_links: Mapped[list[VolunteerSkill]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    cause_links: Mapped[list[VolunteerCause]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def skills(self) -> list[str]:
        return sorted(link.skill_id for link in self.skill_links)

    @property
    def causes(self) -> list[str]:
        return sorted(link.cause_id for link in self.cause_links)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class VolunteerSkill(Base):
    __tablename__ = "volunteer_skills"

    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


class VolunteerCause(Base):
    __tablename__ = "volunteer_causes"

    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True)
    cause_id: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


def age_band(date_of_birth: date | None, on: date | None = None) -> str:
    """The reporting age band, derived from date of birth (never stored)."""
    if date_of_birth is None:
        return "unknown"
    on = on or date.today()
    age = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    for upper, label in (
        (15, "under 16"),
        (24, "16-24"),
        (34, "25-34"),
        (44, "35-44"),
        (54, "45-54"),
        (64, "55-64"),
        (74, "65-74"),
    ):
        if age <= upper:
            return label
    return "75+"
