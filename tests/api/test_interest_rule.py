"""One rule for saying you are interested, on the role's page, the interest form and the API alike:
a soft mismatch (times, distance, skills) warns and lets the volunteer go ahead; a hard gate (age,
a DBS check they will not get, closed or full, outside the publish window, a mode they ruled out)
refuses, with the reason. The page never says "you can still say you are interested" and then refuses."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from brokerage import deps
from brokerage.auth.service import issue_session_cookie
from brokerage.models import Referral, User
from tests.factories import ASHFORD, THANET

SAT_MORNING = 1 << 15
MON_MORNING = 1 << 0
STILL = "You can still say you are interested"


@pytest.fixture
def db(pg_db):
    return pg_db


def _soft_cases(factory):
    org = factory.organisation(ASHFORD)
    far = factory.role(factory.organisation(THANET), title="Margate beach clean", slot_mask=SAT_MORNING)
    return {
        "too_far": far,
        "no_shared_slot": factory.role(org, title="Monday shop helper", slot_mask=MON_MORNING),
        "missing_skill": factory.role(org, title="Minibus driver", slot_mask=SAT_MORNING, essential_skills=("driving",)),
    }


def _hard_cases(factory):
    org = factory.organisation(ASHFORD)
    return {
        "under_min_age": factory.role(org, title="Bar helper", slot_mask=SAT_MORNING, minimum_age=80),
        "dbs_required": factory.role(org, title="Youth mentor", slot_mask=SAT_MORNING, dbs_level="enhanced"),
        "no_places": factory.role(org, title="Full role", slot_mask=SAT_MORNING, places=0),
        "outside_publish_window": factory.role(
            org, title="Last year's fete", slot_mask=SAT_MORNING, publish_end=date.today() - timedelta(days=3)
        ),
    }


def _volunteer(factory, db):
    v = factory.volunteer(ASHFORD, availability=SAT_MORNING, radius=5, dbs_willing=False)
    return v, db.get(User, v.user_id)


def test_soft_mismatches_warn_and_the_api_lets_the_volunteer_go_ahead(client, factory, as_user, db):
    v, user = _volunteer(factory, db)
    for code, role in _soft_cases(factory).items():
        why = client.get(f"/volunteers/{v.id}/why-not/{role.id}", headers=as_user(user)).json()
        assert [r["code"] for r in why["reasons"]] == [code] and why["reasons"][0]["soft"] is True, why
        assert why["can_apply"] is True and why["eligible"] is False
        r = client.post("/referrals", json={"role_id": role.id}, headers=as_user(user))
        assert r.status_code == 201, (code, r.text)
    assert db.query(Referral).filter_by(volunteer_id=v.id).count() == 3


def test_hard_gates_refuse_through_the_api_with_the_reason(client, factory, as_user, db):
    v, user = _volunteer(factory, db)
    remote_only, remote_user = _volunteer(factory, db)
    remote_only.mode = "remote"
    db.commit()
    in_person = factory.role(factory.organisation(ASHFORD), title="Shop helper", slot_mask=SAT_MORNING)
    cases = [(user, code, role) for code, role in _hard_cases(factory).items()] + [(remote_user, "remote_only", in_person)]
    for who, code, role in cases:
        why = client.get(f"/volunteers/{_vid(db, who)}/why-not/{role.id}", headers=as_user(who)).json()
        assert why["can_apply"] is False and code in [r["code"] for r in why["reasons"]], (code, why)
        r = client.post("/referrals", json={"role_id": role.id}, headers=as_user(who))
        assert r.status_code == 409, (code, r.text)
        error = r.json()["error"]
        assert code in [d["field"] for d in error["details"]], (code, error)
        reason = next(x["message"] for x in why["reasons"] if x["code"] == code)
        assert reason in error["message"]
    assert db.query(Referral).filter(Referral.volunteer_id.in_([v.id, remote_only.id])).count() == 0


def _vid(db, user) -> int:
    from brokerage.models import Volunteer

    return db.query(Volunteer.id).filter_by(user_id=user.id).scalar()


def _page_client(client, user):
    client.cookies.clear()
    client.cookies.set(deps.SESSION_COOKIE, issue_session_cookie(user))
    return client


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_pages_follow_the_same_rule(client, factory, db):
    v, user = _volunteer(factory, db)
    soft, hard = _soft_cases(factory), _hard_cases(factory)
    c = _page_client(client, user)
    html = {"Accept": "text/html"}
    for code, role in soft.items():
        page = c.get(f"/opportunities/{role.id}", headers=html)
        assert page.status_code == 200 and STILL in page.text, code
        assert f'href="/opportunities/{role.id}/interest"' in page.text
        form = c.get(f"/opportunities/{role.id}/interest", headers=html)
        assert "Before you say you are interested" in form.text and "<form" in form.text
        r = c.post(
            f"/opportunities/{role.id}/interest",
            data={"csrf_token": _token(form.text), "share_email": "yes"},
            headers=html,
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/my/interest", (code, r.text[:500])
    assert db.query(Referral).filter_by(volunteer_id=v.id).count() == 3

    for code, role in hard.items():
        page = c.get(f"/opportunities/{role.id}", headers=html)
        assert page.status_code == 200, code
        assert STILL not in page.text and f'href="/opportunities/{role.id}/interest"' not in page.text, code
        assert "You cannot say you are interested in this role" in page.text
        form = c.get(f"/opportunities/{role.id}/interest", headers=html)
        assert "You cannot say you are interested in this role" in form.text and 'name="message"' not in form.text
        # a hand-made post is refused the same way, with the reason on the page
        r = c.post(f"/opportunities/{role.id}/interest", data={"csrf_token": _token(form.text)}, headers=html)
        assert r.status_code == 422, (code, r.status_code)
        assert "You cannot say you are interested in this role" in r.text
    assert db.query(Referral).filter_by(volunteer_id=v.id).count() == 3
