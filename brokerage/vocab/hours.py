"""Where an hours entry stands. A correction adds a new entry and supersedes the old one. Hours an
organisation proposes from a session's attendance wait for the volunteer to confirm them."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

HoursStatus = Literal["proposed", "submitted", "approved", "queried", "superseded", "declined"]
HOURS_STATUS = Vocabulary(
    "hours status",
    HoursStatus,
    {
        "proposed": "Waiting for the volunteer to confirm",
        "submitted": "Waiting for approval",
        "approved": "Approved",
        "queried": "Queried",
        "superseded": "Corrected",
        "declined": "Not confirmed by the volunteer",
    },
)
