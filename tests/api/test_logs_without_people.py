"""Logs without people: a real server (``brokerage serve`` with its in-process worker, its access log
at info) on PostgreSQL is taken through the journeys — sign-up, sign-in, profile, a duplicate sign-up,
a name search by staff, a password reset by its emailed link, a safeguarding concern and its case, a
data download and an erasure — and every line it logged is searched for the seeded people's names,
emails, postcodes and dates of birth, and for the words of the concern and its note."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from brokerage.auth.service import issue_api_token
from tests.factories import ASHFORD, Factory

pytestmark = pytest.mark.slow

PEOPLE = [
    {"first_name": "Oluwaseun", "last_name": "Quillfeather", "email": "oluwaseun.q@example.org", "postcode": "TN23 1AA"},
    {"first_name": "Marguerite", "last_name": "Vantongeren", "email": "marguerite.v@example.net", "postcode": "CT1 2AA"},
]
DOBS = ["1979-04-18", "2001-12-02"]
CONCERN = "Seen at Brimblecombe Hall giving a child a lift home without telling anyone."
CONCERN_NOTE = "Spoke to the Quorndon scout leader about it."


@pytest.fixture
def server(tmp_path, pg_database, live_server):
    """``brokerage serve`` with its in-process worker and its access log (not ``--quiet``)."""
    with pg_database("logs") as db_url:
        engine = create_engine(db_url, pool_size=2)
        try:
            var_dir = tmp_path / "var"
            settings = {"BROKERAGE_THROTTLE_ENABLED": "false"}
            with live_server(db_url, var_dir, settings=settings, log_path=tmp_path / "server.log", args=()) as live:
                yield live.base_url, engine, live.log_path, var_dir
        finally:
            engine.dispose()


def _wait_for_mail(var_dir: Path, count: int) -> list[Path]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = sorted((var_dir / "outbox-mail").glob("*.eml")) if (var_dir / "outbox-mail").is_dir() else []
        if len(found) >= count:
            return found
        time.sleep(0.2)
    return []


def _wait_for_jobs(engine) -> None:
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while conn.execute(text("SELECT 1 FROM outbox WHERE status IN ('pending', 'dispatched') LIMIT 1")).first():
            assert time.monotonic() < deadline, "the server's worker never finished the queued jobs"
            time.sleep(0.1)
            conn.rollback()


def test_the_journeys_log_no_personal_data(server):
    base, engine, log_path, var_dir = server
    with Session(engine, expire_on_commit=False) as s:
        f = Factory(s)
        centre = f.centre(districts=(ASHFORD,), is_lead=True)
        staff_user = f.user("centre_staff", centre=centre)
        staff_user.safeguarding_lead = True
        s.commit()
        staff = {"Authorization": f"Bearer {issue_api_token(staff_user)}"}
    with httpx.Client(base_url=base, timeout=30) as c:
        tokens = []
        for person, dob in zip(PEOPLE, DOBS):
            body = {**person, "password": "a long enough password", "date_of_birth": dob, "phone": "07700 900777"}
            r = c.post("/volunteers", json=body)
            assert r.status_code == 201, r.text
            tokens.append({"Authorization": f"Bearer {r.headers['X-Access-Token']}"})
            # The same sign-up again: a unique violation in the database, answered 409.
            assert c.post("/volunteers", json=body).status_code == 409
            r = c.post("/auth/token", json={"email": person["email"], "password": "a long enough password"})
            assert r.status_code == 200
            assert c.post("/auth/token", json={"email": person["email"], "password": "not the password"}).status_code == 401
        me = c.get("/auth/me", headers=tokens[0]).json()
        vid = me["volunteer_id"]
        assert c.patch(f"/volunteers/{vid}", json={"skills_text": "I drive"}, headers=tokens[0]).status_code == 200
        # Staff search by name and by email, in the query string.
        for q in (PEOPLE[0]["last_name"], PEOPLE[1]["email"], PEOPLE[0]["postcode"]):
            assert c.get("/volunteers", params={"q": q}, headers=staff).status_code == 200
        assert c.get(f"/volunteers/{vid}", headers=staff).status_code == 200
        # A password reset by its emailed link (the token travels in the link's query string).
        assert c.post("/auth/password-reset", json={"email": PEOPLE[1]["email"]}).status_code == 202
        mails = _wait_for_mail(var_dir, 1)
        assert mails, "the reset email was written"
        link = re.search(r"(/reset-password\?token=[^\s\"<]+)", mails[-1].read_text()).group(1)
        reset_token = link.split("token=", 1)[1]
        opened = c.get(link, headers={"Accept": "text/html"}, follow_redirects=True)
        assert opened.status_code == 200 and opened.url.path == "/reset-password" and not opened.url.query
        # A bad input that echoes the email back to the person (not to the log).
        assert c.post("/volunteers", json={**PEOPLE[0], "postcode": "NOT A POSTCODE", "password": "x" * 12}).status_code in (
            409,
            422,
        )
        # A safeguarding concern raised, read, noted and closed (and a bad one refused): its text is never logged.
        r = c.post("/safeguarding/concerns", json={"volunteer_id": vid, "concern": CONCERN}, headers=staff)
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        assert (
            c.post("/safeguarding/concerns", json={"volunteer_id": vid, "concern": CONCERN, "x": 1}, headers=staff).status_code
            == 422
        )
        assert c.get("/safeguarding/concerns", headers=staff).status_code == 200
        assert c.get(f"/safeguarding/concerns/{cid}", headers=staff).json()["concern"] == CONCERN
        assert c.post(f"/safeguarding/concerns/{cid}/notes", json={"body": CONCERN_NOTE}, headers=staff).status_code == 201
        assert c.post(f"/safeguarding/concerns/{cid}/outcome", json={"outcome": "other"}, headers=staff).status_code == 422
        assert c.get(f"/safeguarding/concerns/{cid}", headers=tokens[0]).status_code == 404
        assert c.get(f"/volunteers/{vid}/export", headers=tokens[0]).status_code == 200
        assert c.delete(f"/volunteers/{vid}", headers=tokens[0]).status_code == 204
        _wait_for_jobs(engine)  # let the worker finish what the journeys queued

    logged = log_path.read_text()
    assert "GET /volunteers" in logged and "POST /auth/token" in logged, "the access log was captured"
    assert "token=" not in logged and "?q=" not in logged and reset_token not in logged
    secrets = [s for p in PEOPLE for s in (p["first_name"], p["last_name"], p["email"], p["postcode"])] + DOBS
    secrets += [s.lower() for s in secrets] + ["07700 900777", "07700900777", "argon2", "Brimblecombe", "Quorndon"]
    found = {s for s in secrets if s in logged}
    lines = [line for line in logged.splitlines() if any(s in line for s in found)]
    print(f"\n{len(logged.splitlines())} log lines searched for {len(set(secrets))} personal details")
    assert not found, "personal data in the logs:\n" + "\n".join(lines[:20])
