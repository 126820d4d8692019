"""The queries behind the metrics. Reports read the rollups, never raw hours.

Every query takes a period (whole months), the districts in scope (None = the whole county) and at
most one dimension to break down by; time dimensions are computed bucket by bucket by the service.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from brokerage.models import (
    CentreDistrict,
    HoursRollup,
    Placement,
    PlacementActivity,
    Referral,
    Role,
    RoleCause,
    Volunteer,
    VolunteerActivity,
)
from brokerage.reports.definitions import DEMOGRAPHIC_DIMENSIONS, METRIC_BY_ID, TIME_DIMENSIONS, Cell
from brokerage.reports.periods import (
    Period,
    add_months,
    bucket_first_day,
    bucket_key,
    bucket_start,
    decompose,
    rate_segments,
    segment_of,
    start_of_day,
    years_before,
)


@dataclass
class Context:
    districts: frozenset[str] | None
    as_of: date
    dialect: str
    rate_breaks: frozenset[date] = frozenset()
    labels: dict = field(default_factory=dict)


# -- dimension plumbing ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cols:
    district: object
    volunteer: object | None = None
    organisation: object | None = None
    role: object | None = None
    volunteer_joined: bool = False
    day: object | None = None  # the date that places a row in a month / quarter / year


class NotApplicable(Exception):
    pass


def age_band_expr(on: date):
    cuts = ((16, "under 16"), (25, "16-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64"), (75, "65-74"))
    whens = [(Volunteer.date_of_birth > years_before(on, n), label) for n, label in cuts]
    return case((Volunteer.date_of_birth.is_(None), "unknown"), *whens, else_="75+")


def _apply_dim(stmt, dim: str, cols: Cols, on: date, dialect: str = ""):
    def need_volunteer(s):
        if cols.volunteer is None:
            raise NotApplicable
        return s if cols.volunteer_joined else s.join(Volunteer, Volunteer.id == cols.volunteer)

    if dim == "district":
        return stmt, cols.district
    if dim == "centre":
        return stmt.join(CentreDistrict, CentreDistrict.district_gss == cols.district), CentreDistrict.centre_id
    if dim == "organisation":
        if cols.organisation is None:
            raise NotApplicable
        return stmt, cols.organisation
    if dim == "cause":
        if cols.role is None:
            raise NotApplicable
        return stmt.join(RoleCause, RoleCause.role_id == cols.role), RoleCause.cause_id
    if dim == "age_band":
        return need_volunteer(stmt), age_band_expr(on)
    if dim in DEMOGRAPHIC_DIMENSIONS:
        return need_volunteer(stmt), getattr(Volunteer, dim)
    if dim in TIME_DIMENSIONS and cols.day is not None:
        from brokerage.reports.rollups import period_start_expr

        return stmt, period_start_expr(dialect, dim, cols.day)
    raise NotApplicable


def _in_scope(col, ctx: Context):
    return True if ctx.districts is None else col.in_(sorted(ctx.districts))


def _run(session: Session, base, dim: str | None, cols: Cols, on: date, measures: list, extra: list | None = None):
    """Rows of (key, *extra, *measures); key is None for the total, a bucket key for time dimensions."""
    extra = extra or []
    if dim is None:
        stmt = base.with_only_columns(literal(None).label("k"), *extra, *measures)
        if extra:
            stmt = stmt.group_by(*extra)
    else:
        stmt, key = _apply_dim(base, dim, cols, on, session.get_bind().dialect.name)
        stmt = stmt.with_only_columns(key, *extra, *measures).group_by(key, *extra)
    out = []
    for row in session.execute(stmt):
        key = row[0]
        if dim in TIME_DIMENSIONS and key is not None:
            key = bucket_key(key, dim)
        out.append(("unknown" if (dim is not None and key is None) else key, *row[1:]))
    return out


def _pieces_filter(pieces: list[tuple[str, date]]):
    by_kind: dict[str, list[date]] = defaultdict(list)
    for kind, start in pieces:
        by_kind[kind].append(start)
    return or_(*[and_(HoursRollup.period_kind == k, HoursRollup.period_start.in_(v)) for k, v in by_kind.items()])


# -- facts ------------------------------------------------------------------------------------------
def hours_facts(session: Session, ctx: Context, period: Period, dim: str | None):
    """active volunteers, new to volunteering, young people, organisations supported, approved hours;
    plus approved hours by run of months with the same rates (to value them at the rate in force).

    One scan of the coarsest rollup rows covering the period gives the distinct counts and the hours;
    hours for all but the longest run of months come from a second, smaller scan, and the longest run
    is the total minus the others."""
    R = HoursRollup
    cols = Cols(
        district=R.district_gss, volunteer=R.volunteer_id, organisation=R.organisation_id, role=R.role_id, volunteer_joined=True
    )
    older, younger = years_before(period.end, 25), years_before(period.end, 16)
    time_dim = dim if dim in TIME_DIMENSIONS else None

    def base(pieces):
        stmt = select(R.volunteer_id).select_from(R)
        if dim in ("age_band", *DEMOGRAPHIC_DIMENSIONS):
            stmt = stmt.join(Volunteer, Volunteer.id == R.volunteer_id)
        return stmt.where(_pieces_filter(pieces), _in_scope(R.district_gss, ctx))

    def keyed(stmt):
        """(statement with the key as its first column 'k', key expression or None)."""
        if time_dim:
            return stmt, R.period_start
        if dim is None:
            return stmt, None
        return _apply_dim(stmt, dim, cols, period.end, ctx.dialect)

    def fix_key(k):
        if time_dim:
            return bucket_key(k, time_dim)
        return "unknown" if (dim is not None and k is None) else k

    if time_dim:
        covering = decompose(period.start, period.end, coarsest=time_dim)
        if not all(k == time_dim for k, _ in covering):
            raise NotApplicable  # buckets cut by the period: the service computes them one by one
    else:
        covering = decompose(period.start, period.end)

    # 1. per key and volunteer (a hash aggregate over the rollup rows), 2. join the people, count.
    stmt, key = keyed(base(covering))
    key_col = (key if key is not None else literal(0)).label("k")
    per_volunteer = stmt.with_only_columns(key_col, R.volunteer_id.label("vid"), func.sum(R.hours).label("h")).group_by(
        *([key] if key is not None else []), R.volunteer_id
    )
    pv = per_volunteer.subquery()
    V2 = Volunteer.__table__.alias("v2")
    people = (
        select(
            pv.c.k,
            func.count(),
            func.sum(case((and_(V2.c.date_of_birth > older, V2.c.date_of_birth <= younger), 1), else_=0)),
            func.sum(case((VolunteerActivity.first_worked_on >= period.start, 1), else_=0)),
            func.sum(pv.c.h),
        )
        .select_from(pv)
        .join(V2, V2.c.id == pv.c.vid)
        .outerjoin(VolunteerActivity, VolunteerActivity.volunteer_id == pv.c.vid)
        .group_by(pv.c.k)
    )
    stmt, key = keyed(base(covering))
    key_col = (key if key is not None else literal(0)).label("k")
    orgs = stmt.with_only_columns(key_col, R.organisation_id.label("oid")).distinct().subquery()
    org_counts = {
        fix_key(k) if key is not None else None: n for k, n in session.execute(select(orgs.c.k, func.count()).group_by(orgs.c.k))
    }
    out: dict[str, dict] = defaultdict(dict)
    totals: dict = {}
    for k, active, young_n, new, hours in session.execute(people):
        k = fix_key(k) if key is not None else None
        young_n, new = int(young_n or 0), int(new or 0)
        out["active_volunteers"][k] = Cell(active, active)
        out["organisations_supported"][k] = Cell(org_counts.get(k, 0), org_counts.get(k, 0))
        out["young_people_16_24"][k] = Cell(young_n, young_n)
        out["new_to_volunteering"][k] = Cell(new, new)
        totals[k] = Decimal(str(hours or 0))
        out["approved_hours"][k] = Cell(totals[k].quantize(Decimal("0.01")), active)

    # hours by run of months with the same rates
    segments = rate_segments(period, ctx.rate_breaks)
    pieces: dict = defaultdict(list)
    if time_dim:
        # a bucket lies in one run unless a rate changes inside it (a year with an April change)
        crossed = {bucket_key(b, time_dim) for b in ctx.rate_breaks if bucket_start(b, time_dim) != b}
        for key, hours in totals.items():
            if key not in crossed:
                bstart = bucket_first_day(key, time_dim)
                pieces[key].append(("run", max(bstart, period.start), hours))
        if crossed:
            split = [
                p
                for p in decompose(period.start, period.end, ctx.rate_breaks, coarsest=time_dim)
                if bucket_key(p[1], time_dim) in crossed
            ]
            by_run: dict = defaultdict(lambda: defaultdict(Decimal))
            for key, kind, start, hours in _piece_hours(session, base(split), R, kind_key=time_dim):
                by_run[key][segment_of(start, segments)] += Decimal(str(hours or 0))
            for key, runs in by_run.items():
                pieces[key].extend(("run", s, h) for s, h in sorted(runs.items()))
        return out, pieces
    if len(segments) == 1:
        for key, hours in totals.items():
            pieces[key].append(("run", segments[0][0], hours))
        return out, pieces
    longest = max(segments, key=lambda seg: (seg[1] - seg[0]).days)
    others = [seg for seg in segments if seg is not longest]
    split = [p for seg in others for p in decompose(seg[0], seg[1])]
    partial: dict = defaultdict(lambda: defaultdict(Decimal))
    for key, _kind, start, hours in _run(
        session, base(split), dim, cols, period.end, [func.sum(R.hours)], extra=[R.period_kind, R.period_start]
    ):
        partial[key][segment_of(start, segments)] += Decimal(str(hours or 0))
    for key, total in totals.items():
        runs = partial.get(key, {})
        for seg in others:
            pieces[key].append(("run", seg[0], runs.get(seg[0], Decimal(0))))
        pieces[key].append(("run", longest[0], total - sum(runs.values(), Decimal(0))))
    return out, pieces


def _piece_hours(session: Session, stmt, R, kind_key: str):
    stmt = stmt.with_only_columns(R.period_kind, R.period_start, func.sum(R.hours)).group_by(R.period_kind, R.period_start)
    for kind, start, hours in session.execute(stmt):
        yield bucket_key(start, kind_key), kind, start, hours


def registration_facts(session: Session, ctx: Context, period: Period, dim: str | None):
    cols = Cols(district=Volunteer.district_gss, volunteer=Volunteer.id, volunteer_joined=True, day=Volunteer.registered_on)
    base = select(Volunteer.id).where(
        Volunteer.registered_on >= period.start,
        Volunteer.registered_on <= period.end,
        Volunteer.merged_into_id.is_(None),
        _in_scope(Volunteer.district_gss, ctx),
    )
    out: dict[str, dict] = defaultdict(dict)
    for key, n in _run(session, base, dim, cols, period.end, [func.count()]):
        out["registrations"][key] = Cell(n, n)
    return out


def _needs_volunteer(ctx: Context, dim: str | None) -> bool:
    """Join the volunteer only when the scope or the breakdown needs their district or details."""
    return ctx.districts is not None or dim in ("district", "centre", "age_band", *DEMOGRAPHIC_DIMENSIONS)


def days_between(ctx: Context, later, earlier_ts):
    if ctx.dialect == "postgresql":
        return later - cast(earlier_ts, Date)
    return cast(func.julianday(later) - func.julianday(func.date(earlier_ts)), Integer)


def median(histogram: list[tuple[int, int]]) -> float | None:
    n = sum(c for _, c in histogram)
    if n == 0:
        return None
    ordered = sorted(histogram)

    def nth(i: int) -> int:
        seen = 0
        for v, c in ordered:
            seen += c
            if i < seen:
                return v
        raise IndexError(i)

    if n % 2:
        return float(nth(n // 2))
    return (nth(n // 2 - 1) + nth(n // 2)) / 2


def referral_facts(session: Session, ctx: Context, period: Period, dim: str | None):
    cols = Cols(
        district=Volunteer.district_gss,
        volunteer=Volunteer.id,
        organisation=Role.organisation_id,
        role=Referral.role_id,
        volunteer_joined=True,
        day=Referral.created_at,
    )
    days = days_between(ctx, Placement.started_on, Referral.created_at).label("days")
    base = select(Referral.id).select_from(Referral)
    if _needs_volunteer(ctx, dim):
        base = base.join(Volunteer, Volunteer.id == Referral.volunteer_id)
    if dim == "organisation":
        base = base.join(Role, Role.id == Referral.role_id)
    base = base.outerjoin(Placement, Placement.referral_id == Referral.id).where(
        Referral.created_at >= start_of_day(period.start),
        Referral.created_at < start_of_day(period.end + timedelta(days=1)),
        _in_scope(Volunteer.district_gss, ctx),
    )
    hist: dict = defaultdict(list)
    counts: dict = defaultdict(int)
    for key, d, n in _run(session, base, dim, cols, period.end, [func.count()], extra=[days]):
        counts[key] += n
        if d is not None:
            hist[key].append((int(d), n))
    out: dict[str, dict] = defaultdict(dict)
    for key, n in counts.items():
        starts = sum(c for _, c in hist[key])
        out["referrals"][key] = Cell(n, n)
        out["conversion_rate"][key] = Cell(round(100 * starts / n, 1) if n else None, n)
        out["median_days_to_start"][key] = Cell(median(hist[key]), starts)
    return out


def placement_facts(session: Session, ctx: Context, period: Period, dim: str | None):
    cols = Cols(
        district=Volunteer.district_gss,
        volunteer=Volunteer.id,
        organisation=Placement.organisation_id,
        role=Placement.role_id,
        volunteer_joined=True,
        day=Placement.started_on,
    )
    base = select(Placement.id).select_from(Placement)
    if _needs_volunteer(ctx, dim):
        base = base.join(Volunteer, Volunteer.id == Placement.volunteer_id)
    base = base.outerjoin(PlacementActivity, PlacementActivity.placement_id == Placement.id).where(
        Placement.started_on >= period.start, Placement.started_on <= period.end, _in_scope(Volunteer.district_gss, ctx)
    )
    measures: list[Any] = [func.count()]
    for n in (3, 6, 12):
        eligible = Placement.started_on <= add_months(ctx.as_of, -n)
        retained = getattr(PlacementActivity, f"retained_{n}m")
        measures.append(func.sum(case((eligible, 1), else_=0)))
        measures.append(func.sum(case((and_(eligible, retained.is_(True)), 1), else_=0)))
    out: dict[str, dict] = defaultdict(dict)
    for key, n, e3, r3, e6, r6, e12, r12 in _run(session, base, dim, cols, period.end, measures):
        out["placements"][key] = Cell(n, n)
        for months, e, r in ((3, e3, r3), (6, e6, r6), (12, e12, r12)):
            e, r = int(e or 0), int(r or 0)
            out[f"retention_{months}m"][key] = Cell(round(100 * r / e, 1) if e else None, e)
    return out


def role_facts(session: Session, ctx: Context, period: Period, dim: str | None):
    out: dict[str, dict] = defaultdict(dict)
    cols = Cols(district=Role.district_gss, organisation=Role.organisation_id, role=Role.id, day=Role.published_at)
    listed = select(Role.id).where(
        Role.published_at >= start_of_day(period.start),
        Role.published_at < start_of_day(period.end + timedelta(days=1)),
        _in_scope(Role.district_gss, ctx),
    )
    for key, n in _run(session, listed, dim, cols, period.end, [func.count()]):
        out["roles_listed"][key] = Cell(n, n)
    filled = (
        select(Placement.id)
        .select_from(Placement)
        .join(Role, Role.id == Placement.role_id)
        .where(Placement.started_on >= period.start, Placement.started_on <= period.end, _in_scope(Role.district_gss, ctx))
    )
    cols = Cols(district=Role.district_gss, organisation=Role.organisation_id, role=Role.id, day=Placement.started_on)
    for key, n in _run(session, filled, dim, cols, period.end, [func.count(Placement.role_id.distinct())]):
        out["roles_filled"][key] = Cell(n, n)
    return out


def compute(session: Session, ctx: Context, period: Period, dim: str | None):
    """Every metric for one period and (at most) one non-time dimension: ({metric: {key: Cell}}, hours pieces)."""
    cells: dict[str, dict] = defaultdict(dict)
    pieces: dict = {}
    for fn in (hours_facts, registration_facts, referral_facts, placement_facts, role_facts):
        try:
            result = fn(session, ctx, period, dim)
        except NotApplicable:
            continue
        if fn is hours_facts:
            result, pieces = result
        for metric, by_key in result.items():
            if dim is None or dim in METRIC_BY_ID[metric].dimensions:
                cells[metric].update(by_key)
    return cells, pieces
