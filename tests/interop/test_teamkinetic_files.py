"""TeamKinetic's demonstration exports, imported exactly as a centre downloads them.

The files in ``tests/data/teamkinetic/`` are copies of the standard's examples, unchanged. Each test
asserts what a centre would check: every row is either created or skipped with a reason, hours per
volunteer agree with the file's own totals (or are listed where they do not), the ethnicity answers
map to the ONS 2021 groups in a table, and a second import changes nothing."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from brokerage.models import HoursEntry, Organisation, Placement, Role, RoleSession, Volunteer
from tests.factories import ASHFORD, CANTERBURY

DATA = Path(__file__).resolve().parents[1] / "data" / "teamkinetic"


def tk(name: str) -> bytes:
    return (DATA / name).read_bytes()


def tk_rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(tk(name).decode("utf-8-sig"), newline="")))


@pytest.fixture
def centre(factory):
    return factory.centre(districts=(ASHFORD, CANTERBURY))


@pytest.fixture
def staff(factory, centre):
    return factory.user("centre_staff", centre=centre)


def upload(client, headers, name: str, kind: str):
    r = client.post("/imports", headers=headers, files={"file": (name, tk(name))}, data={"kind": kind, "format": "teamkinetic"})
    assert r.status_code == 201, r.text
    return r.json()


def confirm(client, headers, batch, **body):
    r = client.post(f"/imports/{batch['id']}/confirm", headers=headers, json=body or None)
    return r


def counts(db) -> dict[str, int]:
    return {
        m.__name__: db.scalar(select(func.count()).select_from(m)) for m in (Volunteer, Organisation, Role, Placement, HoursEntry)
    }


def errors_by_row(batch) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for p in batch["problems"]:
        if p["severity"] == "error":
            out.setdefault(p["row"], []).append(p)
    return out


def test_the_volunteers_export_imports_as_it_comes(client, as_user, staff, centre, db):
    h = as_user(staff)
    before = counts(db)
    batch = upload(client, h, "Volunteer-data.csv", "volunteers")
    assert batch["total_rows"] == 434
    notes = batch["summary"]["file"]["notes"]
    assert any("VOLID" in n and "same in every row" in n for n in notes), "the duplicated VOLID column is accepted"
    bad = errors_by_row(batch)
    # the rows with problems are real problems of the file, each named: an address that is no email
    assert bad and all(p["field"] in ("EMAIL", "POSTCODE", "DOB", "GENDER") for ps in bad.values() for p in ps), bad
    summary = batch["summary"]
    assert summary["volunteers_to_create"] + summary["rows_with_problems"] == 434
    assert summary["phone_numbers_given_their_0"] == 433
    # the ethnicity mapping table: each answer as written, what it maps to, how many
    table = {row["answer"]: (row["maps_to"], row["volunteers"]) for row in summary["ethnicity_mapping"]}
    assert table["Somali"] == ("Black, Black British, Black Welsh, Caribbean or African: African", 27)
    assert table["Irish"] == ("White: Irish", 17)
    assert table["Bangladeshi"][0] == "Asian, Asian British or Asian Welsh: Bangladeshi"
    assert table["British"] == ("Not mapped: kept as written", 267)
    assert table["Not revealed"][0] == "Prefer not to say"
    assert sum(n for _, n in table.values()) == 434 - 6  # six rows leave ethnicity blank
    statuses = {row["status"]: row["maps_to"] for row in summary["status_mapping"]}
    assert statuses == {"(blank)": "Active", "Access Granted": "Active", "New": "Active", "Access Denied": "Inactive"}
    assert counts(db) == before, "the dry run writes nothing"

    # all or nothing by default: the file has problems, so nothing is written
    r = confirm(client, h, batch)
    assert r.status_code == 409 and "nothing was imported" in r.json()["error"]["message"]
    assert counts(db) == before

    # take the good rows: the rest come back as a CSV with their reasons
    r = confirm(client, h, batch, take_good_rows=True)
    assert r.status_code == 200, r.text
    done = r.json()
    created = done["summary"]["result"]["volunteers_created"]
    assert created == summary["volunteers_to_create"]
    assert created + done["rejected_count"] == 434, "rows in = created + rejected with a reason"
    r = client.get(f"/imports/{batch['id']}/rejected.csv", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rejected = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rejected) == done["rejected_count"]
    assert {int(x["Row"]) for x in rejected} == set(bad)
    assert all(x["Why it was not imported"] for x in rejected)

    source = {r["VOLID"]: r for r in tk_rows("Volunteer-data.csv")}
    margaret = db.scalar(select(Volunteer).where(Volunteer.source_id == f"{centre.id}:3"))
    assert margaret.phone == "07676 032768", "a 10-digit number starting 7 gets its 0 back"
    palmer = db.scalar(select(Volunteer).where(Volunteer.source_id == f"{centre.id}:4"))
    assert (palmer.ethnicity, palmer.ethnicity_detail, palmer.ethnicity_as_given) == (None, None, "British")
    denied = [ref for ref, r in source.items() if r["STATUS"] == "Access Denied"]
    for ref in denied:
        v = db.scalar(select(Volunteer).where(Volunteer.source_id == f"{centre.id}:{ref}"))
        assert v is None or v.status == "inactive", "Access Denied is never stored as active"
    somali = [ref for ref, r in source.items() if r["ETHNICITY"] == "Somali"]
    v = db.scalar(select(Volunteer).where(Volunteer.source_id == f"{centre.id}:{somali[0]}"))
    assert (v.ethnicity, v.ethnicity_detail) == ("black", "black_african")

    # a second import changes nothing
    after = counts(db)
    again = upload(client, h, "Volunteer-data.csv", "volunteers")
    assert again["summary"]["volunteers_to_create"] == 0 and again["summary"]["already_imported"] == created
    assert confirm(client, h, again, take_good_rows=True).status_code == 200
    assert counts(db) == after


def test_the_sessions_export_skips_empty_places_and_applications_and_reconciles_hours(client, as_user, staff, centre, db):
    h = as_user(staff)
    vols = upload(client, h, "Volunteer-data.csv", "volunteers")
    assert confirm(client, h, vols, take_good_rows=True).status_code == 200
    before = counts(db)

    batch = upload(client, h, "Session-data.csv", "sessions")
    assert batch["error_count"] == 0, batch["problems"]
    s = batch["summary"]
    rows = tk_rows("Session-data.csv")
    assert batch["total_rows"] == len(rows) == 69
    skipped = s["rows_skipped"]
    unfilled = sum(1 for r in rows if not r["VOLID"])
    dateless = sum(1 for r in rows if r["VOLID"] and not r["SESSIONDATE"])
    assert unfilled == 42 and dateless == 7
    assert skipped[next(k for k in skipped if k.startswith("A session place no volunteer"))] == unfilled
    assert skipped[next(k for k in skipped if k.startswith("An application with no session date"))] == dateless
    assert s["hours_entries_to_create"] + sum(skipped.values()) == 69, "rows in = created + skipped with a reason"
    assert counts(db) == before

    r = confirm(client, h, batch)
    assert r.status_code == 200, r.text
    margaret = db.scalar(select(Volunteer).where(Volunteer.source_id == f"{centre.id}:3"))
    imported = db.scalar(select(func.sum(HoursEntry.hours)).where(HoursEntry.volunteer_id == margaret.id))
    assert imported == Decimal("12.00")
    # hours per volunteer: equal to the file's own total, or listed with the difference
    recon = {row["volunteer"]: row for row in r.json()["summary"]["hours_reconciliation"]}
    totals = {ref: row for ref, row in ((r["VOLID"], r) for r in tk_rows("Volunteer-data.csv")) if row["TOTALPROHOURS"]}
    for ref, row in totals.items():
        v = db.scalar(select(Volunteer).where(Volunteer.source_id == f"{centre.id}:{ref}"))
        got = db.scalar(select(func.coalesce(func.sum(HoursEntry.hours), 0)).where(HoursEntry.volunteer_id == v.id))
        if Decimal(str(got)) != Decimal(row["TOTALPROHOURS"]):
            assert ref in recon and not recon[ref]["agrees"] and recon[ref]["difference"] is not None
    assert recon["3"]["file_hours_confirmed"] == 12 and recon["3"]["hours_imported"] == 12 and recon["3"]["agrees"]
    assert recon["3"]["file_hours_logged"] == 12.5

    after = counts(db)
    again = upload(client, h, "Session-data.csv", "sessions")
    assert again["summary"]["hours_entries_to_create"] == 0 and again["summary"]["already_imported"] == 12
    assert confirm(client, h, again).status_code == 200
    assert counts(db) == after


def test_the_provider_and_opportunity_exports_become_organisations_and_roles_linked_to_sessions(
    client, as_user, staff, centre, db
):
    h = as_user(staff)
    providers = upload(client, h, "Provider-data.csv", "organisations")
    assert providers["error_count"] == 0, providers["problems"]
    assert providers["summary"]["organisations_to_create"] == 1 and providers["total_rows"] == 1
    assert confirm(client, h, providers).status_code == 200
    org = db.scalar(select(Organisation).where(Organisation.source == "teamkinetic"))
    assert org.name == "First Choice Sports" and org.contact_phone == "07832 42311"

    opps = upload(client, h, "Opportunity-data.csv", "roles")
    assert opps["error_count"] == 0, opps["problems"]
    assert opps["summary"]["roles_to_create"] == 3 and opps["total_rows"] == 3
    # the demonstration tags name no cause or skill of the taxonomies: each is reported, none is dropped silently
    assert opps["summary"]["tags_mapped"] == [] and "Disability Coach" in opps["summary"]["tags_not_mapped"]
    assert opps["summary"]["roles_closed"] == 3  # their last days have passed
    assert confirm(client, h, opps).status_code == 200
    roles = db.scalars(select(Role).where(Role.source == "teamkinetic").order_by(Role.source_id)).all()
    assert [r.organisation_id for r in roles] == [org.id] * 3
    assert Counter(r.one_off for r in roles) == Counter({False: 3})

    vols = upload(client, h, "Volunteer-data.csv", "volunteers")
    assert confirm(client, h, vols, take_good_rows=True).status_code == 200
    sessions = upload(client, h, "Session-data.csv", "sessions")
    assert sessions["summary"]["roles_to_create"] == 0 and sessions["summary"]["organisations_to_create"] == 0
    planned_sessions = sessions["summary"]["role_sessions_to_create"]
    assert planned_sessions > 0
    assert confirm(client, h, sessions).status_code == 200
    # each session a volunteer gave time at is a dated session of its role, from its start for its hours
    dated = db.scalars(select(RoleSession).where(RoleSession.role_id.in_([r.id for r in roles]))).all()
    assert len(dated) == planned_sessions
    given = {
        datetime.strptime(f"{r['SESSIONDATE']} {r['SESSIONSTARTTIME']}", "%Y-%m-%d %H:%M")
        for r in tk_rows("Session-data.csv")
        if r["VOLID"] and r["SESSIONDATE"]
    }
    assert {x.starts_at for x in dated} <= given and all(x.ends_at > x.starts_at for x in dated)
    again_sessions = upload(client, h, "Session-data.csv", "sessions")
    assert again_sessions["summary"]["role_sessions_to_create"] == 0
    placement_roles = set(db.scalars(select(Placement.role_id)))
    assert placement_roles <= {r.id for r in roles} and placement_roles
    assert db.scalar(select(func.count()).select_from(Organisation).where(Organisation.source == "teamkinetic")) == 1

    after = counts(db)
    for name, kind in (("Provider-data.csv", "organisations"), ("Opportunity-data.csv", "roles")):
        again = upload(client, h, name, kind)
        assert again["summary"]["already_imported"] >= 1
        assert confirm(client, h, again).status_code == 200
    assert counts(db) == after
