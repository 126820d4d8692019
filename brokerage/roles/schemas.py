from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, HttpUrl, model_validator

from brokerage.schemas import Input, LongText, Output, ShortText, Title
from brokerage.vocab.dbs import DbsLevel
from brokerage.vocab.modes import RoleMode
from brokerage.vocab.roles import RoleStatus

TagList = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=30)]


class SessionIn(Input):
    starts_at: datetime
    ends_at: datetime

    @model_validator(mode="after")
    def _order(self) -> "SessionIn":
        if self.ends_at <= self.starts_at:
            raise ValueError("A session must end after it starts.")
        if (self.ends_at - self.starts_at).days > 14:
            raise ValueError("A single session cannot last more than 14 days; add several sessions instead.")
        return self


class RoleFields(Input):
    title: Title | None = None
    description: Annotated[str, Field(min_length=10, max_length=10_000)] | None = None
    commitment: ShortText | None = None
    hours_per_week: Annotated[float, Field(gt=0, le=80)] | None = None
    one_off: bool | None = None
    slots: Annotated[list[str], Field(max_length=21)] | None = None
    sessions: Annotated[list[SessionIn], Field(max_length=200)] | None = None
    mode: RoleMode | None = None
    location_name: ShortText | None = None
    address: ShortText | None = None
    postcode: str | None = None
    causes: TagList | None = None
    required_skills: TagList | None = None
    desired_skills: TagList | None = None
    essential_skills: (
        Annotated[
            list[Annotated[str, Field(min_length=1, max_length=100)]],
            Field(
                max_length=3,
                description="At most 3 of the skills the role needs that are real conditions (a licence, a certificate): "
                "only volunteers who hold them will see the role. Other skills count in the ranking but rule nobody out.",
            ),
        ]
        | None
    ) = None
    dbs_level: DbsLevel | None = None
    requirements: TagList | None = None
    accessibility: TagList | None = None
    rewards: TagList | None = None
    minimum_age: Annotated[int, Field(ge=0, le=120)] | None = None
    maximum_age: Annotated[int, Field(ge=0, le=120)] | None = None
    # Suitable for volunteers under 18 (14 to 17, with a guardian's consent); otherwise no one under 18 is matched.
    suitable_for_under_18s: bool | None = None
    requires_emergency_participation: (
        Annotated[
            bool,
            Field(
                description="The standard's requiresEmergencyParticipation: people in this role may be called on in an "
                "emergency. It belongs to the role's activity, so every role of the activity shares it."
            ),
        ]
        | None
    ) = None
    places_available: Annotated[int, Field(ge=0, le=10_000)] | None = None
    apply_link: HttpUrl | None = None
    publish_start: date | None = None
    publish_end: date | None = None

    @model_validator(mode="after")
    def _ranges(self) -> "RoleFields":
        if self.minimum_age is not None and self.maximum_age is not None and self.maximum_age < self.minimum_age:
            raise ValueError("The maximum age cannot be below the minimum age.")
        if self.publish_start and self.publish_end and self.publish_end < self.publish_start:
            raise ValueError("The listing cannot close before it opens (publish end is before publish start).")
        return self


class RoleCreate(RoleFields):
    organisation_id: int
    activity_id: int | None = None
    title: Title
    description: Annotated[str, Field(min_length=10, max_length=10_000)]
    mode: RoleMode = "in_person"
    submit_for_review: bool = False


class RoleUpdate(RoleFields):
    pass


class StatusChange(Input):
    status: RoleStatus
    reason: LongText | None = None


class SessionOut(Output):
    starts_at: datetime
    ends_at: datetime


class RoleOut(Output):
    id: int
    organisation_id: int
    organisation_name: str
    activity_id: int
    title: str
    description: str
    commitment: str | None
    hours_per_week: float | None
    one_off: bool
    slots: list[str]
    sessions: list[SessionOut]
    mode: str
    location_name: str | None
    address: str | None
    postcode: str | None
    latitude: float | None
    longitude: float | None
    district_gss: str | None
    causes: list[str]
    required_skills: list[str]
    desired_skills: list[str]
    essential_skills: list[str] = []
    essential_warning: str | None = None
    dbs_level: str
    requirements: list[str]
    accessibility: list[str]
    rewards: list[str]
    minimum_age: int | None
    maximum_age: int | None
    suitable_for_under_18s: bool = False
    requires_emergency_participation: bool = False
    places_available: int | None  # None: not stated by the file or feed the role came from
    apply_link: str | None
    publish_start: date | None
    publish_end: date | None
    status: str
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class StatusChangeOut(Output):
    from_status: str | None
    to_status: str
    at: datetime
    actor_user_id: int | None
    reason: str | None
