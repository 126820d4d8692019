"""Who may read, list and write what. Allowed roles succeed; every other role gets 403 or 404,
and a centre's staff never see another centre's volunteers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import ASHFORD, CANTERBURY, THANET


@dataclass
class World:
    users: dict
    vol_canterbury: object
    vol_thanet: object
    org_canterbury: object
    role_canterbury: object
    draft_role: object
    referral_id: int


@pytest.fixture
def world(db, factory, client, as_user) -> World:
    lead = factory.centre("Ashford Volunteer Centre", (ASHFORD,), is_lead=True)
    cant = factory.centre("Canterbury Volunteer Centre", (CANTERBURY,))
    than = factory.centre("Thanet Volunteer Centre", (THANET,))
    org = factory.organisation(CANTERBURY)
    other_org = factory.organisation(THANET)
    role = factory.role(org)
    draft = factory.role(org, status="draft")
    v_cant = factory.volunteer(CANTERBURY)
    v_than = factory.volunteer(THANET)
    from brokerage.models import User

    users = {
        "anonymous": None,
        "volunteer": db.get(User, v_cant.user_id),
        "other_volunteer": db.get(User, v_than.user_id),
        "manager": factory.user("organisation_manager", organisations=(org,)),
        "other_manager": factory.user("organisation_manager", organisations=(other_org,)),
        "staff": factory.user("centre_staff", centre=cant),
        "other_staff": factory.user("centre_staff", centre=than),
        "lead_staff": factory.user("centre_staff", centre=lead),
        "pilot_lead": factory.user("pilot_lead"),
        "admin": factory.user("admin"),
    }
    r = client.post("/referrals", json={"role_id": role.id}, headers=as_user(users["volunteer"]))
    assert r.status_code == 201, r.text
    return World(users, v_cant, v_than, org, role, draft, r.json()["id"])


def _call(client, as_user, world, who, method, url, body=None):
    user = world.users[who]
    headers = as_user(user) if user is not None else {}
    return client.request(method, url, json=body, headers=headers)


ALL = [
    "anonymous",
    "volunteer",
    "other_volunteer",
    "manager",
    "other_manager",
    "staff",
    "other_staff",
    "lead_staff",
    "pilot_lead",
    "admin",
]


def check(client, as_user, world, method, url, allowed, body=None, ok=(200, 201, 204)):
    results = {}
    for who in ALL:
        resp = _call(
            client, as_user, world, who, method, url(world) if callable(url) else url, body(world) if callable(body) else body
        )
        results[who] = resp.status_code
        if who in allowed:
            assert resp.status_code in ok, f"{who} {method} {url}: {resp.status_code} {resp.text}"
        else:
            assert resp.status_code in (401, 403, 404), f"{who} should be refused {method}: got {resp.status_code} {resp.text}"
            assert set(resp.json()) == {"error"}
    return results


def test_read_a_volunteer(client, as_user, world):
    check(client, as_user, world, "GET", lambda w: f"/volunteers/{w.vol_canterbury.id}", {"volunteer", "staff", "lead_staff"})


def test_update_a_volunteer(client, as_user, world):
    check(
        client,
        as_user,
        world,
        "PATCH",
        lambda w: f"/volunteers/{w.vol_canterbury.id}",
        {"volunteer", "staff", "lead_staff"},
        body={"travel_radius_miles": 7},
    )


def test_export_a_volunteer(client, as_user, world):
    check(
        client, as_user, world, "GET", lambda w: f"/volunteers/{w.vol_canterbury.id}/export", {"volunteer", "staff", "lead_staff"}
    )


def test_list_volunteers_only_staff_and_only_their_districts(client, as_user, world):
    check(client, as_user, world, "GET", "/volunteers", {"staff", "other_staff", "lead_staff"})
    ids = lambda who: {v["id"] for v in _call(client, as_user, world, who, "GET", "/volunteers?page_size=200").json()["items"]}
    assert world.vol_canterbury.id in ids("staff") and world.vol_thanet.id not in ids("staff")
    assert world.vol_thanet.id in ids("other_staff") and world.vol_canterbury.id not in ids("other_staff")
    assert {world.vol_canterbury.id, world.vol_thanet.id} <= ids("lead_staff")


def test_read_organisation_contacts_are_private(client, as_user, world):
    for who in ALL:
        r = _call(client, as_user, world, who, "GET", f"/organisations/{world.org_canterbury.id}")
        assert r.status_code == 200
        has_contact = r.json()["contact"] is not None
        assert has_contact == (who in {"manager", "staff", "lead_staff", "pilot_lead", "admin"}), who


def test_update_organisation(client, as_user, world):
    check(
        client,
        as_user,
        world,
        "PATCH",
        lambda w: f"/organisations/{w.org_canterbury.id}",
        {"manager", "staff", "lead_staff"},
        body={"description": "Updated"},
    )


def test_verify_organisation(client, as_user, world, factory):
    pending = factory.organisation(CANTERBURY, verified=False)
    for who in ALL:
        r = _call(client, as_user, world, who, "POST", f"/organisations/{pending.id}/verification", {"decision": "verified"})
        if who in ("staff", "lead_staff"):
            assert r.status_code == 200, (who, r.text)
        else:
            assert r.status_code in (401, 403, 404), who


def test_create_organisation(client, as_user, world):
    body = {"name": "New Community Garden", "organisation_type": "community_group", "postcode": "CT1 2AA"}
    check(
        client,
        as_user,
        world,
        "POST",
        "/organisations",
        {"manager", "other_manager", "staff", "other_staff", "lead_staff", "admin"},
        body=body,
    )


def test_read_draft_role(client, as_user, world):
    check(
        client,
        as_user,
        world,
        "GET",
        lambda w: f"/roles/{w.draft_role.id}",
        {"manager", "staff", "lead_staff", "pilot_lead", "admin"},
    )


def test_published_role_is_public(client, as_user, world):
    check(client, as_user, world, "GET", lambda w: f"/roles/{w.role_canterbury.id}", set(ALL))


def test_create_role(client, as_user, world):
    body = lambda w: {
        "organisation_id": w.org_canterbury.id,
        "title": "Garden helper",
        "description": "Help keep the garden tidy.",
        "slots": ["SaturdayMorning"],
    }
    check(client, as_user, world, "POST", "/roles", {"manager", "staff", "lead_staff"}, body=body)


def test_update_role(client, as_user, world):
    check(
        client,
        as_user,
        world,
        "PATCH",
        lambda w: f"/roles/{w.role_canterbury.id}",
        {"manager", "staff", "lead_staff"},
        body={"commitment": "Two hours a week"},
    )


def test_role_list_hides_drafts_from_the_public(client, as_user, world):
    for who in ALL:
        ids = {r["id"] for r in _call(client, as_user, world, who, "GET", "/roles?page_size=200").json()["items"]}
        assert world.role_canterbury.id in ids
        assert (world.draft_role.id in ids) == (who in {"manager", "staff", "lead_staff", "pilot_lead", "admin"}), who


def test_read_referral(client, as_user, world):
    check(client, as_user, world, "GET", lambda w: f"/referrals/{w.referral_id}", {"volunteer", "manager", "staff", "lead_staff"})


def test_list_referrals_scoped(client, as_user, world):
    for who in ALL:
        r = _call(client, as_user, world, who, "GET", "/referrals")
        if who in ("anonymous",):
            assert r.status_code == 401
        elif who in ("pilot_lead", "admin"):
            assert r.status_code == 403
        else:
            ids = {x["id"] for x in r.json()["items"]}
            assert (world.referral_id in ids) == (who in {"volunteer", "manager", "staff", "lead_staff"}), who


def test_move_referral(client, as_user, world):
    url = f"/referrals/{world.referral_id}/status"
    for who in ["anonymous", "other_volunteer", "other_manager", "other_staff", "pilot_lead", "admin"]:
        r = _call(client, as_user, world, who, "POST", url, {"status": "contacted"})
        assert r.status_code in (401, 403, 404), who
    # The volunteer may only withdraw; moving it on is for the organisation and the centre.
    assert _call(client, as_user, world, "volunteer", "POST", url, {"status": "contacted"}).status_code == 403
    for who, status in [("manager", "contacted"), ("staff", "started"), ("lead_staff", "completed")]:
        r = _call(client, as_user, world, who, "POST", url, {"status": status})
        assert r.status_code == 200 and r.json()["status"] == status, (who, r.text)


def test_users_admin_only(client, as_user, world):
    check(client, as_user, world, "GET", "/users", {"admin"})
    body = {"email": "new.staff@example.org", "full_name": "New Staff", "role": "pilot_lead", "password": "a long password 1"}
    check(client, as_user, world, "POST", "/users", {"admin"}, body=body)


def test_centres_admin_writes(client, as_user, world):
    check(client, as_user, world, "GET", "/centres", set(ALL))
    body = {"name": "Dover Volunteer Centre", "districts": ["E07000108"]}
    check(client, as_user, world, "POST", "/centres", {"admin"}, body=body)


def test_erase_volunteer(client, as_user, world, factory):
    for who in ["anonymous", "volunteer", "manager", "other_manager", "staff", "pilot_lead", "admin"]:
        assert _call(client, as_user, world, who, "DELETE", f"/volunteers/{world.vol_thanet.id}").status_code in (
            401,
            403,
            404,
        ), who
    # The person themself, or their centre acting on their request (the lead centre covers the county).
    assert _call(client, as_user, world, "other_volunteer", "DELETE", f"/volunteers/{world.vol_thanet.id}").status_code == 204
    for who in ["other_staff", "lead_staff"]:
        v = factory.volunteer(THANET)
        assert _call(client, as_user, world, who, "DELETE", f"/volunteers/{v.id}").status_code == 204, who
