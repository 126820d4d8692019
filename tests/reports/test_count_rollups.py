"""The report's counts come from rollups (``district_counts``, ``role_years``) kept by the
``reports.counts`` events a change records: every figure equals a count of the rows it summarises,
after new rows, moves between districts, merges and deletions, delivered once or twice, and after a
full rebuild — on PostgreSQL and SQLite."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import and_, func, select

from brokerage.models import Placement, PlacementActivity, Referral, Volunteer
from brokerage.models.reporting import DistrictCount, RoleYear
from brokerage.reports import facts, periods, rollups
from brokerage.reports.cube import Cube
from tests.factories import ASHFORD, CANTERBURY
from tests.reports import dataset

PERIODS = ("2025", "2025-Q1", "2024-26")


@pytest.fixture
def county(db, factory):
    return dataset.build(db, factory)


def _period(text):
    return periods.parse_period(start="2024-06", end="2026-02") if text == "2024-26" else periods.parse_period(text)


def counted(db, period, district=None):
    """The figures counted from the domain tables themselves."""
    start, end = period.start, period.end
    after = datetime(end.year, end.month, end.day) + timedelta(days=1)

    def n(stmt):
        return db.scalar(stmt)

    vol_in = (lambda col: col == district) if district else (lambda col: True)
    regs = n(
        select(func.count())
        .select_from(Volunteer)
        .where(
            Volunteer.registered_on.between(start, end),
            Volunteer.merged_into_id.is_(None),
            vol_in(Volunteer.district_gss),
        )
    )
    refs = n(
        select(func.count())
        .select_from(Referral)
        .join(Volunteer, Volunteer.id == Referral.volunteer_id)
        .where(Referral.created_at >= datetime(start.year, start.month, start.day), Referral.created_at < after)
        .where(vol_in(Volunteer.district_gss))
    )
    started = (
        select(Placement.id, Placement.role_id, Placement.started_on, PlacementActivity.retained_3m)
        .join(Volunteer, Volunteer.id == Placement.volunteer_id)
        .outerjoin(PlacementActivity, PlacementActivity.placement_id == Placement.id)
        .where(Placement.started_on.between(start, end), vol_in(Volunteer.district_gss))
    )
    rows = db.execute(started).all()
    cut = periods.add_months(dataset.AS_OF, -3)
    eligible = [r for r in rows if r.started_on <= cut]
    retained = [r for r in eligible if r.retained_3m]
    return {
        "registrations": regs,
        "referrals": refs,
        "placements": len(rows),
        "retention_3m": round(100 * len(retained) / len(eligible), 1) if eligible else None,
        "roles_filled": len(
            {r.role_id for r in db.execute(select(Placement.role_id).where(Placement.started_on.between(start, end)))}
        ),
    }


def reported(db, period, district=None):
    ctx = facts.Context(districts=None, as_of=dataset.AS_OF, dialect=db.get_bind().dialect.name)
    if district is None:
        cells, _ = Cube(db, ctx, period, []).result(None)
        key = None
    else:
        cells, _ = Cube(db, ctx, period, ["district"]).result("district")
        key = district
    out = {}
    for metric in ("registrations", "referrals", "placements", "retention_3m", "roles_filled"):
        cell = cells.get(metric, {}).get(key)
        out[metric] = (0 if metric != "retention_3m" else None) if cell is None else cell.value
    return out


def assert_counts_agree(db):
    for text in PERIODS:
        p = _period(text)
        assert reported(db, p) == counted(db, p), text
        for district in (ASHFORD, CANTERBURY):
            want = counted(db, p, district)
            want.pop("roles_filled")  # by the role's district, checked below
            got = reported(db, p, district)
            got.pop("roles_filled")
            assert got == want, (text, district)


def roles_filled_by_role_district(db, period, district):
    from brokerage.models import Role

    return db.scalar(
        select(func.count(Placement.role_id.distinct()))
        .join(Role, Role.id == Placement.role_id)
        .where(Placement.started_on.between(period.start, period.end), Role.district_gss == district)
    )


def test_count_figures_equal_the_rows_they_summarise(db, county):
    assert_counts_agree(db)
    year = _period("2025")
    assert reported(db, year)["referrals"] > 0 and reported(db, year)["placements"] > 0
    ctx = facts.Context(districts=None, as_of=dataset.AS_OF, dialect=db.get_bind().dialect.name)
    cells, _ = Cube(db, ctx, year, ["district"]).result("district")
    for district in (ASHFORD, CANTERBURY):
        want = roles_filled_by_role_district(db, year, district)
        assert (cells["roles_filled"].get(district).value if district in cells["roles_filled"] else 0) == want


def test_counts_follow_new_rows_moves_merges_and_deletions(db, county, factory):
    # a new volunteer in Canterbury, referred and started in May 2025
    v = factory.volunteer(CANTERBURY)
    v.registered_on = date(2025, 5, 2)
    db.flush()
    ref = Referral(
        volunteer_id=v.id,
        role_id=county.r2.id,
        status="started",
        created_at=datetime(2025, 5, 3, 9),
        status_changed_at=datetime(2025, 5, 3, 9),
        share_email=True,
        share_phone=False,
    )
    db.add(ref)
    db.flush()
    p = Placement(
        referral_id=ref.id, volunteer_id=v.id, role_id=county.r2.id, organisation_id=county.o2.id, started_on=date(2025, 5, 20)
    )
    db.add(p)
    db.flush()
    assert dataset.run_counts(db) >= 1
    assert_counts_agree(db)
    assert reported(db, _period("2025"), CANTERBURY)["registrations"] == counted(db, _period("2025"), CANTERBURY)["registrations"]

    # they move to Ashford: both districts' counts follow
    v.district_gss = ASHFORD
    db.flush()
    dataset.run_counts(db)
    assert_counts_agree(db)

    # A1 is found to be a duplicate of C2 (in Canterbury): merged, and their referrals and
    # placements go with them
    a1, a2 = county.volunteers["A1"], county.volunteers["C2"]
    a2.district_gss = CANTERBURY
    db.flush()
    a1.merged_into_id = a2.id
    for r in db.scalars(select(Referral).where(Referral.volunteer_id == a1.id)):
        r.volunteer_id = a2.id
    for pl in db.scalars(select(Placement).where(Placement.volunteer_id == a1.id)):
        pl.volunteer_id = a2.id
    db.flush()
    dataset.run_counts(db)
    assert_counts_agree(db)

    # a placement's start moves, and another placement is removed
    p.started_on = date(2025, 8, 1)
    db.flush()
    db.delete(db.get(Placement, county.placements["C1"].id))
    db.flush()
    dataset.run_counts(db)
    assert_counts_agree(db)

    # a volunteer is deleted with their referrals and placements
    c2 = county.volunteers["C2"]
    for r in db.scalars(select(Referral).where(Referral.volunteer_id == c2.id)):
        db.delete(r)
    for pl in db.scalars(select(Placement).where(Placement.volunteer_id == c2.id)):
        db.delete(pl)
    db.delete(c2)
    db.flush()
    dataset.run_counts(db)
    assert_counts_agree(db)


def test_counts_are_idempotent_and_match_a_full_rebuild(db, county):
    def snapshot():
        return (
            sorted(
                (c.kind, c.district_gss, str(c.day), c.days_to_start, c.n, c.retained_3m, c.retained_6m, c.retained_12m)
                for c in db.scalars(select(DistrictCount))
            ),
            sorted((y.year, y.role_id, y.district_gss, y.months) for y in db.scalars(select(RoleYear))),
        )

    before = snapshot()
    assert before[0] and before[1]
    # every event delivered again: nothing changes
    from brokerage.models import OutboxMessage
    from brokerage.reports import counts

    for message in db.scalars(select(OutboxMessage).where(OutboxMessage.actor == "reports.counts")):
        counts.refresh(db, **message.payload)
    db.flush()
    assert snapshot() == before

    @contextmanager
    def same_session():
        yield db
        db.flush()

    rollups.rebuild_all(same_session, batch_size=2)
    assert snapshot() == before
    # retention: A-placements started in 2025 with hours 3 months on are counted as retained
    retained = db.scalar(
        select(func.sum(DistrictCount.retained_3m)).where(
            and_(DistrictCount.kind == "placement", DistrictCount.district_gss == ASHFORD)
        )
    )
    assert retained == db.scalar(
        select(func.count())
        .select_from(PlacementActivity)
        .join(Volunteer, Volunteer.id == PlacementActivity.volunteer_id)
        .where(PlacementActivity.retained_3m.is_(True), Volunteer.district_gss == ASHFORD)
    )
