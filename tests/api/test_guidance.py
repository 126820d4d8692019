"""Guidance and training through the API: a centre's staff publish resources and training for their
own centre only; managers see what their centre has published for organisations and book places;
every other kind of account is refused (403) or finds nothing (404); bad input is a 4xx in the one
envelope, never a 500; a full event refuses the next booking with a 409 that says it is full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from brokerage.models import OutboxMessage, TrainingBooking, User
from tests.api.test_bad_input import assert_envelope
from tests.factories import ASHFORD, CANTERBURY


@dataclass
class World:
    users: dict
    organisation: object
    other_organisation: object


@pytest.fixture
def world(db, factory) -> World:
    ashford = factory.centre("Ashford Volunteer Centre", (ASHFORD,), is_lead=True)
    canterbury = factory.centre("Canterbury Volunteer Centre", (CANTERBURY,))
    org = factory.organisation(ASHFORD, name="Ashford Food Bank")
    other_org = factory.organisation(CANTERBURY, name="Canterbury Cathedral Gardens")
    v = factory.volunteer(ASHFORD)
    users = {
        "staff": factory.user("centre_staff", centre=ashford),
        "other_staff": factory.user("centre_staff", centre=canterbury),
        "manager": factory.user("organisation_manager", organisations=(org,)),
        "second_manager": factory.user("organisation_manager", organisations=(org,)),
        "other_manager": factory.user("organisation_manager", organisations=(other_org,)),
        "volunteer": db.get(User, v.user_id),
        "pilot_lead": factory.user("pilot_lead"),
        "admin": factory.user("admin"),
    }
    return World(users, org, other_org)


def _soon(days: int = 7, hour: int = 10) -> datetime:
    return datetime.combine(date.today() + timedelta(days=days), datetime.min.time()) + timedelta(hours=hour)


GUIDE = {
    "title": "Writing a volunteer role description",
    "kind": "guide",
    "category": "recruitment",
    "audience": "organisations",
    "body": "Say what the volunteer will do, when, and what they will get from it.",
    "url": "https://www.example.org/role-descriptions",
    "review_on": (date.today() + timedelta(days=180)).isoformat(),
    "status": "published",
}


def _event(**over) -> dict:
    body = {
        "title": "Safeguarding basics for small groups",
        "description": "Two hours on what to do when you are worried about someone.",
        "starts_at": _soon().isoformat(),
        "ends_at": (_soon() + timedelta(hours=2)).isoformat(),
        "place": "Ashford Gateway, Church Road, Ashford",
        "capacity": 2,
        "status": "published",
    }
    body.update(over)
    return body


def test_staff_publish_a_guide_that_their_managers_see_and_no_one_else(client, as_user, world):
    u = world.users
    r = client.post("/guidance/resources", json=GUIDE, headers=as_user(u["staff"]))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    draft = client.post(
        "/guidance/resources", json={**GUIDE, "title": "Draft policy", "status": "draft"}, headers=as_user(u["staff"])
    )
    assert draft.status_code == 201
    for_volunteers = client.post(
        "/guidance/resources",
        json={**GUIDE, "title": "For volunteers only", "audience": "volunteers"},
        headers=as_user(u["staff"]),
    )
    assert for_volunteers.status_code == 201

    seen = client.get("/guidance/resources", headers=as_user(u["manager"]))
    assert seen.status_code == 200
    assert [x["title"] for x in seen.json()] == [GUIDE["title"]]
    assert client.get(f"/guidance/resources/{rid}", headers=as_user(u["manager"])).status_code == 200
    assert client.get(f"/guidance/resources/{draft.json()['id']}", headers=as_user(u["manager"])).status_code == 404
    # another centre's manager and staff find nothing
    assert client.get("/guidance/resources", headers=as_user(u["other_manager"])).json() == []
    assert client.get(f"/guidance/resources/{rid}", headers=as_user(u["other_manager"])).status_code == 404
    assert client.get(f"/guidance/resources/{rid}", headers=as_user(u["other_staff"])).status_code == 404
    assert client.get("/guidance/resources", headers=as_user(u["other_staff"])).json() == []
    # the centre's own staff see all three, drafts included
    assert len(client.get("/guidance/resources", headers=as_user(u["staff"])).json()) == 3
    for who in ("volunteer", "pilot_lead", "admin"):
        assert_envelope(client.get("/guidance/resources", headers=as_user(u[who])), 403)
        assert_envelope(client.get(f"/guidance/resources/{rid}", headers=as_user(u[who])), 403)


def test_a_manager_cannot_publish_and_a_centre_cannot_edit_another_centres_resources(client, as_user, world):
    u = world.users
    for who in ("manager", "volunteer", "pilot_lead", "admin"):
        assert_envelope(client.post("/guidance/resources", json=GUIDE, headers=as_user(u[who])), 403)
        assert_envelope(client.post("/guidance/training", json=_event(), headers=as_user(u[who])), 403)
    rid = client.post("/guidance/resources", json=GUIDE, headers=as_user(u["staff"])).json()["id"]
    eid = client.post("/guidance/training", json=_event(), headers=as_user(u["staff"])).json()["id"]
    changed = {**GUIDE, "title": "Changed by another centre"}
    assert_envelope(client.put(f"/guidance/resources/{rid}", json=changed, headers=as_user(u["other_staff"])), 404)
    assert_envelope(client.post(f"/guidance/resources/{rid}/checked", json={}, headers=as_user(u["other_staff"])), 404)
    assert_envelope(
        client.put(f"/guidance/training/{eid}", json=_event(title="Not yours"), headers=as_user(u["other_staff"])), 404
    )
    assert_envelope(client.put(f"/guidance/resources/{rid}", json=changed, headers=as_user(u["manager"])), 403)
    assert_envelope(client.put(f"/guidance/training/{eid}", json=_event(), headers=as_user(u["manager"])), 403)
    assert client.get(f"/guidance/resources/{rid}", headers=as_user(u["staff"])).json()["title"] == GUIDE["title"]
    # staff do not book; a manager of another centre's organisation cannot see the event to book it
    assert_envelope(client.post(f"/guidance/training/{eid}/bookings", json={}, headers=as_user(u["staff"])), 403)
    assert_envelope(client.post(f"/guidance/training/{eid}/bookings", json={}, headers=as_user(u["other_manager"])), 404)


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"url": "javascript:alert(1)", "body": None}, "url"),
        ({"url": "ftp://files.example.org/guide.pdf"}, "url"),
        ({"url": "not a web address"}, "url"),
        ({"body": None, "url": None}, ""),
        ({"kind": "poster"}, "kind"),
        ({"category": "astrology"}, "category"),
        ({"audience": "nobody"}, "audience"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"review_on": "2027-02-30"}, "review_on"),
        ({"status": "archived"}, "status"),
    ],
)
def test_bad_resources_are_422(client, as_user, world, bad, field):
    err = assert_envelope(client.post("/guidance/resources", json={**GUIDE, **bad}, headers=as_user(world.users["staff"])), 422)
    if field:
        assert any(field in d["field"] for d in err["details"]), err


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"ends_at": (_soon() - timedelta(hours=1)).isoformat()}, ""),
        ({"ends_at": _soon().isoformat()}, ""),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"capacity": 10**12}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"online_url": "javascript:void(0)"}, "online_url"),
        ({"place": None, "online_url": None}, ""),
        ({"starts_at": (datetime.now() - timedelta(days=2)).isoformat(), "ends_at": datetime.now().isoformat()}, "starts_at"),
    ],
)
def test_bad_training_is_422(client, as_user, world, bad, field):
    err = assert_envelope(client.post("/guidance/training", json=_event(**bad), headers=as_user(world.users["staff"])), 422)
    if field:
        assert any(field in d["field"] for d in err["details"]), err


def test_huge_and_unknown_ids_are_404_never_a_500(client, as_user, world):
    u = world.users
    for ident in ("0", "999999", str(2**31), str(10**30), "-1"):
        for who in ("staff", "manager"):
            for method, path, body in (
                ("GET", f"/guidance/resources/{ident}", None),
                ("PUT", f"/guidance/resources/{ident}", GUIDE),
                ("POST", f"/guidance/resources/{ident}/checked", {}),
                ("GET", f"/guidance/training/{ident}", None),
                ("PUT", f"/guidance/training/{ident}", _event()),
                ("POST", f"/guidance/training/{ident}/bookings", {}),
                ("POST", f"/guidance/bookings/{ident}/cancel", None),
            ):
                r = client.request(method, path, json=body, headers=as_user(u[who]))
                assert r.status_code in (403, 404), (who, method, path, r.status_code, r.text)
                assert r.json()["error"]["status"] == r.status_code
    eid = client.post("/guidance/training", json=_event(), headers=as_user(u["staff"])).json()["id"]
    for org_id in (10**12, 0, -5, "abc"):
        r = client.post(f"/guidance/training/{eid}/bookings", json={"organisation_id": org_id}, headers=as_user(u["manager"]))
        assert_envelope(r, 422, "organisation_id")
    r = client.post(f"/guidance/training/{eid}/bookings", json={"organisation_id": 999999}, headers=as_user(u["manager"]))
    assert_envelope(r, 404)
    r = client.post(f"/guidance/training/{eid}/bookings", json={"attendee_name": "Sam Colleague"}, headers=as_user(u["manager"]))
    assert_envelope(r, 422)
    r = client.post(
        f"/guidance/training/{eid}/bookings",
        json={"attendee_name": "Sam Colleague", "attendee_email": "not-an-email"},
        headers=as_user(u["manager"]),
    )
    assert_envelope(r, 422, "attendee_email")


def test_the_event_fills_and_the_next_booking_is_refused_with_a_409_that_says_so(client, as_user, db, world):
    u = world.users
    eid = client.post("/guidance/training", json=_event(capacity=2), headers=as_user(u["staff"])).json()["id"]
    listed = client.get("/guidance/training", headers=as_user(u["manager"])).json()
    assert [(e["id"], e["places_left"]) for e in listed] == [(eid, 2)]

    mine = client.post(f"/guidance/training/{eid}/bookings", json={}, headers=as_user(u["manager"]))
    assert mine.status_code == 201, mine.text
    assert mine.json()["attendee_email"] == u["manager"].email
    again = client.post(f"/guidance/training/{eid}/bookings", json={}, headers=as_user(u["manager"]))
    assert "has a place on this training already" in assert_envelope(again, 409)["message"]
    colleague = client.post(
        f"/guidance/training/{eid}/bookings",
        json={"attendee_name": "Sam Colleague", "attendee_email": "sam@foodbank.example.org"},
        headers=as_user(u["manager"]),
    )
    assert colleague.status_code == 201, colleague.text
    assert client.get(f"/guidance/training/{eid}", headers=as_user(u["manager"])).json()["places_left"] == 0

    full = client.post(f"/guidance/training/{eid}/bookings", json={}, headers=as_user(u["second_manager"]))
    err = assert_envelope(full, 409)
    assert "this training is full" in err["message"] and "2 places" in err["message"]
    # capacity cannot drop below the places held
    assert_envelope(client.put(f"/guidance/training/{eid}", json=_event(capacity=1), headers=as_user(u["staff"])), 409)

    # cancelling frees the place; someone else's manager cannot cancel it
    bid = colleague.json()["id"]
    assert_envelope(client.post(f"/guidance/bookings/{bid}/cancel", headers=as_user(u["other_manager"])), 404)
    r = client.post(f"/guidance/bookings/{bid}/cancel", headers=as_user(u["manager"]))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert_envelope(client.post(f"/guidance/bookings/{bid}/cancel", headers=as_user(u["manager"])), 409)
    assert client.post(f"/guidance/training/{eid}/bookings", json={}, headers=as_user(u["second_manager"])).status_code == 201
    held = db.scalar(select(func.count()).where(TrainingBooking.event_id == eid, TrainingBooking.status == "booked"))
    assert held == 2
    confirmations = db.scalar(select(func.count()).where(OutboxMessage.actor == "guidance.training_booked"))
    assert confirmations == 3


def test_a_draft_event_is_not_bookable_and_a_resource_past_review_is_flagged_until_checked(client, as_user, world):
    u = world.users
    eid = client.post("/guidance/training", json=_event(status="draft"), headers=as_user(u["staff"])).json()["id"]
    assert_envelope(client.post(f"/guidance/training/{eid}/bookings", json={}, headers=as_user(u["manager"])), 404)
    assert client.get("/guidance/training", headers=as_user(u["manager"])).json() == []

    old = {**GUIDE, "review_on": (date.today() - timedelta(days=3)).isoformat()}
    rid = client.post("/guidance/resources", json=old, headers=as_user(u["staff"])).json()["id"]
    assert client.get(f"/guidance/resources/{rid}", headers=as_user(u["staff"])).json()["review_due"] is True
    assert_envelope(
        client.post(
            f"/guidance/resources/{rid}/checked", json={"review_on": date.today().isoformat()}, headers=as_user(u["staff"])
        ),
        422,
        "review_on",
    )
    later = (date.today() + timedelta(days=365)).isoformat()
    r = client.post(f"/guidance/resources/{rid}/checked", json={"review_on": later}, headers=as_user(u["staff"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["review_due"] is False and body["checked_on"] == date.today().isoformat()
    assert body["checked_by_name"] == u["staff"].full_name
