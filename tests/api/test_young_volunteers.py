"""Young volunteers: a 15-year-old signs up with a parent or guardian's email; the guardian is emailed
(through the outbox) signed, expiring links; until the consent link is used the young person cannot say
they are interested in any role (the one interest rule, with the reason), and after consent is withdrawn
from the other link they cannot again; a role not suitable for under-18s is never theirs."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from brokerage.config import get_settings
from brokerage.models import OutboxMessage, Volunteer
from brokerage.volunteers import guardians
from tests.factories import ASHFORD


def _fifteen_today() -> date:
    today = date.today()
    return date(today.year - 15, today.month, min(today.day, 28))


def _sign_up(client, **extra):
    body = {
        "first_name": "Tamsin",
        "last_name": "Younghelper",
        "email": "tamsin.y@example.net",
        "password": "a long enough password",
        "postcode": "TN23 1AA",
        "date_of_birth": _fifteen_today().isoformat(),
        **extra,
    }
    return client.post("/volunteers", json=body)


def _page_form(client, link: str):
    path = link.split("://", 1)[-1].split("/", 1)[1]
    page = client.get("/" + path, headers={"Accept": "text/html"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    return page, (csrf.group(1) if csrf else None), (token.group(1) if token else None)


def _use(client, link: str, action: str):
    page, csrf, token = _page_form(client, link)
    assert page.status_code == 200 and "Tamsin" in page.text, page.text[:500]
    done = client.post(f"/guardian/{action}", data={"csrf_token": csrf, "token": token}, headers={"Accept": "text/html"})
    assert done.status_code == 200, done.text[:500]
    return done


@pytest.fixture
def roles(factory):
    factory.centre(districts=(ASHFORD,), is_lead=True)
    org = factory.organisation(ASHFORD)
    return {
        "suitable": factory.role(org, title="Park litter pick", suitable_for_under_18s=True, minimum_age=14),
        "suitable_too": factory.role(org, title="Charity shop helper", suitable_for_under_18s=True),
        "adults": factory.role(org, title="Night shelter helper"),
    }


def test_a_15_year_old_can_say_they_are_interested_only_while_their_guardian_consents(client, db, roles):
    r = _sign_up(client)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "guardian_email"
    r = _sign_up(client, guardian_email="tamsin.y@example.net")
    assert r.status_code == 422 and "not your own" in r.text
    r = _sign_up(client, guardian_email="parent.of.tamsin@example.org")
    assert r.status_code == 201, r.text
    me = {"Authorization": f"Bearer {r.headers['X-Access-Token']}"}
    v = db.scalar(select(Volunteer).where(Volunteer.email == "tamsin.y@example.net"))
    jobs = db.scalars(select(OutboxMessage).where(OutboxMessage.actor == "volunteer.guardian_consent")).all()
    assert [j.payload for j in jobs] == [{"volunteer_id": v.id}]
    assert client.get(f"/volunteers/{v.id}", headers=me).json()["guardian_consent"] is False

    # no consent yet: a hard block with the reason, for a role that welcomes under-18s
    blocked = client.post("/referrals", json={"role_id": roles["suitable"].id}, headers=me)
    assert blocked.status_code == 409
    assert [d["field"] for d in blocked.json()["error"]["details"]] == ["guardian_consent_needed"]
    assert "parent or guardian needs to give their consent" in blocked.json()["error"]["message"]

    # a link that has been altered, or has expired, does nothing
    link = guardians.consent_link(v)
    assert client.get(link.replace("token=", "token=x"), headers={"Accept": "text/html"}).status_code == 400
    get_settings().guardian_consent_max_age_seconds, keep = -1, get_settings().guardian_consent_max_age_seconds
    try:
        assert client.get(link, headers={"Accept": "text/html"}).status_code == 400
    finally:
        get_settings().guardian_consent_max_age_seconds = keep

    assert "consent given" in _use(client, link, "consent").text
    db.refresh(v)
    assert v.guardian_consent_at is not None
    assert client.get(f"/volunteers/{v.id}", headers=me).json()["guardian_consent"] is True
    assert client.post("/referrals", json={"role_id": roles["suitable"].id}, headers=me).status_code == 201
    # even with consent, a role not suitable for under-18s is not theirs
    adults = client.post("/referrals", json={"role_id": roles["adults"].id}, headers=me)
    assert adults.status_code == 409 and "not_for_under_18s" in adults.text
    matched = {m["role_id"] for m in client.get(f"/volunteers/{v.id}/matches", headers=me).json()}
    assert roles["adults"].id not in matched

    # withdrawn from the other link: the gate is back
    assert "Consent withdrawn" in _use(client, guardians.withdraw_link(v), "withdraw").text
    again = client.post("/referrals", json={"role_id": roles["suitable_too"].id}, headers=me)
    assert again.status_code == 409 and "guardian_consent_needed" in again.text
    # the consent link cannot stand in for the withdrawal link, nor the other way round
    assert client.get("/guardian/withdraw?token=" + link.split("token=")[1], headers={"Accept": "text/html"}).status_code == 400


def test_a_new_guardian_starts_again_and_adults_need_none(client, db, roles, factory, as_user):
    from brokerage.models import User

    young = factory.volunteer(ASHFORD, dob=_fifteen_today(), guardian_email="first.parent@example.org")
    young.guardian_consent_at = datetime.utcnow()
    db.commit()
    me = as_user(db.get(User, young.user_id))
    old_link = guardians.consent_link(young)
    r = client.patch(f"/volunteers/{young.id}", json={"guardian_email": "second.parent@example.org"}, headers=me)
    assert r.status_code == 200 and r.json()["guardian_consent"] is False
    assert client.get(old_link, headers={"Accept": "text/html"}).status_code == 400  # the old guardian's link is stale
    assert (
        client.patch(f"/volunteers/{young.id}", json={"date_of_birth": _fifteen_today().isoformat()}, headers=me).status_code
        == 200
    )
    adult = factory.volunteer(ASHFORD)
    assert (
        client.post("/referrals", json={"role_id": roles["adults"].id}, headers=as_user(db.get(User, adult.user_id))).status_code
        == 201
    )
    staff = as_user(factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,))))
    r = client.post("/referrals", json={"role_id": roles["suitable"].id, "volunteer_id": young.id}, headers=staff)
    assert r.status_code == 409 and "guardian_consent_needed" in r.text


def test_young_volunteers_fall_in_the_same_age_bands_in_records_and_reports(db, factory):
    """Volunteers of 14 and 15 are "under 16", 16 to 24 are the "young people" of the reports, in the
    record's age band and in the reports' SQL alike (on and either side of each birthday)."""
    from brokerage.models.volunteer import age_band
    from brokerage.reports.facts import age_band_expr

    today = date.today()
    people = []
    for years in (14, 15, 16, 17, 24, 25):
        born = date(today.year - years, today.month, min(today.day, 28))
        for day in (born, born + timedelta(days=1)):  # a birthday on or before today, and one a day later
            people.append(factory.volunteer(ASHFORD, dob=day))
    bands = dict(db.execute(select(Volunteer.id, age_band_expr(today)).where(Volunteer.id.in_([v.id for v in people]))).all())
    for v in people:
        assert bands[v.id] == age_band(v.date_of_birth, today), (v.date_of_birth, bands[v.id])
    assert {age_band(v.date_of_birth, today) for v in people} <= {"under 16", "16-24", "25-34"}
    assert age_band(date(today.year - 15, today.month, min(today.day, 28)), today) == "under 16"


def test_a_volunteer_whose_age_we_do_not_know_confirms_it_before_roles_for_adults(client, db, roles):
    """No date of birth and no "I am 18 or over" (an imported record, or an API sign-up that gave
    neither): a child could be behind it, so roles for adults only are closed (no interest, no match)
    until they confirm; roles that welcome under-18s stay open."""
    r = _sign_up(client, date_of_birth=None, email="ash.unknown@example.net")
    assert r.status_code == 201, r.text
    me = {"Authorization": f"Bearer {r.headers['X-Access-Token']}"}
    vid = r.json()["id"]
    assert r.json()["adult_confirmed"] is False and r.json()["date_of_birth"] is None
    blocked = client.post("/referrals", json={"role_id": roles["adults"].id}, headers=me)
    assert blocked.status_code == 409
    assert [d["field"] for d in blocked.json()["error"]["details"]] == ["age_not_known"]
    assert "confirm there that you are 18 or over" in blocked.json()["error"]["message"]
    matched = {m["role_id"] for m in client.get(f"/volunteers/{vid}/matches", headers=me).json()}
    assert roles["adults"].id not in matched
    assert client.post("/referrals", json={"role_id": roles["suitable_too"].id}, headers=me).status_code == 201

    confirmed = client.patch(f"/volunteers/{vid}", json={"adult_confirmed": True}, headers=me)
    assert confirmed.status_code == 200 and confirmed.json()["adult_confirmed"] is True
    assert client.post("/referrals", json={"role_id": roles["adults"].id}, headers=me).status_code == 201
    # someone just looking (signed out) still sees every role
    found = client.get("/roles", params={"q": "Night shelter"}).json()
    assert roles["adults"].id in {r["id"] for r in found["items"]}
