"""Shifts: a role's dated sessions with a number of places, booked by volunteers.

Rules: a session is added once or repeated weekly (for up to a year) with its places; a volunteer
books a place on a session of a published role that has not started, or joins its waiting list when
it is full; a cancelled place goes at once to the first on the waiting list, who is emailed. Every
booking and cancellation on a session happens one at a time (the session's row is locked), so a
session never has more people booked than places, however many ask at once. After a session its
organisation (or volunteer centre) records who came, which proposes hours that count only once the
volunteer confirms them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage.dates import long_date
from brokerage import audit, events, locking
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.hours import service as hours_service
from brokerage.models import HoursEntry, Organisation, Placement, Role, RoleSession, SessionBooking, Volunteer
from brokerage.outbox import enqueue
from brokerage.vocab.shifts import ACTIVE_BOOKING_STATUSES

MAX_WEEKS = 52
MAX_PLACES = 1000
MAX_SESSION_HOURS = 24


@dataclass(frozen=True, slots=True)
class Places:
    """How a session stands: places, how many are booked and how many wait."""

    capacity: int | None
    booked: int
    waiting: int

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.booked)


@dataclass(frozen=True, slots=True)
class Attendee:
    booking: SessionBooking
    volunteer: Volunteer
    entry: HoursEntry | None


# -- adding sessions ---------------------------------------------------------------------------
def _editable(session: Session, principal: Principal, role_id: int) -> tuple[Role, Organisation]:
    role = session.get(Role, role_id)
    org = session.get(Organisation, role.organisation_id) if role is not None else None
    if role is None or org is None or not policy.can_see_role(principal, role, org):
        raise NotFound("There is no role with that id.")
    if not policy.can_edit_role(principal, role, org):
        raise Forbidden("Only the role's organisation or its volunteer centre can add sessions.")
    return role, org


def add_sessions(
    session: Session,
    principal: Principal,
    role_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    weeks: int = 1,
    now: datetime | None = None,
) -> list[RoleSession]:
    """One session, or the same session weekly for ``weeks`` weeks, each with ``capacity`` places."""
    role, _org = _editable(session, principal, role_id)
    now = now or datetime.now()
    if ends_at <= starts_at:
        raise InvalidInput("The session must end after it starts.", field="ends_at")
    if ends_at - starts_at > timedelta(hours=MAX_SESSION_HOURS):
        raise InvalidInput("A session can last at most 24 hours.", field="ends_at")
    if starts_at <= now:
        raise InvalidInput("Sessions can only be added for a time still to come.", field="starts_at")
    if not 1 <= capacity <= MAX_PLACES:
        raise InvalidInput(f"Give between 1 and {MAX_PLACES} places.", field="capacity")
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"A session can repeat weekly for at most {MAX_WEEKS} weeks.", field="weeks")
    series = str(uuid.uuid4()) if weeks > 1 else None
    added = [
        RoleSession(
            role_id=role.id,
            starts_at=starts_at + timedelta(weeks=i),
            ends_at=ends_at + timedelta(weeks=i),
            capacity=capacity,
            series=series,
        )
        for i in range(weeks)
    ]
    session.add_all(added)
    session.flush()
    session.expire(role, ["sessions"])
    enqueue(session, events.RoleChanged(role_id=role.id))  # the feed and the catalogue show the dates
    if principal.is_staff:
        audit.record(session, principal, "role.sessions_add", "role", role.id, count=len(added))
    return added


# -- places ---------------------------------------------------------------------------------------
def places(session: Session, session_ids: Sequence[int]) -> dict[int, Places]:
    """Places, booked and waiting for each of these sessions."""
    ids = list(session_ids)
    if not ids:
        return {}
    counts: dict[tuple[int, str], int] = {
        (sid, status): n
        for sid, status, n in session.execute(
            select(SessionBooking.session_id, SessionBooking.status, func.count())
            .where(SessionBooking.session_id.in_(ids), SessionBooking.status.in_(ACTIVE_BOOKING_STATUSES))
            .group_by(SessionBooking.session_id, SessionBooking.status)
        )
    }
    capacity = dict(session.execute(select(RoleSession.id, RoleSession.capacity).where(RoleSession.id.in_(ids))).all())
    return {
        sid: Places(capacity.get(sid), counts.get((sid, "booked"), 0), counts.get((sid, "waiting"), 0))
        for sid in ids
        if sid in capacity
    }


def with_places(session: Session, role: Role, *, upcoming_only: bool = False) -> list[tuple[RoleSession, Places]]:
    """The role's sessions in time order (only those still to start, if asked), each with its places."""
    now = datetime.now()
    rows = [s for s in role.sessions if not upcoming_only or s.starts_at > now]
    counts = places(session, [s.id for s in rows])
    return [(s, counts.get(s.id, Places(s.capacity, 0, 0))) for s in rows]


