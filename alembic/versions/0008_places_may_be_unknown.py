"""places may be unknown: a role imported from a feed or file that does not say how many
volunteers it needs has no number of places (it is not full, and is never treated as full)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.alter_column("places_available", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE roles SET places_available = 1 WHERE places_available IS NULL")
    with op.batch_alter_table("roles") as batch:
        batch.alter_column("places_available", existing_type=sa.Integer(), nullable=False)
