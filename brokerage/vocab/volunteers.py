"""A volunteer's choices (kind of role, emails), their record's status, and the optional
demographic answers (each with "prefer not to say")."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

PREFER_NOT_TO_SAY = "prefer_not_to_say"
_PREFER_NOT = {PREFER_NOT_TO_SAY: "Prefer not to say"}

Preference = Literal["one_off", "regular", "either"]
PREFERENCE = Vocabulary(
    "role preference", Preference, {"one_off": "One-off", "regular": "Regular", "either": "One-off or regular"}
)

NotificationPreference = Literal["instant", "weekly_digest", "none"]
NOTIFICATION_PREFERENCE = Vocabulary(
    "notification preference",
    NotificationPreference,
    {
        "instant": "Email me when a new role matches",
        "weekly_digest": "One email a week with new matches",
        "none": "Do not email me about new roles",
    },
)

VolunteerStatus = Literal["active", "inactive", "erased"]
VOLUNTEER_STATUS = Vocabulary(
    "volunteer status", VolunteerStatus, {"active": "Active", "inactive": "Inactive", "erased": "Erased"}
)
# The statuses a list of volunteers may be filtered by.
ListedVolunteerStatus = Literal["active", "inactive"]

Gender = Literal["woman", "man", "non_binary", "other", "prefer_not_to_say"]
GENDER = Vocabulary(
    "gender", Gender, {"woman": "Woman", "man": "Man", "non_binary": "Non-binary", "other": "Another way", **_PREFER_NOT}
)

Ethnicity = Literal["asian", "black", "mixed", "white", "other", "prefer_not_to_say"]
ETHNICITY = Vocabulary(
    "ethnicity",
    Ethnicity,
    {
        "asian": "Asian or Asian British",
        "black": "Black, Black British, Caribbean or African",
        "mixed": "Mixed or multiple ethnic groups",
        "white": "White",
        "other": "Another ethnic group",
        **_PREFER_NOT,
    },
)

Disability = Literal["yes", "no", "prefer_not_to_say"]
DISABILITY = Vocabulary("disability", Disability, {"yes": "Yes", "no": "No", **_PREFER_NOT})

EmploymentStatus = Literal["employed", "self_employed", "unemployed", "student", "retired", "carer", "other", "prefer_not_to_say"]
EMPLOYMENT_STATUS = Vocabulary(
    "employment status",
    EmploymentStatus,
    {
        "employed": "Employed",
        "self_employed": "Self-employed",
        "unemployed": "Looking for work",
        "student": "In education",
        "retired": "Retired",
        "carer": "Looking after family or home",
        "other": "Something else",
        **_PREFER_NOT,
    },
)
