"""imports of real files: the detailed ONS 2021 ethnic group and the answer as written when it maps to
none; an import's options (sheet, header row, taking the good rows) and its rejected rows

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("volunteers") as batch:
        batch.add_column(sa.Column("ethnicity_detail", sa.String(40), nullable=True))
        batch.add_column(sa.Column("ethnicity_as_given", sa.String(100), nullable=True))
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("options", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("rejected_csv", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("rejected_count", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("rejected_count")
        batch.drop_column("rejected_csv")
        batch.drop_column("options")
    with op.batch_alter_table("volunteers") as batch:
        batch.drop_column("ethnicity_as_given")
        batch.drop_column("ethnicity_detail")
