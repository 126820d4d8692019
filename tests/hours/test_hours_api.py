"""Logging, approving, querying and correcting hours, with the rules a volunteer or organisation would notice."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from brokerage.models import HoursEntry, OutboxMessage, Placement
from brokerage.models.reporting import HoursRollup
from brokerage.reports import rollups
from tests.factories import ASHFORD, CANTERBURY

TODAY = date.today()


@pytest.fixture
def world(db, factory):
    centre = factory.centre(districts=(ASHFORD,))
    other_centre = factory.centre(districts=(CANTERBURY,))
    org = factory.organisation(ASHFORD)
    role = factory.role(org)
    vol = factory.volunteer(ASHFORD)
    placement = Placement(volunteer_id=vol.id, role_id=role.id, organisation_id=org.id, started_on=TODAY - timedelta(days=60))
    db.add(placement)
    db.flush()
    from brokerage.models import User

    return {
        "placement": placement,
        "volunteer": vol,
        "vuser": db.get(User, vol.user_id),
        "org": org,
        "role": role,
        "manager": factory.user("organisation_manager", organisations=(org,)),
        "other_manager": factory.user("organisation_manager", organisations=(factory.organisation(ASHFORD),)),
        "staff": factory.user("centre_staff", centre=centre),
        "other_staff": factory.user("centre_staff", centre=other_centre),
        "lead": factory.user("pilot_lead"),
    }


def _log(client, h, pid, day, hours, activity="Dog walking"):
    return client.post(
        f"/placements/{pid}/hours", json={"worked_on": day.isoformat(), "hours": hours, "activity": activity}, headers=h
    )


def _actors(db):
    return [(m.actor, m.payload) for m in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_volunteer_logs_and_organisation_approves(client, as_user, db, world):
    pid = world["placement"].id
    r = _log(client, as_user(world["vuser"]), pid, TODAY - timedelta(days=3), 2.5)
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["status"] == "submitted" and entry["hours"] == 2.5
    assert ("hours.submitted", {"hours_entry_id": entry["id"]}) in _actors(db)
    assert client.post(f"/hours/{entry['id']}/approve", headers=as_user(world["vuser"])).status_code == 403
    assert client.post(f"/hours/{entry['id']}/approve", headers=as_user(world["other_manager"])).status_code == 404
    r = client.post(f"/hours/{entry['id']}/approve", headers=as_user(world["manager"]))
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["reviewed_by_id"] == world["manager"].id
    assert ("hours.approved", {"hours_entry_id": entry["id"]}) in _actors(db)
    assert client.post(f"/hours/{entry['id']}/approve", headers=as_user(world["manager"])).status_code == 409
    # what the hours.approved actor then does
    rollups.refresh_for_hours_entry(db, entry["id"])
    kinds = {r.period_kind for r in db.scalars(select(HoursRollup).where(HoursRollup.placement_id == pid))}
    assert kinds == {"month", "quarter", "year"}
    placements = client.get("/placements", headers=as_user(world["vuser"])).json()
    assert placements["total"] == 1 and placements["items"][0]["approved_hours"] == 2.5


def test_validation(client, as_user, db, world, factory):
    h, pid = as_user(world["vuser"]), world["placement"].id
    day = TODAY - timedelta(days=5)
    assert _log(client, h, pid, day, 0).status_code == 422
    assert _log(client, h, pid, day, 24.5).status_code == 422
    r = _log(client, h, pid, TODAY + timedelta(days=1), 2)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "worked_on"
    r = _log(client, h, pid, world["placement"].started_on - timedelta(days=1), 2)
    assert r.status_code == 422 and "began on" in r.json()["error"]["message"]
    assert _log(client, h, pid, day, 20).status_code == 201
    r = _log(client, h, pid, day, 20, "Another session")
    assert r.status_code == 422 and "no more than 24 hours a day" in r.json()["error"]["message"]
    # 24 per volunteer per day, across all their placements
    role2 = factory.role(world["org"])
    p2 = Placement(
        volunteer_id=world["volunteer"].id,
        role_id=role2.id,
        organisation_id=world["org"].id,
        started_on=TODAY - timedelta(days=30),
    )
    db.add(p2)
    db.commit()  # releases the test's savepoint, so a refused request does not roll it back
    assert _log(client, h, p2.id, day, 4.5).status_code == 422
    assert _log(client, h, p2.id, day, 4).status_code == 201
    r = _log(client, h, pid, TODAY - timedelta(days=6), 3)
    assert r.status_code == 201
    dup = _log(client, h, pid, TODAY - timedelta(days=6), 3, "  dog WALKING ")
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "conflict"


def test_query_and_correct_keep_history(client, as_user, db, world):
    pid = world["placement"].id
    entry = _log(client, as_user(world["vuser"]), pid, TODAY - timedelta(days=4), 3).json()
    r = client.post(f"/hours/{entry['id']}/query", json={"note": "Was it 3 hours or 2?"}, headers=as_user(world["manager"]))
    assert r.status_code == 200 and r.json()["status"] == "queried"
    r = client.post(f"/hours/{entry['id']}/correct", json={"hours": 2, "note": "It was 2"}, headers=as_user(world["vuser"]))
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["status"] == "submitted" and new["supersedes_id"] == entry["id"] and new["hours"] == 2.0
    assert [e["id"] for e in new["history"]] == [entry["id"]]
    old = client.get(f"/hours/{entry['id']}", headers=as_user(world["vuser"])).json()
    assert old["status"] == "superseded" and old["superseded_by_id"] == new["id"] and old["hours"] == 3.0
    assert client.post(f"/hours/{entry['id']}/correct", json={"hours": 1}, headers=as_user(world["vuser"])).status_code == 409
    # a reviewer's correction of approved hours is approved at once, and the rollups follow
    client.post(f"/hours/{new['id']}/approve", headers=as_user(world["manager"]))
    r = client.post(f"/hours/{new['id']}/correct", json={"hours": 1.5}, headers=as_user(world["staff"]))
    assert r.status_code == 201 and r.json()["status"] == "approved"
    assert client.get("/hours?status=superseded", headers=as_user(world["vuser"])).json()["total"] == 2


def test_bulk_approval_is_all_or_nothing_and_reports_every_bad_item(client, as_user, db, world):
    h = as_user(world["vuser"])
    pid = world["placement"].id
    ids = [_log(client, h, pid, TODAY - timedelta(days=d), 1).json()["id"] for d in (7, 8, 9)]
    client.post(f"/hours/{ids[0]}/approve", headers=as_user(world["manager"]))
    r = client.post(
        "/hours/bulk-approve", json={"ids": [ids[0], ids[1], 999999, ids[2], ids[1]]}, headers=as_user(world["manager"])
    )
    assert r.status_code == 409
    details = r.json()["error"]["details"]
    assert [d["field"] for d in details] == ["ids[0]", "ids[2]", "ids[4]"]
    assert "approved" in details[0]["message"] and "999999" in details[1]["message"] and "twice" in details[2]["message"]
    assert [db.get(HoursEntry, i).status for i in ids[1:]] == ["submitted", "submitted"]
    r = client.post("/hours/bulk-approve", json={"ids": ids[1:]}, headers=as_user(world["staff"]))
    assert r.status_code == 200 and r.json() == {"approved": 2, "ids": ids[1:]}
    assert client.post("/hours/bulk-approve", json={"ids": ids[1:]}, headers=as_user(world["vuser"])).status_code == 403


def test_scoping_of_lists_and_export(client, as_user, db, world):
    pid = world["placement"].id
    _log(client, as_user(world["vuser"]), pid, TODAY - timedelta(days=2), 1.25)
    assert client.get("/hours", headers=as_user(world["manager"])).json()["total"] == 1
    assert client.get("/hours", headers=as_user(world["staff"])).json()["total"] == 1
    assert client.get("/hours", headers=as_user(world["other_manager"])).json()["total"] == 0
    assert client.get("/hours", headers=as_user(world["other_staff"])).json()["total"] == 0
    assert client.get("/placements", headers=as_user(world["other_staff"])).json()["total"] == 0
    assert client.get("/hours", headers=as_user(world["lead"])).status_code == 403
    assert client.get("/placements", headers=as_user(world["lead"])).status_code == 403
    assert _log(client, as_user(world["other_staff"]), pid, TODAY - timedelta(days=1), 1).status_code == 404
    r = client.get("/hours/export.csv", headers=as_user(world["staff"]))
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 1 and rows[0]["hours"] == "1.25" and rows[0]["placement_id"] == str(pid)
    assert client.get("/hours/export.csv", headers=as_user(world["vuser"])).status_code == 403
    assert client.get("/hours/export.csv", headers=as_user(world["lead"])).status_code == 403
