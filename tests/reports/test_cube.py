"""The fast path (volunteer-year and organisation-year rollups, district-month hours, one pass over the
domain tables) gives exactly the figures of the per-breakdown queries, for every period shape."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from brokerage.models import HoursEntry, Placement
from brokerage.reports import definitions, facts, periods
from brokerage.reports import rollups, service
from brokerage.reports.cube import CUBE_DIMS, Cube, time_buckets
from tests.factories import ASHFORD, CANTERBURY
from tests.reports import dataset

APRIL = frozenset({date(2025, 4, 1), date(2026, 4, 1)})


@pytest.fixture
def county(db, factory):
    return dataset.build(db, factory)


def reference(db, ctx, period, dim):
    """What the per-breakdown queries give: grouped for whole time buckets, bucket by bucket otherwise."""
    if dim in definitions.TIME_DIMENSIONS:
        buckets, whole = time_buckets(period, dim)
        if not whole:
            cells, pieces = {}, {}
            for b in buckets:
                c, p = facts.compute(db, ctx, periods.Period(b.start, b.end), None)
                for metric, by_key in c.items():
                    if None in by_key:
                        cells.setdefault(metric, {})[b.key] = by_key[None]
                pieces[b.key] = p.get(None, [])
            return cells, pieces
    return facts.compute(db, ctx, period, dim)


def valued(db, pieces):
    """Hours, and their value and unvalued hours at the National Living Wage and the ASHE rate (from 2025)."""
    hours = sum((h for _k, _s, h in pieces), Decimal(0))
    return hours, *(service._value_pieces(pieces, service.list_rates(db, series)) for series in ("nlw", "rlw_uk"))


def assert_same(db, ctx, period, dims):
    cube = Cube(db, ctx, period, dims)
    for dim in [None, *dims]:
        got_cells, got_pieces = cube.result(dim)
        want_cells, want_pieces = reference(db, ctx, period, dim)
        want = {m: {k: (c.value, c.base) for k, c in by_key.items()} for m, by_key in want_cells.items() if by_key}
        got = {m: {k: (c.value, c.base) for k, c in by_key.items()} for m, by_key in got_cells.items() if by_key}
        if dim in definitions.TIME_DIMENSIONS:  # the bucket-by-bucket reference carries every metric
            want = {m: v for m, v in want.items() if dim in definitions.METRIC_BY_ID[m].dimensions}
        assert got == want, (period, dim)
        assert {k: valued(db, p) for k, p in got_pieces.items() if p} == {
            k: valued(db, p) for k, p in want_pieces.items() if p
        }, (period, dim)


@pytest.mark.parametrize("period", ["2025", "2025-26", "2025-Q2", "2025-03", "2024-26"])
def test_fast_path_matches_the_per_breakdown_queries(db, county, period):
    p = periods.parse_period(period) if period != "2024-26" else periods.parse_period(start="2024-06", end="2026-02")
    breaks = frozenset(b for b in APRIL if p.start < b <= p.end)
    for districts in (None, frozenset({ASHFORD})):
        ctx = facts.Context(districts=districts, as_of=dataset.AS_OF, dialect=db.get_bind().dialect.name, rate_breaks=breaks)
        assert_same(db, ctx, p, list(CUBE_DIMS))


def test_yearly_rollups_follow_hours_and_moves(db, county):
    ctx = facts.Context(
        districts=None, as_of=dataset.AS_OF, dialect=db.get_bind().dialect.name, rate_breaks=frozenset({date(2025, 4, 1)})
    )
    year = periods.parse_period("2025")
    # C2 starts at O1 and gives 3 hours in December: a new active volunteer, O1's hours go up, O2 unchanged
    c2 = county.volunteers["C2"]
    p = Placement(volunteer_id=c2.id, role_id=county.r1.id, organisation_id=county.o1.id, started_on=date(2025, 12, 1))
    db.add(p)
    db.flush()
    entry = HoursEntry(
        placement_id=p.id,
        volunteer_id=c2.id,
        worked_on=date(2025, 12, 2),
        hours=Decimal("3"),
        status="approved",
        reminder_count=0,
    )
    db.add(entry)
    db.flush()
    rollups.refresh_placement(db, p.id)
    rollups.refresh_placement(db, p.id)  # delivered twice: no change
    assert dataset.run_counts(db) == 1  # the new placement's counts (one event for the flush)
    cells, _ = Cube(db, ctx, year, ["district"]).result("district")
    assert cells["active_volunteers"][CANTERBURY].value == 2 and cells["approved_hours"][CANTERBURY].value == Decimal("8.00")
    assert cells["organisations_supported"][CANTERBURY].value == 2  # O2 (C1) and now O1 (C2)
    # C2 moves to Ashford: after the refresh their hours and activity count there
    c2.district_gss = ASHFORD
    db.flush()
    rollups.refresh_volunteer(db, c2.id)
    dataset.run_counts(db)  # and the counts of the districts they left and joined
    cells, _ = Cube(db, ctx, year, ["district"]).result("district")
    assert cells["active_volunteers"][CANTERBURY].value == 1 and cells["active_volunteers"][ASHFORD].value == 6
    assert cells["approved_hours"][ASHFORD].value == Decimal("22.00")
    assert_same(db, ctx, year, ["district", "quarter"])
    # their hours are queried after all: nothing of theirs is left in the rollups
    entry.status = "queried"
    db.flush()
    rollups.refresh_placement(db, p.id)
    cells, _ = Cube(db, ctx, year, ["district"]).result("district")
    assert cells["active_volunteers"][ASHFORD].value == 5 and cells["approved_hours"][ASHFORD].value == Decimal("19.00")
    assert Cube(db, ctx, periods.parse_period("2025-12"), []).result(None)[0].get("approved_hours", {}) == {}
    assert_same(db, ctx, year, ["district", "month"])


def test_queries_share_the_reports_snapshot_or_run_in_its_transaction(pg_engine):
    """On PostgreSQL the report's queries run side by side on connections that import the report's
    snapshot; once its transaction has written anything, they run in it, so they see what it wrote."""
    from sqlalchemy import func, select, text
    from sqlalchemy.orm import Session

    from brokerage.models import District
    from brokerage.reports import cube

    count = {"districts": select(func.count()).select_from(District), "mine": select(text("pg_backend_pid()"))}
    with Session(pg_engine) as session:
        session.execute(text("SELECT 1"))
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        before = cube.run_all(session, count)
        assert before["districts"][0][0] >= 14
        assert before["mine"][0][0] != pid  # another connection, on this transaction's snapshot
        session.add(District(gss_code="E0TEST001", name="Test district"))
        session.flush()
        after = cube.run_all(session, count)
        assert after["districts"][0][0] == before["districts"][0][0] + 1 and after["mine"][0][0] == pid
        session.rollback()
