"""Rollups of the report's counts: registrations, referrals (with the days to start), placements (with
retention) per volunteers' home district, and roles filled per role and year (``district_counts`` and
``role_years``), so that a county report adds up a few thousand rows instead of reading every
volunteer, referral and placement.

They are kept up to date the way the hours rollups are. A flush that adds, changes or removes a
volunteer, referral, placement or role records a ``reports.counts`` event in the same transaction,
naming what it touched (the district and month of the rows concerned, or the volunteer whose district
to read, and the roles); the ``reports.counts`` actor recomputes those rows from the domain tables
(delete, then insert, under a lock on each district and month), so delivering it twice changes
nothing. The hours refresh recomputes its placement's retention counts in its own transaction. A full
rebuild is ``fill_all`` (PostgreSQL, into emptied tables) or ``rebuild``.

Only changes made through the ORM are seen; a bulk statement that writes these tables directly must
record a ``reports.counts`` event itself or rebuild the rollups.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, case, cast, delete, event, func, insert, inspect, literal, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from brokerage import events
from brokerage.models import Placement, PlacementActivity, Referral, Role, Volunteer
from brokerage.models.reporting import DistrictCount, RoleYear
from brokerage.outbox import enqueue

COUNT_TABLES = ("district_counts", "role_years")
NOT_STARTED = -1_000_000  # days_to_start of a referral whose placement has not started
NO_DISTRICT = ""
KINDS = ("registration", "referral", "placement")


# -- dialect helpers -------------------------------------------------------------------------------
def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def month_start(dialect: str, col) -> ColumnElement:
    """The first day of the month of a date or timestamp column, as a date."""
    if dialect != "postgresql":
        return func.date(col, "start of month")
    if isinstance(col.type, DateTime):
        return cast(func.date_trunc("month", col), Date)
    return col - (cast(func.extract("day", col), Integer) - 1)  # date arithmetic: no time zone involved


def _days_between(dialect: str, later, earlier_ts) -> ColumnElement:
    if dialect == "postgresql":
        return later - cast(earlier_ts, Date)
    return cast(func.julianday(later) - func.julianday(func.date(earlier_ts)), Integer)


def _year(dialect: str, col) -> ColumnElement:
    if dialect == "postgresql":
        return cast(func.extract("year", col), Integer)
    return cast(func.strftime("%Y", col), Integer)


def _month_bit(dialect: str, col) -> ColumnElement:
    month = cast(func.extract("month", col), Integer) if dialect == "postgresql" else cast(func.strftime("%m", col), Integer)
    return literal(1).op("<<")(month - 1)


def _next_month(m: date) -> date:
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def _month_of(d: date | datetime) -> date:
    return date(d.year, d.month, 1)


def _district_is(col, district: str):
    return col.is_(None) if district == NO_DISTRICT else col == district


# -- the statements that compute the rows ----------------------------------------------------------
def _registrations(dialect: str, where=()):
    V = Volunteer
    m = month_start(dialect, V.registered_on)
    d = func.coalesce(V.district_gss, NO_DISTRICT)
    return (
        select(literal("registration"), d, m, literal(0), func.count(), literal(0), literal(0), literal(0))
        .where(V.merged_into_id.is_(None), V.registered_on.is_not(None), *where)
        .group_by(d, m)
    )


def _referrals(dialect: str, where=()):
    m = month_start(dialect, Referral.created_at)
    d = func.coalesce(Volunteer.district_gss, NO_DISTRICT)
    days = func.coalesce(_days_between(dialect, Placement.started_on, Referral.created_at), NOT_STARTED)
    return (
        select(literal("referral"), d, m, days, func.count(), literal(0), literal(0), literal(0))
        .select_from(Referral)
        .join(Volunteer, Volunteer.id == Referral.volunteer_id)
        .outerjoin(Placement, Placement.referral_id == Referral.id)
        .where(*where)
        .group_by(d, m, days)
    )


def _placements(where=()):
    d = func.coalesce(Volunteer.district_gss, NO_DISTRICT)
    retained = [func.sum(case((getattr(PlacementActivity, f"retained_{n}m").is_(True), 1), else_=0)) for n in (3, 6, 12)]
    return (
        select(literal("placement"), d, Placement.started_on, literal(0), func.count(), *retained)
        .select_from(Placement)
        .join(Volunteer, Volunteer.id == Placement.volunteer_id)
        .outerjoin(PlacementActivity, PlacementActivity.placement_id == Placement.id)
        .where(Placement.started_on.is_not(None), *where)
        .group_by(d, Placement.started_on)
    )


def _role_years(dialect: str, where=()):
    y = _year(dialect, Placement.started_on)
    d = func.coalesce(Role.district_gss, NO_DISTRICT)
    return (
        select(y, Placement.role_id, d, func.sum(_month_bit(dialect, Placement.started_on).distinct()))
        .select_from(Placement)
        .join(Role, Role.id == Placement.role_id)
        .where(Placement.started_on.is_not(None), *where)
        .group_by(y, Placement.role_id, d)
    )


_COUNT_COLUMNS = ["kind", "district_gss", "day", "days_to_start", "n", "retained_3m", "retained_6m", "retained_12m"]
_ROLE_COLUMNS = ["year", "role_id", "district_gss", "months"]


def fill_all(session: Session) -> None:
    """Fill the (empty) count rollups from the domain tables."""
    dialect = _dialect(session)
    for stmt in (_registrations(dialect), _referrals(dialect), _placements()):
        session.execute(insert(DistrictCount).from_select(_COUNT_COLUMNS, stmt))
    session.execute(insert(RoleYear).from_select(_ROLE_COLUMNS, _role_years(dialect)))


def rebuild(session: Session) -> None:
    session.execute(delete(DistrictCount))
    session.execute(delete(RoleYear))
    fill_all(session)


# -- refresh ---------------------------------------------------------------------------------------
def _lock(session: Session, keys: Iterable[str]) -> None:
    """One refresh at a time for each key (PostgreSQL; SQLite has one writer at a time anyway), taken in
    key order so that two refreshes never wait on each other in a ring."""
    if _dialect(session) != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(key.encode()) - 2**31})


def refresh_district_months(session: Session, keys: Iterable[tuple[str, date]]) -> None:
    """Recompute every count of these (district, month) pairs from the domain tables."""
    keys = sorted({(d or NO_DISTRICT, _month_of(m)) for d, m in keys})
    if not keys:
        return
    _lock(session, [f"counts:{d}:{m.isoformat()}" for d, m in keys])
    dialect = _dialect(session)
    C = DistrictCount
    for district, m in keys:
        nxt = _next_month(m)
        session.execute(delete(C).where(C.district_gss == district, C.day >= m, C.day < nxt))
        vol = _district_is(Volunteer.district_gss, district)
        statements = (
            _registrations(dialect, [vol, Volunteer.registered_on >= m, Volunteer.registered_on < nxt]),
            _referrals(
                dialect,
                [
                    vol,
                    Referral.created_at >= datetime(m.year, m.month, 1),
                    Referral.created_at < datetime(nxt.year, nxt.month, 1),
                ],
            ),
            _placements([vol, Placement.started_on >= m, Placement.started_on < nxt]),
        )
        for stmt in statements:
            session.execute(insert(C).from_select(_COUNT_COLUMNS, stmt))


def refresh_roles(session: Session, role_ids: Iterable[int]) -> None:
    ids = sorted(set(role_ids))
    if not ids:
        return
    _lock(session, [f"role_years:{i}" for i in ids])
    session.execute(delete(RoleYear).where(RoleYear.role_id.in_(ids)))
    session.execute(insert(RoleYear).from_select(_ROLE_COLUMNS, _role_years(_dialect(session), [Placement.role_id.in_(ids)])))


def _volunteer_months(session: Session, volunteer_ids: list[int]) -> dict[int, set[date]]:
    """The months in which each volunteer's registration, referrals and placements are counted."""
    out: dict[int, set[date]] = {v: set() for v in volunteer_ids}
    if not volunteer_ids:
        return out
    for vid, day in session.execute(select(Volunteer.id, Volunteer.registered_on).where(Volunteer.id.in_(volunteer_ids))):
        if day is not None:
            out[vid].add(_month_of(day))
    for vid, ts in session.execute(
        select(Referral.volunteer_id, Referral.created_at).where(Referral.volunteer_id.in_(volunteer_ids))
    ):
        out[vid].add(_month_of(ts))
    for vid, day in session.execute(
        select(Placement.volunteer_id, Placement.started_on).where(Placement.volunteer_id.in_(volunteer_ids))
    ):
        if day is not None:
            out[vid].add(_month_of(day))
    return out


