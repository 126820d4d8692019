"""Reports over HTTP: who may see what, exports (CSV, XLSX, printable HTML), frozen copies, rates, investment."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from brokerage.models import HoursEntry
from brokerage.reports import rollups
from tests.factories import ASHFORD, CANTERBURY
from tests.reports import dataset

Q = "period=2025&as_of=2026-06-30"


@pytest.fixture
def county(db, factory):
    return dataset.build(db, factory)


@pytest.fixture
def lead(factory):
    return factory.user("pilot_lead")


def test_centre_staff_cannot_report_on_or_export_another_centres_districts(client, as_user, factory, county):
    staff = factory.user("centre_staff", centre=county.centre_a)
    h = as_user(staff)
    for fmt in ("json", "csv", "xlsx", "html"):
        r = client.get(f"/reports?{Q}&district={CANTERBURY}&format={fmt}", headers=h)
        assert r.status_code == 403, fmt
        assert r.json()["error"]["code"] == "forbidden"
    r = client.get(f"/reports?{Q}&district={ASHFORD}&district={CANTERBURY}", headers=h)
    assert r.status_code == 403
    r = client.post("/reports/frozen", json={"title": "Canterbury", "period": "2025", "districts": [CANTERBURY]}, headers=h)
    assert r.status_code == 403
    # their own districts are fine, and the default is their own districts
    r = client.get(f"/reports?{Q}&dimension=district", headers=h)
    assert r.status_code == 200
    body = r.json()
    assert body["filters"]["districts"] == [ASHFORD]
    assert [row["key"] for row in body["breakdowns"][0]["rows"]] == [ASHFORD]
    text = client.get(f"/reports?{Q}&dimension=district&format=csv", headers=h).text
    assert CANTERBURY not in text and "Canterbury" not in text
    # a county report frozen by a pilot lead is not theirs to download
    lead = factory.user("pilot_lead")
    frozen = client.post("/reports/frozen", json={"title": "County 2025", "period": "2025"}, headers=as_user(lead)).json()
    assert client.get(f"/reports/frozen/{frozen['id']}/csv", headers=h).status_code == 403
    assert frozen["id"] not in [f["id"] for f in client.get("/reports/frozen", headers=h).json()]


@pytest.mark.parametrize("role", ["volunteer", "organisation_manager", "admin"])
def test_nobody_else_gets_reports(client, as_user, factory, county, role):
    user = factory.user(role)
    assert client.get(f"/reports?{Q}", headers=as_user(user)).status_code == 403
    assert client.get(f"/reports?{Q}&format=csv", headers=as_user(user)).status_code == 403
    assert client.get(f"/reports?{Q}").status_code == 401


def test_csv_is_tidy_and_states_how_it_was_made(client, as_user, county, lead):
    r = client.get(f"/reports?{Q}&dimension=district&dimension=age_band&format=csv", headers=as_user(lead))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == ["section", "dimension", "key", "label", "metric", "unit", "value"]
    about = {row["metric"]: row["value"] for row in rows if row["section"] == "about"}
    assert about["period_start"] == "2025-01-01" and about["area"] == "Whole county" and "method_1" in about
    totals = {row["metric"]: row["value"] for row in rows if row["section"] == "total"}
    assert totals["active_volunteers"] == "6" and totals["approved_hours"] == "24.0" and totals["young_people_16_24"] == "<5"
    value = {row["metric"]: row["value"] for row in rows if row["section"] == "value" and row["dimension"] == "total"}
    assert value["replacement_cost:nlw"] == "284.57" and value["viva_ratio:nlw"] == "1.64"
    age = {(row["key"], row["metric"]): row["value"] for row in rows if row["dimension"] == "age_band"}
    assert age[("45-54", "active_volunteers")] == "<5" and age[("16-24", "active_volunteers")] == "<5"
    rates = [row for row in rows if row["section"] == "rate"]
    assert any("National Living Wage" in row["label"] and "gov.uk" in row["label"] for row in rates)
    # one row per dimension x metric: no duplicates
    keys = [(row["section"], row["dimension"], row["key"], row["metric"]) for row in rows]
    assert len(keys) == len(set(keys))


def test_xlsx_opens_with_openpyxl_and_holds_the_sheets(client, as_user, county, lead):
    r = client.get(f"/reports?{Q}&dimension=district&dimension=month&format=xlsx", headers=as_user(lead))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Summary", "Tables", "Charts", "Leaving and re-engagement", "Data dictionary"]
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Period"] == "January 2025 to December 2025" and summary["Generated at"].endswith("Z")
    assert len(wb["Charts"]._charts) == 2
    tables = [row for row in wb["Tables"].iter_rows(values_only=True)]
    assert tables[0][0] == "District" and ("Ashford",) == tables[1][:1]
    fields = {row[1] for row in wb["Data dictionary"].iter_rows(min_row=2, values_only=True)}
    assert {"worked_on", "hours", "active_volunteers", "retention_12m", "viva_ratio:<series>", "category"} <= fields


def test_printable_report_renders_with_charts(client, as_user, county, lead):
    r = client.get(f"/reports?{Q}&dimension=quarter&dimension=district&format=html", headers=as_user(lead))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<svg" in html and "@media print" in html and "Value of volunteering in Kent" in html
    assert "National Living Wage" in html and "1339.0" in html and "&lt;5" in html
    assert "Retention is measured" in html and "Data dictionary" in html


def test_frozen_report_downloads_byte_identical(client, as_user, db, county, lead):
    h = as_user(lead)
    r = client.post(
        "/reports/frozen",
        json={"title": "Kent 2025", "period": "2025", "dimensions": ["district", "quarter"], "as_of": "2026-06-30"},
        headers=h,
    )
    assert r.status_code == 201
    frozen = r.json()
    assert set(frozen["downloads"]) == {"json", "csv", "xlsx", "html"}
    first = {fmt: client.get(f"/reports/frozen/{frozen['id']}/{fmt}", headers=h).content for fmt in frozen["downloads"]}
    assert first["json"].startswith(b"{") and b'"title": "Kent 2025"' in first["json"]
    # the data change afterwards: more approved hours
    p = county.placements["C1"]
    db.add(
        HoursEntry(
            placement_id=p.id,
            volunteer_id=p.volunteer_id,
            worked_on=date(2025, 11, 3),
            hours=Decimal("8"),
            status="approved",
            reminder_count=0,
        )
    )
    db.flush()
    rollups.refresh_placement(db, p.id)
    live = client.get(f"/reports?{Q}", headers=h).json()
    assert live["totals"]["approved_hours"] == 32.0
    again = {fmt: client.get(f"/reports/frozen/{frozen['id']}/{fmt}", headers=h).content for fmt in frozen["downloads"]}
    assert again == first
    import hashlib

    assert {fmt: hashlib.sha256(b).hexdigest() for fmt, b in again.items()} == frozen["sha256"]
    assert b'"approved_hours": 24.0' in again["json"]
    assert load_workbook(io.BytesIO(again["xlsx"])).sheetnames[0] == "Summary"


def test_rates_are_data_that_pilot_leads_extend(client, as_user, factory, county, lead):
    rates = client.get("/rates?series=nlw", headers=as_user(lead)).json()
    assert [(r["valid_from"], r["amount"]) for r in rates] == [
        ("2021-04-01", 8.91),
        ("2022-04-01", 9.5),
        ("2023-04-01", 10.42),
        ("2024-04-01", 11.44),
        ("2025-04-01", 12.21),
        ("2026-04-01", 12.71),
    ]
    london = client.get("/rates?series=rlw_london", headers=as_user(lead)).json()
    assert [r["amount"] for r in london] == [11.05, 11.95, 13.15, 13.85, 14.8]
    ashe = {
        "series": "ashe_median_kent",
        "name": "ASHE median hourly pay, Kent",
        "kind": "replacement_cost",
        "amount": "16.00",
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
        "price_year": "2025",
        "source": "ONS ASHE 2025 table 8, Kent",
    }
    staff = factory.user("centre_staff", centre=county.centre_a)
    assert client.post("/rates", json=ashe, headers=as_user(staff)).status_code == 403
    assert client.post("/rates", json=ashe, headers=as_user(lead)).status_code == 201
    assert client.post("/rates", json={**ashe, "valid_from": "2025-06-01"}, headers=as_user(lead)).status_code == 409
    wellbeing = {
        "series": "hact_regular_volunteering",
        "name": "Wellbeing value of regular volunteering",
        "kind": "wellbeing",
        "unit": "volunteer_year",
        "amount": "1200.00",
        "valid_from": "2025-01-01",
        "price_year": "2025",
        "source": "A licensed social value bank",
    }
    assert client.post("/rates", json=wellbeing, headers=as_user(lead)).status_code == 422  # licence needed
    assert (
        client.post("/rates", json={**wellbeing, "licence_note": "Kent pilot licence 2025"}, headers=as_user(lead)).status_code
        == 201
    )
    report = client.get(
        f"/reports?{Q}&rate=ashe_median_kent&rate=hact_regular_volunteering&dimension=district", headers=as_user(lead)
    ).json()
    value = {v["series"]: v for v in report["value"]}
    assert value["ashe_median_kent"]["value"] == 384.0  # 24h x £16
    assert value["hact_regular_volunteering"]["value"] == 7200.0  # 6 active volunteers x £1,200 x 12/12
    assert {r["series"] for r in report["rates"]} >= {"ashe_median_kent", "hact_regular_volunteering"}


def test_investment_is_entered_by_own_centre_or_pilot_leads(client, as_user, factory, county, lead):
    staff_a = factory.user("centre_staff", centre=county.centre_a)
    body = {"period_start": "2025-01-01", "period_end": "2025-03-31", "category": "dbs_checks", "amount": "50.00"}
    r = client.post("/investments", json=body, headers=as_user(staff_a))
    assert r.status_code == 201 and r.json()["centre_id"] == county.centre_a.id
    assert (
        client.post("/investments", json={**body, "centre_id": county.centre_c.id}, headers=as_user(staff_a)).status_code == 403
    )
    assert (
        client.post(
            "/investments", json={**body, "centre_id": county.centre_c.id, "category": "recruitment"}, headers=as_user(lead)
        ).status_code
        == 201
    )
    assert client.post("/investments", json={**body, "category": "parties"}, headers=as_user(staff_a)).status_code == 422
    mine = client.get("/investments", headers=as_user(staff_a)).json()
    assert {e["centre_id"] for e in mine} == {county.centre_a.id}
    report = client.get(f"/reports?{Q}", headers=as_user(lead)).json()
    assert report["investment"]["by_category"]["dbs_checks"] == 50.0 and report["investment"]["total"] == 273.6


def test_report_page_and_printable_say_figures_in_words(client, as_user, county, lead):
    """Labels in words, percentages with their sign, no raw ids or "None" on the page or in print."""
    import re

    page = client.get(
        "/pilot/reports?show=1&period_kind=custom&start=2025-01&end=2025-12&dimensions=quarter",
        headers={**as_user(lead), "Accept": "text/html"},
    ).text
    printable = client.get(f"/reports?{Q}&dimension=quarter&format=html", headers=as_user(lead)).text
    for html in (page, printable):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).split("Data dictionary")[0]  # it names the fields
        for label in ("Retention after 12 months", "Young people (16–24)", "Conversion rate", "Median days to start"):
            assert label in text
        assert re.search(r"Conversion rate (\(%\) )?75\.0%", text), "the conversion rate as a percentage"
        assert re.search(r"Retention after 3 months 66\.7%", text)
        for raw in ("None", "Retention 12m", "16 24", "young_people", "conversion_rate"):
            assert raw not in text, raw