def bookings_of(session: Session, volunteer_id: int, session_ids: Sequence[int]) -> dict[int, SessionBooking]:
    """The volunteer's live bookings (booked or waiting) on these sessions, by session."""
    if not session_ids:
        return {}
    rows = session.scalars(
        select(SessionBooking).where(
            SessionBooking.volunteer_id == volunteer_id,
            SessionBooking.session_id.in_(list(session_ids)),
            SessionBooking.status.in_(ACTIVE_BOOKING_STATUSES),
        )
    )
    return {b.session_id: b for b in rows}


def waiting_position(session: Session, booking: SessionBooking) -> int:
    """Where a waiting booking stands in its session's queue (1 = next to get a place)."""
    ahead = session.scalar(
        select(func.count()).where(
            SessionBooking.session_id == booking.session_id,
            SessionBooking.status == "waiting",
            (SessionBooking.created_at < booking.created_at)
            | ((SessionBooking.created_at == booking.created_at) & (SessionBooking.id < booking.id)),
        )
    )
    return int(ahead or 0) + 1


# -- booking and cancelling ------------------------------------------------------------------------
def _bookable(session: Session, principal: Principal, session_id: int) -> tuple[RoleSession, Role]:
    if not principal.is_volunteer or not principal.volunteer_id:
        raise Forbidden("Sessions are booked by volunteers, for themselves.")
    row = session.get(RoleSession, session_id)
    role = session.get(Role, row.role_id) if row is not None else None
    org = session.get(Organisation, role.organisation_id) if role is not None else None
    if row is None or role is None or org is None or not policy.can_see_role(principal, role, org):
        raise NotFound("There is no session with that id.")
    return row, role


def book(session: Session, principal: Principal, session_id: int, *, now: datetime | None = None) -> SessionBooking:
    """A place on the session, or a place on its waiting list when it is full."""
    row, role = _bookable(session, principal, session_id)
    if role.status != "published":
        raise Conflict("This role is not taking volunteers at the moment.")
    capacity = row.capacity
    if capacity is None:
        raise Conflict("This session is not booked here: contact the organisation to take part.")
    if row.starts_at <= (now or datetime.now()):
        raise Conflict("This session has already started.")
    volunteer_id = int(principal.volunteer_id or 0)
    row = locking.lock(session, RoleSession, row.id)  # one booking at a time per session
    existing = bookings_of(session, volunteer_id, [row.id]).get(row.id)
    if existing is not None:
        return existing
    booked = session.scalar(select(func.count()).where(SessionBooking.session_id == row.id, SessionBooking.status == "booked"))
    at = utcnow()
    booking = SessionBooking(
        session_id=row.id,
        volunteer_id=volunteer_id,
        status="booked" if int(booked or 0) < capacity else "waiting",
        created_at=at,
        status_changed_at=at,
    )
    session.add(booking)
    session.flush()
    return booking


def cancel(session: Session, principal: Principal, session_id: int, *, now: datetime | None = None) -> SessionBooking:
    """Give up a place (or leave the waiting list). A freed place goes to the first who waits."""
    row, _role = _bookable(session, principal, session_id)
    if row.starts_at <= (now or datetime.now()):
        raise Conflict("This session has already started: tell the organisation if you cannot come.")
    row = locking.lock(session, RoleSession, row.id)
    booking = bookings_of(session, int(principal.volunteer_id or 0), [row.id]).get(row.id)
    if booking is None:
        raise Conflict("You have no place on this session to cancel.")
    had_place = booking.status == "booked"
    booking.status, booking.status_changed_at = "cancelled", utcnow()
    session.flush()
    if had_place:
        promote(session, row)
    return booking


def promote(session: Session, row: RoleSession) -> list[SessionBooking]:
    """Give free places to those waiting, first come first served (the session's row is locked)."""
    if row.capacity is None:
        return []
    booked = int(
        session.scalar(select(func.count()).where(SessionBooking.session_id == row.id, SessionBooking.status == "booked")) or 0
    )
    free = row.capacity - booked
    if free <= 0:
        return []
    waiting = list(
        session.scalars(
            select(SessionBooking)
            .where(SessionBooking.session_id == row.id, SessionBooking.status == "waiting")
            .order_by(SessionBooking.created_at, SessionBooking.id)
            .limit(free)
        )
    )
    for booking in waiting:
        booking.status, booking.status_changed_at = "booked", utcnow()
        session.flush()
        enqueue(session, events.SessionPlaceOffered(booking_id=booking.id))
    return waiting


# -- the session as its organisation sees it ---------------------------------------------------------
def load_managed(session: Session, principal: Principal, session_id: int) -> tuple[RoleSession, Role, Organisation]:
    row = session.get(RoleSession, session_id)
    if row is None:
        raise NotFound("There is no session with that id.")
    role, org = _editable(session, principal, row.role_id)
    return row, role, org


