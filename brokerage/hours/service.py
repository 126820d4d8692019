"""Hours against a placement: log, approve, query, correct (keeping history) and bulk-approve.

Rules: hours > 0; at most 24 hours per volunteer per day across all their live entries; no future
dates; nothing before the placement began or after it ended; the same placement, day, hours and
activity twice is a duplicate. A correction never edits an entry: it adds one that supersedes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session

from brokerage.dates import long_date
from brokerage import audit, locking
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.hours.schemas import HoursCorrect, HoursCreate
from brokerage.models import HoursEntry, Organisation, Placement, Role, Volunteer
from brokerage import events
from brokerage.outbox import enqueue

LIVE_STATUSES = ("proposed", "submitted", "approved", "queried")
APPROVABLE = ("submitted", "queried")
MAX_HOURS_PER_DAY = Decimal("24")


@dataclass
class PlacementView:
    placement: Placement
    volunteer: Volunteer
    role: Role
    organisation: Organisation
    approved_hours: Decimal


# -- loading and access ------------------------------------------------------------------------
def _placement_parts(session: Session, placement: Placement) -> tuple[Volunteer, Role]:
    return session.get_one(Volunteer, placement.volunteer_id), session.get_one(Role, placement.role_id)


def load_placement(session: Session, principal: Principal, placement_id: int) -> tuple[Placement, Volunteer, Role]:
    if principal.is_pilot_lead or principal.is_admin:
        raise Forbidden("Hours are personal data: pilot leads see them in reports, in aggregate.")
    placement = session.get(Placement, placement_id)
    if placement is None:
        raise NotFound("There is no placement with that id.")
    volunteer, role = _placement_parts(session, placement)
    if not policy.can_see_placement(principal, placement, volunteer, role):
        raise NotFound("There is no placement with that id.")
    return placement, volunteer, role


def load_entry(session: Session, principal: Principal, entry_id: int) -> tuple[HoursEntry, Placement, Volunteer, Role]:
    if principal.is_pilot_lead or principal.is_admin:
        raise Forbidden("Hours are personal data: pilot leads see them in reports, in aggregate.")
    entry = session.get(HoursEntry, entry_id)
    if entry is None:
        raise NotFound("There are no hours with that id.")
    placement = session.get_one(Placement, entry.placement_id)
    volunteer, role = _placement_parts(session, placement)
    if not policy.can_see_placement(principal, placement, volunteer, role):
        raise NotFound("There are no hours with that id.")
    return entry, placement, volunteer, role


# -- validation ----------------------------------------------------------------------------------
def _normal_activity(activity: str | None) -> str:
    return " ".join((activity or "").lower().split())


def validate_entry(
    session: Session,
    placement: Placement,
    worked_on: date,
    hours: Decimal,
    activity: str | None,
    *,
    today: date,
    ignore_id: int | None = None,
) -> None:
    """Raise InvalidInput / Conflict with a plain sentence if these hours cannot be recorded."""
    if hours <= 0:
        raise InvalidInput("Hours must be more than zero.", field="hours")
    if hours > MAX_HOURS_PER_DAY:
        raise InvalidInput("No one can give more than 24 hours in a day.", field="hours")
    if worked_on > today:
        raise InvalidInput("Hours cannot be logged for a day that has not happened yet.", field="worked_on")
    if worked_on < placement.started_on:
        raise InvalidInput(
            f"This placement began on {long_date(placement.started_on)}; hours cannot be logged before then.", field="worked_on"
        )
    if placement.ended_on is not None and worked_on > placement.ended_on:
        raise InvalidInput(
            f"This placement ended on {long_date(placement.ended_on)}; hours cannot be logged after then.", field="worked_on"
        )
    live: list[ColumnElement[bool]] = [HoursEntry.status.in_(LIVE_STATUSES)]
    if ignore_id is not None:
        live.append(HoursEntry.id != ignore_id)
    same_day = session.execute(
        select(HoursEntry.id, HoursEntry.placement_id, HoursEntry.hours, HoursEntry.activity).where(
            HoursEntry.volunteer_id == placement.volunteer_id, HoursEntry.worked_on == worked_on, *live
        )
    ).all()
    for other_id, other_placement, other_hours, other_activity in same_day:
        if (
            other_placement == placement.id
            and Decimal(other_hours) == hours
            and _normal_activity(other_activity) == _normal_activity(activity)
        ):
            raise Conflict(
                f"These hours are already logged for {long_date(worked_on)} (entry {other_id}).",
                details=[{"field": "worked_on", "message": f"duplicate of entry {other_id}"}],
            )
    total = sum((Decimal(h) for _, _, h, _ in same_day), Decimal(0)) + hours
    if total > MAX_HOURS_PER_DAY:
        raise InvalidInput(
            f"That would make {total.normalize():f} hours on {long_date(worked_on)}; no more than 24 hours a day can be logged.",
            field="hours",
        )


# -- commands -----------------------------------------------------------------------------------
def log_hours(
    session: Session, principal: Principal, placement_id: int, body: HoursCreate, today: date | None = None
) -> HoursEntry:
    placement, volunteer, role = load_placement(session, principal, placement_id)
    if not policy.can_log_hours(principal, placement, volunteer, role):
        raise Forbidden("Only the volunteer or their volunteer centre can log these hours.")
    today = today or date.today()
    # The 24-hour cap is per volunteer per day: entries for one volunteer are checked and added one
    # at a time (their volunteer row is locked), so concurrent entries cannot pass it together.
    locking.lock(session, Volunteer, placement.volunteer_id)
    validate_entry(session, placement, body.worked_on, body.hours, body.activity, today=today)
    entry = HoursEntry(
        placement_id=placement.id,
        volunteer_id=placement.volunteer_id,
        worked_on=body.worked_on,
        hours=body.hours,
        activity=body.activity,
        status="submitted",
        submitted_by_id=principal.user_id,
        reminder_count=0,
    )
    session.add(entry)
    session.flush()
    if principal.is_staff:
        audit.record(session, principal, "hours.log", "hours_entry", entry.id)
    enqueue(session, events.HoursSubmitted(hours_entry_id=entry.id))
    return entry


def _review_check(principal: Principal, placement: Placement, volunteer: Volunteer, role: Role) -> None:
    if not policy.can_review_hours(principal, placement, volunteer, role):
        raise Forbidden("Only the organisation or the volunteer centre can approve or query hours.")


def _approve(session: Session, principal: Principal, entry: HoursEntry) -> None:
    entry.status = "approved"
    entry.reviewed_by_id = principal.user_id
    entry.reviewed_at = utcnow()
    if principal.is_staff:
        audit.record(session, principal, "hours.approve", "hours_entry", entry.id)
    enqueue(session, events.HoursApproved(hours_entry_id=entry.id))


def approve(session: Session, principal: Principal, entry_id: int) -> HoursEntry:
    entry, placement, volunteer, role = load_entry(session, principal, entry_id)
    _review_check(principal, placement, volunteer, role)
    entry = locking.lock(session, HoursEntry, entry.id)  # a second approval waits, then finds it approved
    if entry.status not in APPROVABLE:
        raise Conflict(f"These hours are {entry.status} and cannot be approved.")
    _approve(session, principal, entry)
    return entry


def query(session: Session, principal: Principal, entry_id: int, note: str) -> HoursEntry:
    entry, placement, volunteer, role = load_entry(session, principal, entry_id)
    _review_check(principal, placement, volunteer, role)
    entry = locking.lock(session, HoursEntry, entry.id)
    if entry.status not in ("submitted", "approved"):
        raise Conflict(f"These hours are {entry.status} and cannot be queried.")
    was_approved = entry.status == "approved"
    entry.status = "queried"
    entry.query_note = note
    entry.reviewed_by_id = principal.user_id
    entry.reviewed_at = utcnow()
    if principal.is_staff:
        audit.record(session, principal, "hours.query", "hours_entry", entry.id)
    if was_approved:
        enqueue(session, events.RollupRefresh(placement_id=placement.id))
    return entry


def correct(session: Session, principal: Principal, entry_id: int, body: HoursCorrect, today: date | None = None) -> HoursEntry:
    """Add an entry that supersedes this one. A reviewer's correction is approved at once; a
    volunteer's goes back for approval."""
    entry, placement, volunteer, role = load_entry(session, principal, entry_id)
    reviewer = policy.can_review_hours(principal, placement, volunteer, role)
    if not (reviewer or policy.can_log_hours(principal, placement, volunteer, role)):
        raise Forbidden("You cannot correct these hours.")
    entry = locking.lock(session, HoursEntry, entry.id)  # corrected once, even if sent twice at once
    locking.lock(session, Volunteer, placement.volunteer_id)  # the day's cap, as when logging
    if entry.status == "superseded":
        raise Conflict("These hours have already been corrected; correct the latest entry instead.")
    worked_on = body.worked_on or entry.worked_on
    hours = body.hours if body.hours is not None else Decimal(entry.hours)
    activity = body.activity if body.activity is not None else entry.activity
    if (
        worked_on == entry.worked_on
        and hours == Decimal(entry.hours)
        and _normal_activity(activity) == _normal_activity(entry.activity)
    ):
        raise InvalidInput("The correction changes nothing: give a new date, number of hours or activity.", field="hours")
    validate_entry(session, placement, worked_on, hours, activity, today=today or date.today(), ignore_id=entry.id)
    was_approved = entry.status == "approved"
    entry.status = "superseded"
    new = HoursEntry(
        placement_id=placement.id,
        volunteer_id=placement.volunteer_id,
        worked_on=worked_on,
        hours=hours,
        activity=activity,
        status="submitted",
        submitted_by_id=principal.user_id,
        supersedes_id=entry.id,
        query_note=body.note,
        reminder_count=0,
    )
    session.add(new)
    session.flush()
    if principal.is_staff:
        audit.record(session, principal, "hours.correct", "hours_entry", new.id, supersedes=entry.id)
    if reviewer and not principal.is_volunteer:
        _approve(session, principal, new)
    else:
        enqueue(session, events.HoursSubmitted(hours_entry_id=new.id))
        if was_approved:
            enqueue(session, events.RollupRefresh(placement_id=placement.id))
    return new


