"""Milestones: a volunteer's approved hours reaching 10, 25, 50, 100, 250 and 500.

Each milestone is reached once (a unique row per volunteer and threshold, recorded under a lock on
the volunteer), and keeps the figures of its certificate as they stood then: the approved hours, the
organisations they were given with and the first and last day. Its code is random and unguessable:
the certificate's verification page is found by it alone, and shows the certificate's figures and
the name on it, nothing more.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage import locking
from brokerage.errors import NotFound
from brokerage.models import HoursEntry, Milestone, Organisation, Placement, Volunteer

THRESHOLDS = (10, 25, 50, 100, 250, 500)


@dataclass(frozen=True, slots=True)
class Figures:
    hours: Decimal
    first_day: date | None
    last_day: date | None
    organisations: list[str]


def figures(session: Session, volunteer_id: int) -> Figures:
    """The volunteer's approved hours, the organisations they gave them with and the period."""
    total, first, last = session.execute(
        select(
            func.coalesce(func.sum(HoursEntry.hours), 0), func.min(HoursEntry.worked_on), func.max(HoursEntry.worked_on)
        ).where(HoursEntry.volunteer_id == volunteer_id, HoursEntry.status == "approved")
    ).one()
    names = session.scalars(
        select(Organisation.name)
        .join(Placement, Placement.organisation_id == Organisation.id)
        .join(HoursEntry, HoursEntry.placement_id == Placement.id)
        .where(HoursEntry.volunteer_id == volunteer_id, HoursEntry.status == "approved")
        .distinct()
        .order_by(Organisation.name)
    )
    return Figures(Decimal(total), first, last, list(names))


def record_reached(session: Session, volunteer_id: int) -> list[Milestone]:
    """Record every milestone the volunteer's approved hours have reached and that is not yet
    recorded; the new ones, lowest first."""
    locking.lock(session, Volunteer, volunteer_id)  # one at a time per volunteer: each milestone once
    now = figures(session, volunteer_id)
    reached = [t for t in THRESHOLDS if now.hours >= t]
    if not reached or now.first_day is None or now.last_day is None:
        return []
    known = set(session.scalars(select(Milestone.threshold).where(Milestone.volunteer_id == volunteer_id)))
    new = [
        Milestone(
            volunteer_id=volunteer_id,
            threshold=t,
            code=secrets.token_urlsafe(18),
            hours=now.hours,
            first_day=now.first_day,
            last_day=now.last_day,
            organisations=now.organisations,
        )
        for t in reached
        if t not in known
    ]
    session.add_all(new)
    session.flush()
    return new


def of_volunteer(session: Session, volunteer_id: int) -> list[Milestone]:
    return list(session.scalars(select(Milestone).where(Milestone.volunteer_id == volunteer_id).order_by(Milestone.threshold)))


def own(session: Session, volunteer_id: int, code: str) -> Milestone:
    milestone = session.scalars(select(Milestone).where(Milestone.code == code, Milestone.volunteer_id == volunteer_id)).first()
    if milestone is None:
        raise NotFound("There is no certificate with that code.")
    return milestone


def verify(session: Session, code: str) -> tuple[Milestone, str]:
    """The certificate with this code and the name on it (404 if there is none, or its holder
    has asked to be forgotten)."""
    row = session.execute(
        select(Milestone, Volunteer).join(Volunteer, Volunteer.id == Milestone.volunteer_id).where(Milestone.code == code)
    ).first()
    if row is None or len(code) > 40 or row[1].status == "erased":
        raise NotFound("There is no certificate with that code. Check the address on the certificate.")
    return row[0], row[1].full_name
