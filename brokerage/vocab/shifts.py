"""Where a volunteer's place on a dated session stands."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

BookingStatus = Literal["booked", "waiting", "cancelled"]
BOOKING_STATUS = Vocabulary(
    "session booking status",
    BookingStatus,
    {"booked": "Booked", "waiting": "On the waiting list", "cancelled": "Cancelled"},
)
ACTIVE_BOOKING_STATUSES: tuple[str, ...] = ("booked", "waiting")
