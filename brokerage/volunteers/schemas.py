from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import EmailStr, Field, field_validator

from brokerage.schemas import Input, Name, Output, Phone
from brokerage.vocab.dbs import DbsLevel
from brokerage.vocab.modes import VolunteerMode as Mode
from brokerage.vocab.volunteers import Disability, Ethnicity, Gender, Preference
from brokerage.vocab.volunteers import EmploymentStatus as Employment
from brokerage.vocab.volunteers import NotificationPreference as Notification

IdList = Annotated[list[Annotated[str, Field(min_length=1, max_length=60)]], Field(max_length=60)]


class Dbs(Input):
    level: DbsLevel = "none"
    certificate_date: date | None = None
    update_service: bool = False

    @field_validator("certificate_date")
    @classmethod
    def _past(cls, v: date | None) -> date | None:
        if v is not None and v > date.today():
            raise ValueError("A DBS certificate date cannot be in the future.")
        return v


class Demographics(Input):
    """Optional, each with "prefer not to say". Seen only by the volunteer; reported in aggregate."""

    gender: Gender | None = None
    ethnicity: Ethnicity | None = None
    disability: Disability | None = None
    employment_status: Employment | None = None


class VolunteerFields(Input):
    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    date_of_birth: date | None = None
    # With no date of birth: "I am 18 or over". Without either, roles for adults only are closed to
    # the volunteer (they cannot say they are interested, and are not matched to them).
    adult_confirmed: bool | None = None
    postcode: str | None = None
    travel_radius_miles: Annotated[float, Field(ge=0, le=100)] | None = None
    mode: Mode | None = None
    availability: Annotated[list[str], Field(max_length=21)] | None = None
    max_hours_per_week: Annotated[float, Field(gt=0, le=80)] | None = None
    preference: Preference | None = None
    skills: IdList | None = None
    skills_text: Annotated[str, Field(max_length=2000)] | None = None
    causes: IdList | None = None
    dbs: Dbs | None = None
    dbs_willing: bool | None = None
    contact_consent: bool | None = None
    notification_preference: Notification | None = None
    demographics: Demographics | None = None
    # Volunteers under 18: a parent or guardian's email, who is asked for consent.
    guardian_email: EmailStr | None = None

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth(cls, v: date | None) -> date | None:
        if v is None:
            return v
        today = date.today()
        if v >= today:
            raise ValueError("The date of birth must be in the past.")
        age = today.year - v.year - ((today.month, today.day) < (v.month, v.day))
        if age < 14:
            raise ValueError("Volunteers must be at least 14 to register; younger people can volunteer with a family member.")
        if age > 110:
            raise ValueError("Please check the date of birth.")
        return v


class VolunteerCreate(VolunteerFields):
    first_name: Name
    last_name: Name
    email: EmailStr
    postcode: str
    # Self-registration sets a password; centre staff registering someone leave it out.
    password: Annotated[str, Field(min_length=10, max_length=200)] | None = None
    registering_centre_id: int | None = None


class VolunteerUpdate(VolunteerFields):
    email: EmailStr | None = None


class VolunteerOut(Output):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    date_of_birth: date | None
    adult_confirmed: bool = False
    age_band: str
    postcode: str | None
    district_gss: str | None
    travel_radius_miles: float
    mode: str
    availability: list[str]
    max_hours_per_week: float | None
    preference: str
    skills: list[str]
    skills_text: str | None
    causes: list[str]
    dbs: Dbs
    dbs_willing: bool
    contact_consent: bool
    guardian_email: str | None = None
    # Under 18: whether a parent or guardian has given consent (None for adults).
    guardian_consent: bool | None = None
    notification_preference: str
    registering_centre_id: int | None
    status: str
    registered_on: date
    created_at: datetime
    # Only ever shown to the volunteer themself.
    demographics: Demographics | None = None


class VolunteerSummary(Output):
    id: int
    first_name: str
    last_name: str
    district_gss: str | None
    status: str
    registered_on: date
