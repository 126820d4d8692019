"""leaving well: why a placement ended, from the volunteer and from the organisation, and the
volunteer's satisfaction four weeks in

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = (
    ("volunteer_exit_reason", sa.String(16)),
    ("volunteer_exit_note", sa.Text()),
    ("organisation_exit_reason", sa.String(16)),
    ("organisation_exit_note", sa.Text()),
    ("satisfaction", sa.String(20)),
    ("satisfaction_at", sa.DateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("placements") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("placements") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
