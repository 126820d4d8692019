"""Rollups of approved hours, kept up to date by the workers and rebuilt on demand.

* ``hours_rollups``: approved hours per placement × calendar month, quarter and year (so per
  volunteer × district × month, with the organisation and role alongside). Distinct active
  volunteers for any run of whole months are counted over a handful of these rows, never raw hours.
* ``placement_activity``: first and last approved day per placement (retention).
* ``volunteer_activity``: first approved day per volunteer (new to volunteering).
* ``volunteer_years``: per volunteer × calendar year, a bit per month with approved hours, their district and
  first approved day: distinct active, new and young volunteers for any run of months are plain counts.
* ``organisation_years``: per organisation × calendar year × volunteers' district, the same month bits
  (organisations supported).
* ``district_month_hours``: approved hours per calendar month × district (hours and their value), kept by
  adding the difference each refresh makes, so concurrent refreshes cannot lose an update.

Every refresh recomputes its rows from the approved hours (delete, then insert), so running it twice
gives the same result: the actors that call it are idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from decimal import Decimal

from sqlalchemy import Date, Integer, and_, case, cast, delete, func, insert, literal, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from brokerage.models import HoursEntry, HoursRollup, Organisation, Placement, PlacementActivity, Volunteer, VolunteerActivity
from brokerage.models.reporting import DistrictMonthHours, OrganisationYear, VolunteerYear
from brokerage.reports import counts

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


def year_expr(dialect: str, col) -> ColumnElement:
    if dialect == "postgresql":
        return cast(func.extract("year", col), Integer)
    return cast(func.strftime("%Y", col), Integer)


def month_bit_expr(dialect: str, col) -> ColumnElement:
    """1 << (month - 1): the bit of ``col``'s calendar month in a ``months`` mask."""
    month = cast(func.extract("month", col), Integer) if dialect == "postgresql" else cast(func.strftime("%m", col), Integer)
    return literal(1).op("<<")(month - 1)


def add_months_expr(dialect: str, col, months: int) -> ColumnElement:
    if dialect == "postgresql":
        return cast(col + func.make_interval(0, months), Date)
    return func.date(col, f"+{months} months")


# -- refresh -----------------------------------------------------------------------------------------
# Which placements a refresh covers, as a condition on a column holding placement ids.
PlacementFilter = Callable[[InstrumentedAttribute[int]], ColumnElement[bool]]


def _ids_between(lo: int, hi: int) -> PlacementFilter:
    return lambda col: and_(col >= lo, col <= hi)


