"""hours and reporting: valuation rates (pre-loaded), investment, rollups (per placement, volunteer-year,
organisation-year and district-month), frozen reports

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NLW_SOURCE = (
    "National Living Wage from 1 April each year (GOV.UK, National Minimum Wage and National Living Wage rates, "
    "https://www.gov.uk/national-minimum-wage-rates); the rate for the oldest age band ({band})."
)
RLW_SOURCE = (
    "Real Living Wage, {area} rate (Living Wage Foundation, https://www.livingwage.org.uk/what-real-living-wage); "
    "applied here for the financial year April to March."
)
BENCHMARK_SOURCE = (
    "DCMS / London Economics, value of formal volunteering in England 2021/22: £24.7bn in total, £2,012 per "
    "volunteer, of which replacement cost £1,339 and wellbeing £673 per volunteer."
)

# Real Living Wage by financial year: (year it starts, UK, London).
RLW = (
    (2021, "9.90", "11.05"),
    (2022, "10.90", "11.95"),
    (2023, "12.00", "13.15"),
    (2024, "12.60", "13.85"),
    (2025, "13.45", "14.80"),
)

# (series, name, kind, unit, amount, valid_from, valid_to, price_year, source)
RATES = [
    *[
        (
            "nlw",
            "National Living Wage",
            "replacement_cost",
            "hour",
            amount,
            date(y, 4, 1),
            date(y + 1, 3, 31),
            f"{y}-{(y + 1) % 100:02d}",
            NLW_SOURCE.format(band="23 and over" if y < 2024 else "21 and over"),
        )
        for y, amount in ((2021, "8.91"), (2022, "9.50"), (2023, "10.42"), (2024, "11.44"), (2025, "12.21"), (2026, "12.71"))
    ],
    *[
        (
            "rlw_uk",
            "Real Living Wage (UK)",
            "replacement_cost",
            "hour",
            uk,
            date(y, 4, 1),
            date(y + 1, 3, 31),
            f"{y}-{(y + 1) % 100:02d}",
            RLW_SOURCE.format(area="UK (outside London)"),
        )
        for y, uk, _ in RLW
    ],
    *[
        (
            "rlw_london",
            "Real Living Wage (London)",
            "replacement_cost",
            "hour",
            london,
            date(y, 4, 1),
            date(y + 1, 3, 31),
            f"{y}-{(y + 1) % 100:02d}",
            RLW_SOURCE.format(area="London"),
        )
        for y, _, london in RLW
    ],
    (
        "england_benchmark_replacement_cost",
        "England benchmark: replacement cost per volunteer",
        "benchmark",
        "volunteer_year",
        "1339.00",
        date(2021, 4, 1),
        date(2022, 3, 31),
        "2021-22",
        BENCHMARK_SOURCE,
    ),
    (
        "england_benchmark_wellbeing",
        "England benchmark: wellbeing value per volunteer",
        "benchmark",
        "volunteer_year",
        "673.00",
        date(2021, 4, 1),
        date(2022, 3, 31),
        "2021-22",
        BENCHMARK_SOURCE,
    ),
]


def upgrade() -> None:
    op.create_table(
        "frozen_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("district_codes", sa.JSON(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_frozen_reports_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frozen_reports")),
    )
    op.create_table(
        "investment_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_investment_entries_centre_id_centres"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_investment_entries_entered_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investment_entries")),
    )
    op.create_index(op.f("ix_investment_entries_centre_id"), "investment_entries", ["centre_id"], unique=False)
    rates = op.create_table(
        "valuation_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("price_year", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence_note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_valuation_rates_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuation_rates")),
        sa.UniqueConstraint("series", "valid_from", name="uq_valuation_rates_series_valid_from"),
    )
    op.create_index(op.f("ix_valuation_rates_series"), "valuation_rates", ["series"], unique=False)
    op.create_table(
        "frozen_report_files",
        sa.Column("frozen_report_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["frozen_report_id"],
            ["frozen_reports.id"],
            name=op.f("fk_frozen_report_files_frozen_report_id_frozen_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("frozen_report_id", "format", name=op.f("pk_frozen_report_files")),
    )
    op.create_table(
        "volunteer_activity",
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("first_worked_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["volunteer_id"], ["volunteers.id"], name=op.f("fk_volunteer_activity_volunteer_id_volunteers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("volunteer_id", name=op.f("pk_volunteer_activity")),
    )
    op.create_table(
        "hours_rollups",
        sa.Column("period_kind", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("district_gss", sa.String(length=9), nullable=True),
        sa.Column("hours", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_hours_rollups_placement_id_placements"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("period_kind", "period_start", "placement_id", name=op.f("pk_hours_rollups")),
    )
    op.create_index("ix_hours_rollups_placement_id", "hours_rollups", ["placement_id"], unique=False)
    op.create_index("ix_hours_rollups_volunteer_id", "hours_rollups", ["volunteer_id"], unique=False)
    op.create_table(
        "placement_activity",
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("first_worked_on", sa.Date(), nullable=False),
        sa.Column("last_worked_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("retained_3m", sa.Boolean(), nullable=False),
        sa.Column("retained_6m", sa.Boolean(), nullable=False),
        sa.Column("retained_12m", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_placement_activity_placement_id_placements"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("placement_id", name=op.f("pk_placement_activity")),
    )
    op.create_index(op.f("ix_placement_activity_volunteer_id"), "placement_activity", ["volunteer_id"], unique=False)
    op.create_index("ix_hours_rollups_organisation_id", "hours_rollups", ["organisation_id"], unique=False)
    op.create_table(
        "volunteer_years",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("district_gss", sa.String(length=9), nullable=True),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("first_worked_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["volunteer_id"], ["volunteers.id"], name=op.f("fk_volunteer_years_volunteer_id_volunteers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("year", "volunteer_id", name=op.f("pk_volunteer_years")),
    )
    op.create_index(op.f("ix_volunteer_years_volunteer_id"), "volunteer_years", ["volunteer_id"], unique=False)
    op.create_table(
        "organisation_years",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("district_gss", sa.String(length=9), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_years_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("year", "organisation_id", "district_gss", name=op.f("pk_organisation_years")),
    )
    op.create_index(op.f("ix_organisation_years_organisation_id"), "organisation_years", ["organisation_id"], unique=False)
    op.create_table(
        "district_month_hours",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("district_gss", sa.String(length=9), nullable=False),
        sa.Column("hours", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("rollup_rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "district_gss", name=op.f("pk_district_month_hours")),
    )
    with op.batch_alter_table("hours_entries") as batch:
        batch.create_index("ix_hours_entries_volunteer_id_worked_on", ["volunteer_id", "worked_on"], unique=False)
    with op.batch_alter_table("placements") as batch:
        batch.create_index("ix_placements_started_on", ["started_on"], unique=False)

    from datetime import datetime

    now = datetime(2026, 1, 1)
    op.bulk_insert(
        rates,
        [
            {
                "series": s,
                "name": n,
                "kind": k,
                "unit": u,
                "amount": a,
                "valid_from": vf,
                "valid_to": vt,
                "price_year": py,
                "source": src,
                "licence_note": None,
                "created_by_id": None,
                "created_at": now,
            }
            for s, n, k, u, a, vf, vt, py, src in RATES
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("placements") as batch:
        batch.drop_index("ix_placements_started_on")
    with op.batch_alter_table("hours_entries") as batch:
        batch.drop_index("ix_hours_entries_volunteer_id_worked_on")
    op.drop_table("district_month_hours")
    op.drop_index(op.f("ix_organisation_years_organisation_id"), table_name="organisation_years")
    op.drop_table("organisation_years")
    op.drop_index(op.f("ix_volunteer_years_volunteer_id"), table_name="volunteer_years")
    op.drop_table("volunteer_years")
    op.drop_index("ix_hours_rollups_organisation_id", table_name="hours_rollups")
    op.drop_index(op.f("ix_placement_activity_volunteer_id"), table_name="placement_activity")
    op.drop_table("placement_activity")
    op.drop_index("ix_hours_rollups_volunteer_id", table_name="hours_rollups")
    op.drop_index("ix_hours_rollups_placement_id", table_name="hours_rollups")
    op.drop_table("hours_rollups")
    op.drop_table("volunteer_activity")
    op.drop_table("frozen_report_files")
    op.drop_index(op.f("ix_valuation_rates_series"), table_name="valuation_rates")
    op.drop_table("valuation_rates")
    op.drop_index(op.f("ix_investment_entries_centre_id"), table_name="investment_entries")
    op.drop_table("investment_entries")
    op.drop_table("frozen_reports")
