"""Moderation holds after approval: a manager's change to what a published role is, where it is or who
may do it, re-opening a role after a long pause, and a verified organisation's new name or charity
number all go back to the centre's queue; candidates' distances cannot locate anyone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from brokerage.db import utcnow
from brokerage.models import RoleStatusChange
from tests.factories import ASHFORD


@pytest.fixture
def db(pg_db):
    """The rules are the service's, not the database's: one run, on PostgreSQL."""
    return pg_db


@pytest.fixture
def world(factory):
    centre = factory.centre(districts=(ASHFORD,))
    org = factory.organisation(ASHFORD)
    return {
        "org": org,
        "role": factory.role(org),
        "manager": factory.user("organisation_manager", organisations=(org,)),
        "staff": factory.user("centre_staff", centre=centre),
    }


def _public_ids(client) -> set[int]:
    return {r["id"] for r in client.get("/roles?page_size=100").json()["items"]}


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Something else entirely"},
        {"description": "Now it is about collecting cash door to door."},
        {"postcode": "CT1 2AA"},
        {"requirements": ["Personal Equipment"]},
        {"minimum_age": 14},
    ],
    ids=lambda c: next(iter(c)),
)
def test_an_edit_to_a_published_role_returns_it_to_review(client, as_user, world, change):
    role, manager, staff = world["role"], as_user(world["manager"]), as_user(world["staff"])
    assert role.id in _public_ids(client)
    r = client.patch(f"/roles/{role.id}", json=change, headers=manager)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending_review"
    assert role.id not in _public_ids(client)  # off the public list until the centre looks again
    history = client.get(f"/roles/{role.id}/history", headers=staff).json()
    assert history[-1]["to_status"] == "pending_review" and "back to review" in (history[-1]["reason"] or "")
    # The centre approves it again.
    r = client.post(f"/roles/{role.id}/status", json={"status": "published"}, headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert role.id in _public_ids(client)


def test_small_print_and_the_centres_own_edits_need_no_review(client, as_user, world):
    role = world["role"]
    r = client.patch(
        f"/roles/{role.id}", json={"rewards": ["Training"], "places_available": 3}, headers=as_user(world["manager"])
    )
    assert r.status_code == 200 and r.json()["status"] == "published", r.text
    r = client.patch(f"/roles/{role.id}", json={"title": "Dog walker (weekends)"}, headers=as_user(world["staff"]))
    assert r.status_code == 200 and r.json()["status"] == "published"
    # The same title again is no change.
    r = client.patch(f"/roles/{role.id}", json={"title": "Dog walker (weekends)"}, headers=as_user(world["manager"]))
    assert r.json()["status"] == "published"


def test_reopening_after_a_long_pause_goes_back_to_review(client, as_user, db, world, factory):
    manager = as_user(world["manager"])
    short, long_ = world["role"], factory.role(world["org"])
    for role in (short, long_):
        assert client.post(f"/roles/{role.id}/status", json={"status": "paused"}, headers=manager).status_code == 200
    db.execute(
        update(RoleStatusChange)
        .where(RoleStatusChange.role_id == long_.id, RoleStatusChange.to_status == "paused")
        .values(at=utcnow() - timedelta(days=60))
    )
    db.commit()
    r = client.post(f"/roles/{short.id}/status", json={"status": "published"}, headers=manager)
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = client.post(f"/roles/{long_.id}/status", json={"status": "published"}, headers=manager)
    assert r.status_code == 200 and r.json()["status"] == "pending_review", r.text


def test_a_verified_organisation_that_renames_itself_is_checked_again(client, as_user, world):
    org, manager, staff = world["org"], as_user(world["manager"]), as_user(world["staff"])
    r = client.patch(f"/organisations/{org.id}", json={"description": "We help more people now."}, headers=manager)
    assert r.json()["verification_status"] == "verified"
    r = client.patch(f"/organisations/{org.id}", json={"name": "Kent County Council"}, headers=manager)
    assert r.status_code == 200 and r.json()["verification_status"] == "pending"
    client.post(f"/organisations/{org.id}/verification", json={"decision": "verified"}, headers=staff)
    body = {"charity_registration": {"registrar": "ccew", "registration_number": "1234567"}}
    r = client.patch(f"/organisations/{org.id}", json=body, headers=manager)
    assert r.status_code == 200 and r.json()["verification_status"] == "pending", r.text
    # The centre's own correction is its own check.
    client.post(f"/organisations/{org.id}/verification", json={"decision": "verified"}, headers=staff)
    r = client.patch(f"/organisations/{org.id}", json={"name": "Ashford Dog Rescue"}, headers=staff)
    assert r.json()["verification_status"] == "verified"


def test_candidate_distances_are_whole_miles_and_none_close_by(client, as_user, factory, world):
    role = world["role"]
    near = factory.volunteer(ASHFORD)  # at the role's own postcode
    assert near is not None
    r = client.get(f"/roles/{role.id}/candidates", headers=as_user(world["manager"]))
    assert r.status_code == 200, r.text
    found = r.json()
    assert found, "the volunteer at the role's postcode is a candidate"
    for c in found:
        assert c["distance_miles"] is None or (c["distance_miles"] >= 2 and float(c["distance_miles"]).is_integer())
        assert not re.search(r"\d+\.\d+ miles", c["explanation"]), c["explanation"]
        assert "half a mile" not in c["explanation"] and "about a mile" not in c["explanation"]
