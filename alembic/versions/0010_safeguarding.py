"""safeguarding: concerns and their case notes; centre staff can be designated safeguarding leads;
a placement records the DBS check it relied on when it started

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("safeguarding_lead", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("placements") as batch:
        batch.add_column(sa.Column("dbs_level", sa.String(16), nullable=True))
        batch.add_column(sa.Column("dbs_certificate_date", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column(
                "dbs_checked_by_id",
                sa.Integer(),
                sa.ForeignKey("users.id", name="fk_placements_dbs_checked_by_id_users", ondelete="SET NULL"),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("dbs_checked_by_name", sa.String(200), nullable=True))
    op.create_table(
        "safeguarding_concerns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("centre_id", sa.Integer(), sa.ForeignKey("centres.id", ondelete="CASCADE"), nullable=False),
        sa.Column("raised_by_user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("raised_by_role", sa.String(32), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("role_id", sa.Integer(), sa.ForeignKey("roles.id", ondelete="SET NULL"), nullable=True),
        sa.Column("subject_label", sa.String(300), nullable=True),
        sa.Column("concern", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    for column in ("centre_id", "raised_by_user_id", "volunteer_id", "role_id", "status", "created_at", "closed_at"):
        op.create_index(f"ix_safeguarding_concerns_{column}", "safeguarding_concerns", [column])
    op.create_table(
        "safeguarding_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("concern_id", sa.Integer(), sa.ForeignKey("safeguarding_concerns.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("author_name", sa.String(200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_safeguarding_notes_concern_id", "safeguarding_notes", ["concern_id"])


def downgrade() -> None:
    op.drop_index("ix_safeguarding_notes_concern_id", "safeguarding_notes")
    op.drop_table("safeguarding_notes")
    for column in ("centre_id", "raised_by_user_id", "volunteer_id", "role_id", "status", "created_at", "closed_at"):
        op.drop_index(f"ix_safeguarding_concerns_{column}", "safeguarding_concerns")
    op.drop_table("safeguarding_concerns")
    with op.batch_alter_table("placements") as batch:
        batch.drop_column("dbs_checked_by_name")
        batch.drop_column("dbs_checked_by_id")
        batch.drop_column("dbs_certificate_date")
        batch.drop_column("dbs_level")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("safeguarding_lead")
