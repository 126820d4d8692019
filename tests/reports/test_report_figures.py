"""Every metric and value on a county small enough to check by hand (tests/reports/dataset.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from brokerage.auth.principal import Principal
from brokerage.reports import definitions, facts, periods, suppression
from brokerage.reports import rollups, service
from brokerage.reports.schemas import ReportParams
from tests.factories import ASHFORD, CANTERBURY
from tests.reports import dataset

PILOT = Principal(user_id=0, role="pilot_lead", email="lead@example.org", full_name="Pilot Lead")
YEAR_2025 = periods.Period(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def county(db, factory):
    return dataset.build(db, factory)


def _ctx(db, districts=None, breaks=frozenset({date(2025, 4, 1)})):
    return facts.Context(districts=districts, as_of=dataset.AS_OF, dialect=db.get_bind().dialect.name, rate_breaks=breaks)


def _raw(cells):
    return {metric: by_key[None].value for metric, by_key in cells.items() if None in by_key}


def test_every_metric_unsuppressed_for_2025(db, county):
    cells, pieces = facts.compute(db, _ctx(db), YEAR_2025, None)
    raw = _raw(cells)
    assert raw == {
        "active_volunteers": 6,  # A1-A5, C1
        "organisations_supported": 2,
        "young_people_16_24": 2,  # A1, A2
        "new_to_volunteering": 5,  # A5 first volunteered in 2024
        "approved_hours": Decimal("24.00"),  # 5 + 6 + 2.5 + 1.5 + 4 + 5
        "registrations": 6,  # A1-A4, C1, C2
        "referrals": 8,
        "conversion_rate": 75.0,  # 6 of 8 started
        "median_days_to_start": 10.0,  # 10,10,10,10,10,12
        "placements": 6,
        "retention_3m": 66.7,  # A1, A2, A4, C1 of 6
        "retention_6m": 33.3,  # A2, A4
        "retention_12m": 16.7,  # A4
        "roles_listed": 1,  # R2 (R1 was listed in December 2024)
        "roles_filled": 2,
    }
    # hours split at the April rate change: Jan-Mar 11h, Apr-Dec 13h
    by_piece = {(k, s): h for k, s, h in pieces[None]}
    assert by_piece == {("run", date(2025, 1, 1)): Decimal("11.00"), ("run", date(2025, 4, 1)): Decimal("13.00")}
    by_quarter, quarter_pieces = facts.compute(db, _ctx(db), YEAR_2025, "quarter")
    assert {k: c.value for k, c in by_quarter["approved_hours"].items()} == {
        "2025-Q1": Decimal("11.00"),
        "2025-Q2": Decimal("8.00"),
        "2025-Q3": Decimal("5.00"),
    }
    assert {k: c.value for k, c in by_quarter["placements"].items()} == {"2025-Q1": 5, "2025-Q2": 1}
    by_year, year_pieces = facts.compute(db, _ctx(db), YEAR_2025, "year")
    assert year_pieces["2025"] == [("run", date(2025, 1, 1), Decimal("11.00")), ("run", date(2025, 4, 1), Decimal("13.00"))]


def test_breakdowns_unsuppressed(db, county):
    by_district, _ = facts.compute(db, _ctx(db), YEAR_2025, "district")
    assert {k: c.value for k, c in by_district["active_volunteers"].items()} == {ASHFORD: 5, CANTERBURY: 1}
    assert {k: c.value for k, c in by_district["approved_hours"].items()} == {
        ASHFORD: Decimal("19.00"),
        CANTERBURY: Decimal("5.00"),
    }
    assert {k: c.value for k, c in by_district["registrations"].items()} == {ASHFORD: 4, CANTERBURY: 2}
    by_age, _ = facts.compute(db, _ctx(db), YEAR_2025, "age_band")
    assert {k: c.value for k, c in by_age["active_volunteers"].items()} == {"16-24": 2, "45-54": 3, "65-74": 1}
    by_gender, _ = facts.compute(db, _ctx(db), YEAR_2025, "gender")
    assert {k: c.value for k, c in by_gender["active_volunteers"].items()} == {"woman": 3, "man": 2, "unknown": 1}
    by_cause, _ = facts.compute(db, _ctx(db), YEAR_2025, "cause")
    assert {k: c.value for k, c in by_cause["approved_hours"].items()} == {
        "AnimalWelfare": Decimal("19.00"),
        "ArtsAndCulture": Decimal("5.00"),
    }
    assert {k: c.value for k, c in by_cause["roles_filled"].items()} == {"AnimalWelfare": 1, "ArtsAndCulture": 1}
    by_org, _ = facts.compute(db, _ctx(db), YEAR_2025, "organisation")
    assert {k: c.value for k, c in by_org["referrals"].items()} == {county.o1.id: 6, county.o2.id: 2}
    assert "organisations_supported" not in by_org
    by_centre, _ = facts.compute(db, _ctx(db), YEAR_2025, "centre")
    assert {k: c.value for k, c in by_centre["placements"].items()} == {county.centre_a.id: 5, county.centre_c.id: 1}


def test_county_report_with_suppression_value_and_viva(db, county):
    params = ReportParams(period="2025", dimensions=["district", "quarter", "age_band"], as_of=dataset.AS_OF)
    report = service.build_report(db, PILOT, params, generated_at=dataset.GENERATED_AT)
    assert report["generated_at"] == "2026-07-01T09:30:00Z"
    assert report["period"] == {
        "start": "2025-01-01",
        "end": "2025-12-31",
        "months": 12,
        "label": "January 2025 to December 2025",
    }
    assert report["filters"]["area"] == "Whole county" and report["filters"]["rates"] == ["nlw", "rlw_london", "rlw_uk"]
    t = report["totals"]
    assert t["active_volunteers"] == 6 and t["approved_hours"] == 24.0 and t["registrations"] == 6
    assert t["new_to_volunteering"] == 5 and t["referrals"] == 8 and t["placements"] == 6
    assert t["conversion_rate"] == 75.0 and t["median_days_to_start"] == 10.0
    assert (t["retention_3m"], t["retention_6m"], t["retention_12m"]) == (66.7, 33.3, 16.7)
    # counts under 5 are suppressed, even in the totals
    assert t["young_people_16_24"] == "<5" and t["organisations_supported"] == "<5"
    assert t["roles_listed"] == "<5" and t["roles_filled"] == "<5"

    value = {v["series"]: v for v in report["value"]}
    # NLW: 11h x £11.44 (2024-25) + 13h x £12.21 (2025-26) = 125.84 + 158.73
    assert value["nlw"]["value"] == 284.57
    assert value["rlw_uk"]["value"] == 313.45  # 11 x 12.60 + 13 x 13.45
    assert value["rlw_london"]["value"] == 344.75  # 11 x 13.85 + 13 x 14.80
    assert value["nlw"]["value_per_volunteer"] == 47.43  # 284.57 / 6
    # investment: Centre A £100 (whole year) + Centre C £146 x 184/365 days (Jul-Dec) = 100 + 73.60
    assert report["investment"]["total"] == 173.6
    assert report["investment"]["by_category"]["coordinator_time"] == 100.0
    assert report["investment"]["by_category"]["training"] == 73.6
    assert value["nlw"]["viva_ratio"] == 1.64  # 284.57 / 173.60
    assert value["rlw_uk"]["viva_ratio"] == 1.81  # 313.45 / 173.60
    assert report["benchmark"]["value_per_volunteer"] == 1339.0 and report["benchmark"]["price_year"] == "2021-22"
    assert {(r["series"], r["amount"], r["price_year"]) for r in report["rates"] if r["series"] == "nlw"} == {
        ("nlw", 11.44, "2024-25"),
        ("nlw", 12.21, "2025-26"),
    }
    assert all(r["source"] for r in report["rates"])
    assert report["method"] and report["suppression"] and report["price_year"] == "2024-25, 2025-26"

    district = next(b for b in report["breakdowns"] if b["dimension"] == "district")
    rows = {r["key"]: r for r in district["rows"]}
    assert len(rows) == 14  # every district, even with nothing in it
    # Canterbury has 1 active volunteer (primary suppression); Ashford (5) would reveal it from the total
    # of 6, so it is hidden too (secondary suppression). Empty districts show 0.
    assert rows[CANTERBURY]["metrics"]["active_volunteers"] == "<5"
    assert rows[ASHFORD]["metrics"]["active_volunteers"] == "<5"
    assert rows[ASHFORD]["metrics"]["approved_hours"] == "<5" and rows[ASHFORD]["value"]["nlw"] == "<5"
    assert rows["E07000110"]["metrics"]["active_volunteers"] == 0
    # registrations: Ashford 4 and Canterbury 2 are both under 5
    assert rows[ASHFORD]["metrics"]["registrations"] == "<5" and rows[CANTERBURY]["metrics"]["registrations"] == "<5"

    quarters = {r["key"]: r for r in next(b for b in report["breakdowns"] if b["dimension"] == "quarter")["rows"]}
    assert list(quarters) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    # Q1: A1-A4 active (4 -> "<5"); Q2: A1, A5, C1; Q3: A2, C1; Q4: none
    assert [quarters[q]["metrics"]["active_volunteers"] for q in quarters] == ["<5", "<5", "<5", 0]
    assert quarters["2025-Q4"]["metrics"]["approved_hours"] == 0.0
    assert quarters["2025-Q1"]["value"]["nlw"] == "<5"
    # placements: Q1 5 (A1-A5), Q2 1 (C1, primary), so Q1 is hidden as well (secondary)
    assert [quarters[q]["metrics"]["placements"] for q in quarters] == ["<5", "<5", 0, 0]


def test_larger_groups_are_shown_and_a_single_small_one_is_hidden_with_its_neighbour(db, county):
    # Add three more active Ashford volunteers so Ashford has 8 and the county 9.
    from tests.factories import Factory

    f = Factory(db)
    from brokerage.models import HoursEntry, Placement

    for _ in range(3):
        v = f.volunteer(ASHFORD, dob=date(1990, 1, 1))
        p = Placement(volunteer_id=v.id, role_id=county.r1.id, organisation_id=county.o1.id, started_on=date(2025, 5, 1))
        db.add(p)
        db.flush()
        db.add(
            HoursEntry(
                placement_id=p.id,
                volunteer_id=v.id,
                worked_on=date(2025, 5, 2),
                hours=Decimal("1"),
                status="approved",
                reminder_count=0,
            )
        )
        db.flush()
        rollups.refresh_placement(db, p.id)
    report = service.build_report(
        db, PILOT, ReportParams(period="2025", dimensions=["district"], as_of=dataset.AS_OF), generated_at=dataset.GENERATED_AT
    )
    rows = {r["key"]: r for r in report["breakdowns"][0]["rows"]}
    assert report["totals"]["active_volunteers"] == 9
    assert rows[CANTERBURY]["metrics"]["active_volunteers"] == "<5"
    # Ashford (8) is the only other non-empty cell, so it is hidden too: 9 - 8 would reveal Canterbury's 1
    assert rows[ASHFORD]["metrics"]["active_volunteers"] == "<5"
    # With a second small district no secondary suppression is needed.
    cells = {"a": definitions.Cell(8, 8), "b": definitions.Cell(1, 1), "c": definitions.Cell(2, 2), "d": definitions.Cell(0, 0)}
    assert suppression.suppress(cells, definitions.Cell(11, 11)) == {"b", "c"}
    assert suppression.suppress(
        {"a": definitions.Cell(8, 8), "b": definitions.Cell(1, 1), "c": definitions.Cell(6, 6)}, definitions.Cell(15, 15)
    ) == {"b", "c"}
    assert suppression.suppress({"a": definitions.Cell(8, 8), "b": definitions.Cell(6, 6)}, definitions.Cell(14, 14)) == set()


def test_centre_report_is_limited_to_its_districts(db, county):
    staff = Principal(
        user_id=0,
        role="centre_staff",
        email="s@example.org",
        full_name="S",
        centre_id=county.centre_a.id,
        district_codes=frozenset({ASHFORD}),
    )
    report = service.build_report(
        db, staff, ReportParams(period="2025", dimensions=["district"], as_of=dataset.AS_OF), generated_at=dataset.GENERATED_AT
    )
    assert report["filters"]["districts"] == [ASHFORD]
    assert report["totals"]["active_volunteers"] == 5 and report["totals"]["approved_hours"] == 19.0
    nlw = next(v for v in report["value"] if v["series"] == "nlw")
    assert nlw["value"] == 223.52  # 11h x 11.44 + 8h x 12.21
    assert report["investment"]["total"] == 100.0 and nlw["viva_ratio"] == 2.24
    assert [r["key"] for r in report["breakdowns"][0]["rows"]] == [ASHFORD]


def test_rollups_are_idempotent_and_match_a_full_rebuild(db, county):
    from contextlib import contextmanager

    from sqlalchemy import select

    from brokerage.models import HoursRollup, PlacementActivity, VolunteerActivity
    from brokerage.models.reporting import DistrictMonthHours, OrganisationYear, VolunteerYear

    def snapshot():
        return (
            sorted(
                (r.period_kind, str(r.period_start), r.placement_id, str(r.hours), r.entries, r.district_gss)
                for r in db.scalars(select(HoursRollup))
            ),
            sorted(
                (a.placement_id, str(a.first_worked_on), str(a.last_worked_on), a.retained_3m, a.retained_6m, a.retained_12m)
                for a in db.scalars(select(PlacementActivity))
            ),
            sorted((a.volunteer_id, str(a.first_worked_on)) for a in db.scalars(select(VolunteerActivity))),
            sorted(
                (y.year, y.volunteer_id, y.district_gss, y.months, str(y.first_worked_on), str(y.hours))
                for y in db.scalars(select(VolunteerYear))
            ),
            sorted((y.year, y.organisation_id, y.district_gss, y.months) for y in db.scalars(select(OrganisationYear))),
            sorted((str(h.month), h.district_gss, str(h.hours), h.rollup_rows) for h in db.scalars(select(DistrictMonthHours))),
        )

    before = snapshot()
    rollups.refresh_placement(db, county.placements["A1"].id)  # a message delivered twice
    assert snapshot() == before

    @contextmanager
    def same_session():
        yield db
        db.flush()

    rollups.rebuild_all(same_session, batch_size=2)
    assert snapshot() == before
    assert ("year", "2025-01-01", county.placements["A2"].id, "6.00", 2, ASHFORD) in before[0]
    # A2 gave hours in February and August 2025 (bits 1 and 7); A5 volunteered first in June 2024
    a2, a5 = county.volunteers["A2"].id, county.volunteers["A5"].id
    assert (2025, a2, ASHFORD, 0b10000010, "2025-02-04", "6.00") in before[3]
    assert (2025, a5, ASHFORD, 0b1000, "2024-06-15", "4.00") in before[3]
    assert (2025, county.o1.id, ASHFORD, 0b10011110) in before[4]  # Feb-May and August
    assert ("2025-03-01", ASHFORD, "4.00", 2) in before[5]  # A3 2.5h + A4 1.5h


def test_periods_and_rates_apply_by_month(db, county):
    # Financial year 2025-26 (April to March) at the NLW only: Apr-Dec 2025 13h + Feb 2026 1h, all at £12.21.
    report = service.build_report(
        db,
        PILOT,
        ReportParams(period="2025-26", dimensions=["year"], rates=["nlw"], as_of=dataset.AS_OF),
        generated_at=dataset.GENERATED_AT,
    )
    years = report["breakdowns"][0]["rows"]  # calendar years cut by the financial year
    assert [(r["key"], r["label"], r["metrics"]["active_volunteers"]) for r in years] == [
        ("2025", "2025", "<5"),
        ("2026", "2026", "<5"),
    ]
    assert report["period"]["start"] == "2025-04-01" and report["period"]["end"] == "2026-03-31"
    assert report["totals"]["active_volunteers"] == 5  # A1 (May), A2 (Aug), A4 (Feb 2026), A5 (Apr), C1
    assert report["totals"]["approved_hours"] == 14.0
    assert report["value"] == [
        {
            "series": "nlw",
            "name": "National Living Wage",
            "kind": "replacement_cost",
            "unit": "hour",
            "value": 170.94,
            "unvalued_hours": 0.0,
            "missing_rate": None,
            "value_per_volunteer": 34.19,
            # investment: Centre A 100 x 275/365 (Apr-Dec) + Centre C 146 x 274/365 (Jul-Mar) = 75.34 + 109.60
            "viva_ratio": 0.92,  # 170.94 / 184.94
        }
    ]
    assert report["investment"]["total"] == 184.94
    # a single month
    cells, pieces = facts.compute(db, _ctx(db, breaks=frozenset()), periods.parse_period("2025-04"), None)
    assert cells["approved_hours"][None].value == Decimal("6.00")  # A5 4h, C1 2h


def test_hours_beyond_the_last_real_living_wage_rate_are_shown_unvalued_with_the_missing_rate(db, county):
    # The Real Living Wage series ends in March 2026; hours in May 2026 have no rate in it.
    from brokerage.models import HoursEntry
    from brokerage.reports import rollups

    for name in ("A1", "A2", "A3", "A4", "C1"):  # five volunteers, so that no figure is hidden
        p = county.placements[name]
        db.add(
            HoursEntry(
                placement_id=p.id,
                volunteer_id=p.volunteer_id,
                worked_on=date(2026, 5, 6),
                hours=Decimal("1"),
                status="approved",
                reminder_count=0,
            )
        )
        db.flush()
        rollups.refresh_placement(db, p.id)
    rates = service.list_rates(db, "rlw_uk")
    assert service._rate_on(rates, date(2026, 5, 1)) is None  # no rate is invented
    report = service.build_report(
        db, PILOT, ReportParams(period="2026", dimensions=["year"], rates=["rlw_uk"], as_of=dataset.AS_OF)
    )
    (rlw,) = report["value"]
    assert report["totals"]["approved_hours"] == 6.0  # A4 in February (valued), five in May
    assert rlw["unvalued_hours"] == 5.0
    assert rlw["value"] == float(service._rate_on(rates, date(2026, 2, 1)).amount)  # February's hour only
    missing = rlw["missing_rate"]
    assert missing["months"] == ["2026-04-01"]  # the series' last rate ends in March 2026
    assert missing["message"].startswith("No Real Living Wage (UK) rate covers April 2026 to December 2026:")
    assert missing["add_rate_url"] == "/admin/rates?method=rlw_uk"
