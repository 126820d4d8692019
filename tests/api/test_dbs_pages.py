"""DBS on the pages: a volunteer says which check they hold (level, certificate date, Update Service)
and whether they would get one, at sign-up and on their profile; nothing is assumed for them."""

from __future__ import annotations

import re
from datetime import date

import pytest

from brokerage import deps
from brokerage.auth.service import issue_session_cookie
from brokerage.models import User, Volunteer
from tests.factories import ASHFORD

HTML = {"Accept": "text/html"}


@pytest.fixture
def db(pg_db):
    return pg_db


def test_the_profile_asks_and_keeps_the_dbs_answers(client, factory, db):
    v = factory.volunteer(ASHFORD, dbs_willing=False)
    client.cookies.set(deps.SESSION_COOKIE, issue_session_cookie(db.get(User, v.user_id)))
    form = client.get("/my/profile/dbs", headers=HTML)
    assert form.status_code == 200 and "Which DBS check do you hold?" in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    r = client.post("/my/profile/dbs", data={"csrf_token": token}, headers=HTML)
    assert r.status_code == 422
    assert "Select the DBS check you hold" in r.text and "Select yes if you would get a DBS check" in r.text
    r = client.post(
        "/my/profile/dbs",
        data={
            "csrf_token": token,
            "dbs_level": "enhanced",
            "dbs_certificate_date": "2025-02-03",
            "dbs_update_service": "yes",
            "dbs_willing": "yes",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    db.expire_all()
    saved = db.get(Volunteer, v.id)
    assert (saved.dbs_level, saved.dbs_certificate_date, saved.dbs_update_service, saved.dbs_willing) == (
        "enhanced",
        date(2025, 2, 3),
        True,
        True,
    )
    profile = client.get("/my/profile", headers=HTML).text
    assert "Enhanced DBS check, certificate dated 3 February 2025, on the Update Service" in profile
