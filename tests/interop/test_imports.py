"""Imports: TeamKinetic volunteers and sessions, spreadsheets through the mapping step.

A dry run reports every bad row and writes nothing; a clean file imports; the same file again
changes nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from brokerage.models import AuditLog, HoursEntry, ImportBatch, Organisation, Placement, Role, Volunteer
from tests.factories import ASHFORD, CANTERBURY

VOL_HEADER = (
    "VOLID,FIRSTNAME,SURNAME,DOB,GENDER,ETHNICITY,POSTCODE,EMAIL,DATEREGISTERED,CRIMINALCHECK,"
    "CRIMINALCHECKENHANCED,CHECKEXPIRES,INDUCTED,DISABLED,SENDEMAILS,TOTALVOLHOURS,STATUS"
)
FUTURE = (date.today() + timedelta(days=400)).strftime("%d/%m/%Y")

CLEAN_VOLUNTEERS = (
    "\n".join(
        [
            VOL_HEADER,
            f"TK1001,Amelia,Hart,1990-03-14,Female,White British,TN23 1AA,amelia.hart@example.net,21/10/2025 10:35:00,Yes,No,{FUTURE},Yes,No,Yes,12.5,Active",
            "TK1002,Oliver,Price,02/07/1985,Male,Asian or Asian British,CT1 2AA,oliver.price@example.net,2025-10-08,No,No,,No,No,No,0,Active",
            "TK1003,Grace,O'Neill,1979-11-30,Prefer not to say,,ME14 1XX,,2024-01-15,Yes,Yes,2020-01-01,Yes,Yes,Yes,3,Inactive",
        ]
    )
    + "\n"
)

SESSIONS_HEADER = (
    "NAME,POSTALCODE,OPPTYPE,PROVIDERNAME,EVENTNAME,STARTDATE,ENDDATE,STATUS,VOLID,SESSIONDATE,"
    "SESSIONSTARTTIME,SESSIONHOURS,HOURSLOGGED,HOURSLOGGEDPROVIDER,ATTENDED,PROVIDERCHECKED"
)
CLEAN_SESSIONS = (
    "\n".join(
        [
            SESSIONS_HEADER,
            "Food bank helper,TN23 1AA,Regular,Ashford Food Bank,Saturday sorting,2025-01-01,,Active,TK1001,2025-10-04,09:30,3,3,3,Yes,Yes",
            "Food bank helper,TN23 1AA,Regular,Ashford Food Bank,Saturday sorting,2025-01-01,,Active,TK1001,11/10/2025 09:30:00,09:30:00,3,2.5,0,Yes,No",
            "Food bank helper,TN23 1AA,Regular,Ashford Food Bank,Saturday sorting,2025-01-01,,Active,TK1002,2025-10-04,09:30,3,0,0,Yes,No",
            "Beach clean,CT9 1AA,One-off,Thanet Coast Care,Spring beach clean,2025-04-12,2025-04-12,Closed,TK1002,2025-04-12,14:00,2,2,2,Yes,Yes",
            "Beach clean,CT9 1AA,One-off,Thanet Coast Care,Spring beach clean,2025-04-12,2025-04-12,Closed,TK1003,2025-04-12,14:00,2,0,0,No,No",
        ]
    )
    + "\n"
)


@pytest.fixture
def centre(factory):
    return factory.centre(districts=(ASHFORD, CANTERBURY))


@pytest.fixture
def staff(factory, centre):
    return factory.user("centre_staff", centre=centre)


def upload(
    client,
    headers,
    content: bytes | str,
    kind: str = "volunteers",
    fmt: str = "teamkinetic",
    filename: str = "export.csv",
    mapping: str | None = None,
):
    data = {"kind": kind, "format": fmt}
    if mapping is not None:
        data["mapping"] = mapping
    body = content.encode() if isinstance(content, str) else content
    return client.post("/imports", headers=headers, files={"file": (filename, body)}, data=data)


def counts(db) -> dict[str, int]:
    return {
        m.__name__: db.scalar(select(func.count()).select_from(m)) for m in (Volunteer, Organisation, Role, Placement, HoursEntry)
    }


def test_clean_teamkinetic_files_import_and_reimport_changes_nothing(client, as_user, staff, centre, db):
    h = as_user(staff)
    before = counts(db)

    r = upload(client, h, CLEAN_VOLUNTEERS)
    assert r.status_code == 201, r.text
    batch = r.json()
    assert batch["status"] == "checked" and batch["error_count"] == 0 and batch["total_rows"] == 3
    assert batch["summary"]["volunteers_to_create"] == 3
    assert "INDUCTED" in batch["summary"]["columns_not_used"]
    # the expired check is a warning, not an error
    assert [p["row"] for p in batch["problems"] if p["severity"] == "warning"] == [4]
    assert counts(db) == before, "a dry run writes nothing"

    r = client.post(f"/imports/{batch['id']}/confirm", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["result"]["volunteers_created"] == 3
    amelia = db.scalar(select(Volunteer).where(Volunteer.source == "teamkinetic", Volunteer.source_id == f"{centre.id}:TK1001"))
    assert (amelia.first_name, amelia.date_of_birth, amelia.district_gss) == ("Amelia", date(1990, 3, 14), ASHFORD)
    assert amelia.registered_on == date(2025, 10, 21) and amelia.dbs_level == "standard" and amelia.contact_consent
    assert amelia.registering_centre_id == centre.id and amelia.gender == "woman"
    grace = db.scalar(select(Volunteer).where(Volunteer.source_id == f"{centre.id}:TK1003"))
    assert grace.status == "inactive" and grace.dbs_level == "none" and grace.email is None
    oliver = db.scalar(select(Volunteer).where(Volunteer.source_id == f"{centre.id}:TK1002"))
    assert oliver.date_of_birth == date(1985, 7, 2)

    r = upload(client, h, CLEAN_SESSIONS, kind="sessions")
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["error_count"] == 0, s["problems"]
    assert s["summary"]["organisations_to_create"] == 2 and s["summary"]["roles_to_create"] == 2
    assert s["summary"]["hours_entries_to_create"] == 4 and s["summary"]["rows_without_hours"] == 1
    r = client.post(f"/imports/{s['id']}/confirm", headers=h)
    assert r.status_code == 200, r.text
    entries = db.scalars(
        select(HoursEntry).where(HoursEntry.source == "teamkinetic").order_by(HoursEntry.worked_on, HoursEntry.hours)
    ).all()
    assert sum((e.hours for e in entries), Decimal(0)) == Decimal("10.50")
    statuses = {(e.volunteer_id, e.worked_on): e.status for e in entries}
    assert statuses[(amelia.id, date(2025, 10, 4))] == "approved"
    assert statuses[(amelia.id, date(2025, 10, 11))] == "submitted"  # logged by the volunteer, not yet checked
    role = db.scalar(select(Role).where(Role.title == "Food bank helper"))
    assert (
        role.status == "pending_review" and role.slot_mask == 1 << 15
    )  # SaturdayMorning; not said to be live: the centre reviews it
    beach = db.scalar(select(Role).where(Role.title == "Beach clean"))
    assert beach.status == "closed" and beach.one_off
    assert db.scalar(select(func.count()).select_from(Placement).where(Placement.volunteer_id == amelia.id)) == 1
    assert (
        db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.in_(("import.volunteers", "import.sessions"))))
        == 2
    )

    after_first = counts(db)
    for content, kind in ((CLEAN_VOLUNTEERS, "volunteers"), (CLEAN_SESSIONS, "sessions")):
        r = upload(client, h, content, kind=kind)
        again = r.json()
        assert again["error_count"] == 0 and again["summary"]["already_imported"] >= 3
        r = client.post(f"/imports/{again['id']}/confirm", headers=h)
        assert r.status_code == 200, r.text
    assert counts(db) == after_first, "importing the same files again changes nothing"


MALFORMED_VOLUNTEERS = (
    "\n".join(
        [
            VOL_HEADER + ",NOTES",  # an extra column in the header is fine (ignored)
            "TK2001,Ruth,Clarke,1988-02-30,Female,,TN23 1AA,ruth@example.net,2025-10-08,No,No,,No,No,Yes,0,Active,likes gardening",  # impossible date
            "TK2002,Sam,Okafor,14/13/1990,Male,,CT1 2AA,sam@example.net,21/10/2025 10:35:00,No,No,,No,No,Yes,0,Active,",  # month 13
            "TK2003,Priya,Shah,1992-05-06,Female,,ZZ99 9ZZ,priya@example.net,2025-10-08,No,No,,No,No,Yes,0,Active,",  # unknown postcode
            "TK2003,Tom,Reid,1970-01-01,Male,,TN23 1AA,tom@example.net,2025-10-08,No,No,,No,No,Yes,0,Active,",  # duplicate VOLID
            "TK2005,,Lee,1970-01-01,Male,,TN23 1AA,lee@example.net,2025-10-08,No,No,,No,No,Yes,0,Active,",  # missing first name
            "TK2006,Ann,Bell,1980-01-01,Female,,TN23 1AA,ann@example.net,2025-10-08,No,No,,No,No,Yes,0,Active,,surplus,cells",  # extra cells
            "TK2007,Joe,Bloggs,not a date,Male,,TN23 1AA,joe-at-example.net,yesterday,Maybe,No,,No,No,Yes,0,Active,",  # three bad cells
            "TK2008,Good,Row,1980-01-01,Female,,TN23 1AA,good@example.net,2025-10-08,No,No,,No,No,Yes,0,Active,",
        ]
    )
    + "\n"
)


def test_malformed_rows_are_all_reported_and_nothing_is_written(client, as_user, staff, db):
    h = as_user(staff)
    before = counts(db)
    r = upload(client, h, MALFORMED_VOLUNTEERS)
    assert r.status_code == 201, r.text
    batch = r.json()
    errors = [p for p in batch["problems"] if p["severity"] == "error"]
    assert sorted({p["row"] for p in errors}) == [2, 3, 4, 5, 6, 7, 8], "every bad row is reported, the good one is not"
    by_row = {}
    for p in errors:
        by_row.setdefault(p["row"], []).append(p)
    assert by_row[2][0]["field"] == "DOB" and "not a date" in by_row[2][0]["problem"]
    assert by_row[3][0]["field"] == "DOB"
    assert by_row[4][0]["field"] == "POSTCODE" and "ZZ99" in by_row[4][0]["problem"]
    assert by_row[5][0]["field"] == "VOLID" and "row 4" in by_row[5][0]["problem"]
    assert by_row[6][0]["field"] == "FIRSTNAME" and "required" in by_row[6][0]["problem"]
    assert by_row[7][0]["field"] is None and "cells" in by_row[7][0]["problem"]
    assert {p["field"] for p in by_row[8]} == {"DOB", "EMAIL", "DATEREGISTERED", "CRIMINALCHECK"}
    assert counts(db) == before

    r = client.post(f"/imports/{batch['id']}/confirm", headers=h)
    assert r.status_code == 409
    body = r.json()["error"]
    assert "nothing was imported" in body["message"] and len(body["details"]) == len(errors)
    assert counts(db) == before


def test_sessions_with_bad_rows_write_nothing(client, as_user, staff, db):
    h = as_user(staff)
    client.post(f"/imports/{upload(client, h, CLEAN_VOLUNTEERS).json()['id']}/confirm", headers=h)
    before = counts(db)
    bad = (
        "\n".join(
            [
                SESSIONS_HEADER,
                "Food bank helper,TN23 1AA,Regular,Ashford Food Bank,Sorting,2025-01-01,,Active,TK1001,2025-10-04,09:30,3,3,3,Yes,Yes",
                "Food bank helper,TN23 1AA,Regular,Ashford Food Bank,Sorting,2025-01-01,,Active,TK1001,04/10/2025 09:30:00,09:30,3,3,3,Yes,Yes",  # same session
                "Food bank helper,TN23 1AA,Regular,Ashford Food Bank,Sorting,2025-01-01,,Active,TK9999,2025-10-05,09:30,3,3,3,Yes,Yes",  # unknown VOLID
                "Food bank helper,QQ1 1AA,Regular,Ashford Food Bank,Sorting,2025-01-01,,Active,TK1002,31/09/2025,09:30,3,30,0,Yes,Yes",  # postcode, date, hours
                ",TN23 1AA,Regular,,Sorting,2025-01-01,,Active,TK1002,2025-10-06,09:30,3,3,3,Yes,Yes",  # no opportunity, no provider
            ]
        )
        + "\n"
    )
    batch = upload(client, h, bad, kind="sessions").json()
    rows = sorted({p["row"] for p in batch["problems"] if p["severity"] == "error"})
    assert rows == [3, 4, 5, 6]
    fields5 = {p["field"] for p in batch["problems"] if p["row"] == 5}
    assert {"POSTALCODE", "SESSIONDATE", "HOURSLOGGED"} <= fields5
    assert client.post(f"/imports/{batch['id']}/confirm", headers=h).status_code == 409
    assert counts(db) == before


@pytest.mark.parametrize(
    "content,filename",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x00\x01\x02", "export.pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.csv"),
        (b'{"volunteers": [{"name": "Amelia"}]}', "export.json"),
        (b"PK\x03\x04 this is not really a workbook", "export.xlsx"),
        (b"", "empty.csv"),
        (b"FIRSTNAME,SURNAME,EMAIL\nAmelia,Hart,a@example.net\n", "no-ids.csv"),  # a CSV, but not a TeamKinetic export
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_in_plain_words(client, as_user, staff, db, content, filename):
    before = counts(db)
    batch = upload(client, as_user(staff), content, filename=filename).json()
    assert batch["error_count"] == 1 and batch["problems"][0]["row"] == 0
    assert any(
        w in batch["problems"][0]["problem"]
        for w in ("not a CSV", "could not be opened", "does not look like", "empty", "header", "VOLID is missing")
    )
    assert client.post(f"/imports/{batch['id']}/confirm", headers=as_user(staff)).status_code == 409
    assert counts(db) == before


def test_generic_xlsx_goes_through_the_mapping_step(client, as_user, staff, centre, db):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Member ref", "Forename", "Family name", "Birthday", "E-mail", "Mobile", "Post code", "Favourite colour"])
    ws.append(["M-1", "Hannah", "Wood", date(1975, 4, 3), "hannah.wood@example.net", "07700 900123", "CT1 2AA", "blue"])
    ws.append(["M-2", "Idris", "Khan", "12/12/1999", "idris@example.net", "", "TN23 1AA", "green"])
    buf = io.BytesIO()
    wb.save(buf)
    h = as_user(staff)

    batch = upload(client, h, buf.getvalue(), fmt="generic", filename="people.xlsx").json()
    assert batch["status"] == "needs_mapping"
    suggested = batch["mapping"]
    assert suggested["first_name"] == "Forename" and suggested["date_of_birth"] == "Birthday" and suggested["email"] == "E-mail"
    before = counts(db)
    # the user corrects and completes the suggestion
    mapping = {**suggested, "last_name": "Family name", "source_id": "Member ref", "phone": "Mobile", "postcode": "Post code"}
    r = client.put(f"/imports/{batch['id']}/mapping", headers=h, json={"mapping": mapping})
    assert r.status_code == 200, r.text
    checked = r.json()
    assert checked["status"] == "checked" and checked["error_count"] == 0, checked["problems"]
    assert counts(db) == before
    r = client.post(f"/imports/{batch['id']}/confirm", headers=h)
    assert r.status_code == 200, r.text
    hannah = db.scalar(select(Volunteer).where(Volunteer.source == "spreadsheet", Volunteer.source_id == f"{centre.id}:M-1"))
    assert (hannah.last_name, hannah.date_of_birth, hannah.phone, hannah.district_gss) == (
        "Wood",
        date(1975, 4, 3),
        "07700 900123",
        CANTERBURY,
    )

    r = client.put(f"/imports/{batch['id']}/mapping", headers=h, json={"mapping": {"first_name": "Nope"}})
    assert r.status_code == 409  # already committed


def test_only_staff_of_the_centre_import_and_see_batches(client, as_user, factory, staff):
    batch = upload(client, as_user(staff), CLEAN_VOLUNTEERS).json()
    other_staff = factory.user("centre_staff", centre=factory.centre())
    assert client.get(f"/imports/{batch['id']}", headers=as_user(other_staff)).status_code == 404
    assert client.post(f"/imports/{batch['id']}/confirm", headers=as_user(other_staff)).status_code == 404
    assert client.get("/imports", headers=as_user(other_staff)).json()["total"] == 0
    for role in ("pilot_lead", "admin", "organisation_manager"):
        user = factory.user(role)
        assert upload(client, as_user(user), CLEAN_VOLUNTEERS).status_code == 403
        assert client.get(f"/imports/{batch['id']}", headers=as_user(user)).status_code == 403
    assert upload(client, {}, CLEAN_VOLUNTEERS).status_code == 401
    assert client.get("/imports", headers=as_user(staff)).json()["total"] == 1


def test_command_line_dry_run_then_commit(tmp_path, capsys, migrated_sqlite):
    """``brokerage import volunteers FILE --format teamkinetic --centre-id N [--commit]`` on its own database."""
    from workers import cli
    from brokerage.db import set_engine
    from brokerage.models import Centre
    from sqlalchemy.orm import Session

    engine = migrated_sqlite(tmp_path / "cli.sqlite3")
    with Session(engine) as s:
        c = Centre(name="Test Centre", is_lead=False)
        s.add(c)
        s.commit()
        centre_id = c.id
    path = tmp_path / "volunteers.csv"
    path.write_text(CLEAN_VOLUNTEERS)
    set_engine(engine)
    try:
        assert (
            cli.main(["import", "volunteers", str(path), "--format", "teamkinetic", "--centre-id", str(centre_id), "--quiet"])
            == 0
        )
        assert "Dry run only" in capsys.readouterr().out
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(Volunteer)) == 0
        assert cli.main(["import", "volunteers", str(path), "--centre-id", str(centre_id), "--commit", "--quiet"]) == 0
        assert "volunteers created 3" in capsys.readouterr().out
        assert cli.main(["import", "volunteers", str(path), "--centre-id", str(centre_id), "--commit", "--quiet"]) == 0
        assert "volunteers created 0" in capsys.readouterr().out
        bad = tmp_path / "bad.csv"
        bad.write_text(MALFORMED_VOLUNTEERS)
        assert cli.main(["import", "volunteers", str(bad), "--centre-id", str(centre_id), "--commit", "--quiet"]) == 1
        out = capsys.readouterr().out
        assert "Nothing was imported" in out and "row 8 [EMAIL]" in out
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(Volunteer)) == 3
            assert s.scalar(select(func.count()).select_from(ImportBatch)) == 4
    finally:
        set_engine(None)
        engine.dispose()
