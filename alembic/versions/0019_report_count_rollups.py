"""report count rollups: registrations, referrals (by days to start) and placements (with retention)
per volunteers' home district, and roles filled per role and year; filled from the existing rows

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

NOT_STARTED = -1_000_000

# The fill, written out for each dialect (a migration never changes when the app does).
FILL = {
    "postgresql": [
        """INSERT INTO district_counts SELECT 'registration', coalesce(district_gss, ''),
               registered_on - (CAST(extract(day FROM registered_on) AS integer) - 1), 0, count(*), 0, 0, 0
           FROM volunteers WHERE merged_into_id IS NULL AND registered_on IS NOT NULL GROUP BY 2, 3""",
        f"""INSERT INTO district_counts SELECT 'referral', coalesce(v.district_gss, ''), CAST(date_trunc('month', r.created_at) AS date),
               coalesce(p.started_on - CAST(r.created_at AS date), {NOT_STARTED}), count(*), 0, 0, 0
           FROM referrals r JOIN volunteers v ON v.id = r.volunteer_id LEFT JOIN placements p ON p.referral_id = r.id
           GROUP BY 2, 3, 4""",
        """INSERT INTO district_counts SELECT 'placement', coalesce(v.district_gss, ''), p.started_on, 0, count(*),
               sum(CASE WHEN a.retained_3m THEN 1 ELSE 0 END), sum(CASE WHEN a.retained_6m THEN 1 ELSE 0 END),
               sum(CASE WHEN a.retained_12m THEN 1 ELSE 0 END)
           FROM placements p JOIN volunteers v ON v.id = p.volunteer_id LEFT JOIN placement_activity a ON a.placement_id = p.id
           WHERE p.started_on IS NOT NULL GROUP BY 2, 3""",
        """INSERT INTO role_years SELECT CAST(extract(year FROM p.started_on) AS integer), p.role_id, coalesce(min(r.district_gss), ''),
               bit_or(1 << (CAST(extract(month FROM p.started_on) AS integer) - 1))
           FROM placements p JOIN roles r ON r.id = p.role_id WHERE p.started_on IS NOT NULL GROUP BY 1, 2""",
    ],
    "sqlite": [
        """INSERT INTO district_counts SELECT 'registration', coalesce(district_gss, ''), date(registered_on, 'start of month'), 0,
               count(*), 0, 0, 0
           FROM volunteers WHERE merged_into_id IS NULL AND registered_on IS NOT NULL GROUP BY 2, 3""",
        f"""INSERT INTO district_counts SELECT 'referral', coalesce(v.district_gss, ''), date(r.created_at, 'start of month'),
               coalesce(CAST(julianday(p.started_on) - julianday(date(r.created_at)) AS INTEGER), {NOT_STARTED}), count(*), 0, 0, 0
           FROM referrals r JOIN volunteers v ON v.id = r.volunteer_id LEFT JOIN placements p ON p.referral_id = r.id
           GROUP BY 2, 3, 4""",
        """INSERT INTO district_counts SELECT 'placement', coalesce(v.district_gss, ''), p.started_on, 0, count(*),
               sum(CASE WHEN a.retained_3m THEN 1 ELSE 0 END), sum(CASE WHEN a.retained_6m THEN 1 ELSE 0 END),
               sum(CASE WHEN a.retained_12m THEN 1 ELSE 0 END)
           FROM placements p JOIN volunteers v ON v.id = p.volunteer_id LEFT JOIN placement_activity a ON a.placement_id = p.id
           WHERE p.started_on IS NOT NULL GROUP BY 2, 3""",
        """INSERT INTO role_years SELECT CAST(strftime('%Y', p.started_on) AS INTEGER), p.role_id, coalesce(min(r.district_gss), ''),
               sum(DISTINCT 1 << (CAST(strftime('%m', p.started_on) AS INTEGER) - 1))
           FROM placements p JOIN roles r ON r.id = p.role_id WHERE p.started_on IS NOT NULL GROUP BY 1, 2""",
    ],
}


def upgrade() -> None:
    op.create_table(
        "district_counts",
        sa.Column("kind", sa.String(12), primary_key=True),
        sa.Column("district_gss", sa.String(9), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("days_to_start", sa.Integer(), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("retained_3m", sa.Integer(), nullable=False),
        sa.Column("retained_6m", sa.Integer(), nullable=False),
        sa.Column("retained_12m", sa.Integer(), nullable=False),
    )
    op.create_table(
        "role_years",
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("role_id", sa.Integer(), sa.ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("district_gss", sa.String(9), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
    )
    op.create_index("ix_role_years_role_id", "role_years", ["role_id"])
    for sql in FILL.get(op.get_bind().dialect.name, []):
        op.execute(sql)


def downgrade() -> None:
    op.drop_index("ix_role_years_role_id", table_name="role_years")
    op.drop_table("role_years")
    op.drop_table("district_counts")
