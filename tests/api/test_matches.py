"""Matching through the API: explained recommendations, "why not", ranked search, candidates for a
role, tag suggestions, and eligibility checked before anyone applies."""

from __future__ import annotations

from brokerage.models import User
from tests.factories import ASHFORD, CANTERBURY, THANET

SAT_MORNING = 1 << 15
MON_MORNING = 1 << 0


def _vol_user(db, v):
    return db.get(User, v.user_id)


def test_recommendations_explain_themselves_and_skip_ineligible_roles(client, factory, as_user, db):
    org = factory.organisation(ASHFORD)
    near = factory.role(
        org, title="Saturday garden helper", slot_mask=SAT_MORNING, causes=("Environment",), desired_skills=("gardening",)
    )
    weekday = factory.role(org, title="Monday shop helper", slot_mask=MON_MORNING)
    far_org = factory.organisation(THANET)
    far = factory.role(far_org, title="Margate beach clean", slot_mask=SAT_MORNING)
    draft = factory.role(org, title="Draft role", status="draft", slot_mask=SAT_MORNING)
    v = factory.volunteer(ASHFORD, availability=SAT_MORNING, skills=("gardening",), causes=("Environment",), radius=5)
    r = client.get(f"/volunteers/{v.id}/matches", headers=as_user(_vol_user(db, v)))
    assert r.status_code == 200, r.text
    matches = r.json()
    ids = [m["role_id"] for m in matches if m["close_match"] is None]
    assert ids == [near.id]  # weekday (no shared slot), far (beyond 5 miles) and draft are not matches
    # with fewer than three matches, a close match follows, saying what is off and what could change
    close = [m for m in matches if m["close_match"] is not None]
    assert [m["role_id"] for m in close] == [weekday.id]
    assert close[0]["close_match"]["code"] == "no_shared_slot"
    assert (
        close[0]["close_match"]["message"] == "This role is on Monday mornings, and you said you are free on Saturday mornings."
    )
    assert "add them to the times you are free" in close[0]["close_match"]["change"]
    assert "close_match" in close[0]["flags"]
    m = matches[0]
    assert "Saturday" in m["explanation"] and "garden" in m["explanation"].lower()
    assert abs(sum(m["contributions"].values()) - m["score"]) < 0.01

    why = client.get(f"/volunteers/{v.id}/why-not/{far.id}", headers=as_user(_vol_user(db, v))).json()
    assert why["eligible"] is False and [x["code"] for x in why["reasons"]] == ["too_far"]
    assert why["reasons"][0]["soft"] is True and why["can_apply"] is True
    assert "miles" in why["reasons"][0]["message"]
    why = client.get(f"/volunteers/{v.id}/why-not/{weekday.id}", headers=as_user(_vol_user(db, v))).json()
    assert [x["code"] for x in why["reasons"]] == ["no_shared_slot"]
    why = client.get(f"/volunteers/{v.id}/why-not/{draft.id}", headers=as_user(_vol_user(db, v))).json()
    assert "not_published" in [x["code"] for x in why["reasons"]]


def test_matches_are_private_to_the_volunteer_and_their_centre(client, factory, as_user, db):
    centre = factory.centre(districts=(ASHFORD,))
    other = factory.centre(districts=(CANTERBURY,))
    v = factory.volunteer(ASHFORD)
    assert (
        client.get(f"/volunteers/{v.id}/matches", headers=as_user(factory.user("centre_staff", centre=centre))).status_code == 200
    )
    assert (
        client.get(f"/volunteers/{v.id}/matches", headers=as_user(factory.user("centre_staff", centre=other))).status_code == 404
    )
    assert client.get(f"/volunteers/{v.id}/matches", headers=as_user(factory.user("pilot_lead"))).status_code == 403
    assert client.get(f"/volunteers/{v.id}/matches").status_code == 401


def test_expressing_interest_in_a_role_that_is_not_a_match_says_why(client, factory, as_user, db):
    org = factory.organisation(ASHFORD)
    dbs_role = factory.role(org, title="Youth mentor", slot_mask=SAT_MORNING, dbs_level="enhanced")
    v = factory.volunteer(ASHFORD, availability=SAT_MORNING, dbs_willing=False)
    r = client.post("/referrals", json={"role_id": dbs_role.id}, headers=as_user(_vol_user(db, v)))
    assert r.status_code == 409
    assert "DBS" in r.json()["error"]["message"]
    assert r.json()["error"]["details"][0]["field"] == "dbs_required"
    # Willing to get a check: eligible, flagged.
    willing = factory.volunteer(ASHFORD, availability=SAT_MORNING, dbs_willing=True)
    why = client.get(f"/volunteers/{willing.id}/why-not/{dbs_role.id}", headers=as_user(_vol_user(db, willing))).json()
    assert why["eligible"] is True
    assert client.post("/referrals", json={"role_id": dbs_role.id}, headers=as_user(_vol_user(db, willing))).status_code == 201


