"""Safeguarding concerns: a concern raised by an organisation's manager reaches the centre's
designated safeguarding lead and no one else (every other kind of account, the one who raised it
included, gets 403 or 404 from the API and the pages); each opening of the case is audited; the
person concerned is not told; pilot leads see counts only; the text never leaves the case (no
audit detail, outbox payload or export holds it); erasure and retention reach it; a placement
records the DBS check it relied on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from brokerage.models import AuditLog, OutboxMessage, Placement, Referral, SafeguardingConcern, User
from tests.factories import ASHFORD, CANTERBURY

CONCERN = "Zephyrine asked a child for their home address after the session at the hall."


@dataclass
class World:
    users: dict
    volunteer: object
    role: object
    referral_id: int


@pytest.fixture
def world(db, factory, client, as_user) -> World:
    ashford = factory.centre("Ashford Volunteer Centre", (ASHFORD,), is_lead=True)
    canterbury = factory.centre("Canterbury Volunteer Centre", (CANTERBURY,))
    org = factory.organisation(CANTERBURY)
    role = factory.role(org)
    volunteer = factory.volunteer(CANTERBURY, dbs_level="enhanced", dbs_certificate_date=date(2024, 3, 1))
    lead = factory.user("centre_staff", centre=canterbury)
    other_lead = factory.user("centre_staff", centre=ashford)
    for u in (lead, other_lead):
        u.safeguarding_lead = True
    db.commit()
    users = {
        "lead": lead,
        "manager": factory.user("organisation_manager", organisations=(org,)),
        "volunteer": db.get(User, volunteer.user_id),
        "other_volunteer": db.get(User, factory.volunteer(CANTERBURY).user_id),
        "other_manager": factory.user("organisation_manager", organisations=(factory.organisation(CANTERBURY),)),
        "staff": factory.user("centre_staff", centre=canterbury),
        "other_lead": other_lead,
        "pilot_lead": factory.user("pilot_lead"),
        "admin": factory.user("admin"),
    }
    r = client.post("/referrals", json={"role_id": role.id}, headers=as_user(users["volunteer"]))
    assert r.status_code == 201, r.text
    return World(users, volunteer, role, r.json()["id"])


def _raise(client, as_user, world) -> int:
    r = client.post(
        "/safeguarding/concerns",
        json={"volunteer_id": world.volunteer.id, "concern": CONCERN},
        headers=as_user(world.users["manager"]),
    )
    assert r.status_code == 201, r.text
    assert r.json()["centre_name"] == "Canterbury Volunteer Centre" and CONCERN not in r.text
    return r.json()["id"]


def _views(db, concern_id: int) -> int:
    return db.scalar(
        select(func.count()).where(
            AuditLog.action == "safeguarding.view",
            AuditLog.subject_type == "safeguarding_concern",
            AuditLog.subject_id == concern_id,
        )
    )


def test_a_managers_concern_is_seen_by_the_centres_safeguarding_lead_and_no_one_else(client, as_user, db, world):
    cid = _raise(client, as_user, world)
    lead = as_user(world.users["lead"])
    listed = client.get("/safeguarding/concerns", headers=lead).json()
    assert [c["id"] for c in listed["items"]] == [cid] and "concern" not in listed["items"][0]
    case = client.get(f"/safeguarding/concerns/{cid}", headers=lead)
    assert case.status_code == 200 and case.json()["concern"] == CONCERN
    assert case.json()["raised_by_name"] == world.users["manager"].full_name
    assert (
        client.post(f"/safeguarding/concerns/{cid}/notes", json={"body": "Spoke to the hall keeper."}, headers=lead).status_code
        == 201
    )
    assert _views(db, cid) == 1
    # the page, as the lead: the concern and the note; a second audited view
    page = client.get(f"/centre/safeguarding/{cid}", headers={**lead, "Accept": "text/html"})
    assert page.status_code == 200 and "Zephyrine asked a child" in page.text and "Spoke to the hall keeper." in page.text
    assert _views(db, cid) == 2
    assert db.scalar(select(func.count()).where(AuditLog.action == "safeguarding.list")) == 1

    for who in ("manager", "volunteer", "other_volunteer", "other_manager", "staff", "other_lead", "pilot_lead", "admin", None):
        headers = as_user(world.users[who]) if who else {}
        r = client.get(f"/safeguarding/concerns/{cid}", headers=headers)
        assert r.status_code in (401, 403, 404), (who, r.status_code)
        assert CONCERN not in r.text
        assert client.post(f"/safeguarding/concerns/{cid}/notes", json={"body": "x"}, headers=headers).status_code in (
            401,
            403,
            404,
        )
        r = client.post(f"/safeguarding/concerns/{cid}/outcome", json={"outcome": "advice_given"}, headers=headers)
        assert r.status_code in (401, 403, 404), (who, r.status_code)
        listed = client.get("/safeguarding/concerns", headers=headers)
        assert listed.status_code in (401, 403) or cid not in [c["id"] for c in listed.json()["items"]], who
        for path in (f"/centre/safeguarding/{cid}", "/centre/safeguarding"):
            page = client.get(path, headers={**headers, "Accept": "text/html"}, follow_redirects=False)
            assert page.status_code in (303, 403, 404) or (who == "other_lead" and path == "/centre/safeguarding"), (who, path)
            assert "Zephyrine" not in page.text
    assert _views(db, cid) == 2  # refusals are not views

    # the outcome closes the case; counts for pilot leads only, small numbers hidden
    closed = client.post(f"/safeguarding/concerns/{cid}/outcome", json={"outcome": "advice_given"}, headers=lead)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    counts = client.get("/safeguarding/counts", headers=as_user(world.users["pilot_lead"])).json()
    assert {c["centre_name"]: (c["open"], c["closed"]) for c in counts} == {
        "Ashford Volunteer Centre": (0, 0),
        "Canterbury Volunteer Centre": (0, "<5"),
    }
    for who in ("lead", "admin", "manager"):
        assert client.get("/safeguarding/counts", headers=as_user(world.users[who])).status_code == 403


def test_the_person_concerned_is_not_told_and_the_text_stays_in_the_case(client, as_user, db, world):
    from brokerage.safeguarding.service import lead_recipients

    cid = _raise(client, as_user, world)
    concern = db.get(SafeguardingConcern, cid)
    # the only email is to the centre's safeguarding lead, and its job carries the id alone
    jobs = db.scalars(select(OutboxMessage).where(OutboxMessage.actor.like("safeguarding.%"))).all()
    assert [(j.actor, j.payload) for j in jobs] == [("safeguarding.concern_raised", {"concern_id": cid})]
    assert lead_recipients(db, concern.centre_id) == [(world.users["lead"].email, world.users["lead"].full_name)]
    details = " ".join(str(a.detail) for a in db.scalars(select(AuditLog)))
    assert "Zephyrine" not in details
    # the volunteer's own data download and their centre's export leave it out
    own = client.get(f"/volunteers/{world.volunteer.id}/export", headers=as_user(world.users["volunteer"]))
    staff = client.get(f"/volunteers/{world.volunteer.id}/export", headers=as_user(world.users["lead"]))
    csv = client.get("/centre/exports/volunteers.csv", headers={**as_user(world.users["lead"]), "Accept": "text/html"})
    for r in (own, staff, csv):
        assert r.status_code == 200 and "Zephyrine" not in r.text and "safeguarding" not in r.text.lower()


def test_erasure_scrubs_the_case_and_retention_deletes_old_closed_ones(client, as_user, db, world):
    from brokerage.volunteers import retention

    volunteer = world.volunteer
    name, email = f"{volunteer.first_name} {volunteer.last_name}", volunteer.email
    text = f"{name} ({email}) was rude to a resident."
    r = client.post(
        "/safeguarding/concerns", json={"volunteer_id": volunteer.id, "concern": text}, headers=as_user(world.users["manager"])
    )
    cid = r.json()["id"]
    assert client.delete(f"/volunteers/{volunteer.id}", headers=as_user(world.users["volunteer"])).status_code == 204
    concern = db.get(SafeguardingConcern, cid)
    db.refresh(concern)
    assert email not in concern.concern and name not in concern.concern and "was rude to a resident" in concern.concern
    assert name not in (concern.subject_label or "")
    concern.status, concern.outcome, concern.closed_at = (
        "closed",
        "no_further_action",
        datetime.utcnow() - timedelta(days=7 * 366),
    )
    recent = _raise_about_role(client, as_user, world)
    db.commit()
    result = retention.run(db)
    assert result.concerns_deleted == 1
    assert db.get(SafeguardingConcern, cid) is None and db.get(SafeguardingConcern, recent) is not None


def _raise_about_role(client, as_user, world) -> int:
    r = client.post(
        "/safeguarding/concerns",
        json={"role_id": world.role.id, "concern": "The role asks volunteers to be alone with children."},
        headers=as_user(world.users["other_volunteer"]),
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_who_may_raise_a_concern_about_whom(client, as_user, world, factory):
    stranger = factory.volunteer(CANTERBURY)
    body = {"volunteer_id": stranger.id, "concern": CONCERN}
    # a manager only about volunteers who came to their roles; a volunteer never about a volunteer
    assert client.post("/safeguarding/concerns", json=body, headers=as_user(world.users["manager"])).status_code == 404
    body["volunteer_id"] = world.volunteer.id
    for who in ("other_manager", "other_volunteer", "pilot_lead"):
        assert client.post("/safeguarding/concerns", json=body, headers=as_user(world.users[who])).status_code == 404, who
    assert client.post("/safeguarding/concerns", json=body, headers=as_user(world.users["staff"])).status_code == 201
    assert client.post("/safeguarding/concerns", json=body).status_code == 401
    for bad in (
        {"concern": CONCERN},
        {"role_id": world.role.id, "volunteer_id": world.volunteer.id, "concern": CONCERN},
        {"role_id": world.role.id, "concern": "short"},
    ):
        r = client.post("/safeguarding/concerns", json=bad, headers=as_user(world.users["staff"]))
        assert r.status_code == 422 and r.json()["error"]["code"], bad
    _raise_about_role(client, as_user, world)


def test_an_admin_makes_centre_staff_a_safeguarding_lead(client, as_user, world, db):
    cid = _raise(client, as_user, world)
    staff, admin = world.users["staff"], as_user(world.users["admin"])
    assert client.get(f"/safeguarding/concerns/{cid}", headers=as_user(staff)).status_code == 404
    r = client.patch(f"/users/{staff.id}", json={"safeguarding_lead": True}, headers=admin)
    assert r.status_code == 200 and r.json()["safeguarding_lead"] is True
    assert client.get(f"/safeguarding/concerns/{cid}", headers=as_user(staff)).status_code == 200
    r = client.patch(f"/users/{world.users['manager'].id}", json={"safeguarding_lead": True}, headers=admin)
    assert r.status_code == 422


def test_a_placement_records_the_dbs_check_it_relied_on(client, as_user, db, world):
    manager = world.users["manager"]
    for to in ("contacted", "started"):
        r = client.post(f"/referrals/{world.referral_id}/status", json={"status": to}, headers=as_user(manager))
        assert r.status_code == 200, r.text
    placement = db.scalar(select(Placement).where(Placement.referral_id == world.referral_id))
    assert (placement.dbs_level, placement.dbs_certificate_date, placement.dbs_checked_by_id) == (
        "enhanced",
        date(2024, 3, 1),
        manager.id,
    )
    listed = client.get("/placements", headers=as_user(manager)).json()["items"][0]
    assert listed["dbs_level"] == "enhanced" and listed["dbs_checked_by_name"] == manager.full_name
    assert db.get(Referral, world.referral_id).status == "started"
