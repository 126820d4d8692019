"""The email an account signs in with changes only with its password and a link sent to the new
address; staff cannot change it, and a profile edit cannot change it in passing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from brokerage import events
from brokerage.models import OutboxMessage, User, Volunteer
from tests.factories import ASHFORD, PASSWORD


@pytest.fixture
def db(pg_db):
    return pg_db


@pytest.fixture
def person(db, factory):
    v = factory.volunteer(ASHFORD, email="sam.old@example.org")
    return v, db.get(User, v.user_id)


def _link_token(db) -> str:
    rows = db.scalars(select(OutboxMessage).where(OutboxMessage.actor == events.EmailChangeRequested.name)).all()
    assert len(rows) == 1
    assert rows[0].payload["new_email"] == "sam.new@example.org"
    return rows[0].payload["token"]


def test_staff_and_profile_edits_cannot_change_the_sign_in_email(client, as_user, factory, person):
    v, user = person
    staff = as_user(factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,))))
    r = client.patch(f"/volunteers/{v.id}", json={"email": "attacker@example.org"}, headers=staff)
    assert r.status_code == 403
    r = client.patch(f"/volunteers/{v.id}", json={"email": "sam.new@example.org"}, headers=as_user(user))
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "email"
    # Other details still save, with the same address sent back unchanged.
    r = client.patch(f"/volunteers/{v.id}", json={"email": "Sam.Old@example.org", "phone": "01233 000000"}, headers=as_user(user))
    assert r.status_code == 200, r.text


def test_changing_the_email_needs_the_password_and_the_link(client, as_user, db, person):
    v, user = person
    me = as_user(user)
    r = client.post("/auth/email-change", json={"email": "sam.new@example.org", "password": "wrong password"}, headers=me)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "password"
    r = client.post("/auth/email-change", json={"email": "sam.new@example.org", "password": PASSWORD}, headers=me)
    assert r.status_code == 202, r.text
    db.expire_all()
    assert db.get(User, user.id).email == "sam.old@example.org"  # nothing changes before the link is opened
    token = _link_token(db)
    r = client.post("/auth/email-change/confirm", json={"token": token})
    assert r.status_code == 204, r.text
    db.expire_all()
    assert db.get(User, user.id).email == "sam.new@example.org"
    assert db.get(Volunteer, v.id).email == "sam.new@example.org"
    assert client.get("/auth/me", headers=me).status_code == 401  # signed out everywhere
    assert client.post("/auth/email-change/confirm", json={"token": token}).status_code == 422  # used once
    r = client.post("/auth/token", json={"email": "sam.new@example.org", "password": PASSWORD})
    assert r.status_code == 200


def test_an_address_already_in_use_is_refused(client, as_user, factory, person):
    _, user = person
    factory.volunteer(ASHFORD, email="taken@example.org")
    r = client.post("/auth/email-change", json={"email": "taken@example.org", "password": PASSWORD}, headers=as_user(user))
    assert r.status_code == 409


def test_the_pages_change_the_email_with_the_password_and_the_link(client, db, person):
    _, user = person
    page = client.get("/sign-in", headers={"Accept": "text/html"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    page = client.get("/account/email", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "sam.old@example.org" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/account/email", data={"email": "sam.new@example.org", "password": "nope", "csrf_token": csrf})
    assert r.status_code == 422 and "password is not right" in r.text
    r = client.post("/account/email", data={"email": "sam.new@example.org", "password": PASSWORD, "csrf_token": csrf})
    assert r.status_code == 200 and "sent a link" in r.text
    link = _link_token(db)
    page = client.get(f"/account/email/confirm?token={link}", headers={"Accept": "text/html"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/account/email/confirm", data={"token": link, "csrf_token": csrf})
    assert r.status_code == 200 and "Sign in with the new address" in r.text
    db.expire_all()
    assert db.get(User, user.id).email == "sam.new@example.org"
