"""The pages that run the service do what the API does, for the same kinds of account only:
centres, accounts (invite, deactivate), the audit log, failed jobs (send again), rates, investment."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from brokerage import deps
from brokerage.auth.service import issue_session_cookie
from brokerage.models import AuditLog, Centre, InvestmentEntry, OutboxMessage, User, ValuationRate
from tests.factories import ASHFORD, CANTERBURY

HTML = {"Accept": "text/html"}


@pytest.fixture
def db(pg_db):
    return pg_db


def _as(client, user):
    client.cookies.clear()
    client.cookies.set(deps.SESSION_COOKIE, issue_session_cookie(user))
    return client


def _post(c, path: str, data: dict, page: str | None = None):
    html = c.get(page or path, headers=HTML).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return c.post(path, data={"csrf_token": token, **data}, headers=HTML, follow_redirects=False)


def test_each_page_is_for_its_own_kind_of_account(client, factory):
    centre = factory.centre(districts=(ASHFORD,), is_lead=True)
    people = {
        "admin": factory.user("admin"),
        "staff": factory.user("centre_staff", centre=centre),
        "pilot": factory.user("pilot_lead"),
        "manager": factory.user("organisation_manager"),
    }
    allowed = {
        "/admin": {"admin"},
        "/admin/centres": {"admin"},
        "/admin/centres/new": {"admin"},
        f"/admin/centres/{centre.id}": {"admin"},
        "/admin/users": {"admin"},
        "/admin/users/new": {"admin"},
        "/admin/audit": {"admin"},
        "/admin/jobs": {"admin"},
        "/admin/rates": {"pilot"},
        "/admin/investment": {"staff", "pilot"},
    }
    for path, who in allowed.items():
        for name, user in people.items():
            r = _as(client, user).get(path, headers=HTML)
            assert r.status_code == (200 if name in who else 403), (path, name, r.status_code)
            assert r.headers["content-type"].startswith("text/html")
        client.cookies.clear()
        r = client.get(path, headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/sign-in?next=")
    r = _as(client, people["admin"]).get("/admin/centres/abc", headers=HTML)
    assert r.status_code == 404 and "Page not found" in r.text
    assert _as(client, people["admin"]).get("/admin/centres/999999", headers=HTML).status_code == 404


def test_centres_invite_deactivate_and_audit(client, factory, db):
    admin = factory.user("admin")
    c = _as(client, admin)
    r = _post(c, "/admin/centres/new", {"name": "", "districts": []})
    assert r.status_code == 422
    assert "Enter the centre’s name" in r.text and "Select at least one district" in r.text  # every error at once
    r = _post(c, "/admin/centres/new", {"name": "Canterbury Volunteer Centre", "districts": [CANTERBURY], "is_lead": "yes"})
    assert r.status_code == 303, r.text[:500]
    centre = db.scalar(select(Centre).where(Centre.name == "Canterbury Volunteer Centre"))
    assert centre.is_lead and centre.district_codes == [CANTERBURY]
    page = c.get("/admin/centres", headers=HTML).text
    assert "Canterbury Volunteer Centre" in page and "Lead centre" in page and "Canterbury" in page

    r = _post(c, "/admin/users/new", {"email": "not an email", "full_name": "", "role": "centre_staff"})
    assert r.status_code == 422 and "Select the volunteer centre" in r.text
    r = _post(c, "/admin/users/new", {"email": "nope", "full_name": "", "role": ""})
    assert r.status_code == 422
    assert "right format" in r.text and "Enter full name" in r.text and "Select the kind of account" in r.text
    r = _post(
        c,
        "/admin/users/new",
        {"email": "new.staff@example.org", "full_name": "New Staff", "role": "centre_staff", "centre_id": str(centre.id)},
    )
    assert r.status_code == 303, r.text[:800]
    invited = db.scalar(select(User).where(User.email_normalised == "new.staff@example.org"))
    assert invited.role == "centre_staff" and invited.centre_id == centre.id and invited.password_hash is None
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.actor == "account.password_reset")) is not None

    r = _post(c, f"/admin/users/{invited.id}/active", {"active": "no"}, page="/admin/users")
    assert r.status_code == 303
    db.refresh(invited)
    assert invited.is_active is False
    r = _post(c, f"/admin/users/{admin.id}/active", {"active": "no"}, page="/admin/users")
    db.refresh(admin)
    assert admin.is_active is True  # never locks themself out

    audit = c.get(f"/admin/audit?subject_type=user&actor={admin.email}", headers=HTML).text
    assert "user: invite" in audit and "user: update" in audit
    total = db.query(AuditLog).filter_by(subject_type="user", actor_user_id=admin.id).count()
    assert re.search(rf"\b{total} entr", audit)
    assert "There is no account" in c.get("/admin/audit?actor=nobody@example.org", headers=HTML).text


def test_failed_jobs_are_sent_again_from_the_page(client, factory, db):
    admin = factory.user("admin")
    job = OutboxMessage(
        actor="referrals.created", payload={"referral_id": 1}, status="failed", attempts=5, last_error="SMTP server said no"
    )
    db.add(job)
    db.commit()
    c = _as(client, admin)
    page = c.get("/admin/jobs", headers=HTML).text
    assert f"Job {job.id}: referrals.created" in page and "SMTP server said no" in page
    r = _post(c, f"/admin/jobs/{job.id}/redrive", {}, page="/admin/jobs")
    assert r.status_code == 303
    db.refresh(job)
    assert job.status == "pending" and job.attempts == 0
    r = _post(c, f"/admin/jobs/{job.id}/redrive", {}, page="/admin/jobs")
    assert r.status_code == 303  # a second press says why, never a 500


def test_rates_and_investment(client, factory, db):
    centre = factory.centre(districts=(ASHFORD,), is_lead=True)
    other = factory.centre(districts=(CANTERBURY,))
    pilot, staff = factory.user("pilot_lead"), factory.user("centre_staff", centre=centre)
    c = _as(client, pilot)
    r = _post(c, "/admin/rates", {"series": "Real Living Wage", "amount": "-1", "kind": ""})
    assert r.status_code == 422
    for message in (  # every problem at once, in words, with the limit
        "Series is not in the right format",
        "Enter name",
        "Select kind of value",
        "Amount in pounds must be more than 0",
        "Enter valid from",
        "Enter source",
    ):
        assert message in r.text, message
    body = {
        "series": "test_rlw",
        "name": "Test living wage",
        "kind": "replacement_cost",
        "unit": "hour",
        "amount": "13.45",
        "valid_from": "2026-04-01",
        "price_year": "2026/27",
        "source": "Living Wage Foundation, https://www.livingwage.org.uk",
    }
    assert _post(c, "/admin/rates", body).status_code == 303
    rate = db.scalar(select(ValuationRate).where(ValuationRate.series == "test_rlw"))
    assert float(rate.amount) == 13.45 and rate.valid_from == date(2026, 4, 1)
    page = c.get("/admin/rates", headers=HTML).text
    assert "Test living wage" in page and "1 April 2026" in page and "£13.45" in page
    r = _post(c, "/admin/rates", {**body, "valid_from": "2026-06-01"})
    assert r.status_code == 422 and "cannot overlap" in r.text

    s = _as(client, staff)
    entry = {"period_start": "2026-04-01", "period_end": "2026-06-30", "category": "training", "amount": "1,250.00"}
    assert _post(s, "/admin/investment", {**entry, "centre_id": str(centre.id)}).status_code == 303
    r = _post(s, "/admin/investment", {**entry, "centre_id": str(other.id)})
    assert r.status_code == 422 and "own centre" in r.text
    saved = db.scalars(select(InvestmentEntry)).all()
    assert [(e.centre_id, float(e.amount)) for e in saved] == [(centre.id, 1250.0)]
    r = _post(s, "/admin/investment", {"period_start": "2026-06-01", "period_end": "2026-04-01", "category": "x"})
    assert r.status_code == 422
    p = _as(client, pilot)
    assert _post(p, "/admin/investment", {**entry, "centre_id": str(other.id)}).status_code == 303
    assert "£1,250.00" in p.get("/admin/investment", headers=HTML).text