def test_search_blends_text_and_filters(client, factory):
    org = factory.organisation(ASHFORD)
    befriend = factory.role(org, title="Befriending visits for older people", slot_mask=SAT_MORNING, causes=("OlderPeople",))
    driver = factory.role(
        org, title="Minibus driver", slot_mask=SAT_MORNING, causes=("Transport",) if False else ("OlderPeople",)
    )
    remote = factory.role(org, title="Online befriending by phone", mode="remote", slot_mask=SAT_MORNING)
    r = client.get("/search/roles", params={"q": "befriending", "postcode": "TN23 1AA", "miles": 10})
    assert r.status_code == 200, r.text
    ids = [m["role_id"] for m in r.json()]
    assert befriend.id in ids and remote.id in ids and driver.id not in ids
    ids = [m["role_id"] for m in client.get("/search/roles", params={"q": "befriending", "mode": "remote"}).json()]
    assert ids == [remote.id]
    r = client.get("/search/roles", params={"cause": "NotACause"})
    assert r.status_code == 422


def test_candidates_for_a_hard_to_fill_role(client, factory, as_user, db):
    centre = factory.centre(districts=(ASHFORD,))
    org = factory.organisation(ASHFORD)
    role = factory.role(org, title="Gardener", slot_mask=SAT_MORNING, essential_skills=("gardening",))
    manager = factory.user("organisation_manager", organisations=(org,))
    good = factory.volunteer(ASHFORD, availability=SAT_MORNING, skills=("gardening",))
    no_consent = factory.volunteer(ASHFORD, availability=SAT_MORNING, skills=("gardening",), consent=False)
    no_skill = factory.volunteer(ASHFORD, availability=SAT_MORNING, skills=("admin",))
    busy = factory.volunteer(ASHFORD, availability=MON_MORNING, skills=("gardening",))
    r = client.get(f"/roles/{role.id}/candidates", headers=as_user(manager))
    assert r.status_code == 200, r.text
    ids = [c["volunteer_id"] for c in r.json()]
    assert good.id in ids and no_consent.id not in ids and no_skill.id not in ids and busy.id not in ids
    first = next(c for c in r.json() if c["volunteer_id"] == good.id)
    assert first["display_name"].endswith(".") and "email" not in first  # no contact details here
    # Once they have been referred to it, they are not suggested again.
    client.post("/referrals", json={"role_id": role.id}, headers=as_user(_vol_user(db, good)))
    ids = [c["volunteer_id"] for c in client.get(f"/roles/{role.id}/candidates", headers=as_user(manager)).json()]
    assert good.id not in ids
    assert (
        client.get(f"/roles/{role.id}/candidates", headers=as_user(factory.user("centre_staff", centre=centre))).status_code
        == 200
    )
    assert client.get(f"/roles/{role.id}/candidates", headers=as_user(_vol_user(db, no_skill))).status_code == 403
    assert client.get(f"/roles/{role.id}/candidates", headers=as_user(factory.user("pilot_lead"))).status_code == 403


def test_tag_suggestions_for_a_draft_listing(client, factory, as_user):
    manager = factory.user("organisation_manager")
    r = client.post(
        "/roles/suggest-tags",
        json={
            "title": "Minibus driver for our day centre",
            "description": "Drive older people to and from the day centre on Tuesdays.",
        },
        headers=as_user(manager),
    )
    assert r.status_code == 200
    assert "minibus-driving" in [s["id"] for s in r.json()["skills"][:3]]
    assert "OlderPeople" in [c["id"] for c in r.json()["causes"][:3]]


def test_a_newly_published_role_shows_up_in_matches(client, factory, as_user, db, time_passes):
    centre = factory.centre(districts=(ASHFORD,))
    staff = factory.user("centre_staff", centre=centre)
    org = factory.organisation(ASHFORD)
    v = factory.volunteer(ASHFORD, availability=SAT_MORNING)
    headers = as_user(_vol_user(db, v))
    assert client.get(f"/volunteers/{v.id}/matches", headers=headers).json() == []
    role = factory.role(org, title="Café helper", status="pending_review", slot_mask=SAT_MORNING)
    assert client.post(f"/roles/{role.id}/status", json={"status": "published"}, headers=as_user(staff)).status_code == 200
    time_passes(1.1)  # the index catches up from the database at most once a second
    assert [m["role_id"] for m in client.get(f"/volunteers/{v.id}/matches", headers=headers).json()] == [role.id]


def test_visitors_searching_see_roles_that_need_skills(client, factory):
    org = factory.organisation(ASHFORD)
    gardener = factory.role(org, title="Community gardener", slot_mask=SAT_MORNING, required_skills=("gardening",))
    ids = [m["role_id"] for m in client.get("/search/roles", params={"q": "gardener"}).json()]
    assert ids == [gardener.id]