def attendees(session: Session, row: RoleSession) -> tuple[list[Attendee], list[Attendee]]:
    """Those booked (with any hours proposed for them) and those waiting, in order."""
    rows = session.execute(
        select(SessionBooking, Volunteer, HoursEntry)
        .join(Volunteer, Volunteer.id == SessionBooking.volunteer_id)
        .outerjoin(HoursEntry, HoursEntry.id == SessionBooking.hours_entry_id)
        .where(SessionBooking.session_id == row.id, SessionBooking.status.in_(ACTIVE_BOOKING_STATUSES))
        .order_by(SessionBooking.created_at, SessionBooking.id)
    ).all()
    people = [Attendee(b, v, e) for b, v, e in rows]
    return [a for a in people if a.booking.status == "booked"], [a for a in people if a.booking.status == "waiting"]


def session_hours(row: RoleSession) -> Decimal:
    return (Decimal((row.ends_at - row.starts_at).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))


def _placement_for(session: Session, role: Role, volunteer_id: int, day: date) -> Placement:
    """The volunteer's placement in this role on that day, begun then if they had none."""
    placement = session.scalars(
        select(Placement)
        .where(
            Placement.volunteer_id == volunteer_id,
            Placement.role_id == role.id,
            Placement.started_on <= day,
            (Placement.ended_on.is_(None)) | (Placement.ended_on >= day),
        )
        .order_by(Placement.started_on.desc())
        .limit(1)
    ).first()
    if placement is None:
        placement = Placement(
            volunteer_id=volunteer_id, role_id=role.id, organisation_id=role.organisation_id, started_on=day, source="sessions"
        )
        session.add(placement)
        session.flush()
    return placement


def record_attendance(
    session: Session,
    principal: Principal,
    session_id: int,
    came: Mapping[int, Decimal | None],
    *,
    now: datetime | None = None,
) -> list[HoursEntry]:
    """Mark who came (``came``: booking id → hours, or None for did not come). Each volunteer who
    came gets hours proposed for them to confirm; a booking already marked is left as it is."""
    row, role, _org = load_managed(session, principal, session_id)
    if row.starts_at > (now or datetime.now()):
        raise Conflict("Attendance can be recorded once the session has started.")
    row = locking.lock(session, RoleSession, row.id)
    booked, _waiting = attendees(session, row)
    by_id = {a.booking.id: a for a in booked}
    unknown = [i for i in came if i not in by_id]
    if unknown:
        raise InvalidInput("Only volunteers booked on this session can be marked as having come.", field="attended")
    proposed = []
    day = row.starts_at.date()
    for attendee in booked:
        booking = attendee.booking
        if booking.attended is not None:
            continue
        if booking.id not in came:
            continue
        hours = came[booking.id]
        if hours is None:
            booking.attended = False
            continue
        placement = _placement_for(session, role, booking.volunteer_id, day)
        entry = hours_service.propose(
            session, principal, placement, day, hours, f"{role.title}: session on {long_date(row.starts_at)}"
        )
        booking.attended, booking.hours_entry_id = True, entry.id
        proposed.append(entry)
    session.flush()
    return proposed


# -- reminders -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Reminder:
    booking_id: int
    volunteer_id: int
    email: str
    first_name: str
    last_name: str
    role_id: int
    role_title: str
    organisation_name: str
    starts_at: datetime
    ends_at: datetime
    where: str


def reminders_for(session: Session, day: date) -> list[Reminder]:
    """Everyone with a place on a session that starts on ``day`` (and an address to write to)."""
    start = datetime.combine(day, datetime.min.time())
    rows = session.execute(
        select(SessionBooking, Volunteer, RoleSession, Role, Organisation)
        .join(Volunteer, Volunteer.id == SessionBooking.volunteer_id)
        .join(RoleSession, RoleSession.id == SessionBooking.session_id)
        .join(Role, Role.id == RoleSession.role_id)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .where(
            SessionBooking.status == "booked",
            RoleSession.starts_at >= start,
            RoleSession.starts_at < start + timedelta(days=1),
            Volunteer.status == "active",
            Volunteer.email.is_not(None),
            Role.status.in_(("published", "paused", "filled")),
        )
        .order_by(SessionBooking.id)
    ).all()
    return [
        Reminder(
            booking_id=b.id,
            volunteer_id=v.id,
            email=str(v.email),
            first_name=v.first_name,
            last_name=v.last_name,
            role_id=r.id,
            role_title=r.title,
            organisation_name=o.name,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            where="Online" if r.mode == "remote" else ", ".join(p for p in (r.location_name, r.address, r.postcode) if p),
        )
        for b, v, s, r, o in rows
    ]


def _clock(at: datetime) -> str:
    return f"{at:%H:%M}"


def describe(starts_at: datetime, ends_at: datetime) -> str:
    """A session's time in the one date style: "Saturday 5 December 2026, 10:00 to 13:00"."""
    day = f"{starts_at:%A} {long_date(starts_at)}"
    if ends_at.date() != starts_at.date():
        return f"{day}, {_clock(starts_at)} to {ends_at:%A} {long_date(ends_at)}, {_clock(ends_at)}"
    return f"{day}, {_clock(starts_at)} to {_clock(ends_at)}"