def propose(
    session: Session, principal: Principal, placement: Placement, worked_on: date, hours: Decimal, activity: str
) -> HoursEntry:
    """Hours an organisation records for a volunteer (from a session's attendance). They count only
    once the volunteer confirms them: the two sides agree, as when the volunteer logs and the
    organisation approves."""
    locking.lock(session, Volunteer, placement.volunteer_id)
    validate_entry(session, placement, worked_on, hours, activity, today=date.today())
    entry = HoursEntry(
        placement_id=placement.id,
        volunteer_id=placement.volunteer_id,
        worked_on=worked_on,
        hours=hours,
        activity=activity,
        status="proposed",
        submitted_by_id=principal.user_id,
        source="attendance",
        reminder_count=0,
    )
    session.add(entry)
    session.flush()
    if principal.is_staff:
        audit.record(session, principal, "hours.propose", "hours_entry", entry.id)
    enqueue(session, events.HoursProposed(hours_entry_id=entry.id))
    return entry


def _own_proposed(session: Session, principal: Principal, entry_id: int) -> HoursEntry:
    if not principal.is_volunteer:
        raise Forbidden("Only the volunteer can confirm the hours an organisation proposed for them.")
    entry, _placement, _volunteer, _role = load_entry(session, principal, entry_id)
    entry = locking.lock(session, HoursEntry, entry.id)  # confirmed once, even if sent twice at once
    if entry.status != "proposed":
        raise Conflict(f"These hours are {entry.status} and have nothing to confirm.")
    return entry


