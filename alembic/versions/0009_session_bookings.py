"""session bookings: a role's dated sessions have a number of places and may repeat weekly;
volunteers book a place or join the waiting list, and organisations record who came

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('booked', 'waiting')"


def upgrade() -> None:
    with op.batch_alter_table("role_sessions") as batch:
        batch.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("series", sa.String(36), nullable=True))
    op.create_table(
        "session_bookings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("role_sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("hours_entry_id", sa.Integer(), sa.ForeignKey("hours_entries.id", ondelete="SET NULL"), nullable=True),
    )
    op.create_index("ix_session_bookings_session_id", "session_bookings", ["session_id"])
    op.create_index("ix_session_bookings_volunteer_id", "session_bookings", ["volunteer_id"])
    op.create_index(
        "uq_session_bookings_active",
        "session_bookings",
        ["session_id", "volunteer_id"],
        unique=True,
        postgresql_where=sa.text(ACTIVE),
        sqlite_where=sa.text(ACTIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_session_bookings_active", table_name="session_bookings")
    op.drop_index("ix_session_bookings_volunteer_id", table_name="session_bookings")
    op.drop_index("ix_session_bookings_session_id", table_name="session_bookings")
    op.drop_table("session_bookings")
    with op.batch_alter_table("role_sessions") as batch:
        batch.drop_column("series")
        batch.drop_column("capacity")
