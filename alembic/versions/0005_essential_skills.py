"""essential skills: a role's poster marks the few skills that are real conditions; the rest only score

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("role_skills") as batch:
        batch.add_column(sa.Column("essential", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("role_skills") as batch:
        batch.drop_column("essential")
