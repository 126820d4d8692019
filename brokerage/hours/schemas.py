from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from brokerage.schemas import Input, Output, ShortText
from brokerage.vocab.hours import HoursStatus

HoursAmount = Annotated[
    Decimal, Field(gt=0, le=24, max_digits=4, decimal_places=2, description="Hours given that day, for example 2.5")
]


class HoursCreate(Input):
    worked_on: date = Field(description="The day the volunteering happened (not in the future)")
    hours: HoursAmount
    activity: ShortText | None = Field(default=None, description="What was done, in a few words")


class HoursCorrect(Input):
    """A correction adds a new entry that supersedes this one; the old entry is kept."""

    worked_on: date | None = None
    hours: HoursAmount | None = None
    activity: ShortText | None = None
    note: ShortText | None = Field(default=None, description="Why it was corrected")


class HoursQuery(Input):
    note: Annotated[str, Field(min_length=3, max_length=2000)] = Field(description="What needs checking, for the volunteer")


class BulkApprove(Input):
    ids: Annotated[list[int], Field(min_length=1, max_length=1000)]


class BulkApproveResult(BaseModel):
    approved: int
    ids: list[int]


class HoursOut(Output):
    id: int
    placement_id: int
    volunteer_id: int
    worked_on: date
    hours: float
    activity: str | None
    status: HoursStatus
    supersedes_id: int | None
    superseded_by_id: int | None = None
    submitted_by_id: int | None
    reviewed_by_id: int | None
    reviewed_at: datetime | None
    query_note: str | None
    created_at: datetime
    history: list[HoursOut] | None = None


class PlacementOut(BaseModel):
    id: int
    referral_id: int | None
    volunteer_id: int
    volunteer_name: str
    role_id: int
    role_title: str
    organisation_id: int
    organisation_name: str
    started_on: date
    ended_on: date | None
    approved_hours: float
    # The DBS check the placement relied on when it started, and who started it.
    dbs_level: str | None = None
    dbs_certificate_date: date | None = None
    dbs_checked_by_name: str | None = None
