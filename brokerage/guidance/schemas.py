from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import EmailStr, Field, HttpUrl, StringConstraints, field_validator, model_validator

from brokerage.edge import MAX_ID
from brokerage.schemas import Input, LongText, Output, ShortText, Title
from brokerage.vocab.guidance import BookingStatus, PublishStatus, ResourceAudience, ResourceCategory, ResourceKind

MAX_PLACES = 1000
PersonName = Annotated[str, StringConstraints(min_length=2, max_length=200, strip_whitespace=True)]


class ResourceIn(Input):
    """A guide, template, policy or link: its words (``body``), a web address (``url``, http or
    https only), or both. ``review_on``: when it should next be reviewed."""

    title: Title
    kind: ResourceKind
    category: ResourceCategory
    audience: ResourceAudience = "organisations"
    body: LongText | None = None
    url: HttpUrl | None = None
    review_on: date | None = None
    status: PublishStatus = "draft"

    @field_validator("body")
    @classmethod
    def _blank_body(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _something_to_read(self) -> ResourceIn:
        if not self.body and self.url is None:
            raise ValueError("Give the resource's text, a web address for it, or both.")
        return self


class ResourceOut(Output):
    id: int
    centre_id: int
    title: str
    kind: ResourceKind
    category: ResourceCategory
    audience: ResourceAudience
    body: str | None
    url: str | None
    status: PublishStatus
    review_on: date | None
    checked_on: date | None
    checked_by_name: str | None
    review_due: bool = Field(description="Past its review date (shown to centre staff)")
    updated_at: datetime


class EventIn(Input):
    """A training event: when, where (a place, an online link, or both) and how many places."""

    title: Title
    description: LongText = ""
    starts_at: datetime
    ends_at: datetime
    place: ShortText | None = None
    online_url: HttpUrl | None = None
    capacity: Annotated[int, Field(ge=1, le=MAX_PLACES)]
    status: PublishStatus = "draft"

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _local_time(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=None, microsecond=0)

    @field_validator("place")
    @classmethod
    def _blank_place(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _when_and_where(self) -> EventIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("The training must end after it starts.")
        if not self.place and self.online_url is None:
            raise ValueError("Say where the training is: a place, an online link, or both.")
        return self


class EventOut(Output):
    id: int
    centre_id: int
    centre_name: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    online_url: str | None
    capacity: int
    booked: int
    places_left: int
    status: PublishStatus


class BookingIn(Input):
    """A place for yourself (leave the attendee out) or for a named colleague. ``organisation_id``
    is needed only when you manage more than one organisation."""

    organisation_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    attendee_name: PersonName | None = None
    attendee_email: EmailStr | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> BookingIn:
        if (self.attendee_name is None) != (self.attendee_email is None):
            raise ValueError("To book for a colleague, give both their name and their email address.")
        return self


class BookingOut(Output):
    id: int
    event_id: int
    organisation_id: int
    attendee_name: str
    attendee_email: str
    status: BookingStatus
    created_at: datetime
