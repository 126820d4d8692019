"""Accounts: sign-in, bearer tokens, password reset by a signed, expiring, single-use token."""

from __future__ import annotations

from sqlalchemy import select

from brokerage.models import OutboxMessage
from tests.factories import PASSWORD


def test_sign_in_and_token(client, factory):
    user = factory.user("pilot_lead", email="Lead@Example.org")
    r = client.post("/auth/token", json={"email": "lead@example.org", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["role"] == "pilot_lead"
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()
    assert me["user_id"] == user.id
    bad = client.post("/auth/token", json={"email": "lead@example.org", "password": "wrong password"})
    assert bad.status_code == 401 and bad.json()["error"]["message"] == "The email address or password is not right."
    nobody = client.post("/auth/token", json={"email": "nobody@example.org", "password": "wrong password"})
    assert nobody.json() == bad.json()  # no account probing


def test_password_reset_flow(client, factory, db):
    user = factory.user("centre_staff", centre=factory.centre())
    assert client.post("/auth/password-reset", json={"email": "unknown@example.org"}).status_code == 202
    assert client.post("/auth/password-reset", json={"email": user.email}).status_code == 202
    job = db.scalars(select(OutboxMessage).where(OutboxMessage.actor == "account.password_reset")).all()
    assert len(job) == 1 and job[0].payload["user_id"] == user.id  # recorded with the request, for the mailer
    token = job[0].payload["token"]
    old = client.post("/auth/token", json={"email": user.email, "password": PASSWORD}).json()["access_token"]
    short = client.post("/auth/password-reset/confirm", json={"token": token, "new_password": "short"})
    assert short.status_code == 422
    assert (
        client.post("/auth/password-reset/confirm", json={"token": token, "new_password": "a brand new passphrase"}).status_code
        == 204
    )
    assert client.post("/auth/token", json={"email": user.email, "password": "a brand new passphrase"}).status_code == 200
    # The link works once, and sessions from before the change are signed out.
    again = client.post("/auth/password-reset/confirm", json={"token": token, "new_password": "another passphrase!"})
    assert again.status_code == 422 and "expired" in again.json()["error"]["message"]
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401


def test_forged_reset_token(client):
    r = client.post("/auth/password-reset/confirm", json={"token": "x" * 40, "new_password": "a brand new passphrase"})
    assert r.status_code == 422


def test_deactivated_user_is_signed_out(client, factory, as_user):
    admin = factory.user("admin")
    staff = factory.user("centre_staff", centre=factory.centre())
    headers = as_user(staff)
    assert client.get("/auth/me", headers=headers).status_code == 200
    assert client.patch(f"/users/{staff.id}", json={"is_active": False}, headers=as_user(admin)).status_code == 200
    assert client.get("/auth/me", headers=headers).status_code == 401