def confirm(session: Session, principal: Principal, entry_id: int) -> HoursEntry:
    """The volunteer agrees with proposed hours: they are approved (the organisation proposed them)."""
    entry = _own_proposed(session, principal, entry_id)
    entry.status = "approved"
    entry.reviewed_by_id = entry.submitted_by_id
    entry.reviewed_at = utcnow()
    enqueue(session, events.HoursApproved(hours_entry_id=entry.id))
    return entry


def decline(session: Session, principal: Principal, entry_id: int, note: str | None) -> HoursEntry:
    """The volunteer does not agree with proposed hours: they never count (they can log their own)."""
    entry = _own_proposed(session, principal, entry_id)
    entry.status = "declined"
    entry.query_note = note
    return entry


def bulk_approve(session: Session, principal: Principal, ids: Sequence[int]) -> list[HoursEntry]:
    """All or nothing: every entry is checked first and every bad one is reported."""
    if not (principal.is_manager or principal.is_staff):
        raise Forbidden("Only the organisation or the volunteer centre can approve hours.")
    problems: list[dict[str, str]] = []
    entries: list[HoursEntry] = []
    seen: set[int] = set()
    # Lock the entries in id order (two overlapping bulk approvals never wait on each other in a circle).
    in_range = {i for i in ids if 1 <= i <= 2**31 - 1}
    for entry_id in sorted(session.scalars(select(HoursEntry.id).where(HoursEntry.id.in_(in_range)))):
        locking.lock(session, HoursEntry, entry_id)
    for i, entry_id in enumerate(ids):
        field = f"ids[{i}]"
        if entry_id in seen:
            problems.append({"field": field, "message": f"Entry {entry_id} is listed twice."})
            continue
        seen.add(entry_id)
        entry = session.get(HoursEntry, entry_id)
        if entry is None:
            problems.append({"field": field, "message": f"There are no hours with id {entry_id}."})
            continue
        placement = session.get_one(Placement, entry.placement_id)
        volunteer, role = _placement_parts(session, placement)
        if not policy.can_review_hours(principal, placement, volunteer, role):
            problems.append({"field": field, "message": f"There are no hours with id {entry_id} that you can approve."})
            continue
        if entry.status not in APPROVABLE:
            problems.append({"field": field, "message": f"Entry {entry_id} is {entry.status} and cannot be approved."})
            continue
        entries.append(entry)
    if problems:
        raise Conflict(f"No hours were approved: {len(problems)} of the {len(ids)} entries cannot be approved.", details=problems)
    for entry in entries:
        _approve(session, principal, entry)
    return entries


