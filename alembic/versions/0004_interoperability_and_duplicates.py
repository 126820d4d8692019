"""interoperability and duplicates: import batches (dry-run reports), duplicate candidates, merges

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("mapping", sa.JSON(), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("warning_count", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("committed_at", sa.DateTime(), nullable=True),
        sa.Column("committed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_import_batches_centre_id_centres"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["committed_by_id"], ["users.id"], name=op.f("fk_import_batches_committed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_import_batches_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_index(op.f("ix_import_batches_centre_id"), "import_batches", ["centre_id"], unique=False)
    op.create_index(op.f("ix_import_batches_content_sha256"), "import_batches", ["content_sha256"], unique=False)
    op.create_index(op.f("ix_import_batches_status"), "import_batches", ["status"], unique=False)
    op.create_table(
        "duplicate_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_a_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_b_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_duplicate_candidates_reviewed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_a_id"],
            ["volunteers.id"],
            name=op.f("fk_duplicate_candidates_volunteer_a_id_volunteers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_b_id"],
            ["volunteers.id"],
            name=op.f("fk_duplicate_candidates_volunteer_b_id_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_candidates")),
        sa.UniqueConstraint("volunteer_a_id", "volunteer_b_id", name="uq_duplicate_candidates_pair"),
    )
    op.create_index(op.f("ix_duplicate_candidates_status"), "duplicate_candidates", ["status"], unique=False)
    op.create_index(op.f("ix_duplicate_candidates_volunteer_a_id"), "duplicate_candidates", ["volunteer_a_id"], unique=False)
    op.create_index(op.f("ix_duplicate_candidates_volunteer_b_id"), "duplicate_candidates", ["volunteer_b_id"], unique=False)
    op.create_table(
        "volunteer_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["duplicate_candidates.id"],
            name=op.f("fk_volunteer_merges_candidate_id_duplicate_candidates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_volunteer_merges_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["kept_id"], ["volunteers.id"], name=op.f("fk_volunteer_merges_kept_id_volunteers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["merged_by_id"], ["users.id"], name=op.f("fk_volunteer_merges_merged_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["volunteers.id"], name=op.f("fk_volunteer_merges_merged_id_volunteers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_merges")),
    )
    op.create_index(op.f("ix_volunteer_merges_kept_id"), "volunteer_merges", ["kept_id"], unique=False)
    op.create_index(op.f("ix_volunteer_merges_merged_id"), "volunteer_merges", ["merged_id"], unique=False)
    op.create_index(op.f("ix_volunteer_merges_status"), "volunteer_merges", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_volunteer_merges_status"), table_name="volunteer_merges")
    op.drop_index(op.f("ix_volunteer_merges_merged_id"), table_name="volunteer_merges")
    op.drop_index(op.f("ix_volunteer_merges_kept_id"), table_name="volunteer_merges")
    op.drop_table("volunteer_merges")
    op.drop_index(op.f("ix_duplicate_candidates_volunteer_b_id"), table_name="duplicate_candidates")
    op.drop_index(op.f("ix_duplicate_candidates_volunteer_a_id"), table_name="duplicate_candidates")
    op.drop_index(op.f("ix_duplicate_candidates_status"), table_name="duplicate_candidates")
    op.drop_table("duplicate_candidates")
    op.drop_index(op.f("ix_import_batches_status"), table_name="import_batches")
    op.drop_index(op.f("ix_import_batches_content_sha256"), table_name="import_batches")
    op.drop_index(op.f("ix_import_batches_centre_id"), table_name="import_batches")
    op.drop_table("import_batches")