def test_why_not_flags_a_dbs_check_for_a_willing_volunteer(client, factory, as_user, db):
    org = factory.organisation(ASHFORD)
    role = factory.role(org, title="Home visiting befriender", slot_mask=SAT_MORNING, dbs_level="enhanced")
    willing = factory.volunteer(ASHFORD, availability=SAT_MORNING, dbs_willing=True)
    unwilling = factory.volunteer(ASHFORD, availability=SAT_MORNING)
    why = client.get(f"/volunteers/{willing.id}/why-not/{role.id}", headers=as_user(_vol_user(db, willing))).json()
    assert why["eligible"] is True and why["reasons"] == []
    assert why["flags"] == ["needs_dbs_check"]
    assert why["notes"] == [{"code": "needs_dbs_check", "message": "needs a DBS check, which the organisation will arrange"}]
    # the match in their list carries the same flag and says it in the same words
    (m,) = [m for m in client.get(f"/volunteers/{willing.id}/matches", headers=as_user(_vol_user(db, willing))).json()]
    assert m["flags"] == ["needs_dbs_check"] and "needs a DBS check, which the organisation will arrange" in m["explanation"]
    why = client.get(f"/volunteers/{unwilling.id}/why-not/{role.id}", headers=as_user(_vol_user(db, unwilling))).json()
    assert why["eligible"] is False and why["can_apply"] is False
    assert [r["code"] for r in why["reasons"]] == ["dbs_required"] and why["reasons"][0]["soft"] is False


def test_only_essential_skills_rule_volunteers_out(client, factory, as_user, db):
    org = factory.organisation(ASHFORD)
    manager = factory.user("organisation_manager", organisations=(org,))
    base = {"organisation_id": org.id, "title": "Community larder helper", "description": "Help run our community larder."}
    body = {
        **base,
        "slots": ["SaturdayMorning"],
        "required_skills": ["customer-service"],
        "essential_skills": ["first-aid", "driving"],
    }
    r = client.post("/roles", json=body, headers=as_user(manager))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["essential_skills"] == ["driving", "first-aid"]
    assert set(out["required_skills"]) == {"customer-service", "driving", "first-aid"}
    assert "narrows who sees the role" in out["essential_warning"]
    too_many = {**body, "essential_skills": ["first-aid", "driving", "cooking", "gardening"]}
    r = client.post("/roles", json=too_many, headers=as_user(manager))
    assert r.status_code == 422 and "essential_skills" in r.text
    # a needed skill that is not essential scores but rules nobody out
    larder = factory.role(org, title="Larder helper", slot_mask=SAT_MORNING, required_skills=("customer-service",))
    driver = factory.role(org, title="Larder driver", slot_mask=SAT_MORNING, essential_skills=("driving",))
    v = factory.volunteer(ASHFORD, availability=SAT_MORNING, skills_text="I don't drive, but I love chatting to people")
    ids = [m["role_id"] for m in client.get(f"/volunteers/{v.id}/matches", headers=as_user(_vol_user(db, v))).json()]
    assert larder.id in ids and driver.id not in ids
    why = client.get(f"/volunteers/{v.id}/why-not/{driver.id}", headers=as_user(_vol_user(db, v))).json()
    assert [r["code"] for r in why["reasons"]] == ["missing_skill"] and "essential" in why["reasons"][0]["message"]


def test_the_mode_gate_holds_in_recommendations_search_and_candidates(client, factory, as_user, db):
    org = factory.organisation(ASHFORD)
    manager = factory.user("organisation_manager", organisations=(org,))
    phone = factory.role(org, title="Telephone befriender", slot_mask=SAT_MORNING, mode="remote")
    shop = factory.role(org, title="Shop befriender", slot_mask=SAT_MORNING, mode="in_person")
    both = factory.role(org, title="Hybrid befriender", slot_mask=SAT_MORNING, mode="hybrid")
    in_person = factory.volunteer(ASHFORD, availability=SAT_MORNING, mode="in_person")
    remote = factory.volunteer(ASHFORD, availability=SAT_MORNING, mode="remote")
    for v, ruled_out in ((in_person, phone), (remote, shop)):
        headers = as_user(_vol_user(db, v))
        listed = {m["role_id"] for m in client.get(f"/volunteers/{v.id}/matches", headers=headers).json()}
        searched = {m["role_id"] for m in client.get("/search/roles", params={"q": "befriender"}, headers=headers).json()}
        assert ruled_out.id not in listed | searched and both.id in listed and both.id in searched
    for role, ruled_out in ((phone, in_person), (shop, remote)):
        ids = {c["volunteer_id"] for c in client.get(f"/roles/{role.id}/candidates", headers=as_user(manager)).json()}
        assert ruled_out.id not in ids
    ids = {c["volunteer_id"] for c in client.get(f"/roles/{both.id}/candidates", headers=as_user(manager)).json()}
    assert {in_person.id, remote.id} <= ids


def test_a_volunteers_words_are_read_with_their_strength(client, factory, as_user, db):
    v = factory.volunteer(ASHFORD)
    r = client.post("/skills/read", json={"text": "First aider, keen gardner; bring photo ID"}, headers=as_user(_vol_user(db, v)))
    assert r.status_code == 200, r.text
    got = {x["id"]: x for x in r.json()}
    assert set(got) == {"first-aid", "gardening"}
    assert got["first-aid"]["strength"] == 1.0 and got["first-aid"]["opens_essential"] is True
    assert got["gardening"]["strength"] < 0.9 and got["gardening"]["opens_essential"] is False
