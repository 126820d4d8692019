"""Bad input of any kind is a 4xx in the one envelope, never a 500, and nothing is half-applied."""

from __future__ import annotations

import pytest

from tests.factories import CANTERBURY


def _signup(**over):
    body = {
        "first_name": "Amira",
        "last_name": "Khan",
        "email": "amira.khan@example.net",
        "postcode": "ct1 2aa",
        "password": "a long enough password",
        "availability": ["SaturdayMorning"],
        "travel_radius_miles": 5,
    }
    body.update(over)
    return body


def assert_envelope(resp, status, field=None):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert err["status"] == status and err["message"] and isinstance(err["details"], list)
    if field:
        assert any(field in d["field"] for d in err["details"]), err
    return err


def test_signup_normalises_the_postcode_and_places_the_district(client):
    r = client.post("/volunteers", json=_signup())
    assert r.status_code == 201, r.text
    assert r.json()["postcode"] == "CT1 2AA" and r.json()["district_gss"] == CANTERBURY
    assert r.headers["X-Access-Token"]


@pytest.mark.parametrize("postcode", ["ME99", "not a postcode", "12345", "CT1 2AAA", ""])
def test_malformed_postcode_is_422_with_a_sentence(client, postcode):
    err = assert_envelope(client.post("/volunteers", json=_signup(postcode=postcode)), 422, "postcode")
    assert "postcode" in err["details"][0]["message"].lower()


def test_unknown_outward_code_is_422(client):
    err = assert_envelope(client.post("/volunteers", json=_signup(postcode="ZZ9 9ZZ")), 422, "postcode")
    assert "ZZ9" in err["message"]


def test_duplicate_email_is_409_case_insensitively(client):
    assert client.post("/volunteers", json=_signup()).status_code == 201
    err = assert_envelope(client.post("/volunteers", json=_signup(email="Amira.KHAN@example.net")), 409)
    assert "already registered" in err["message"]


def test_unknown_district_filter_and_centre_district(client, factory, as_user):
    admin = factory.user("admin")
    assert_envelope(
        client.post("/centres", json={"name": "Nowhere Centre", "districts": ["E99999999"]}, headers=as_user(admin)),
        422,
        "districts",
    )
    r = client.get("/roles?district=E99999999")
    assert r.status_code == 200 and r.json()["total"] == 0


def test_over_long_strings_wrong_types_missing_fields_and_extra_fields(client):
    assert_envelope(client.post("/volunteers", json=_signup(first_name="x" * 101)), 422, "first_name")
    assert_envelope(client.post("/volunteers", json=_signup(travel_radius_miles="far")), 422, "travel_radius_miles")
    body = _signup()
    del body["email"]
    assert_envelope(client.post("/volunteers", json=body), 422, "email")
    assert_envelope(client.post("/volunteers", json=_signup(shoe_size=9)), 422, "shoe_size")
    assert_envelope(client.post("/volunteers", json=_signup(availability=["Someday"])), 422, "slots")
    assert_envelope(client.post("/volunteers", json=_signup(skills=["juggling-chainsaws"])), 422, "skills")
    assert_envelope(client.post("/volunteers", json=_signup(date_of_birth="2099-01-01")), 422, "date_of_birth")


def test_body_that_is_not_json(client):
    r = client.post("/volunteers", content=b"\x00\xffnot json", headers={"Content-Type": "application/json"})
    assert_envelope(r, 422)


def test_bad_paths_and_methods(client):
    assert_envelope(client.get("/roles/not-a-number"), 422)
    assert_envelope(client.get("/roles/999999"), 404)
    assert_envelope(client.get("/no/such/thing"), 404)
    assert_envelope(client.delete("/districts"), 405)
    assert_envelope(client.get("/roles?page=0"), 422)
    assert_envelope(client.get("/roles?page_size=10000"), 422)


def test_bad_token_is_401(client):
    assert_envelope(client.get("/auth/me", headers={"Authorization": "Bearer forged"}), 401)
    assert_envelope(client.get("/auth/me"), 401)


