"""feed provenance: activities keep the IRI they were published under;
organisations' source IRIs get room for long IRIs and an index; an organisation can agree to
publish its contact details in the feed

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("source", sa.String(40), nullable=True))
        batch.add_column(sa.Column("source_id", sa.String(300), nullable=True))
        batch.create_index("ix_activities_source_id", ["source_id"])
    with op.batch_alter_table("organisations") as batch:
        batch.alter_column("source_id", existing_type=sa.String(200), type_=sa.String(300), existing_nullable=True)
        batch.add_column(sa.Column("publish_contact", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_organisations_source_id", ["source_id"])


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_index("ix_organisations_source_id")
        batch.drop_column("publish_contact")
        batch.alter_column("source_id", existing_type=sa.String(300), type_=sa.String(200), existing_nullable=True)
    with op.batch_alter_table("activities") as batch:
        batch.drop_index("ix_activities_source_id")
        batch.drop_column("source_id")
        batch.drop_column("source")
