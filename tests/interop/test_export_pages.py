"""The export of a centre's volunteers from the pages: its districts' volunteers only, with a data
dictionary, and never their equality information."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from brokerage import deps
from brokerage.auth.service import issue_session_cookie
from tests.factories import ASHFORD, CANTERBURY

HTML = {"Accept": "text/html"}


@pytest.fixture
def db(pg_db):
    return pg_db


def test_staff_export_their_districts_volunteers_without_equality_data(client, factory):
    centre = factory.centre(districts=(ASHFORD,))
    staff = factory.user("centre_staff", centre=centre)
    mine = factory.volunteer(ASHFORD, email="mine@example.net")
    mine.gender, mine.ethnicity, mine.first_name = "woman", "white", "=HYPERLINK(1)"
    other = factory.volunteer(CANTERBURY, email="other@example.net")
    client.cookies.set(deps.SESSION_COOKIE, issue_session_cookie(staff))

    r = client.get("/centre/exports/volunteers.csv", headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [int(x["id"]) for x in rows] == [mine.id] and other.id not in [int(x["id"]) for x in rows]
    assert not {"gender", "ethnicity", "disability", "employment_status"} & set(rows[0])
    assert not rows[0]["first_name"].startswith("="), "a formula is never exported as one"

    r = client.get("/centre/exports/volunteers-data-dictionary.csv", headers=HTML)
    described = [x["column"] for x in csv.DictReader(io.StringIO(r.text))]
    assert described == list(rows[0])

    r = client.get("/centre/exports/volunteers.xlsx", headers=HTML)
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    assert wb.sheetnames == ["Volunteers", "Data dictionary"]
    header = next(wb["Volunteers"].iter_rows(values_only=True))
    assert list(header) == described
