"""Invitations and the conversation on a referral, through the API: a manager invites a consenting
volunteer, who answers "interested" (a referral by the one interest rule) or "not for me"; centre
staff refer directly and the volunteer is told; the thread is one list for all three sides, staff
notes reach staff alone; the weekly cap on role emails holds for invitations."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from brokerage.models import Invitation, OutboxMessage, Referral, User
from tests.factories import ASHFORD


@pytest.fixture
def db(pg_db):
    return pg_db


def _cast(factory):
    centre = factory.centre(districts=(ASHFORD,))
    org = factory.organisation(ASHFORD, name="Ashford Larder")
    manager = factory.user("organisation_manager", organisations=(org,))
    staff = factory.user("centre_staff", centre=centre)
    role = factory.role(org, title="Larder helper", causes=("AntiPoverty",), slot_mask=(1 << 21) - 1)
    v = factory.volunteer(ASHFORD, causes=("AntiPoverty",))
    return org, manager, staff, role, v


def _volunteer_user(db, v) -> User:
    return db.get(User, v.user_id)


def _actors(db) -> list[str]:
    return [m.actor for m in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_an_invitation_answered_interested_becomes_a_referral_with_its_thread(client, factory, db, as_user):
    org, manager, staff, role, v = _cast(factory)
    r = client.post(
        "/invitations", json={"role_id": role.id, "volunteer_id": v.id, "note": "You'd be great"}, headers=as_user(manager)
    )
    assert r.status_code == 201, r.text
    invitation = r.json()
    assert invitation["status"] == "waiting" and "invitation.sent" in _actors(db)
    # the same again: already waiting for an answer
    again = client.post("/invitations", json={"role_id": role.id, "volunteer_id": v.id}, headers=as_user(manager))
    assert again.status_code == 409
    mine = client.get("/invitations", headers=as_user(_volunteer_user(db, v))).json()
    assert [i["id"] for i in mine["items"]] == [invitation["id"]] and mine["total"] == 1
    # someone else cannot answer it
    other = factory.volunteer(ASHFORD)
    stranger = client.post(
        f"/invitations/{invitation['id']}/answer", json={"answer": "interested"}, headers=as_user(_volunteer_user(db, other))
    )
    assert stranger.status_code == 404
    yes = client.post(
        f"/invitations/{invitation['id']}/answer", json={"answer": "interested"}, headers=as_user(_volunteer_user(db, v))
    )
    assert yes.status_code == 200, yes.text
    ref_id = yes.json()["referral_id"]
    assert db.get(Referral, ref_id).status == "interested"
    # every side reads one thread: the invitation, then messages; a staff note only for staff
    client.post(f"/referrals/{ref_id}/messages", json={"body": "When could you start?"}, headers=as_user(manager))
    client.post(f"/referrals/{ref_id}/messages", json={"body": "Next Monday"}, headers=as_user(_volunteer_user(db, v)))
    note = client.post(
        f"/referrals/{ref_id}/messages", json={"body": "Knows the area", "staff_only": True}, headers=as_user(staff)
    )
    assert note.status_code == 201, note.text
    refused = client.post(f"/referrals/{ref_id}/messages", json={"body": "psst", "staff_only": True}, headers=as_user(manager))
    assert refused.status_code == 403
    bodies = {
        who: [m["body"] for m in client.get(f"/referrals/{ref_id}/messages", headers=as_user(u)).json()]
        for who, u in (("volunteer", _volunteer_user(db, v)), ("manager", manager), ("staff", staff))
    }
    assert bodies["volunteer"] == bodies["manager"] == ["You'd be great", "When could you start?", "Next Monday"]
    assert bodies["staff"] == bodies["manager"] + ["Knows the area"]
    # the referral in the API carries the same thread
    assert [m["body"] for m in client.get(f"/referrals/{ref_id}", headers=as_user(manager)).json()["messages"]] == bodies[
        "manager"
    ]
    # a status note is part of the thread too
    client.post(f"/referrals/{ref_id}/status", json={"status": "contacted", "note": "Phoned today"}, headers=as_user(manager))
    assert (
        client.get(f"/referrals/{ref_id}/messages", headers=as_user(_volunteer_user(db, v))).json()[-1]["body"] == "Phoned today"
    )
    assert _actors(db).count("referral.message_posted") == 2  # the staff note emails no one
    blank = client.post(f"/referrals/{ref_id}/messages", json={"body": ""}, headers=as_user(manager))
    assert blank.status_code == 422 and blank.json()["error"]["status"] == 422


def test_not_for_me_keeps_the_reason_and_makes_no_referral(client, factory, db, as_user):
    org, manager, staff, role, v = _cast(factory)
    inv = client.post("/invitations", json={"role_id": role.id, "volunteer_id": v.id}, headers=as_user(staff)).json()
    no = client.post(
        f"/invitations/{inv['id']}/answer",
        json={"answer": "not_for_me", "reason": "Too far"},
        headers=as_user(_volunteer_user(db, v)),
    )
    assert no.status_code == 200 and no.json()["decline_reason"] == "Too far"
    assert db.scalar(select(Referral).where(Referral.volunteer_id == v.id)) is None
    twice = client.post(
        f"/invitations/{inv['id']}/answer", json={"answer": "interested"}, headers=as_user(_volunteer_user(db, v))
    )
    assert twice.status_code == 409


def test_who_may_invite_whom(client, factory, db, as_user):
    org, manager, staff, role, v = _cast(factory)
    other_manager = factory.user("organisation_manager", organisations=(factory.organisation(ASHFORD),))
    assert (
        client.post("/invitations", json={"role_id": role.id, "volunteer_id": v.id}, headers=as_user(other_manager)).status_code
        == 403
    )
    no_consent = factory.volunteer(ASHFORD, consent=False)
    r = client.post("/invitations", json={"role_id": role.id, "volunteer_id": no_consent.id}, headers=as_user(manager))
    assert r.status_code == 422 and "agreed to be contacted" in r.json()["error"]["message"]
    assert (
        client.post(
            "/invitations", json={"role_id": role.id, "volunteer_id": v.id}, headers=as_user(_volunteer_user(db, v))
        ).status_code
        == 403
    )


def test_the_weekly_cap_counts_invitations(client, factory, db, as_user):
    org, manager, staff, role, v = _cast(factory)
    roles = [factory.role(org, title=f"Role {i}", slot_mask=(1 << 21) - 1) for i in range(4)]
    statuses = [
        client.post("/invitations", json={"role_id": r.id, "volunteer_id": v.id}, headers=as_user(manager)).status_code
        for r in roles
    ]
    assert statuses == [201, 201, 201, 409]
    assert db.scalar(select(Invitation.id).where(Invitation.role_id == roles[3].id)) is None


def test_a_staff_referral_tells_the_volunteer(client, factory, db, as_user):
    org, manager, staff, role, v = _cast(factory)
    r = client.post("/referrals", json={"role_id": role.id, "volunteer_id": v.id}, headers=as_user(staff))
    assert r.status_code == 201 and r.json()["status"] == "referred"
    assert "referral.created" in _actors(db)