def refresh(
    session: Session,
    district_months: Iterable[Iterable] = (),
    volunteer_months: Iterable[Iterable] = (),
    volunteers: Iterable[int] = (),
    roles: Iterable[int] = (),
) -> None:
    """What the ``reports.counts`` actor does: recompute the named (district, month) pairs; the
    (volunteer, month) pairs and every month of the named volunteers under each volunteer's district as
    it is now; and the named roles' years."""
    keys: set[tuple[str, date]] = {(d, date.fromisoformat(m)) for d, m in district_months}
    vm = [(int(v), date.fromisoformat(m)) for v, m in volunteer_months]
    vids = sorted({v for v, _ in vm} | {int(v) for v in volunteers})
    districts = (
        dict(session.execute(select(Volunteer.id, Volunteer.district_gss).where(Volunteer.id.in_(vids))).all()) if vids else {}
    )
    for v, m in vm:
        if v in districts:
            keys.add((districts[v] or NO_DISTRICT, m))
    for v, months in _volunteer_months(session, [int(v) for v in volunteers if int(v) in districts]).items():
        keys |= {(districts[v] or NO_DISTRICT, m) for m in months}
    refresh_district_months(session, keys)
    refresh_roles(session, roles)


def refresh_placement_counts(session: Session, placement_id: int) -> None:
    """Recompute the counts of a placement's start day (its retention follows its approved hours)."""
    row = session.execute(
        select(Volunteer.district_gss, Placement.started_on)
        .join(Volunteer, Volunteer.id == Placement.volunteer_id)
        .where(Placement.id == placement_id)
    ).first()
    if row is not None and row.started_on is not None:
        refresh_district_months(session, [(row.district_gss or NO_DISTRICT, row.started_on)])


