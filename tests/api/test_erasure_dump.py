"""After a volunteer deletes their account, a dump of the whole database (pg_dump, every table, stored
files decoded) and the kept email files hold none of their name, email, phone, postcode or date of
birth; the anonymous aggregates (their hours) still count. The data download before it holds
everything the product keeps about them."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from brokerage.auth.service import issue_api_token
from brokerage.config import get_settings
from brokerage.models import (
    AuditLog,
    Delivery,
    EmailSuppression,
    HoursEntry,
    ImportBatch,
    OutboxMessage,
    Placement,
    Referral,
    ReferralEvent,
    User,
    Volunteer,
)
from tests.factories import ASHFORD, Factory

FIRST, LAST = "Priya", "Zephyrine-Okafor"
EMAIL = "priya.zephyrine@example.org"
PHONE = "07700 900461"
POSTCODE = "TN23 7QZ"
DOB = date(1987, 11, 23)
SECRETS = [f"{FIRST} {LAST}", LAST, EMAIL, PHONE, PHONE.replace(" ", ""), POSTCODE, DOB.isoformat(), f"{DOB:%d/%m/%Y}"]


@pytest.fixture
def fresh(tmp_path, monkeypatch, pg_database) -> Iterator[tuple[str, object]]:
    """A database of its own, committed to for real, so pg_dump sees exactly what the app wrote."""
    with pg_database("erasure") as url:
        engine = create_engine(url)
        monkeypatch.setenv("BROKERAGE_VAR_DIR", str(tmp_path / "var"))
        get_settings.cache_clear()
        try:
            yield url, engine
        finally:
            engine.dispose()
            monkeypatch.undo()
            get_settings.cache_clear()


def _client(engine) -> TestClient:
    from brokerage import deps
    from brokerage.app import create_app

    app = create_app()

    def _session():
        session = Session(engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    app.dependency_overrides[deps._db_session] = _session
    return TestClient(app, raise_server_exceptions=False)


def _dump(url: str) -> str:
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    text = subprocess.run(["pg_dump", "--data-only", "--no-owner", libpq], check=True, capture_output=True, text=True).stdout
    # Stored files (bytea) are dumped as hex: decode them so their contents are searched too.
    decoded = [bytes.fromhex(h).decode("utf-8", errors="ignore") for h in re.findall(r"\\\\x((?:[0-9a-f]{2})+)", text)]
    return "\n".join([text, *decoded]).lower()


def _found(haystack: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in haystack]


def _seed(engine, var_dir) -> dict:
    with Session(engine, expire_on_commit=False) as s:
        f = Factory(s)
        centre = f.centre(districts=(ASHFORD,))
        staff = f.user("centre_staff", centre=centre)
        org = f.organisation(ASHFORD)
        manager = f.user("organisation_manager", organisations=(org,))
        role = f.role(org)
        v = f.volunteer(ASHFORD, email=EMAIL, dob=DOB, phone=PHONE, first_name=FIRST, last_name=LAST, postcode=POSTCODE)
        s.get_one(User, v.user_id).full_name = f"{FIRST} {LAST}"
        placement = Placement(volunteer_id=v.id, role_id=role.id, organisation_id=org.id, started_on=date.today() - timedelta(60))
        s.add(placement)
        s.flush()
        s.add(
            HoursEntry(
                placement_id=placement.id,
                volunteer_id=v.id,
                worked_on=date.today() - timedelta(days=3),
                hours=Decimal("3"),
                activity=f"{FIRST} ran the cake stall",
                status="queried",
                query_note=f"{FIRST}, was this 3 or 4 hours? Call me back on {PHONE}",
            )
        )
        ref = Referral(volunteer_id=v.id, role_id=role.id, status="contacted", message=f"Hi, I'm {FIRST}. Ring {PHONE}.")
        s.add(ref)
        s.flush()
        s.add(ReferralEvent(referral_id=ref.id, from_status="new", to_status="contacted", note=f"Spoke to {FIRST} {LAST}"))
        s.add(
            ImportBatch(
                centre_id=centre.id,
                kind="volunteers",
                format="csv",
                filename="spring-fair.csv",
                content_sha256="0" * 64,
                content=f"first_name,last_name,email,phone,postcode,date_of_birth\n{FIRST},{LAST},{EMAIL},{PHONE},{POSTCODE},{DOB:%d/%m/%Y}\n".encode(),
                status="checked",
                problems=[{"row": 2, "field": "email", "problem": f"{EMAIL} is already registered", "severity": "warning"}],
                summary={},
            )
        )
        s.add(OutboxMessage(actor="notification.role_match", payload={"to": EMAIL, "name": f"{FIRST} {LAST}"}, status="done"))
        s.add(Delivery(key=f"test:{uuid.uuid4().hex}", kind="role_match", recipient=EMAIL, volunteer_id=v.id))
        s.add(EmailSuppression(email_normalised=EMAIL))
        s.commit()
        ids = {"volunteer": v.id, "user": s.get_one(User, v.user_id), "staff": staff, "manager": manager}
    mail = var_dir / "outbox-mail"
    mail.mkdir(parents=True)
    (mail / "20260101T090000-role_match-abc.eml").write_text(f"To: {FIRST} {LAST} <{EMAIL}>\nSubject: A role\n\nHello {FIRST}\n")
    (mail / "20260101T090000-digest-other.eml").write_text("To: someone.else@example.org\n\nHello\n")
    return ids


def test_after_erasure_the_database_dump_holds_nothing_of_the_person(fresh):
    url, engine = fresh
    var_dir = get_settings().var_dir
    seeded = _seed(engine, var_dir)
    client = _client(engine)
    me = {"Authorization": f"Bearer {issue_api_token(seeded['user'])}"}
    staff = {"Authorization": f"Bearer {issue_api_token(seeded['staff'])}"}
    vid = seeded["volunteer"]
    assert client.get(f"/volunteers/{vid}", headers=staff).status_code == 200  # an audited staff view

    # The data download holds everything: profile, account, notes, referrals, emails sent, who looked.
    download = client.get(f"/volunteers/{vid}/export", headers=me).json()
    assert download["account"]["email"] == EMAIL
    assert download["hours"][0]["query_note"].startswith(FIRST)
    assert download["referrals"][0]["history"][0]["note"] == f"Spoke to {FIRST} {LAST}"
    assert download["emails_sent"][0]["kind"] == "role_match"
    assert {a["action"] for a in download["staff_access"]} >= {"volunteer.view"}

    before = _dump(url)
    assert set(_found(before)) >= set(SECRETS) - {PHONE.replace(" ", "")}, (
        "every identifier is in the database before (the check can see them)"
    )

    assert client.delete(f"/volunteers/{vid}", headers=me).status_code == 204

    after = _dump(url)
    assert _found(after) == []
    assert "priya" not in after
    files = [p.read_text().lower() for p in var_dir.rglob("*") if p.is_file()]
    assert not any(_found(text) for text in files)
    assert (var_dir / "outbox-mail" / "20260101T090000-digest-other.eml").exists()  # others' mail is kept

    with Session(engine) as s:
        assert s.scalar(select(func.count(HoursEntry.id)).where(HoursEntry.volunteer_id == vid)) == 1  # still counts
        assert s.get_one(Volunteer, vid).status == "erased"
        assert s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "volunteer.erase")) == 1
        assert s.scalar(select(ImportBatch.status)) == "discarded"
