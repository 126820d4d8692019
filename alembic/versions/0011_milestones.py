"""milestones: a volunteer's approved hours reaching 10, 25, 50, 100, 250 and 500, each once, with
the figures of its certificate and the code that verifies it

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("reached_at", sa.DateTime(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("hours", sa.Numeric(10, 2), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("organisations", sa.JSON(), nullable=False),
        sa.UniqueConstraint("volunteer_id", "threshold", name="uq_milestones_volunteer_threshold"),
        sa.UniqueConstraint("code", name="uq_milestones_code"),
    )
    op.create_index("ix_milestones_volunteer_id", "milestones", ["volunteer_id"])


def downgrade() -> None:
    op.drop_index("ix_milestones_volunteer_id", table_name="milestones")
    op.drop_table("milestones")