# -- noticing changes ------------------------------------------------------------------------------
@dataclass
class _Touched:
    district_months: set[tuple[str, str]] = field(default_factory=set)
    volunteer_months: set[tuple[int, str]] = field(default_factory=set)
    volunteers: set[int] = field(default_factory=set)
    roles: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.district_months or self.volunteer_months or self.volunteers or self.roles)

    def update(self, other: _Touched) -> None:
        self.district_months |= other.district_months
        self.volunteer_months |= other.volunteer_months
        self.volunteers |= other.volunteers
        self.roles |= other.roles


def _values(obj, attr: str, whole: bool) -> list:
    """The attribute's values before and after this flush (``whole``: the row is new or deleted, so
    its value counts even if unchanged); [] when it did not change."""
    h = inspect(obj).attrs[attr].history
    if h.has_changes():
        return [v for v in (*h.deleted, *h.added) if v is not None]
    value = getattr(obj, attr)
    return [value] if whole and value is not None else []


def _changed(obj, *attrs: str) -> bool:
    return any(inspect(obj).attrs[a].history.has_changes() for a in attrs)


def _months(values) -> set[str]:
    return {_month_of(d).isoformat() for d in values if d is not None}


def _note_volunteer(session: Session, obj: Volunteer, t: _Touched, new: bool) -> None:
    if new:
        t.volunteer_months |= {(obj.id, m) for m in _months([obj.registered_on])}
    elif _changed(obj, "district_gss", "registered_on", "merged_into_id"):
        # every month of the volunteer, under the district(s) they had before this flush and (read by
        # the actor) the one they have now
        h = inspect(obj).attrs.district_gss.history
        before = list(h.deleted) if h.has_changes() else [obj.district_gss]
        months = {m.isoformat() for m in _volunteer_months(session, [obj.id])[obj.id]}
        months |= _months(_values(obj, "registered_on", True))
        t.district_months |= {(d or NO_DISTRICT, m) for d in before or [None] for m in months}
        t.volunteers.add(obj.id)


