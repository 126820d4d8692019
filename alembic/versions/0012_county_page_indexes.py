"""county page indexes: the centre's referrals in the order the page shows them (latest change first,
longest waiting first) and its volunteers by name without erased or merged records, so a page reads
fifty rows in index order instead of sorting the county's

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LISTED = "status NOT IN ('erased', 'merged')"


def upgrade() -> None:
    op.create_index("ix_referrals_status_changed_at_id", "referrals", ["status_changed_at", "id"])
    op.create_index(
        "ix_volunteers_listed_by_name",
        "volunteers",
        ["last_name", "first_name", "id"],
        postgresql_where=sa.text(LISTED),
        sqlite_where=sa.text(LISTED),
    )


def downgrade() -> None:
    op.drop_index("ix_volunteers_listed_by_name", table_name="volunteers")
    op.drop_index("ix_referrals_status_changed_at_id", table_name="referrals")
