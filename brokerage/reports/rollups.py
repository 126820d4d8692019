"""Rollups of approved hours, kept up to date by the workers and rebuilt on demand.

* ``hours_rollups``: approved hours per placement × calendar month, quarter and year (so per
  volunteer × district × month, with the organisation and role alongside). Distinct active
  volunteers for any run of whole months are counted over a handful of these rows, never raw hours.
* ``placement_activity``: first and last approved day per placement (retention).
* ``volunteer_activity``: first approved day per volunteer (new to volunteering).

Every refresh recomputes its rows from the approved hours (delete, then insert), so running it twice
gives the same result: the actors that call it are idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Date, Integer, and_, case, cast, delete, func, insert, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from brokerage.models import HoursEntry, HoursRollup, Placement, PlacementActivity, Volunteer, VolunteerActivity

RETENTION_MONTHS = (3, 6, 12)


# -- dialect helpers -------------------------------------------------------------------------------
def period_start_expr(dialect: str, kind: str, col) -> ColumnElement:
    if dialect == "postgresql":
        return cast(func.date_trunc(kind, col), Date)
    if kind == "month":
        return func.date(col, "start of month")
    if kind == "year":
        return func.date(col, "start of year")
    # quarter on SQLite: back to the first month of the quarter
    back = func.printf("-%d months", (cast(func.strftime("%m", col), Integer) - 1) % 3)
    return func.date(col, "start of month", back)


def add_months_expr(dialect: str, col, months: int) -> ColumnElement:
    if dialect == "postgresql":
        return cast(col + func.make_interval(0, months), Date)
    return func.date(col, f"+{months} months")


# -- refresh -----------------------------------------------------------------------------------------
def _refresh(session: Session, placement_filter: Callable[[object], ColumnElement], volunteer_ids: Iterable[int] | None) -> None:
    """Recompute every rollup row for the placements the filter selects."""
    dialect = session.get_bind().dialect.name
    session.execute(delete(HoursRollup).where(placement_filter(HoursRollup.placement_id)))
    session.execute(delete(PlacementActivity).where(placement_filter(PlacementActivity.placement_id)))

    month = period_start_expr(dialect, "month", HoursEntry.worked_on).label("period_start")
    monthly = (
        select(
            literal("month").label("period_kind"), month, Placement.id, Placement.volunteer_id, Placement.organisation_id,
            Placement.role_id, Volunteer.district_gss, func.sum(HoursEntry.hours), func.count(),
        )
        .select_from(HoursEntry)
        .join(Placement, Placement.id == HoursEntry.placement_id)
        .join(Volunteer, Volunteer.id == Placement.volunteer_id)
        .where(HoursEntry.status == "approved", placement_filter(HoursEntry.placement_id))
        .group_by(month, Placement.id, Placement.volunteer_id, Placement.organisation_id, Placement.role_id, Volunteer.district_gss)
    )
    columns = ["period_kind", "period_start", "placement_id", "volunteer_id", "organisation_id", "role_id", "district_gss", "hours", "entries"]
    session.execute(insert(HoursRollup).from_select(columns, monthly))
    for kind in ("quarter", "year"):
        start = period_start_expr(dialect, kind, HoursRollup.period_start)
        coarser = (
            select(
                literal(kind), start, HoursRollup.placement_id, HoursRollup.volunteer_id, HoursRollup.organisation_id,
                HoursRollup.role_id, HoursRollup.district_gss, func.sum(HoursRollup.hours), func.sum(HoursRollup.entries),
            )
            .where(HoursRollup.period_kind == "month", placement_filter(HoursRollup.placement_id))
            .group_by(start, HoursRollup.placement_id, HoursRollup.volunteer_id, HoursRollup.organisation_id,
                      HoursRollup.role_id, HoursRollup.district_gss)
        )
        session.execute(insert(HoursRollup).from_select(columns, coarser))

    last = func.max(HoursEntry.worked_on)
    activity = (
        select(
            Placement.id, Placement.volunteer_id, Placement.started_on, func.min(HoursEntry.worked_on), last,
            func.sum(HoursEntry.hours),
            *[case((last >= add_months_expr(dialect, Placement.started_on, n), True), else_=False) for n in RETENTION_MONTHS],
        )
        .select_from(HoursEntry)
        .join(Placement, Placement.id == HoursEntry.placement_id)
        .where(HoursEntry.status == "approved", placement_filter(HoursEntry.placement_id))
        .group_by(Placement.id, Placement.volunteer_id, Placement.started_on)
    )
    session.execute(insert(PlacementActivity).from_select(
        ["placement_id", "volunteer_id", "started_on", "first_worked_on", "last_worked_on", "hours",
         "retained_3m", "retained_6m", "retained_12m"], activity))

    if volunteer_ids is None:
        session.execute(delete(VolunteerActivity))
        vol_filter = None
    else:
        ids = sorted(set(volunteer_ids))
        if not ids:
            return
        session.execute(delete(VolunteerActivity).where(VolunteerActivity.volunteer_id.in_(ids)))
        vol_filter = PlacementActivity.volunteer_id.in_(ids)
    firsts = select(PlacementActivity.volunteer_id, func.min(PlacementActivity.first_worked_on)).group_by(PlacementActivity.volunteer_id)
    if vol_filter is not None:
        firsts = firsts.where(vol_filter)
    session.execute(insert(VolunteerActivity).from_select(["volunteer_id", "first_worked_on"], firsts))


def refresh_placement(session: Session, placement_id: int) -> bool:
    """Recompute the rollups of one placement (after hours are approved, queried or corrected)."""
    placement = session.execute(select(Placement).where(Placement.id == placement_id).with_for_update()).scalar_one_or_none()
    if placement is None:
        return False
    _refresh(session, lambda col: col == placement_id, [placement.volunteer_id])
    return True


def refresh_for_hours_entry(session: Session, hours_entry_id: int) -> bool:
    placement_id = session.scalar(select(HoursEntry.placement_id).where(HoursEntry.id == hours_entry_id))
    if placement_id is None:
        return False
    return refresh_placement(session, placement_id)


def refresh_volunteer(session: Session, volunteer_id: int) -> int:
    """Recompute every placement of a volunteer (for example after they move district)."""
    ids = list(session.scalars(select(Placement.id).where(Placement.volunteer_id == volunteer_id)))
    for pid in ids:
        refresh_placement(session, pid)
    return len(ids)


def rebuild_all(session_factory, *, batch_size: int = 20_000, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild every rollup from the approved hours, in batches of placements (one transaction each).

    ``session_factory`` is a context manager giving a session that commits on exit."""
    with session_factory() as session:
        lo_hi = session.execute(select(func.min(Placement.id), func.max(Placement.id))).one()
        session.execute(delete(HoursRollup))
        session.execute(delete(PlacementActivity))
        session.execute(delete(VolunteerActivity))
    lo, hi = lo_hi
    if lo is None:
        return 0
    done = 0
    start = lo
    while start <= hi:
        end = start + batch_size - 1
        with session_factory() as session:
            _refresh(session, lambda col, a=start, b=end: and_(col >= a, col <= b), [])
        done += min(end, hi) - start + 1
        if progress:
            progress(min(end, hi) - start + 1)
        start = end + 1
    with session_factory() as session:
        session.execute(delete(VolunteerActivity))
        firsts = select(PlacementActivity.volunteer_id, func.min(PlacementActivity.first_worked_on)).group_by(PlacementActivity.volunteer_id)
        session.execute(insert(VolunteerActivity).from_select(["volunteer_id", "first_worked_on"], firsts))
    return done
