from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from brokerage.schemas import Input, Output, Title

DistrictCode = Annotated[str, Field(min_length=9, max_length=9)]
SkillList = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=10)]


class AvailabilityIn(Input):
    """Opting in to emergency call-outs: where (districts, or a distance from your postcode, or both)
    and when (weekly time slots such as ``MondayEvening``)."""

    district_codes: Annotated[list[DistrictCode], Field(max_length=14)] = []
    radius_miles: Annotated[float, Field(gt=0, le=50)] | None = None
    slots: Annotated[list[Annotated[str, Field(max_length=20)]], Field(min_length=1, max_length=21)]

    @model_validator(mode="after")
    def _some_area(self) -> "AvailabilityIn":
        if not self.district_codes and self.radius_miles is None:
            raise ValueError("Say where you could help: choose districts, a distance from your postcode, or both.")
        return self


class AvailabilityOut(Output):
    volunteer_id: int
    opted_in: bool
    district_codes: list[str] = []
    radius_miles: float | None = None
    slots: list[str] = []
    updated_at: datetime | None = None


class CalloutCreate(Input):
    """What raising a call-out takes; its fields are ``service.raise_callout``'s keywords."""

    title: Title
    postcode: Annotated[str, Field(min_length=2, max_length=10)]
    starts_at: datetime
    ends_at: datetime
    skills: SkillList = []
    needed: Annotated[int, Field(ge=1, le=500)]
    message: Annotated[str, Field(max_length=2000)] | None = None
    # Pilot leads may raise a call-out for a centre; centre staff always raise for their own.
    centre_id: int | None = None

    @model_validator(mode="after")
    def _window(self) -> "CalloutCreate":
        if self.ends_at <= self.starts_at:
            raise ValueError("The call-out must end after it starts.")
        if (self.ends_at - self.starts_at).total_seconds() > 7 * 86_400:
            raise ValueError("A call-out lasts at most 7 days; raise another for later.")
        return self


class CalloutCounts(Output):
    emailed: int
    accepted: int
    declined: int
    waiting: int
    too_late: int
    still_needed: int
    batches_sent: int
    status: str


class CalloutOut(Output):
    id: int
    centre_id: int | None
    title: str
    postcode: str
    district_gss: str | None
    starts_at: datetime
    ends_at: datetime
    skills: list[str]
    needed: int
    message: str | None
    batch_size: int
    status: str
    created_at: datetime
    counts: CalloutCounts


class CalloutAnswerIn(Input):
    token: Annotated[str, Field(min_length=10, max_length=500)]
    answer: Literal["accept", "decline"]


class CalloutAnswerOut(Output):
    outcome: str
    message: str
    callout_id: int