# -- queries ---------------------------------------------------------------------------------------
def _hours_base(principal: Principal) -> Select:
    stmt = (
        select(HoursEntry)
        .join(Placement, Placement.id == HoursEntry.placement_id)
        .join(Volunteer, Volunteer.id == Placement.volunteer_id)
        .join(Role, Role.id == Placement.role_id)
    )
    return policy.placement_scope(stmt, principal)


def _filtered(
    stmt: Select, *, status=None, placement_id=None, volunteer_id=None, organisation_id=None, date_from=None, date_to=None
) -> Select:
    if isinstance(status, (tuple, list)):
        stmt = stmt.where(HoursEntry.status.in_(status))
    elif status:
        stmt = stmt.where(HoursEntry.status == status)
    if placement_id:
        stmt = stmt.where(HoursEntry.placement_id == placement_id)
    if volunteer_id:
        stmt = stmt.where(HoursEntry.volunteer_id == volunteer_id)
    if organisation_id:
        stmt = stmt.where(Placement.organisation_id == organisation_id)
    if date_from:
        stmt = stmt.where(HoursEntry.worked_on >= date_from)
    if date_to:
        stmt = stmt.where(HoursEntry.worked_on <= date_to)
    return stmt


def list_hours(session: Session, principal: Principal, *, page: int, page_size: int, **filters) -> tuple[list[HoursEntry], int]:
    if principal.is_pilot_lead or principal.is_admin:
        raise Forbidden("Hours are personal data: pilot leads see them in reports, in aggregate.")
    stmt = _filtered(_hours_base(principal), **filters)
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(HoursEntry.id).subquery())) or 0
    rows = list(
        session.scalars(
            stmt.order_by(HoursEntry.worked_on.desc(), HoursEntry.id.desc()).offset((page - 1) * page_size).limit(page_size)
        )
    )
    return rows, total


def superseded_by(session: Session, entry_ids: Sequence[int]) -> dict[int, int]:
    if not entry_ids:
        return {}
    rows = session.execute(select(HoursEntry.supersedes_id, HoursEntry.id).where(HoursEntry.supersedes_id.in_(list(entry_ids))))
    return {old: new for old, new in rows if old is not None}


def history(session: Session, entry: HoursEntry) -> list[HoursEntry]:
    """The entries this one corrected, newest first."""
    chain: list[HoursEntry] = []
    current = entry
    while current.supersedes_id is not None and len(chain) < 100:
        previous = session.get(HoursEntry, current.supersedes_id)
        if previous is None:
            break
        chain.append(previous)
        current = previous
    return chain


