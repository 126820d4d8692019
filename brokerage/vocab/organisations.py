"""What kind of body an organisation is, who registers it, and where its verification stands."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

OrganisationType = Literal["registered_charity", "cio", "cic", "community_group", "social_enterprise", "other"]
ORGANISATION_TYPE = Vocabulary(
    "organisation type",
    OrganisationType,
    {
        "registered_charity": "Registered charity",
        "cio": "Charitable incorporated organisation (CIO)",
        "cic": "Community interest company (CIC)",
        "community_group": "Community group",
        "social_enterprise": "Social enterprise",
        "other": "Other",
    },
)
# Types whose registration is with a charity regulator (the others may have a company number).
CHARITY_TYPES: tuple[OrganisationType, ...] = ("registered_charity", "cio")

Registrar = Literal["ccew", "oscr", "ccni", "companies_house"]
REGISTRAR = Vocabulary(
    "registrar",
    Registrar,
    {
        "ccew": "Charity Commission for England and Wales",
        "oscr": "Office of the Scottish Charity Regulator",
        "ccni": "Charity Commission for Northern Ireland",
        "companies_house": "Companies House",
    },
)

VerificationStatus = Literal["pending", "verified", "rejected"]
VERIFICATION_STATUS = Vocabulary(
    "verification status",
    VerificationStatus,
    {"pending": "Waiting for checks", "verified": "Verified", "rejected": "Not verified"},
)
VerificationOutcome = Literal["verified", "rejected"]
