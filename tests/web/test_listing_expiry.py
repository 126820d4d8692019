"""A role posted from the pages has a closing date (three months ahead by default, at most twelve),
expires after it, and its poster refreshes or reopens it from the role's page: the page the
"closing soon" email links to. Through the real app (forms, CSRF, session cookie) on the test database."""

from __future__ import annotations

import re
from datetime import date, timedelta

from brokerage import links
from brokerage.auth.service import build_principal, issue_session_cookie
from brokerage.deps import SESSION_COOKIE
from brokerage.models import Role
from brokerage.roles import service as roles_service
from tests.factories import ASHFORD


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _role_form(org_id: int, closes_on: str) -> dict:
    return {
        "title": "Community garden helper",
        "description": "Help to plant, weed and water the community garden on Saturday mornings.",
        "mode": "in_person",
        "postcode": "TN23 1AA",
        "one_off": "no",
        "slots": "SaturdayMorning",
        "causes": "Environment",
        "dbs_level": "none",
        "places_available": "2",
        "publish_end": closes_on,
        "submit_for_review": "yes",
        "action": "save",
    }


def test_a_role_posted_from_the_form_closes_on_its_date_and_is_reopened_from_its_page(client, db, factory):
    org = factory.organisation(ASHFORD, name="Ashford Growers")
    manager = factory.user("organisation_manager", organisations=(org,))
    db.commit()
    client.cookies.set(SESSION_COOKIE, issue_session_cookie(manager))
    today = date.today()

    form_page = client.get(f"/manage/roles/new?organisation={org.id}")
    assert form_page.status_code == 200
    default = roles_service.default_closing_date(today)
    assert f'value="{default.isoformat()}"' in form_page.text  # three months ahead unless changed
    assert (default.year * 12 + default.month) - (today.year * 12 + today.month) == 3

    too_late = today + timedelta(days=400)
    refused = client.post(
        f"/manage/roles/new?organisation={org.id}",
        data={**_role_form(org.id, too_late.isoformat()), "csrf_token": _csrf(form_page.text)},
    )
    assert refused.status_code == 422 and "at most 12 months ahead" in refused.text
    assert db.query(Role).filter_by(organisation_id=org.id).count() == 0

    closes_on = today + timedelta(days=20)
    saved = client.post(
        f"/manage/roles/new?organisation={org.id}",
        data={**_role_form(org.id, closes_on.isoformat()), "csrf_token": _csrf(form_page.text)},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:2000]
    role = db.query(Role).filter_by(organisation_id=org.id).one()
    assert role.publish_end == closes_on and role.status == "pending_review"
    staff = factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,)))
    roles_service.change_status(db, build_principal(db, staff), role.id, "published", None)  # the centre publishes it
    db.commit()

    # Open through its closing date, expired the day after.
    assert roles_service.expire_due(db, closes_on) == []
    assert roles_service.expire_due(db, closes_on + timedelta(days=1)) == [role.id]
    db.commit()
    db.refresh(role)
    assert role.status == "expired"

    page = client.get(links.role_admin_page(role.id))
    assert page.status_code == 200 and "Reopen the listing" in page.text and "Community garden helper" in page.text
    new_date = today + timedelta(days=60)
    reopened = client.post(
        links.role_admin_page(role.id) + "/refresh",
        data={"publish_end": new_date.isoformat(), "csrf_token": _csrf(page.text)},
        follow_redirects=True,
    )
    assert reopened.status_code == 200 and f"open until {new_date.day} {new_date:%B %Y}" in reopened.text
    db.expire_all()
    role = db.get(Role, role.id)
    assert role.status == "published" and role.publish_end == new_date

    # A published listing is refreshed the same way; a date too far ahead is refused with the limit.
    page = client.get(links.role_admin_page(role.id))
    assert "Refresh the listing" in page.text
    refused = client.post(
        links.role_admin_page(role.id) + "/refresh",
        data={"publish_end": (today + timedelta(days=400)).isoformat(), "csrf_token": _csrf(page.text)},
        follow_redirects=True,
    )
    assert "at most 12 months ahead" in refused.text
    db.expire_all()
    assert db.get(Role, role.id).publish_end == new_date


def test_the_role_form_shows_every_error_at_once_with_its_limit(client, db, factory):
    org = factory.organisation(ASHFORD, name="Ashford Growers")
    manager = factory.user("organisation_manager", organisations=(org,))
    db.commit()
    client.cookies.set(SESSION_COOKIE, issue_session_cookie(manager))
    form_page = client.get(f"/manage/roles/new?organisation={org.id}")
    wrong = {
        **_role_form(org.id, (date.today() + timedelta(days=400)).isoformat()),
        "title": "",
        "description": "Dig",
        "hours_per_week": "100",
        "minimum_age": "130",
        "places_available": "20000",
        "csrf_token": _csrf(form_page.text),
    }
    refused = client.post(f"/manage/roles/new?organisation={org.id}", data=wrong)
    assert refused.status_code == 422
    summary = re.sub(r"<[^>]+>", " ", refused.text.split("data-error-summary>")[1].split("</ul>")[0])
    for words in (
        "Enter the role’s title",
        "in at least 10 characters",
        "at most 12 months ahead",
        "Hours a week must be 80 or less",
        "Minimum age must be 120 or less",
        "Number of places must be 10,000 or less",
    ):
        assert words in summary, (words, summary)
    assert db.query(Role).filter_by(organisation_id=org.id).count() == 0
