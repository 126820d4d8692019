from __future__ import annotations

import re
from datetime import datetime

from pydantic import EmailStr, HttpUrl, field_validator, model_validator

from brokerage.schemas import Input, LongText, Name, Output, Phone, ShortText, Title
from brokerage.vocab.organisations import CHARITY_TYPES, OrganisationType, Registrar, VerificationOutcome


REGISTRATION_FORMATS = {
    # Charity Commission for England and Wales: 6 or 7 digits, "-1" style suffix for linked charities.
    "ccew": (re.compile(r"^\d{6,7}(-\d{1,3})?$"), "6 or 7 digits, such as 1234567 (or 1234567-1)"),
    # Office of the Scottish Charity Regulator: SC and 6 digits.
    "oscr": (re.compile(r"^SC\d{6}$"), "SC and 6 digits, such as SC012345"),
    # Charity Commission for Northern Ireland: NIC and 6 digits (or the 6 digits alone).
    "ccni": (re.compile(r"^(NIC)?\d{6}$"), "NIC and 6 digits, such as NIC100001"),
    # Companies House (CICs, charitable companies): 8 digits, or 2 letters and 6 digits.
    "companies_house": (re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$"), "8 characters, such as 01234567 or SC123456"),
}


class CharityRegistration(Input):
    registrar: Registrar
    registration_number: str

    @model_validator(mode="after")
    def _format(self) -> "CharityRegistration":
        number = self.registration_number.strip().upper().replace(" ", "")
        pattern, example = REGISTRATION_FORMATS[self.registrar]
        if not pattern.match(number):
            raise ValueError(f"The registration number does not look right for this registrar: it should be {example}.")
        self.registration_number = number
        return self


class Contact(Input):
    name: Name | None = None
    email: EmailStr | None = None
    phone: Phone | None = None


class OrganisationCreate(Input):
    name: Title
    description: LongText = ""
    website: HttpUrl | None = None
    organisation_type: OrganisationType
    charity_registration: CharityRegistration | None = None
    causes: list[str] = []
    address: ShortText | None = None
    postcode: str
    contact: Contact = Contact()
    struggling_to_recruit: bool = False

    @field_validator("causes")
    @classmethod
    def _cap(cls, v: list[str]) -> list[str]:
        if len(v) > 20:
            raise ValueError("Choose at most 20 causes.")
        return v

    @model_validator(mode="after")
    def _registration_needed(self) -> "OrganisationCreate":
        if self.organisation_type in CHARITY_TYPES and self.charity_registration is None:
            raise ValueError("A registered charity or CIO needs its charity registration (registrar and number).")
        return self


class OrganisationUpdate(Input):
    name: Title | None = None
    description: LongText | None = None
    website: HttpUrl | None = None
    organisation_type: OrganisationType | None = None
    charity_registration: CharityRegistration | None = None
    causes: list[str] | None = None
    address: ShortText | None = None
    postcode: str | None = None
    contact: Contact | None = None
    struggling_to_recruit: bool | None = None


class VerificationDecision(Input):
    decision: VerificationOutcome
    note: LongText | None = None

    @model_validator(mode="after")
    def _reason(self) -> "VerificationDecision":
        if self.decision == "rejected" and not self.note:
            raise ValueError("Give a reason when rejecting an organisation, so they know what to fix.")
        return self


class CharityRegistrationOut(Output):
    registrar: str
    registration_number: str


class OrganisationOut(Output):
    id: int
    name: str
    description: str
    website: str | None
    organisation_type: str
    charity_registration: CharityRegistrationOut | None
    causes: list[str]
    address: str | None
    postcode: str | None
    district_gss: str | None
    verification_status: str
    struggling_to_recruit: bool
    created_at: datetime
    # Only for its managers, the centre covering it, pilot leads and admins.
    contact: dict | None = None
    verification_note: str | None = None
    verified_at: datetime | None = None
