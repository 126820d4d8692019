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

# The detailed ethnic groups of the 2021 Census of England and Wales (ONS), each within one of the
# five high-level groups above ("other" for the "Other ethnic group" section).
EthnicityDetail = Literal[
    "asian_bangladeshi",
    "asian_chinese",
    "asian_indian",
    "asian_pakistani",
    "asian_other",
    "black_african",
    "black_caribbean",
    "black_other",
    "mixed_white_asian",
    "mixed_white_black_african",
    "mixed_white_black_caribbean",
    "mixed_other",
    "white_british",
    "white_irish",
    "white_gypsy_traveller",
    "white_roma",
    "white_other",
    "other_arab",
    "other_any",
]
ETHNICITY_DETAIL = Vocabulary(
    "ethnic group (ONS 2021)",
    EthnicityDetail,
    {
        "asian_bangladeshi": "Asian, Asian British or Asian Welsh: Bangladeshi",
        "asian_chinese": "Asian, Asian British or Asian Welsh: Chinese",
        "asian_indian": "Asian, Asian British or Asian Welsh: Indian",
        "asian_pakistani": "Asian, Asian British or Asian Welsh: Pakistani",
        "asian_other": "Asian, Asian British or Asian Welsh: Other Asian",
        "black_african": "Black, Black British, Black Welsh, Caribbean or African: African",
        "black_caribbean": "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
        "black_other": "Black, Black British, Black Welsh, Caribbean or African: Other Black",
        "mixed_white_asian": "Mixed or Multiple ethnic groups: White and Asian",
        "mixed_white_black_african": "Mixed or Multiple ethnic groups: White and Black African",
        "mixed_white_black_caribbean": "Mixed or Multiple ethnic groups: White and Black Caribbean",
        "mixed_other": "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups",
        "white_british": "White: English, Welsh, Scottish, Northern Irish or British",
        "white_irish": "White: Irish",
        "white_gypsy_traveller": "White: Gypsy or Irish Traveller",
        "white_roma": "White: Roma",
        "white_other": "White: Other White",
        "other_arab": "Other ethnic group: Arab",
        "other_any": "Other ethnic group: Any other ethnic group",
    },
)


def ethnicity_group(detail: str) -> str:
    """The high-level group (a code of ``ETHNICITY``) a detailed ONS 2021 group belongs to."""
    return detail.split("_", 1)[0]


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
