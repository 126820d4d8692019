"""young volunteers: a parent or guardian's email and consent for volunteers under 18; roles say
whether they are suitable for under-18s

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("volunteers") as batch:
        batch.add_column(sa.Column("guardian_email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("guardian_consent_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("roles") as batch:
        batch.add_column(sa.Column("suitable_for_under_18s", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.drop_column("suitable_for_under_18s")
    with op.batch_alter_table("volunteers") as batch:
        batch.drop_column("guardian_consent_at")
        batch.drop_column("guardian_email")
