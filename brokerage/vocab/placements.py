"""Why a placement ended (each side gives one reason) and how satisfied a volunteer is four weeks in."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

ExitReason = Literal["moved", "time", "role_ended", "did_not_suit", "health", "found_work", "other"]
EXIT_REASON = Vocabulary(
    "reason a placement ended",
    ExitReason,
    {
        "moved": "Moved away",
        "time": "Not enough time",
        "role_ended": "The role ended",
        "did_not_suit": "It did not suit",
        "health": "Health",
        "found_work": "Found paid work",
        "other": "Another reason",
    },
)

Satisfaction = Literal["very_satisfied", "satisfied", "neither", "dissatisfied", "very_dissatisfied"]
SATISFACTION = Vocabulary(
    "satisfaction",
    Satisfaction,
    {
        "very_satisfied": "Very satisfied",
        "satisfied": "Satisfied",
        "neither": "Neither satisfied nor dissatisfied",
        "dissatisfied": "Dissatisfied",
        "very_dissatisfied": "Very dissatisfied",
    },
)
