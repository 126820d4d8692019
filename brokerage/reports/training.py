"""Organisations supported through training: distinct organisations with a place booked or
attended on a volunteer centre's training event that starts in the period (cancelled places do not
count). For a report, the organisation's district puts it in the area; for a centre's own figures,
the training is the centre's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from brokerage.auth.principal import Principal
from brokerage.models import Organisation, TrainingBooking, TrainingEvent
from brokerage.reports.suppression import SUPPRESSED, is_small
from brokerage.vocab.guidance import HELD_PLACE

CENTRE_WINDOW_DAYS = 365


def _held(since: datetime, until: datetime) -> Select:
    return (
        select(TrainingBooking.organisation_id, TrainingBooking.event_id)
        .join(TrainingEvent, TrainingEvent.id == TrainingBooking.event_id)
        .where(TrainingBooking.status.in_(HELD_PLACE), TrainingEvent.starts_at >= since, TrainingEvent.starts_at < until)
    )


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)


def counts(session: Session, districts: frozenset[str] | None, start: date, end: date) -> tuple[int, int, int]:
    """(organisations, places, events) for training starting from ``start`` to ``end`` (inclusive)."""
    held = _held(*_bounds(start, end))
    if districts is not None:
        held = held.join(Organisation, Organisation.id == TrainingBooking.organisation_id).where(
            Organisation.district_gss.in_(districts)
        )
    rows = held.subquery()
    found = session.execute(
        select(func.count(func.distinct(rows.c.organisation_id)), func.count(), func.count(func.distinct(rows.c.event_id)))
    ).one()
    return int(found[0] or 0), int(found[1] or 0), int(found[2] or 0)


def report(session: Session, districts: frozenset[str] | None, start: date, end: date) -> dict[str, Any]:
    """For the pilot lead's report (and a centre's report on its districts): 1 to 4 shown as "<5"."""
    organisations, places, _events = counts(session, districts, start, end)
    return {
        "organisations_supported": SUPPRESSED if is_small(organisations) else organisations,
        "places": SUPPRESSED if is_small(places) else places,
    }


@dataclass(frozen=True, slots=True)
class CentreFigures:
    since: date
    organisations: int
    places: int
    events: int
    upcoming_organisations: int


def centre_figures(session: Session, principal: Principal, today: date | None = None) -> CentreFigures | None:
    """The centre's own training over the last 12 months (started by today), and the organisations
    with places on its training still to come. The centre sees who booked, so nothing is hidden."""
    if not principal.is_staff or principal.centre_id is None:
        return None
    today = today or date.today()
    since = today - timedelta(days=CENTRE_WINDOW_DAYS)
    now = datetime.now()

    def figures(lower: datetime, upper: datetime) -> tuple[int, int, int]:
        rows = _held(lower, upper).where(TrainingEvent.centre_id == principal.centre_id).subquery()
        found = session.execute(
            select(func.count(func.distinct(rows.c.organisation_id)), func.count(), func.count(func.distinct(rows.c.event_id)))
        ).one()
        return int(found[0] or 0), int(found[1] or 0), int(found[2] or 0)

    organisations, places, events = figures(datetime.combine(since, time.min), now)
    upcoming, _, _ = figures(now, datetime.max)
    return CentreFigures(since, organisations, places, events, upcoming)
