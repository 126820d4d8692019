"""Safeguarding concerns: what a concern is about, where its case stands and how it ended."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

ConcernSubject = Literal["volunteer", "role"]
CONCERN_SUBJECT = Vocabulary("concern subject", ConcernSubject, {"volunteer": "A volunteer", "role": "A role"})

ConcernStatus = Literal["open", "closed"]
CONCERN_STATUS = Vocabulary("concern status", ConcernStatus, {"open": "Open", "closed": "Closed"})

ConcernOutcome = Literal[
    "no_further_action",
    "advice_given",
    "referred_to_local_authority",
    "referred_to_police",
    "stepped_down_from_role",
    "role_withdrawn",
    "other",
]
CONCERN_OUTCOME = Vocabulary(
    "concern outcome",
    ConcernOutcome,
    {
        "no_further_action": "No further action",
        "advice_given": "Advice given",
        "referred_to_local_authority": "Referred to the local authority's safeguarding team",
        "referred_to_police": "Referred to the police",
        "stepped_down_from_role": "Volunteer stepped down from the role",
        "role_withdrawn": "Role withdrawn",
        "other": "Other",
    },
)
