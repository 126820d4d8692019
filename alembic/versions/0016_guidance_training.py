"""the guidance library (resources a volunteer centre publishes, with review and last-checked dates)
and training events with places booked by organisations

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

HELD = sa.text("status IN ('booked', 'attended')")


def upgrade() -> None:
    op.create_table(
        "guidance_resources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("centre_id", sa.Integer(), sa.ForeignKey("centres.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("url", sa.String(2083), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("checked_by_user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("checked_by_name", sa.String(200), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
    )
    for column in ("centre_id", "category", "status"):
        op.create_index(f"ix_guidance_resources_{column}", "guidance_resources", [column])
    op.create_table(
        "training_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("centre_id", sa.Integer(), sa.ForeignKey("centres.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(300), nullable=True),
        sa.Column("online_url", sa.String(2083), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    for column in ("centre_id", "starts_at", "status"):
        op.create_index(f"ix_training_events_{column}", "training_events", [column])
    op.create_table(
        "training_bookings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("training_events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("booked_by_user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("attendee_name", sa.String(200), nullable=False),
        sa.Column("attendee_email", sa.String(254), nullable=False),
        sa.Column("attendee_email_normalised", sa.String(254), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
    )
    for column in ("event_id", "organisation_id", "booked_by_user_id", "status"):
        op.create_index(f"ix_training_bookings_{column}", "training_bookings", [column])
    op.create_index(
        "uq_training_bookings_held_attendee",
        "training_bookings",
        ["event_id", "attendee_email_normalised"],
        unique=True,
        postgresql_where=HELD,
        sqlite_where=HELD,
    )


def downgrade() -> None:
    op.drop_table("training_bookings")
    op.drop_table("training_events")
    op.drop_table("guidance_resources")
