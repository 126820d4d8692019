"""Where a referral (a volunteer's interest in a role) stands, and the words for moving it on."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

ReferralStatus = Literal[
    "interested", "referred", "contacted", "started", "completed", "withdrawn", "unsuccessful", "no_response"
]
REFERRAL_STATUS = Vocabulary(
    "referral status",
    ReferralStatus,
    {
        "interested": "Interested",
        "referred": "Referred by a volunteer centre",
        "contacted": "Contacted by the organisation",
        "started": "Started volunteering",
        "completed": "Completed",
        "withdrawn": "Withdrawn",
        "unsuccessful": "Not taken forward",
        "no_response": "No response",
    },
)
# Still going: at most one of these per volunteer and role.
ACTIVE_REFERRAL_STATUSES: tuple[ReferralStatus, ...] = ("interested", "referred", "contacted", "started")
# The words on the button that moves a referral to each status.
REFERRAL_ACTION_LABELS: dict[str, str] = {
    "referred": "Mark as referred",
    "contacted": "Mark as contacted",
    "started": "Mark as started",
    "completed": "Mark as completed",
    "withdrawn": "Withdraw",
    "unsuccessful": "Mark as not taken forward",
    "no_response": "Mark as no response",
}