def list_placements(
    session: Session,
    principal: Principal,
    *,
    volunteer_id=None,
    organisation_id=None,
    active=None,
    page: int,
    page_size: int,
    placement_ids: Sequence[int] | None = None,
) -> tuple[list[PlacementView], int]:
    if principal.is_pilot_lead or principal.is_admin:
        raise Forbidden("Placements are personal data: pilot leads see them in reports, in aggregate.")
    stmt = (
        select(Placement, Volunteer, Role, Organisation)
        .join(Volunteer, Volunteer.id == Placement.volunteer_id)
        .join(Role, Role.id == Placement.role_id)
        .join(Organisation, Organisation.id == Placement.organisation_id)
    )
    stmt = policy.placement_scope(stmt, principal)
    if volunteer_id:
        stmt = stmt.where(Placement.volunteer_id == volunteer_id)
    if organisation_id:
        stmt = stmt.where(Placement.organisation_id == organisation_id)
    if placement_ids is not None:
        stmt = stmt.where(Placement.id.in_(list(placement_ids)))
    if active is True:
        stmt = stmt.where(Placement.ended_on.is_(None))
    elif active is False:
        stmt = stmt.where(Placement.ended_on.is_not(None))
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(Placement.id).subquery())) or 0
    rows = session.execute(
        stmt.order_by(Placement.started_on.desc(), Placement.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    ids = [p.id for p, *_ in rows]
    approved = (
        dict(
            session.execute(
                select(HoursEntry.placement_id, func.sum(HoursEntry.hours))
                .where(HoursEntry.placement_id.in_(ids), HoursEntry.status == "approved")
                .group_by(HoursEntry.placement_id)
            ).all()
        )
        if ids
        else {}
    )
    return [PlacementView(p, v, r, o, Decimal(approved.get(p.id) or 0)) for p, v, r, o in rows], total


EXPORT_COLUMNS = (
    "hours_entry_id",
    "placement_id",
    "volunteer_id",
    "organisation_id",
    "role_id",
    "worked_on",
    "hours",
    "activity",
    "status",
    "supersedes_id",
    "reviewed_at",
)


def export_rows(session: Session, principal: Principal, *, batch_size: int = 5000, **filters) -> Iterator[tuple]:
    """Hours rows for a CSV export, streamed from the database in batches (never all in memory).

    For the organisation's managers and the volunteer centre (their own records); no names or
    special-category data."""
    if not (principal.is_manager or principal.is_staff):
        raise Forbidden("Hours exports are for organisations and volunteer centres.")
    stmt = (
        _filtered(_hours_base(principal), **filters)
        .with_only_columns(
            HoursEntry.id,
            HoursEntry.placement_id,
            HoursEntry.volunteer_id,
            Placement.organisation_id,
            Placement.role_id,
            HoursEntry.worked_on,
            HoursEntry.hours,
            HoursEntry.activity,
            HoursEntry.status,
            HoursEntry.supersedes_id,
            HoursEntry.reviewed_at,
        )
        .order_by(HoursEntry.id)
    )
    result = session.execute(stmt.execution_options(yield_per=batch_size, stream_results=True))
    for partition in result.partitions():
        yield from partition


@dataclass(frozen=True, slots=True)
class AwaitingApproval:
    """Hours an organisation has still to approve: how many entries, how many hours, since when."""

    organisation_id: int
    entries: int
    hours: Decimal
    oldest: datetime


def awaiting_approval(
    session: Session,
    *,
    organisation_id: int | None = None,
    submitted_before: datetime | None = None,
    submitted_after: datetime | None = None,
) -> list[AwaitingApproval]:
    """Submitted hours not yet approved, per organisation (one, or all), optionally only those
    submitted before a time and after another."""
    stmt = (
        select(Placement.organisation_id, func.count(HoursEntry.id), func.sum(HoursEntry.hours), func.min(HoursEntry.created_at))
        .join(Placement, Placement.id == HoursEntry.placement_id)
        .where(HoursEntry.status == "submitted")
        .group_by(Placement.organisation_id)
        .order_by(Placement.organisation_id)
    )
    if organisation_id is not None:
        stmt = stmt.where(Placement.organisation_id == organisation_id)
    if submitted_before is not None:
        stmt = stmt.where(HoursEntry.created_at <= submitted_before)
    if submitted_after is not None:
        stmt = stmt.where(HoursEntry.created_at > submitted_after)
    return [AwaitingApproval(org_id, count, total, oldest) for org_id, count, total, oldest in session.execute(stmt)]


def count_reminder(
    session: Session, organisation_id: int, submitted_before: datetime, submitted_after: datetime | None = None
) -> None:
    """Note on each entry still waiting that its organisation has been reminded once more."""
    entries = (
        select(HoursEntry.id)
        .join(Placement, Placement.id == HoursEntry.placement_id)
        .where(
            Placement.organisation_id == organisation_id,
            HoursEntry.status == "submitted",
            HoursEntry.created_at <= submitted_before,
            HoursEntry.created_at > (submitted_after or datetime.min),
        )
    )
    session.execute(
        update(HoursEntry)
        .where(HoursEntry.id.in_(entries))
        .values(reminder_count=HoursEntry.reminder_count + 1)
        .execution_options(synchronize_session=False)
    )