def _refresh(
    session: Session,
    placement_filter: PlacementFilter,
    volunteer_ids: Iterable[int] | None,
    organisation_ids: Iterable[int] = (),
    *,
    track_hours: bool = True,
) -> None:
    """Recompute every rollup row for the placements the filter selects, then the volunteer and
    organisation rows built on them. ``track_hours=False`` (full rebuilds) leaves ``district_month_hours``
    to be recomputed at the end."""
    dialect = session.get_bind().dialect.name
    old_hours = _district_hours(session, placement_filter) if track_hours else {}
    session.execute(delete(HoursRollup).where(placement_filter(HoursRollup.placement_id)))
    session.execute(delete(PlacementActivity).where(placement_filter(PlacementActivity.placement_id)))

    month = period_start_expr(dialect, "month", HoursEntry.worked_on).label("period_start")
    monthly = (
        select(
            literal("month").label("period_kind"),
            month,
            Placement.id,
            Placement.volunteer_id,
            Placement.organisation_id,
            Placement.role_id,
            Volunteer.district_gss,
            func.sum(HoursEntry.hours),
            func.count(),
        )
        .select_from(HoursEntry)
        .join(Placement, Placement.id == HoursEntry.placement_id)
        .join(Volunteer, Volunteer.id == Placement.volunteer_id)
        .where(HoursEntry.status == "approved", placement_filter(HoursEntry.placement_id))
        .group_by(
            month, Placement.id, Placement.volunteer_id, Placement.organisation_id, Placement.role_id, Volunteer.district_gss
        )
    )
    columns = [
        "period_kind",
        "period_start",
        "placement_id",
        "volunteer_id",
        "organisation_id",
        "role_id",
        "district_gss",
        "hours",
        "entries",
    ]
    session.execute(insert(HoursRollup).from_select(columns, monthly))
    for kind in ("quarter", "year"):
        start = period_start_expr(dialect, kind, HoursRollup.period_start)
        coarser = (
            select(
                literal(kind),
                start,
                HoursRollup.placement_id,
                HoursRollup.volunteer_id,
                HoursRollup.organisation_id,
                HoursRollup.role_id,
                HoursRollup.district_gss,
                func.sum(HoursRollup.hours),
                func.sum(HoursRollup.entries),
            )
            .where(HoursRollup.period_kind == "month", placement_filter(HoursRollup.placement_id))
            .group_by(
                start,
                HoursRollup.placement_id,
                HoursRollup.volunteer_id,
                HoursRollup.organisation_id,
                HoursRollup.role_id,
                HoursRollup.district_gss,
            )
        )
        session.execute(insert(HoursRollup).from_select(columns, coarser))

    last = func.max(HoursEntry.worked_on)
    activity = (
        select(
            Placement.id,
            Placement.volunteer_id,
            Placement.started_on,
            func.min(HoursEntry.worked_on),
            last,
            func.sum(HoursEntry.hours),
            *[case((last >= add_months_expr(dialect, Placement.started_on, n), True), else_=False) for n in RETENTION_MONTHS],
        )
        .select_from(HoursEntry)
        .join(Placement, Placement.id == HoursEntry.placement_id)
        .where(HoursEntry.status == "approved", placement_filter(HoursEntry.placement_id))
        .group_by(Placement.id, Placement.volunteer_id, Placement.started_on)
    )
    session.execute(
        insert(PlacementActivity).from_select(
            [
                "placement_id",
                "volunteer_id",
                "started_on",
                "first_worked_on",
                "last_worked_on",
                "hours",
                "retained_3m",
                "retained_6m",
                "retained_12m",
            ],
            activity,
        )
    )
    if track_hours:
        new_hours = _district_hours(session, placement_filter)
        delta = {
            k: (
                new_hours.get(k, (Decimal(0), 0))[0] - old_hours.get(k, (Decimal(0), 0))[0],
                new_hours.get(k, (Decimal(0), 0))[1] - old_hours.get(k, (Decimal(0), 0))[1],
            )
            for k in set(old_hours) | set(new_hours)
        }
        _add_district_hours(session, {k: v for k, v in delta.items() if v != (0, 0)})

    if volunteer_ids is None:
        session.execute(delete(VolunteerActivity))
        vol_filter = None
    else:
        ids = sorted(set(volunteer_ids))
        if not ids:
            return
        session.execute(delete(VolunteerActivity).where(VolunteerActivity.volunteer_id.in_(ids)))
        vol_filter = PlacementActivity.volunteer_id.in_(ids)
    firsts = select(PlacementActivity.volunteer_id, func.min(PlacementActivity.first_worked_on)).group_by(
        PlacementActivity.volunteer_id
    )
    if vol_filter is not None:
        firsts = firsts.where(vol_filter)
    session.execute(insert(VolunteerActivity).from_select(["volunteer_id", "first_worked_on"], firsts))
    refresh_volunteer_years(session, None if volunteer_ids is None else ids)
    refresh_organisation_years(session, organisation_ids)


def _district_hours(session: Session, placement_filter: PlacementFilter) -> dict:
    """{(month, district or ''): (hours, rows)} of the monthly rollup rows of the selected placements."""
    R = HoursRollup
    district = func.coalesce(R.district_gss, "")
    rows = session.execute(
        select(R.period_start, district, func.sum(R.hours), func.count())
        .where(R.period_kind == "month", placement_filter(R.placement_id))
        .group_by(R.period_start, district)
    )
    return {(_as_date(m), d): (Decimal(str(h)), int(n)) for m, d, h, n in rows}


def _as_date(d):
    from datetime import date

    return date.fromisoformat(d[:10]) if isinstance(d, str) else d


def _add_district_hours(session: Session, delta: dict) -> None:
    """Add (hours, rows) differences to ``district_month_hours`` in one statement, in key order (so
    concurrent refreshes lock rows in the same order), and drop rows nothing stands behind any more."""
    if not delta:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        # The two dialects' inserts are different classes with the same upsert methods.
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    T = DistrictMonthHours
    stmt = upsert(T).values(
        [{"month": m, "district_gss": d, "hours": h, "rollup_rows": n} for (m, d), (h, n) in sorted(delta.items())]
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[T.month, T.district_gss],
        set_={"hours": T.hours + stmt.excluded.hours, "rollup_rows": T.rollup_rows + stmt.excluded.rollup_rows},
    )
    session.execute(stmt)
    session.execute(delete(T).where(T.rollup_rows <= 0, T.month.in_(sorted({m for m, _ in delta}))))


