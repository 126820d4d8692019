from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from brokerage.schemas import Input, Output


class Problem(BaseModel):
    row: int = Field(description="Row number as a spreadsheet shows it (the header is row 1); 0 means the whole file.")
    field: str | None
    problem: str
    severity: str


class ImportBatchOut(Output):
    id: int
    centre_id: int
    kind: str
    format: str
    filename: str
    status: str = Field(description="needs_mapping → checked → committed (or discarded)")
    columns: list[str] | None = None
    mapping: dict[str, str] | None = None
    total_rows: int
    error_count: int
    warning_count: int
    problems: list[Problem]
    summary: dict[str, Any]
    options: dict[str, Any] | None = None
    rejected_count: int = Field(0, description="Rows left out by a good-rows import (GET /imports/{id}/rejected.csv)")
    created_at: datetime
    committed_at: datetime | None = None


class ImportBatchSummary(Output):
    id: int
    kind: str
    format: str
    filename: str
    status: str
    total_rows: int
    error_count: int
    warning_count: int
    created_at: datetime
    committed_at: datetime | None = None


class MappingIn(Input):
    mapping: dict[str, str] = Field(description='Our field → the file\'s column, e.g. {"first_name": "Forename"}')
    sheet: str | None = Field(None, max_length=200, description="The workbook's sheet to read (found automatically if left out)")
    header_row: int | None = Field(None, ge=1, le=1000, description="The row that names the columns (found automatically)")


class ConfirmIn(Input):
    take_good_rows: bool = Field(
        False,
        description="Write the rows without problems and keep the others as a CSV of rejected rows; "
        "by default a file with any problem writes nothing.",
    )


class FeedUrlIn(Input):
    url: str = Field(min_length=8, max_length=2000)


class ScanOut(BaseModel):
    compared: int = Field(description="Volunteer records looked at")
    found: int
    new: int
    pairs_compared: int = Field(0, description="Pairs of records compared (only within shared blocking keys)")
    capped_blocks: int = Field(0, description="Blocks too large to compare in full: compared by nearest names only")


class VolunteerBrief(BaseModel):
    """What staff need to tell two records apart; no equality (special-category) data."""

    id: int
    first_name: str
    last_name: str
    date_of_birth: date | None
    email: str | None
    phone: str | None
    postcode: str | None
    district_gss: str | None
    registering_centre_id: int | None
    registered_on: date
    source: str | None


class CandidateOut(BaseModel):
    id: int
    score: float
    reasons: list[str]
    status: str
    first: VolunteerBrief
    second: VolunteerBrief


class MergeIn(Input):
    keep_volunteer_id: int


class MergeOut(BaseModel):
    id: int
    kept_volunteer_id: int
    merged_volunteer_id: int
    status: str = Field(description="pending (reversible) → confirmed, or reversed")
    referrals_moved: int
    placements_moved: int
    hours_entries_moved: int
    referrals_closed: int
    merged_at: datetime
    decided_at: datetime | None
