"""The fast path of a report: every metric for the whole period and for its county-shaped breakdowns
(district, centre, month, quarter, year) from one pass per family of facts.

* Hours facts read the small rollups: ``volunteer_years`` (distinct active, new and young volunteers:
  one row per volunteer and year, a bit per month), ``organisation_years`` (organisations supported)
  and ``district_month_hours`` (hours by month and district, valued month by month at the rate in force).
* Registrations, referrals, placements and roles are counted once by (district, month) — with the days
  to start for referrals — and added up in Python for the total, each district, each centre (the
  districts it covers) and each time bucket. Distinct roles filled are counted per bucket in one query.

The figures are exactly those of ``facts.compute`` (which still serves the other breakdowns), bucket
semantics included: for a time breakdown whose buckets are whole months, quarters or years, "young" is
measured on the last day of the report's period and "new" from its first day (as the grouped queries
did); for buckets cut by the period, on the bucket's own first and last days.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import Date, DateTime, Integer, and_, case, cast, func, literal, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from brokerage.models import CentreDistrict, Role, Volunteer
from brokerage.models.reporting import DistrictCount, DistrictMonthHours, OrganisationYear, RoleYear, VolunteerYear
from brokerage.reports import counts, definitions, facts, periods
from brokerage.reports.rollups import period_start_expr

CUBE_DIMS = ("district", "centre", "month", "quarter", "year")
NO_DISTRICT = ""  # how the rollup tables spell an unknown district


_POOL: ThreadPoolExecutor | None = None
PARALLEL = 2  # connections a report may use at once on PostgreSQL
SLOWEST = ("referrals", "placements", "people", "roles_filled")  # started first


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="report")
    return _POOL


def _can_share_snapshot(session: Session) -> bool:
    """On PostgreSQL, when this transaction has written nothing (so other connections see all it sees),
    the report's queries can run side by side on connections that import its snapshot."""
    if PARALLEL < 2 or session.get_bind().dialect.name != "postgresql":
        return False
    if session.connection().in_nested_transaction():  # a snapshot cannot be exported from a savepoint
        return False
    return bool(session.execute(text("SELECT pg_current_xact_id_if_assigned() IS NULL")).scalar())


def run_all(session: Session, statements: dict) -> dict:
    """{name: rows} for independent read-only statements: in parallel on PostgreSQL, on connections that
    share this transaction's snapshot (so every figure is read as of the same moment); else one by one."""
    if not _can_share_snapshot(session):
        return {name: session.execute(stmt).all() for name, stmt in statements.items()}
    snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar()
    engine = session.get_bind().engine

    def run(stmt):
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            conn.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
            conn.execute(text("SET LOCAL work_mem = '64MB'"))
            conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
            return conn.execute(stmt).all()

    slow_first = sorted(statements, key=lambda name: SLOWEST.index(name) if name in SLOWEST else len(SLOWEST))
    futures = {name: _pool().submit(run, statements[name]) for name in slow_first}
    return {name: f.result() for name, f in futures.items()}


@dataclass(frozen=True)
class Bucket:
    key: str | None  # None: the whole period
    start: date
    end: date
    new_from: date  # "new to volunteering": first approved day on or after this
    age_on: date  # "young people": aged 16-24 on this day

    def months(self) -> list[date]:
        out, cur = [], self.start
        while cur <= self.end:
            out.append(cur)
            cur = periods.add_months(cur, 1)
        return out


def time_buckets(period: periods.Period, dim: str) -> tuple[list[Bucket], bool]:
    """The buckets of a time breakdown and whether they are whole (not cut by the period)."""
    subs = periods.time_buckets(period, dim)
    length = {"month": 1, "quarter": 3, "year": 12}[dim]
    whole = all(
        sub.start == periods.bucket_start(sub.start, dim) and periods.add_months(sub.start, length) - timedelta(days=1) == sub.end
        for _, _, sub in subs
    )
    if whole:
        return [Bucket(key, sub.start, sub.end, period.start, period.end) for key, _, sub in subs], True
    return [Bucket(key, sub.start, sub.end, sub.start, sub.end) for key, _, sub in subs], False