def rebuild_district_hours(session: Session) -> None:
    R = HoursRollup
    district = func.coalesce(R.district_gss, "")
    session.execute(delete(DistrictMonthHours))
    session.execute(
        insert(DistrictMonthHours).from_select(
            ["month", "district_gss", "hours", "rollup_rows"],
            select(R.period_start, district, func.sum(R.hours), func.count())
            .where(R.period_kind == "month")
            .group_by(R.period_start, district),
        )
    )


def refresh_volunteer_years(session: Session, volunteer_ids: Iterable[int] | None) -> None:
    """Recompute ``volunteer_years`` for these volunteers (None: everyone) from the monthly rollups."""
    dialect = session.get_bind().dialect.name
    R = HoursRollup
    year = year_expr(dialect, R.period_start)
    stmt = (
        select(
            year,
            R.volunteer_id,
            Volunteer.district_gss,
            func.sum(month_bit_expr(dialect, R.period_start).distinct()),
            VolunteerActivity.first_worked_on,
            func.sum(R.hours),
        )
        .select_from(R)
        .join(Volunteer, Volunteer.id == R.volunteer_id)
        .join(VolunteerActivity, VolunteerActivity.volunteer_id == R.volunteer_id)
        .where(R.period_kind == "month")
        .group_by(year, R.volunteer_id, Volunteer.district_gss, VolunteerActivity.first_worked_on)
    )
    if volunteer_ids is None:
        session.execute(delete(VolunteerYear))
    else:
        ids = sorted(set(volunteer_ids))
        if not ids:
            return
        session.execute(delete(VolunteerYear).where(VolunteerYear.volunteer_id.in_(ids)))
        stmt = stmt.where(R.volunteer_id.in_(ids))
    session.execute(
        insert(VolunteerYear).from_select(["year", "volunteer_id", "district_gss", "months", "first_worked_on", "hours"], stmt)
    )


def refresh_organisation_years(session: Session, organisation_ids: Iterable[int] | None) -> None:
    """Recompute ``organisation_years`` for these organisations (None: all) from the monthly rollups."""
    dialect = session.get_bind().dialect.name
    R = HoursRollup
    year = year_expr(dialect, R.period_start)
    district = func.coalesce(R.district_gss, "")
    stmt = (
        select(year, R.organisation_id, district, func.sum(month_bit_expr(dialect, R.period_start).distinct()))
        .where(R.period_kind == "month")
        .group_by(year, R.organisation_id, district)
    )
    if organisation_ids is None:
        session.execute(delete(OrganisationYear))
    else:
        ids = sorted(set(organisation_ids))
        if not ids:
            return
        session.execute(delete(OrganisationYear).where(OrganisationYear.organisation_id.in_(ids)))
        stmt = stmt.where(R.organisation_id.in_(ids))
    session.execute(insert(OrganisationYear).from_select(["year", "organisation_id", "district_gss", "months"], stmt))


def refresh_placement(session: Session, placement_id: int) -> bool:
    """Recompute the rollups of one placement (after hours are approved, queried or corrected)."""
    placement = session.execute(select(Placement).where(Placement.id == placement_id).with_for_update()).scalar_one_or_none()
    if placement is None:
        return False
    # The volunteer and organisation the placement's rollups belonged to (they differ after a merge of
    # duplicate volunteers) and belong to now; one refresh at a time for each, as their yearly rows are
    # recomputed whole.
    before = session.execute(
        select(HoursRollup.volunteer_id, HoursRollup.organisation_id).where(HoursRollup.placement_id == placement_id).distinct()
    ).all()
    volunteer_ids = sorted({placement.volunteer_id, *(v for v, _ in before)})
    organisation_ids = sorted({placement.organisation_id, *(o for _, o in before)})
    session.execute(
        select(Volunteer.id).where(Volunteer.id.in_(volunteer_ids)).order_by(Volunteer.id).with_for_update(key_share=True)
    )
    session.execute(
        select(Organisation.id)
        .where(Organisation.id.in_(organisation_ids))
        .order_by(Organisation.id)
        .with_for_update(key_share=True)
    )
    _refresh(session, lambda col: col == placement_id, volunteer_ids, organisation_ids)
    counts.refresh_placement_counts(session, placement_id)  # its retention follows its hours
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


