from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brokerage.db import Base, utcnow

IMPORT_KINDS = ("volunteers", "sessions", "feed")
IMPORT_FORMATS = ("teamkinetic", "generic", "data_standard")
IMPORT_STATUSES = ("needs_mapping", "checked", "committed", "discarded")
CANDIDATE_STATUSES = ("open", "dismissed", "merged")
MERGE_STATUSES = ("pending", "confirmed", "reversed")


class ImportBatch(Base):
    """One uploaded file: its dry-run report, then (once confirmed) what the import did.

    The file itself is kept until the batch is committed or discarded, so that the confirmed import
    writes exactly what the dry run checked. ``problems`` never holds special-category values.
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # deferred: a 50 MB file is read when an import needs it, not whenever its batch is
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    columns: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="checked", index=True)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # sheet, header row, organisation
    rejected_csv: Mapped[bytes | None] = mapped_column(LargeBinary)  # the rows left out, with their reasons
    rejected_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(DateTime)
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DuplicateCandidate(Base):
    """A pair of volunteer records the detector thinks are one person (``volunteer_a_id`` < ``volunteer_b_id``)."""

    __tablename__ = "duplicate_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_a_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    volunteer_b_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    detected_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("volunteer_a_id", "volunteer_b_id", name="uq_duplicate_candidates_pair"),)


class VolunteerMerge(Base):
    """One record folded into another. ``moved`` lists every row that moved (and every value that
    changed) so that the merge can be reversed until a member of staff confirms it."""

    __tablename__ = "volunteer_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("duplicate_candidates.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    moved: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    merged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
