"""What kind of account a login is: it decides what the account may see."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

UserRole = Literal["volunteer", "organisation_manager", "centre_staff", "pilot_lead", "admin"]
USER_ROLE = Vocabulary(
    "account role",
    UserRole,
    {
        "volunteer": "Volunteer",
        "organisation_manager": "Organisation manager",
        "centre_staff": "Volunteer centre staff",
        "pilot_lead": "Pilot lead",
        "admin": "Administrator",
    },
)
# The roles an account may be invited as (volunteers sign themselves up).
StaffRole = Literal["organisation_manager", "centre_staff", "pilot_lead", "admin"]