# The full rebuild on PostgreSQL, set-based and in one transaction: the rollup tables are emptied and
# their keys, indexes and foreign keys dropped, one pass over the approved hours fills a temporary table
# of (placement, month) sums with the placement's volunteer, organisation, role and the volunteer's
# district alongside, every rollup is one INSERT … SELECT … GROUP BY over that (a few million rows at
# county scale, not ten million), and the keys, indexes and foreign keys are built again at the end.
# TRUNCATE holds the tables' exclusive lock until the commit: readers and refreshes wait for the
# rebuild and then see it whole, never half built.
ROLLUP_TABLES = (
    "hours_rollups",
    "placement_activity",
    "volunteer_activity",
    "volunteer_years",
    "organisation_years",
    "district_month_hours",
)
_MONTH_OF = "{col} - (CAST(extract(day FROM {col}) AS integer) - 1)"  # date arithmetic: no time zone involved
_REBUILD_POSTGRESQL = (
    f"""CREATE TEMP TABLE rebuild_months ON COMMIT DROP AS
       SELECT s.placement_id, s.period_start, s.hours, s.entries, s.first_worked_on, s.last_worked_on,
              p.volunteer_id, p.organisation_id, p.role_id, p.started_on, v.district_gss
       FROM (SELECT placement_id, {_MONTH_OF.format(col="worked_on")} AS period_start, sum(hours) AS hours,
                    count(*) AS entries, min(worked_on) AS first_worked_on, max(worked_on) AS last_worked_on
             FROM hours_entries WHERE status = 'approved' GROUP BY 1, 2) s
       JOIN placements p ON p.id = s.placement_id JOIN volunteers v ON v.id = p.volunteer_id""",
    "ANALYZE rebuild_months",
    """INSERT INTO hours_rollups (period_kind, period_start, placement_id, volunteer_id, organisation_id, role_id, district_gss,
                                 hours, entries)
       SELECT 'month', period_start, placement_id, volunteer_id, organisation_id, role_id, district_gss, hours, entries
       FROM rebuild_months""",
    """INSERT INTO hours_rollups (period_kind, period_start, placement_id, volunteer_id, organisation_id, role_id, district_gss,
                                 hours, entries)
       SELECT k.kind, k.start, s.placement_id, min(s.volunteer_id), min(s.organisation_id), min(s.role_id), min(s.district_gss),
              sum(s.hours), sum(s.entries)
       FROM rebuild_months s
       CROSS JOIN LATERAL (VALUES ('quarter', CAST(date_trunc('quarter', CAST(s.period_start AS timestamp)) AS date)),
                                  ('year', CAST(date_trunc('year', CAST(s.period_start AS timestamp)) AS date))) AS k (kind, start)
       GROUP BY 1, 2, 3""",
    """INSERT INTO placement_activity (placement_id, volunteer_id, started_on, first_worked_on, last_worked_on, hours,
                                      retained_3m, retained_6m, retained_12m)
       SELECT placement_id, volunteer_id, started_on, first_worked_on, last_worked_on, hours,
              coalesce(last_worked_on >= CAST(started_on + make_interval(0, 3) AS date), false),
              coalesce(last_worked_on >= CAST(started_on + make_interval(0, 6) AS date), false),
              coalesce(last_worked_on >= CAST(started_on + make_interval(0, 12) AS date), false)
       FROM (SELECT placement_id, min(volunteer_id) AS volunteer_id, min(started_on) AS started_on,
                    min(first_worked_on) AS first_worked_on, max(last_worked_on) AS last_worked_on, sum(hours) AS hours
             FROM rebuild_months GROUP BY 1) a""",
    """INSERT INTO volunteer_activity (volunteer_id, first_worked_on)
       SELECT volunteer_id, min(first_worked_on) FROM rebuild_months GROUP BY 1""",
    """INSERT INTO volunteer_years (year, volunteer_id, district_gss, months, first_worked_on, hours)
       SELECT y.year, y.volunteer_id, y.district_gss, y.months, a.first_worked_on, y.hours
       FROM (SELECT CAST(extract(year FROM period_start) AS integer) AS year, volunteer_id, min(district_gss) AS district_gss,
                    bit_or(1 << (CAST(extract(month FROM period_start) AS integer) - 1)) AS months, sum(hours) AS hours
             FROM rebuild_months GROUP BY 1, 2) y
       JOIN volunteer_activity a ON a.volunteer_id = y.volunteer_id""",
    """INSERT INTO organisation_years (year, organisation_id, district_gss, months)
       SELECT CAST(extract(year FROM period_start) AS integer), organisation_id, coalesce(district_gss, ''),
              bit_or(1 << (CAST(extract(month FROM period_start) AS integer) - 1))
       FROM rebuild_months GROUP BY 1, 2, 3""",
    """INSERT INTO district_month_hours (month, district_gss, hours, rollup_rows)
       SELECT period_start, coalesce(district_gss, ''), sum(hours), count(*) FROM rebuild_months GROUP BY 1, 2""",
    "DROP TABLE rebuild_months",
)


