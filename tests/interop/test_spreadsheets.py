"""Spreadsheets as people make them: a title above the header, the data on the second sheet, a
two-row header, broken lines, text in two encodings. Each is read, or refused with the rows named."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from brokerage.interop.imports.reader import FileProblem, read_table
from brokerage.models import Role, Volunteer
from tests.factories import ASHFORD, CANTERBURY


@pytest.fixture
def centre(factory):
    return factory.centre(districts=(ASHFORD, CANTERBURY))


@pytest.fixture
def staff(factory, centre):
    return factory.user("centre_staff", centre=centre)


def upload(client, headers, content: bytes, kind: str, filename: str, **data):
    form = {"kind": kind, "format": "generic", **{k: (json.dumps(v) if k == "mapping" else str(v)) for k, v in data.items()}}
    r = client.post("/imports", headers=headers, files={"file": (filename, content)}, data=form)
    assert r.status_code == 201, r.text
    return r.json()


def roles_workbook() -> bytes:
    wb = Workbook()
    notes = wb.active
    notes.title = "Read me"
    notes.append(["This workbook lists the roles of the Ashford Food Bank."])
    notes.append(["Updated every month."])
    ws = wb.create_sheet("Roles")
    ws.append(["Ashford Food Bank — volunteer roles, spring"])
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["Ref", "Role", "What you will do", "Venue postcode", "Type", "Closing date"])
    ws.append(["R-1", "Warehouse sorter", "Sort donated food into parcels.", "TN23 1AA", "Regular", "2030-12-31"])
    ws.append(["R-2", "Christmas collection helper", "Collect outside supermarkets.", "CT1 2AA", "One-off event", "2030-12-24"])
    ws.append(["R-3", "Phone befriender", "Call people who live alone.", "", "Regular", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_roles_workbook_with_a_title_on_its_second_sheet_imports_through_the_mapping(client, as_user, staff, factory, db):
    org = factory.organisation(ASHFORD, name="Ashford Food Bank")
    h = as_user(staff)
    batch = upload(client, h, roles_workbook(), "roles", "roles.xlsx")
    assert batch["status"] == "needs_mapping"
    assert batch["summary"]["file"]["sheet"] == "Roles" and batch["summary"]["file"]["header_row"] == 3
    assert batch["columns"] == ["Ref", "Role", "What you will do", "Venue postcode", "Type", "Closing date"]
    suggested = batch["mapping"]
    assert suggested["title"] == "Role" and suggested["source_id"] == "Ref"
    mapping = {**suggested, "description": "What you will do", "postcode": "Venue postcode", "opportunity_type": "Type"}
    mapping["ends_on"] = "Closing date"
    # the roles belong to one organisation: the file has no column for it, so it is named in the mapping step
    r = client.put(f"/imports/{batch['id']}/mapping", headers=h, json={"mapping": mapping})
    assert r.status_code == 200, r.text
    checked = r.json()
    assert checked["error_count"] == 3 and "whose role" in checked["problems"][0]["problem"]
    r = client.post(
        "/imports",
        headers=h,
        files={"file": ("roles.xlsx", roles_workbook())},
        data={"kind": "roles", "format": "generic", "mapping": json.dumps(mapping), "organisation_id": str(org.id)},
    )
    assert r.status_code == 201, r.text
    checked = r.json()
    assert checked["error_count"] == 0, checked["problems"]
    assert checked["summary"]["roles_to_create"] == 3 and checked["total_rows"] == 3
    assert client.post(f"/imports/{checked['id']}/confirm", headers=h).status_code == 200
    roles = {r.title: r for r in db.scalars(select(Role).where(Role.organisation_id == org.id))}
    assert set(roles) == {"Warehouse sorter", "Christmas collection helper", "Phone befriender"}
    assert roles["Christmas collection helper"].one_off and roles["Warehouse sorter"].district_gss == ASHFORD
    assert roles["Warehouse sorter"].description == "Sort donated food into parcels."


def test_the_sheet_and_the_header_row_can_be_chosen():
    table = read_table(roles_workbook(), "roles.xlsx", sheet="Roles", header_row=3)
    assert table.sheet == "Roles" and table.columns[:2] == ["Ref", "Role"] and table.total_rows == 3
    with pytest.raises(FileProblem, match="does not look like a header"):
        read_table(roles_workbook(), "roles.xlsx", sheet="Read me", header_row=1)
    with pytest.raises(FileProblem, match="no sheet called"):
        read_table(roles_workbook(), "roles.xlsx", sheet="Nope")


def test_a_group_row_above_the_header_is_skipped():
    csv_text = ("Volunteer,,Contact,\nFirst name,Surname,Email,Mobile\nAmelia,Hart,amelia@example.net,07700 900123\n").encode()
    table = read_table(csv_text, "people.csv", expected=[("first name",), ("surname",), ("email",)])
    assert table.header_row + table.header_rows - 1 == 2
    assert [r.values for r in table.rows][0]["Email" if "Email" in table.columns else "Contact Email"] == "amelia@example.net"
    assert table.total_rows == 1


VOLUNTEERS = "Ref,First name,Surname,Date of birth,Email\n"
MAPPING = {
    "source_id": "Ref",
    "first_name": "First name",
    "last_name": "Surname",
    "date_of_birth": "Date of birth",
    "email": "Email",
}


def test_a_broken_line_is_reported_with_its_row_numbers_and_nothing_is_written(client, as_user, staff, db):
    content = (
        VOLUNTEERS
        + "V1,Amelia,Hart,1990-03-14,amelia@example.net\n"
        + "V2,Oliver,Price\n"  # the line broke here: an unquoted line break inside the surname cell
        + "1981-01-01,oliver@example.net\n"
        + "V3,Grace,Lee,1979-11-30,grace@example.net\n"
    ).encode()
    before = db.scalar(select(func.count()).select_from(Volunteer))
    batch = upload(client, as_user(staff), content, "volunteers", "people.csv", mapping=MAPPING)
    rows = sorted({p["row"] for p in batch["problems"] if p["severity"] == "error"})
    assert rows == [3, 4]
    assert all("broken" in p["problem"] for p in batch["problems"] if p["row"] in (3, 4) and p["field"] is None)
    r = client.post(f"/imports/{batch['id']}/confirm", headers=as_user(staff))
    assert r.status_code == 409
    assert db.scalar(select(func.count()).select_from(Volunteer)) == before
    assert not db.scalar(select(func.count()).select_from(Volunteer).where(Volunteer.first_name == "1981-01-01"))


def test_a_file_in_mixed_encodings_is_refused_with_the_rows_named(client, as_user, staff, db):
    content = (
        VOLUNTEERS.encode()
        + "V1,Zoë,Hart,1990-03-14,zoe@example.net\n".encode("utf-8")
        + "V2,Chloé,Price,1985-07-02,chloe@example.net\n".encode("cp1252")
        + "V3,Grace,Lee,1979-11-30,grace@example.net\n".encode()
        + "V4,Renée,Wood,1979-11-30,renee@example.net\n".encode("cp1252")
    )
    batch = upload(client, as_user(staff), content, "volunteers", "people.csv", mapping=MAPPING)
    assert batch["status"] != "committed" and batch["error_count"] >= 1
    whole = next(p for p in batch["problems"] if p["row"] == 0)
    assert "mixes text encodings" in whole["problem"]
    named = {p["row"] for p in batch["problems"] if p["row"]}
    assert named == {2} or named == {3, 5}, named
    assert client.post(f"/imports/{batch['id']}/confirm", headers=as_user(staff)).status_code == 409


def test_text_converted_twice_is_refused_and_a_legacy_encoding_is_read():
    garbled = (VOLUNTEERS + "V1,ZoÃ«,Hart,1990-03-14,zoe@example.net\n").encode("utf-8")
    with pytest.raises(FileProblem, match="garbled") as exc:
        read_table(garbled, "people.csv")
    assert exc.value.rows == [2]
    legacy = (VOLUNTEERS + "V1,Zoë,Hart,1990-03-14,zoe@example.net\nV2,Chloé,Price,1985-07-02,c@example.net\n").encode("cp1252")
    table = read_table(legacy, "people.csv")
    assert [r.values["First name"] for r in table.rows] == ["Zoë", "Chloé"]


def test_a_column_named_twice_with_different_values_is_reported_by_row():
    content = b"VOLID,FIRSTNAME,SURNAME,VOLID\n1,Amelia,Hart,1\n2,Oliver,Price,3\n"
    table = read_table(content, "tk.csv")
    assert [(p.row, p.field) for p in table.problems] == [(3, "VOLID")]
    same = read_table(b"VOLID,FIRSTNAME,SURNAME,VOLID\n1,Amelia,Hart,1\n", "tk.csv")
    assert not same.problems and any("same in every row" in n for n in same.notes)


def test_roles_from_a_file_map_their_tags_and_go_where_a_centre_expects(client, as_user, staff, factory, db):
    """Tags naming a cause or skill are recorded as such and the others reported; a role the file says
    is live still needs its times before it is published, so it waits in the centre's review queue, and a
    role whose last day has passed comes in closed. Places the file does not give stay unknown."""
    org = factory.organisation(ASHFORD, name="Ashford Green Spaces")
    content = (
        "Role,Tags,Live,Venue postcode,Closing date\n"
        "Litter picker,Environment; Knitting,Yes,TN23 1AA,2030-12-31\n"
        "Minibus driver,Driving,No,TN23 1AA,2030-12-31\n"
        "Summer fete helper,Environment,Yes,TN23 1AA,2020-08-01\n"
    ).encode()
    mapping = {"title": "Role", "tags": "Tags", "authorised": "Live", "postcode": "Venue postcode", "ends_on": "Closing date"}
    h = as_user(staff)
    batch = upload(client, h, content, "roles", "roles.csv", mapping=mapping, organisation_id=org.id)
    assert batch["error_count"] == 0, batch["problems"]
    s = batch["summary"]
    assert (s["roles_to_publish"], s["roles_for_review"], s["roles_closed"]) == (0, 2, 1)
    assert s["why_roles_go_to_review"]["the file does not give its times"] == 2
    assert s["why_roles_go_to_review"]["the file does not say the role is live"] == 1
    assert {(t["tag"], t["maps_to"]) for t in s["tags_mapped"]} == {
        ("Environment", "cause: Environment"),
        ("Driving", "skill: driving"),
    }
    assert s["tags_not_mapped"] == {"Knitting": 1}
    assert client.post(f"/imports/{batch['id']}/confirm", headers=h).status_code == 200
    roles = {r.title: r for r in db.scalars(select(Role).where(Role.organisation_id == org.id))}
    assert roles["Litter picker"].status == "pending_review" and roles["Summer fete helper"].status == "closed"
    assert roles["Litter picker"].causes == ["Environment"] and roles["Minibus driver"].desired_skills == ["driving"]
    assert all(r.places_available is None for r in roles.values())
