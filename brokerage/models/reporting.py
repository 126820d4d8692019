"""Reporting tables: valuation rates, investment in volunteers (VIVA), rollups kept by the workers
as hours are approved, and frozen reports stored byte for byte."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from brokerage.db import Base, utcnow
from brokerage.models.hours import HoursEntry, Placement

INVESTMENT_CATEGORIES = ("coordinator_time", "expenses", "training", "dbs_checks", "recruitment", "overheads")
RATE_KINDS = ("replacement_cost", "proxy", "wellbeing", "benchmark")
RATE_UNITS = ("hour", "volunteer_year")
ROLLUP_KINDS = ("month", "quarter", "year")
REPORT_FORMATS = ("json", "csv", "xlsx", "html")


class ValuationRate(Base):
    """One value of a rate series for a validity period, with its source. Rates are data, not code."""

    __tablename__ = "valuation_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(20), default="hour")
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    price_year: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)
    licence_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("series", "valid_from", name="uq_valuation_rates_series_valid_from"),)


class InvestmentEntry(Base):
    """Money a volunteer centre spent on volunteering in a period, by VIVA category."""

    __tablename__ = "investment_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(30))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    note: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HoursRollup(Base):
    """Approved hours per placement (so per volunteer and organisation) × calendar month, quarter and year.

    Kept by the ``hours.approved`` / ``reports.rollup`` actors; rebuilt by ``brokerage reports
    rebuild-rollups``. ``district_gss`` is the volunteer's home district when the row was computed.
    """

    __tablename__ = "hours_rollups"

    period_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id", ondelete="CASCADE"), primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int] = mapped_column(Integer)
    role_id: Mapped[int] = mapped_column(Integer)
    district_gss: Mapped[str | None] = mapped_column(String(9))
    hours: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    entries: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_hours_rollups_placement_id", "placement_id"),
        Index("ix_hours_rollups_volunteer_id", "volunteer_id"),
        Index("ix_hours_rollups_organisation_id", "organisation_id"),
    )


class PlacementActivity(Base):
    """First and last approved day of each placement (retention) — a rollup, never edited by hand."""

    __tablename__ = "placement_activity"

    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id", ondelete="CASCADE"), primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(Integer, index=True)
    started_on: Mapped[date] = mapped_column(Date)
    first_worked_on: Mapped[date] = mapped_column(Date)
    last_worked_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    retained_3m: Mapped[bool] = mapped_column(Boolean, default=False)
    retained_6m: Mapped[bool] = mapped_column(Boolean, default=False)
    retained_12m: Mapped[bool] = mapped_column(Boolean, default=False)


class VolunteerActivity(Base):
    """A volunteer's first approved day anywhere ("new to volunteering") — a rollup."""

    __tablename__ = "volunteer_activity"

    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True)
    first_worked_on: Mapped[date] = mapped_column(Date)


class VolunteerYear(Base):
    """One row per volunteer and calendar year with approved hours — a rollup of ``hours_rollups``.

    ``months`` has bit m-1 set for each month m with approved hours, so distinct active volunteers for
    any run of whole months (and by quarter or month) are plain counts over these rows.
    ``first_worked_on`` is the volunteer's first approved day anywhere ("new to volunteering");
    ``district_gss`` their home district when the row was computed (every row of a volunteer is
    recomputed together, so they agree)."""

    __tablename__ = "volunteer_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True, index=True)
    district_gss: Mapped[str | None] = mapped_column(String(9))
    months: Mapped[int] = mapped_column(Integer)
    first_worked_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class OrganisationYear(Base):
    """One row per organisation, calendar year and volunteers' home district with approved hours
    (``district_gss`` '' when not known); ``months`` as in ``volunteer_years``. For "organisations supported"."""

    __tablename__ = "organisation_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True)
    district_gss: Mapped[str] = mapped_column(String(9), primary_key=True)
    months: Mapped[int] = mapped_column(Integer)


class DistrictMonthHours(Base):
    """Approved hours per calendar month and volunteers' home district ('' when not known): the sum of the
    monthly ``hours_rollups`` rows, kept by adding the difference each refresh makes (so it is exact and
    safe under concurrent refreshes). ``rollup_rows`` counts the rollup rows behind it."""

    __tablename__ = "district_month_hours"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    district_gss: Mapped[str] = mapped_column(String(9), primary_key=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    rollup_rows: Mapped[int] = mapped_column(Integer)


class DistrictCount(Base):
    """Counts the county report adds up instead of reading volunteers, referrals and placements, per
    volunteers' home district ('' when not known) — a rollup, kept by the ``reports.counts`` actor.

    * ``registration``: volunteers (not merged into another record) registered in the month ``day``
      (its first day);
    * ``referral``: referrals made in the month ``day``, by the days from the referral to the start of its
      placement (``days_to_start``; ``NOT_STARTED`` when none started);
    * ``placement``: placements started on ``day``, and how many of them were retained 3, 6 and 12 months
      (from ``placement_activity``). Kept by day, as retention is measured up to any as-of date.
    """

    __tablename__ = "district_counts"

    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    district_gss: Mapped[str] = mapped_column(String(9), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    days_to_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    retained_3m: Mapped[int] = mapped_column(Integer)
    retained_6m: Mapped[int] = mapped_column(Integer)
    retained_12m: Mapped[int] = mapped_column(Integer)


class RoleYear(Base):
    """One row per role and calendar year in which a placement on it started, with a bit per month
    (as in ``volunteer_years``) and the role's district ('' when not known): distinct roles filled for
    any run of months are plain counts. A rollup, kept by the ``reports.counts`` actor."""

    __tablename__ = "role_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True, index=True)
    district_gss: Mapped[str] = mapped_column(String(9))
    months: Mapped[int] = mapped_column(Integer)


class FrozenReport(Base):
    """A report stored as generated, so it can be downloaded again byte for byte."""

    __tablename__ = "frozen_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    # None = the whole county; otherwise the district codes the report covers.
    district_codes: Mapped[list[str] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FrozenReportFile(Base):
    __tablename__ = "frozen_report_files"

    frozen_report_id: Mapped[int] = mapped_column(ForeignKey("frozen_reports.id", ondelete="CASCADE"), primary_key=True)
    format: Mapped[str] = mapped_column(String(8), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


# Indexes on existing tables that the reports and hours checks lean on.
Index("ix_hours_entries_volunteer_id_worked_on", HoursEntry.volunteer_id, HoursEntry.worked_on)
Index("ix_placements_started_on", Placement.started_on)
