"""emergency call-outs: volunteers' opt-in (area and times), call-outs raised by a centre or
pilot lead, and one row per volunteer emailed about a call-out

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "emergency_availability",
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("district_codes", sa.JSON(), nullable=False),
        sa.Column("radius_miles", sa.Float(), nullable=True),
        sa.Column("slot_mask", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "emergency_callouts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("centre_id", sa.Integer(), sa.ForeignKey("centres.id", ondelete="SET NULL"), nullable=True),
        sa.Column("raised_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("postcode", sa.String(8), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("district_gss", sa.String(9), sa.ForeignKey("districts.gss_code"), nullable=True),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("needed", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("batches_sent", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_batch_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    for column in ("centre_id", "raised_by_id", "district_gss", "status", "created_at"):
        op.create_index(f"ix_emergency_callouts_{column}", "emergency_callouts", [column])
    op.create_table(
        "emergency_callout_invitations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("callout_id", sa.Integer(), sa.ForeignKey("emergency_callouts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.Column("distance_miles", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("callout_id", "volunteer_id", name="uq_callout_invitations_callout_volunteer"),
    )
    for column in ("callout_id", "volunteer_id"):
        op.create_index(f"ix_emergency_callout_invitations_{column}", "emergency_callout_invitations", [column])


def downgrade() -> None:
    op.drop_table("emergency_callout_invitations")
    op.drop_table("emergency_callouts")
    op.drop_table("emergency_availability")