def test_charity_number_format_is_checked(client, factory, as_user):
    manager = factory.user("organisation_manager")
    body = {
        "name": "Kent Hedgehog Rescue",
        "organisation_type": "registered_charity",
        "postcode": "TN23 1AA",
        "charity_registration": {"registrar": "ccew", "registration_number": "12AB"},
    }
    err = assert_envelope(client.post("/organisations", json=body, headers=as_user(manager)), 422, "charity_registration")
    assert "6 or 7 digits" in err["details"][0]["message"]
    body["charity_registration"]["registration_number"] = "1123456"
    assert client.post("/organisations", json=body, headers=as_user(manager)).status_code == 201
    del body["charity_registration"]
    assert_envelope(client.post("/organisations", json=body, headers=as_user(manager)), 422)


def test_illegal_referral_transition_is_409_and_changes_nothing(client, factory, as_user, db):
    org = factory.organisation(CANTERBURY)
    role = factory.role(org)
    vol = factory.volunteer(CANTERBURY)
    manager = factory.user("organisation_manager", organisations=(org,))
    from brokerage.models import User

    volunteer_user = db.get(User, vol.user_id)
    ref = client.post("/referrals", json={"role_id": role.id}, headers=as_user(volunteer_user)).json()
    err = assert_envelope(
        client.post(f"/referrals/{ref['id']}/status", json={"status": "completed"}, headers=as_user(manager)), 409
    )
    assert "cannot become completed" in err["message"]
    after = client.get(f"/referrals/{ref['id']}", headers=as_user(manager)).json()
    assert after["status"] == "interested" and len(after["history"]) == 1
    # At most one active referral per volunteer and role.
    assert_envelope(client.post("/referrals", json={"role_id": role.id}, headers=as_user(volunteer_user)), 409)
    # Once withdrawn, they may express interest again.
    assert (
        client.post(f"/referrals/{ref['id']}/status", json={"status": "withdrawn"}, headers=as_user(volunteer_user)).status_code
        == 200
    )
    assert client.post("/referrals", json={"role_id": role.id}, headers=as_user(volunteer_user)).status_code == 201


def test_illegal_role_transition_is_409(client, factory, as_user):
    org = factory.organisation(CANTERBURY)
    role = factory.role(org, status="draft")
    manager = factory.user("organisation_manager", organisations=(org,))
    assert_envelope(client.post(f"/roles/{role.id}/status", json={"status": "filled"}, headers=as_user(manager)), 409)
    # Managers submit for review; only the centre publishes.
    assert client.post(f"/roles/{role.id}/status", json={"status": "pending_review"}, headers=as_user(manager)).status_code == 200
    assert_envelope(client.post(f"/roles/{role.id}/status", json={"status": "published"}, headers=as_user(manager)), 403)


def test_role_with_inconsistent_fields(client, factory, as_user):
    org = factory.organisation(CANTERBURY)
    manager = factory.user("organisation_manager", organisations=(org,))
    base = {"organisation_id": org.id, "title": "Shop helper", "description": "Help in our charity shop on the high street."}
    assert_envelope(
        client.post(
            "/roles", json={**base, "minimum_age": 30, "maximum_age": 20, "slots": ["MondayMorning"]}, headers=as_user(manager)
        ),
        422,
    )
    assert_envelope(client.post("/roles", json={**base}, headers=as_user(manager)), 422, "slots")
    assert_envelope(client.post("/roles", json={**base, "one_off": True}, headers=as_user(manager)), 422, "sessions")
    r = client.post(
        "/roles",
        json={
            **base,
            "slots": ["MondayMorning", "SaturdayAfternoon"],
            "causes": ["AnimalWelfare"],
            "required_skills": ["charity-retail"],
        },
        headers=as_user(manager),
    )
    assert r.status_code == 201, r.text
    assert r.json()["slots"] == ["MondayMorning", "SaturdayAfternoon"] and r.json()["district_gss"] == CANTERBURY