def _drop_keys_and_indexes(session: Session, tables: tuple[str, ...]) -> list[str]:
    """Drop the foreign keys, primary keys and indexes of ``tables`` (in this transaction); return the
    statements that create them again, keys first and foreign keys last."""
    names = list(tables)
    constraints = session.execute(
        text(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(CAST(:tables AS regclass[])) AND contype IN ('p', 'u', 'f') ORDER BY conname"
        ),
        {"tables": names},
    ).all()
    owned = {name for _t, name, _k, _d in constraints}
    indexes = session.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(:tables) ORDER BY 1"
        ),
        {"tables": names},
    ).all()
    plain = [(name, ddl) for name, ddl in indexes if name not in owned]
    for table, name, kind, _ddl in sorted(constraints, key=lambda c: c[2] != "f"):  # foreign keys first
        session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ddl in plain:
        session.execute(text(f'DROP INDEX "{name}"'))
    keys = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, k, d in constraints if k != "f"]
    foreign = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, k, d in constraints if k == "f"]
    return keys + [ddl for _n, ddl in plain] + foreign


def _rebuild_all_postgresql(session: Session) -> None:
    tables = ROLLUP_TABLES + counts.COUNT_TABLES
    session.execute(text("SET LOCAL work_mem = '1GB'"))
    session.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
    session.execute(text(f"TRUNCATE {', '.join(tables)}"))
    recreate = _drop_keys_and_indexes(session, tables)
    for sql in _REBUILD_POSTGRESQL:
        session.execute(text(sql))
    counts.fill_all(session)
    for sql in recreate:
        session.execute(text(sql))
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))


def rebuild_all(session_factory, *, batch_size: int = 20_000, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild every rollup (hours and counts) from the domain tables, in one transaction.

    On PostgreSQL set-based: a statement per rollup into emptied tables whose keys and indexes are built
    again at the end (``batch_size`` is not used); elsewhere in batches of placements, still in one
    transaction, so that a reader never sees a rollup half built. ``session_factory`` is a context
    manager giving a session that commits on exit; ``progress`` is told how many placement ids each
    step covered."""
    with session_factory() as session:
        lo, hi = session.execute(select(func.min(Placement.id), func.max(Placement.id))).one()
        covered = 0 if lo is None else hi - lo + 1
        if session.get_bind().dialect.name == "postgresql":
            _rebuild_all_postgresql(session)
            if progress and covered:
                progress(covered)
            return covered
        for model in (HoursRollup, PlacementActivity, VolunteerActivity, VolunteerYear, OrganisationYear, DistrictMonthHours):
            session.execute(delete(model))
        start = lo
        while lo is not None and start <= hi:
            end = start + batch_size - 1
            _refresh(session, _ids_between(start, end), [], track_hours=False)
            if progress:
                progress(min(end, hi) - start + 1)
            start = end + 1
        session.execute(delete(VolunteerActivity))
        firsts = select(PlacementActivity.volunteer_id, func.min(PlacementActivity.first_worked_on)).group_by(
            PlacementActivity.volunteer_id
        )
        session.execute(insert(VolunteerActivity).from_select(["volunteer_id", "first_worked_on"], firsts))
        refresh_volunteer_years(session, None)
        refresh_organisation_years(session, None)
        rebuild_district_hours(session)
        counts.rebuild(session)
    return covered
