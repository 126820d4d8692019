"""The weekly reminder to organisations about hours waiting for their approval: who it is due to on
a day, and the key that makes it go once a week. The daily job sends what is due; the demo seed
records what a running service would already have sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from brokerage.hours import service as hours_service
from brokerage.models import Organisation
from brokerage.organisations import service as organisations_service

# Hours submitted longer ago than this are in the week's reminder, until they have waited the
# second figure: a backlog months old is not news to the organisation.
REMIND_AFTER_DAYS = 7
STOP_AFTER_DAYS = 56


@dataclass(frozen=True)
class HoursReminder:
    organisation_id: int
    organisation_name: str
    email: str
    name: str | None
    week: str
    entries: int
    hours: Decimal
    oldest: datetime

    @property
    def key(self) -> str:
        return f"hours_reminder:{self.organisation_id}:{self.week}:{self.email.lower()}"


def window(now: datetime, *, after_days: int = REMIND_AFTER_DAYS, stop_days: int = STOP_AFTER_DAYS) -> tuple[datetime, datetime]:
    """(submitted after, submitted before): the entries a reminder at ``now`` speaks of."""
    return now - timedelta(days=stop_days), now - timedelta(days=after_days)


def due(
    session: Session, day: date, now: datetime, *, after_days: int = REMIND_AFTER_DAYS, stop_days: int = STOP_AFTER_DAYS
) -> list[HoursReminder]:
    """One reminder per recipient of each organisation with hours in the window, keyed by the
    ISO week of ``day``."""
    after, before = window(now, after_days=after_days, stop_days=stop_days)
    year, week, _ = day.isocalendar()
    out = []
    for waiting in hours_service.awaiting_approval(session, submitted_before=before, submitted_after=after):
        org = session.get(Organisation, waiting.organisation_id)
        if org is None:
            continue
        for email, name in organisations_service.recipients(session, waiting.organisation_id):
            out.append(
                HoursReminder(
                    waiting.organisation_id,
                    org.name,
                    email,
                    name,
                    f"{year}-W{week:02d}",
                    waiting.entries,
                    waiting.hours,
                    waiting.oldest,
                )
            )
    return out
