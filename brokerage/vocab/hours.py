"""Where an hours entry stands. A correction adds a new entry and supersedes the old one."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

HoursStatus = Literal["submitted", "approved", "queried", "superseded"]
HOURS_STATUS = Vocabulary(
    "hours status",
    HoursStatus,
    {
        "submitted": "Waiting for approval",
        "approved": "Approved",
        "queried": "Queried",
        "superseded": "Corrected",
    },
)