def _note_deleted_volunteer(session: Session, obj: Volunteer, t: _Touched) -> None:
    """Before the flush that deletes them (their referrals and placements go with them)."""
    h = inspect(obj).attrs.district_gss.history
    districts = list(h.deleted) if h.has_changes() else [obj.district_gss]
    months = {m.isoformat() for m in _volunteer_months(session, [obj.id])[obj.id]} | _months([obj.registered_on])
    t.district_months |= {(d or NO_DISTRICT, m) for d in districts or [None] for m in months}
    roles = session.scalars(select(Placement.role_id).where(Placement.volunteer_id == obj.id).distinct())
    t.roles |= set(roles)


def _note_referral(obj: Referral, t: _Touched, whole: bool) -> None:
    if whole or _changed(obj, "volunteer_id", "created_at"):
        vids, days = _values(obj, "volunteer_id", True), _values(obj, "created_at", True)
        t.volunteer_months |= {(v, m) for v in vids for m in _months(days)}


def _note_placement(session: Session, obj: Placement, t: _Touched, whole: bool) -> None:
    if not (whole or _changed(obj, "volunteer_id", "started_on", "role_id", "referral_id")):
        return
    vids = _values(obj, "volunteer_id", True)
    t.volunteer_months |= {(v, m) for v in vids for m in _months(_values(obj, "started_on", True))}
    t.roles |= set(_values(obj, "role_id", True))
    for rid in _values(obj, "referral_id", True):  # the referral's days to start
        referral = session.get(Referral, rid)
        if referral is not None and referral.created_at is not None:
            t.volunteer_months |= {(referral.volunteer_id, m) for m in _months([referral.created_at])}


def _touched(session: Session) -> _Touched:
    t = _Touched()
    new, deleted = set(map(id, session.new)), set(map(id, session.deleted))
    for obj in [*session.new, *session.dirty, *session.deleted]:
        whole = id(obj) in new or id(obj) in deleted
        if isinstance(obj, Volunteer):
            if id(obj) not in deleted:
                _note_volunteer(session, obj, t, id(obj) in new)
        elif isinstance(obj, Referral):
            _note_referral(obj, t, whole)
        elif isinstance(obj, Placement):
            _note_placement(session, obj, t, whole)
        elif isinstance(obj, Role) and id(obj) not in new and (id(obj) in deleted or _changed(obj, "district_gss")):
            t.roles.add(obj.id)
    return t


def _fields(t: _Touched) -> tuple:
    """The ``reports.counts`` event's fields for what a flush touched, in a stable order."""
    return (
        tuple(sorted(t.district_months)),
        tuple(sorted((v, m) for v, m in t.volunteer_months if v is not None)),
        tuple(sorted(t.volunteers)),
        tuple(sorted(t.roles)),
    )


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    gone = [obj for obj in session.deleted if isinstance(obj, Volunteer)]
    if gone:
        t = _Touched()
        for obj in gone:
            _note_deleted_volunteer(session, obj, t)
        session.info.setdefault("counts_touched", _Touched()).update(t)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    """New rows have their ids now, and every attribute still has its history of this flush."""
    t = session.info.pop("counts_touched", None) or _Touched()
    t.update(_touched(session))
    if t:
        enqueue(session, events.CountsRefresh(*_fields(t)))