def _month_key(m) -> date:
    """A month as the database gives it (a date, a timestamp, or text on SQLite) as a date."""
    if isinstance(m, str):
        return date.fromisoformat(m[:10])
    if isinstance(m, datetime):
        return m.date()
    return m


def _district_key(d):
    return None if d in (None, NO_DISTRICT) else d


def _in_scope(col, ctx: facts.Context):
    return True if ctx.districts is None else col.in_(sorted(ctx.districts))


@dataclass(frozen=True)
class _Breakdown:
    """One breakdown being assembled: its dimension and the buckets (index, bucket) it adds up."""

    dim: str | None
    buckets: list[tuple[int, Bucket]]
    time_dim: bool

    def key(self, k, b: Bucket):
        """Where a figure of breakdown key ``k`` in bucket ``b`` goes."""
        return b.key if self.time_dim else k

    @cached_property
    def bucket_of_key(self) -> dict:
        return {self.key(None, b): b for _, b in self.buckets}


class Cube:
    """Every metric for a period and its cube-shaped breakdowns; ``result(dim)`` gives what
    ``facts.compute(session, ctx, period, dim)`` gives (for dim None, "district", "centre") or what the
    service assembled bucket by bucket (time dimensions)."""

    def __init__(self, session: Session, ctx: facts.Context, period: periods.Period, dims: list[str]):
        self.session, self.ctx, self.period = session, ctx, period
        self.dims = [d for d in dict.fromkeys(dims) if d in CUBE_DIMS]
        self.by_district = ctx.districts is not None or any(d in ("district", "centre") for d in self.dims)
        self.buckets = [Bucket(None, period.start, period.end, period.start, period.end)]
        self.time: dict[str, list[Bucket]] = {}
        self.whole: dict[str, bool] = {}
        self.first: dict[str, int] = {}  # where a time dimension's buckets start in self.buckets
        for dim in self.dims:
            if dim in definitions.TIME_DIMENSIONS:
                self.time[dim], self.whole[dim] = time_buckets(period, dim)
                self.first[dim] = len(self.buckets)
                self.buckets.extend(self.time[dim])
        self.centres: dict = defaultdict(set)  # district -> centre ids covering it
        if "centre" in self.dims:
            for centre_id, district in session.execute(select(CentreDistrict.centre_id, CentreDistrict.district_gss)):
                self.centres[district].add(centre_id)
        self._compute()

    # -- queries --------------------------------------------------------------------------------------
    def _bucket_active(self, months_col, year_col, b: Bucket):
        """SQL: the row (a year and its month bits) has a month in the bucket."""
        by_year: dict[int, int] = defaultdict(int)
        for m in b.months():
            by_year[m.year] |= 1 << (m.month - 1)
        if year_col is None:  # the rows are of one year already
            (mask,) = by_year.values()
            return months_col.op("&")(mask) != 0
        return or_(*[and_(year_col == y, months_col.op("&")(mask) != 0) for y, mask in sorted(by_year.items())])

    def _years(self) -> list[int]:
        return list(range(self.period.start.year, self.period.end.year + 1))

    def _people(self):
        """{district: [(active, young, new) per bucket]} from volunteer_years.

        Each row gets 0/1 flags once (active in each bucket, young on each reference day, new from each
        start day) behind an OFFSET 0 fence, so the sums multiply small integers rather than re-evaluate
        conditions."""
        VY = VolunteerYear
        years = self._years()
        age_days = sorted({b.age_on for b in self.buckets})
        new_days = sorted({b.new_from for b in self.buckets})
        lo = min(periods.years_before(d, 25) for d in age_days)
        hi = max(periods.years_before(d, 16) for d in age_days)
        people = (
            select(Volunteer.id, Volunteer.date_of_birth)
            .where(Volunteer.date_of_birth > lo, Volunteer.date_of_birth <= hi)
            .subquery("young")
        )
        if len(years) == 1:
            rows = (
                select(
                    VY.volunteer_id.label("vid"),
                    VY.district_gss.label("d"),
                    VY.first_worked_on.label("fw"),
                    *[
                        case((self._bucket_active(VY.months, None, b), 1), else_=0).label(f"a{i}")
                        for i, b in enumerate(self.buckets)
                    ],
                )
                .where(VY.year == years[0], _in_scope(VY.district_gss, self.ctx))
                .subquery("vy")
            )
        else:  # a volunteer has a row per year: one row per volunteer first
            rows = (
                select(
                    VY.volunteer_id.label("vid"),
                    func.max(VY.district_gss).label("d"),
                    func.min(VY.first_worked_on).label("fw"),
                    *[
                        func.max(case((self._bucket_active(VY.months, VY.year, b), 1), else_=0)).label(f"a{i}")
                        for i, b in enumerate(self.buckets)
                    ],
                )
                .where(VY.year.in_(years), _in_scope(VY.district_gss, self.ctx))
                .group_by(VY.volunteer_id)
                .subquery("vy")
            )
        flags = (
            select(
                rows.c.d,
                *[rows.c[f"a{i}"] for i in range(len(self.buckets))],
                *[
                    case(
                        (
                            and_(
                                people.c.date_of_birth > periods.years_before(d, 25),
                                people.c.date_of_birth <= periods.years_before(d, 16),
                            ),
                            1,
                        ),
                        else_=0,
                    ).label(f"y{j}")
                    for j, d in enumerate(age_days)
                ],
                *[case((rows.c.fw >= d, 1), else_=0).label(f"n{j}") for j, d in enumerate(new_days)],
            )
            .select_from(rows)
            .outerjoin(people, people.c.id == rows.c.vid)
            .offset(0)
            .subquery("f")
        )
        cols = []
        for i, b in enumerate(self.buckets):
            a, y, n = flags.c[f"a{i}"], flags.c[f"y{age_days.index(b.age_on)}"], flags.c[f"n{new_days.index(b.new_from)}"]
            cols += [func.sum(a), func.sum(a * y), func.sum(a * n)]
        count = len(self.buckets)

        def post(rows):
            out = {}
            for row in rows:
                vals = [int(v or 0) for v in row[1:]]
                out[row[0]] = [tuple(vals[3 * i : 3 * i + 3]) for i in range(count)]
            return out

        return select(flags.c.d, *cols).group_by(flags.c.d), post

    def _organisations(self, key: str | None):
        """{key: [distinct organisations per bucket]}; key None, "district" or "centre"."""
        OY = OrganisationYear
        years = self._years()
        actives = [
            func.max(case((self._bucket_active(OY.months, OY.year, b), 1), else_=0)).label(f"a{i}")
            for i, b in enumerate(self.buckets)
        ]
        stmt = select(OY.organisation_id).where(OY.year.in_(years), _in_scope(OY.district_gss, self.ctx))
        k: InstrumentedAttribute[str] | InstrumentedAttribute[int] | BindParameter[int]
        if key == "district":
            k = OY.district_gss
        elif key == "centre":
            stmt = stmt.join(CentreDistrict, CentreDistrict.district_gss == OY.district_gss)
            k = CentreDistrict.centre_id
        else:
            k = literal(0)
        inner = stmt.with_only_columns(k.label("k"), OY.organisation_id, *actives).group_by(k, OY.organisation_id).subquery("o")
        outer = select(inner.c.k, *[func.sum(inner.c[f"a{i}"]) for i in range(len(self.buckets))]).group_by(inner.c.k)
        return outer, lambda rows: {
            (None if key is None else (_district_key(k_) if key == "district" else k_)): [int(v or 0) for v in row]
            for k_, *row in rows
        }

    def _hours(self):
        """{(district, month): hours}."""
        T = DistrictMonthHours
        stmt = select(T.district_gss, T.month, T.hours).where(
            T.month >= self.period.start, T.month <= self.period.end, _in_scope(T.district_gss, self.ctx)
        )
        return stmt, lambda rows: {(_district_key(d), _month_key(m)): Decimal(str(h)) for d, m, h in rows}

    def _grouped(self, base, district_col, day_col, measures, extra=()):
        """Rows (district, month, *extra, *measures) of a statement grouped by district and month."""
        month = self._month_of(day_col)
        d = district_col if self.by_district else literal(None)
        keys = [month, *extra] + ([district_col] if self.by_district else [])
        stmt = base.with_only_columns(d, month, *extra, *measures).group_by(*keys)
        return stmt, lambda rows: [(r[0], _month_key(r[1]), *r[2:]) for r in rows]

    def _counted(self, stmt, days: bool = False):
        """Rows (district, month, *measures) — with the days to start after the month for referrals —
        of a statement over ``district_counts``, the unknown district as None."""

        def post(rows):
            if days:
                return [
                    (_district_key(r[0]), _month_key(r[1]), None if r[2] == counts.NOT_STARTED else r[2], *r[3:]) for r in rows
                ]
            return [(_district_key(r[0]), _month_key(r[1]), *r[2:]) for r in rows]

        return stmt, post

    def _month_of(self, col):
        """The first day of the month of a date or timestamp column."""
        if self.ctx.dialect == "postgresql" and isinstance(col.type, Date) and not isinstance(col.type, DateTime):
            return col - (cast(func.extract("day", col), Integer) - 1)  # date arithmetic: no time zones involved
        return period_start_expr(self.ctx.dialect, "month", col)

    def _compute(self) -> None:
        ctx, period = self.ctx, self.period
        dt = periods.start_of_day
        work: dict = {"people": self._people(), "orgs:": self._organisations(None), "hours": self._hours()}
        for dim in ("district", "centre"):
            if dim in self.dims:
                work[f"orgs:{dim}"] = self._organisations(dim)

        C = DistrictCount
        in_period = [C.day >= period.start, C.day <= period.end, _in_scope(C.district_gss, ctx)]
        month = self._month_of(C.day)
        work["registrations"] = self._counted(
            select(C.district_gss, C.day, func.sum(C.n))
            .where(C.kind == "registration", *in_period)
            .group_by(C.district_gss, C.day)
        )
        work["referrals"] = self._counted(
            select(C.district_gss, C.day, C.days_to_start, func.sum(C.n))
            .where(C.kind == "referral", *in_period)
            .group_by(C.district_gss, C.day, C.days_to_start),
            days=True,
        )
        # a placement started on day d is eligible for n-month retention when d <= as_of - n months
        measures: list[ColumnElement[Any]] = [func.sum(C.n)]
        for n in (3, 6, 12):
            eligible = C.day <= periods.add_months(ctx.as_of, -n)
            measures += [
                func.sum(case((eligible, C.n), else_=0)),
                func.sum(case((eligible, getattr(C, f"retained_{n}m")), else_=0)),
            ]
        work["placements"] = self._counted(
            select(C.district_gss, month, *measures).where(C.kind == "placement", *in_period).group_by(C.district_gss, month)
        )

        listed = select(Role.id).where(
            Role.published_at >= dt(period.start),
            Role.published_at < dt(period.end + timedelta(days=1)),
            _in_scope(Role.district_gss, ctx),
        )
        work["roles_listed"] = self._grouped(listed, Role.district_gss, Role.published_at, [func.count()])

        # distinct roles filled per bucket, from one row per role and year (a role is in one district)
        RY = RoleYear
        started = [
            func.max(case((self._bucket_active(RY.months, RY.year, b), 1), else_=0)).label(f"a{i}")
            for i, b in enumerate(self.buckets)
        ]
        inner = (
            select(func.min(RY.district_gss).label("d"), RY.role_id, *started)
            .where(RY.year.in_(self._years()), _in_scope(RY.district_gss, ctx))
            .group_by(RY.role_id)
            .subquery("rf")
        )
        work["roles_filled"] = (
            select(inner.c.d, *[func.sum(inner.c[f"a{i}"]) for i in range(len(self.buckets))]).group_by(inner.c.d),
            lambda rows: {_district_key(r[0]): [int(v or 0) for v in r[1:]] for r in rows},
        )

        results = run_all(self.session, {name: stmt for name, (stmt, _post) in work.items()})
        done = {name: post(results[name]) for name, (_stmt, post) in work.items()}
        self.people, self.hours = done["people"], done["hours"]
        # Organisations active in each bucket, by the key of each dimension they are counted by.
        self.orgs: dict[str | None, dict[object, list[int]]] = {
            None: done["orgs:"],
            **{dim: done[f"orgs:{dim}"] for dim in ("district", "centre") if f"orgs:{dim}" in done},
        }
        self.registrations, self.referrals, self.placements = done["registrations"], done["referrals"], done["placements"]
        self.roles_listed, self.roles_filled = done["roles_listed"], done["roles_filled"]

    # -- assembly -------------------------------------------------------------------------------------
    def _keys_of(self, dim: str | None, district):
        """The breakdown keys a district's figures add to (None: the total)."""
        if dim is None or dim in definitions.TIME_DIMENSIONS:
            return [None]
        if dim == "district":
            return ["unknown" if district is None else district]
        return sorted(self.centres.get(district, ()))  # centre

    def _bucket_of(self, dim: str | None):
        """[(bucket index, key)] for the buckets of a dimension (the whole period for non-time ones)."""
        if dim in definitions.TIME_DIMENSIONS:
            return [(self.first[dim] + i, b) for i, b in enumerate(self.time[dim])]
        return [(0, self.buckets[0])]

    def result(self, dim: str | None):
        view = _Breakdown(dim, self._bucket_of(dim), dim in definitions.TIME_DIMENSIONS)
        cells: dict[str, dict] = defaultdict(dict)
        pieces = self._volunteer_cells(view, cells)
        self._count_cells(view, cells)
        self._roles_filled_cells(view, cells)
        # A count over the whole period (or over a bucket cut by the period, which is computed as a
        # period of its own) is a figure even when it is nought; in a grouped breakdown a key with no rows
        # has no cell.
        if dim is None or (view.time_dim and not self.whole[dim]):
            self._zero_counts(view, cells)
        if dim is not None:
            cells = {m: by_key for m, by_key in cells.items() if dim in definitions.METRIC_BY_ID[m].dimensions}
        return cells, pieces

    # people and hours: active volunteers, young people, new to volunteering, organisations supported,
    # approved hours and the hours of each run of months with the same rates
    def _people_by_key(self, view: _Breakdown) -> dict:
        people: dict = defaultdict(lambda: [0, 0, 0])
        for district, per_bucket in self.people.items():
            for k in self._keys_of(view.dim, _district_key(district)):
                for i, b in view.buckets:
                    acc = people[view.key(k, b)]
                    for j in range(3):
                        acc[j] += per_bucket[i][j]
        return people

    def _hours_by_key(self, view: _Breakdown) -> dict:
        """key -> month -> hours."""
        hours: dict = defaultdict(lambda: defaultdict(Decimal))
        for (district, month), h in self.hours.items():
            for k in self._keys_of(view.dim, district):
                for _i, b in view.buckets:
                    if b.start <= month <= b.end:
                        hours[view.key(k, b)][month] += h
        return hours

    def _organisations_of(self, view: _Breakdown, key) -> int:
        if view.dim in ("district", "centre"):
            return self.orgs[view.dim].get(None if key == "unknown" else key, [0] * len(self.buckets))[0]
        if key == "unknown":
            return self.orgs[None].get(None, [0] * len(self.buckets))[0]
        idx = next(i for i, b in view.buckets if view.key(None, b) == key)
        return self.orgs[None].get(None, [0] * len(self.buckets))[idx]

    def _hour_pieces(self, view: _Breakdown, segments: list, key, by_month: dict, total: Decimal) -> list:
        """The key's hours by run of months with the same rates (to value them at the rate in force)."""
        b = view.bucket_of_key.get(key, self.buckets[0]) if view.time_dim else self.buckets[0]
        runs = [(s, e) for s, e in segments if s <= b.end and e >= b.start]
        if len(runs) == 1:
            start = periods.bucket_first_day(key, view.dim) if view.time_dim and view.dim else runs[0][0]
            return [("run", max(start, self.period.start), total)]
        return [("run", max(s, b.start), sum((h for m, h in by_month.items() if s <= m <= e), Decimal(0))) for s, e in runs]

    def _volunteer_cells(self, view: _Breakdown, cells: dict) -> dict:
        pieces: dict = {}
        segments = periods.rate_segments(self.period, self.ctx.rate_breaks)
        hours = self._hours_by_key(view)
        for key, (active, young, new) in self._people_by_key(view).items():
            if not active:
                continue
            n_orgs = self._organisations_of(view, key)
            cells["active_volunteers"][key] = definitions.Cell(active, active)
            cells["organisations_supported"][key] = definitions.Cell(n_orgs, n_orgs)
            cells["young_people_16_24"][key] = definitions.Cell(young, young)
            cells["new_to_volunteering"][key] = definitions.Cell(new, new)
            by_month = hours.get(key, {})
            total = sum(by_month.values(), Decimal(0))
            cells["approved_hours"][key] = definitions.Cell(total.quantize(Decimal("0.01")), active)
            pieces[key] = self._hour_pieces(view, segments, key, by_month, total)
        return pieces

    # counts by (district, month): registrations, referrals, placements, roles listed
    def _add_up(self, view: _Breakdown, rows, n_measures: int, extra: int = 0) -> dict:
        """Add rows (district, month, *extra, *measures) up by breakdown key (and extra columns)."""
        # the figures of one district and month first, then each to the keys and buckets it belongs to
        by_cell: dict = defaultdict(lambda: [0] * n_measures)
        for row in rows:
            a = by_cell[(row[0], row[1], tuple(row[2 : 2 + extra]))]
            for j, v in enumerate(row[2 + extra :]):
                a[j] += int(v or 0)
        acc: dict = defaultdict(lambda: defaultdict(lambda: [0] * n_measures))
        targets: dict = {}
        for (district, month, ex), vals in by_cell.items():
            where = targets.get((district, month))
            if where is None:
                where = targets[(district, month)] = [
                    view.key(k, b)
                    for k in self._keys_of(view.dim, district)
                    for _i, b in view.buckets
                    if b.start <= month <= b.end
                ]
            for key in where:
                a = acc[key][ex]
                for j, v in enumerate(vals):
                    a[j] += v
        return acc

    def _count_cells(self, view: _Breakdown, cells: dict) -> None:
        for key, by in self._add_up(view, self.registrations, 1).items():
            n = by[()][0]
            cells["registrations"][key] = definitions.Cell(n, n)
        for key, by in self._add_up(view, self.referrals, 1, extra=1).items():
            n = sum(v[0] for v in by.values())
            hist = [(int(d), v[0]) for (d,), v in by.items() if d is not None]
            starts = sum(c for _, c in hist)
            cells["referrals"][key] = definitions.Cell(n, n)
            cells["conversion_rate"][key] = definitions.Cell(round(100 * starts / n, 1) if n else None, n)
            cells["median_days_to_start"][key] = definitions.Cell(facts.median(hist), starts)
        for key, by in self._add_up(view, self.placements, 7).items():
            n, e3, r3, e6, r6, e12, r12 = by[()]
            cells["placements"][key] = definitions.Cell(n, n)
            for months, e, r in ((3, e3, r3), (6, e6, r6), (12, e12, r12)):
                cells[f"retention_{months}m"][key] = definitions.Cell(round(100 * r / e, 1) if e else None, e)
        for key, by in self._add_up(view, self.roles_listed, 1).items():
            n = by[()][0]
            cells["roles_listed"][key] = definitions.Cell(n, n)

    def _roles_filled_cells(self, view: _Breakdown, cells: dict) -> None:
        filled: dict = defaultdict(int)
        for district, per_bucket in self.roles_filled.items():
            for k in self._keys_of(view.dim, district):
                for i, b in view.buckets:
                    filled[view.key(k, b)] += per_bucket[i]
        for key, n in filled.items():
            if n:
                cells["roles_filled"][key] = definitions.Cell(n, n)

    def _zero_counts(self, view: _Breakdown, cells: dict) -> None:
        for _i, b in view.buckets:
            key = view.key(None, b)
            for metric in ("registrations", "placements", "roles_listed", "roles_filled"):
                cells[metric].setdefault(key, definitions.Cell(0, 0))
            for months in (3, 6, 12):
                cells[f"retention_{months}m"].setdefault(key, definitions.Cell(None, 0))
