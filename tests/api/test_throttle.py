"""Sign-in, sign-up and password reset are throttled: a 429 with Retry-After in the one envelope (or
a readable page), and no one can lock another person out of their account."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from brokerage.config import get_settings
from tests.factories import PASSWORD


@pytest.fixture
def db(pg_db):
    """The rule does not depend on the database: one run, on PostgreSQL."""
    return pg_db


@pytest.fixture
def limits(monkeypatch):
    """Set the limits for one test (the settings are read afresh, the counters start empty)."""
    from brokerage import throttle

    def _set(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"BROKERAGE_THROTTLE_{key.upper()}", value)
        get_settings.cache_clear()
        throttle.reset()

    yield _set
    monkeypatch.undo()
    get_settings.cache_clear()


class Clock:
    """The time the limiter reads, moved on by the test instead of waiting for a window to pass."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _from(app, address: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 40000))


def _token(client: TestClient, email: str, password: str):
    return client.post("/auth/token", json={"email": email, "password": password})


def _assert_throttled(r) -> int:
    assert r.status_code == 429, r.text
    error = r.json()["error"]
    assert error["status"] == 429 and error["code"] == "too_many_requests"
    assert "Wait" in error["message"]
    retry_after = int(r.headers["Retry-After"])
    assert retry_after >= 1
    return retry_after


def test_sign_in_by_api_is_refused_after_the_limit_then_works_once_the_window_has_passed(app, factory, limits, clock):
    limits(sign_in_failures_per_account_address="3 per 15 minutes")
    user = factory.user("organisation_manager")
    client = _from(app, "203.0.113.7")
    for _ in range(3):
        assert _token(client, user.email, "wrong password").status_code == 401
    wait = _assert_throttled(_token(client, user.email, "wrong password"))
    # Even the right password waits for the window from this address: guessing gains nothing.
    _assert_throttled(_token(client, user.email, PASSWORD))
    # Someone else, at another address, signs in as normal meanwhile.
    assert _token(_from(app, "198.51.100.20"), user.email, PASSWORD).status_code == 200
    assert 60 < wait <= 15 * 60
    clock.advance(wait - 30)
    _assert_throttled(_token(client, user.email, PASSWORD))  # not yet
    clock.advance(31)
    assert _token(client, user.email, PASSWORD).status_code == 200


def test_many_attempts_from_one_address_at_any_accounts_are_limited(app, factory, limits):
    limits(sign_in_per_address="5 per 1 hour")
    client = _from(app, "203.0.113.8")
    for n in range(5):
        assert _token(client, f"nobody{n}@example.org", "wrong password").status_code == 401
    _assert_throttled(_token(client, "nobody9@example.org", "wrong password"))
    assert _token(_from(app, "203.0.113.9"), "nobody9@example.org", "wrong password").status_code == 401


def test_a_stranger_guessing_from_many_addresses_cannot_lock_the_owner_out(app, factory, limits):
    """The account-wide limit stops addresses that have failed at the account; the owner, from an
    address with no failures there, still signs in with the right password."""
    limits(sign_in_failures_per_account_address="3 per 1 hour", sign_in_failures_per_account="6 per 1 hour")
    owner = factory.user("volunteer")
    attackers = [_from(app, f"192.0.2.{n}") for n in range(1, 5)]
    for attacker in attackers[:3]:
        for _ in range(2):
            assert _token(attacker, owner.email, "guess").status_code == 401
    # The account has had 6 failures: the addresses that failed are now refused, however few each made.
    for attacker in attackers[:3]:
        _assert_throttled(_token(attacker, owner.email, "guess"))
    # A fresh address gets its attempt checked (and fails, and is then held back too) ...
    assert _token(attackers[3], owner.email, "guess").status_code == 401
    _assert_throttled(_token(attackers[3], owner.email, "guess"))
    # ... but the owner, at home, is not throttled, and a correct password gets in.
    home = _from(app, "2001:db8:1:2::10")
    assert _token(home, owner.email, PASSWORD).status_code == 200


def test_a_good_sign_in_clears_that_address_s_failures(app, factory, limits):
    limits(sign_in_failures_per_account_address="3 per 1 hour")
    user = factory.user("centre_staff")
    client = _from(app, "203.0.113.30")
    for _ in range(2):
        assert _token(client, user.email, "typo").status_code == 401
    assert _token(client, user.email, PASSWORD).status_code == 200
    for _ in range(2):
        assert _token(client, user.email, "typo").status_code == 401
    assert _token(client, user.email, PASSWORD).status_code == 200


def _csrf(client: TestClient, path: str) -> str:
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_sign_in_page_says_to_wait_after_the_limit_then_signs_in_as_normal(app, factory, limits, clock):
    limits(sign_in_failures_per_account_address="2 per 15 minutes")
    user = factory.user("organisation_manager")
    browser = _from(app, "203.0.113.40")
    form = {"email": user.email, "password": "wrong password", "csrf_token": _csrf(browser, "/sign-in")}
    for _ in range(2):
        r = browser.post("/sign-in", data=form, headers={"Accept": "text/html"}, follow_redirects=False)
        assert r.status_code == 422 and "not right" in r.text
    r = browser.post("/sign-in", data=form, headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 429
    assert r.headers["content-type"].startswith("text/html")
    assert "Too many attempts to sign in" in r.text and "<form" in r.text  # the form again, with the reason
    assert "Wait 15 minutes" in r.text
    clock.advance(int(r.headers["Retry-After"]) + 1)
    form["password"] = PASSWORD
    r = browser.post("/sign-in", data=form, headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/manage"
    assert "brokerage_session" in r.cookies or "brokerage_session" in browser.cookies


def test_sign_ups_and_password_resets_from_one_address_are_limited(app, factory, limits):
    limits(
        sign_up_per_address="2 per 1 hour", password_reset_per_address="3 per 1 hour", password_reset_per_account="2 per 1 hour"
    )
    client = _from(app, "203.0.113.50")
    for n in range(2):
        body = {"full_name": "New Person", "email": f"new{n}@example.org", "password": "a long enough password"}
        assert client.post("/auth/signup/organisation-manager", json=body).status_code == 201
    body = {"full_name": "New Person", "email": "new9@example.org", "password": "a long enough password"}
    _assert_throttled(client.post("/auth/signup/organisation-manager", json=body))
    vol = {
        "first_name": "A",
        "last_name": "B",
        "email": "v@example.org",
        "password": "a long enough password",
        "postcode": "TN23 1AA",
    }
    _assert_throttled(client.post("/volunteers", json=vol))

    user = factory.user("volunteer")
    for _ in range(2):
        assert client.post("/auth/password-reset", json={"email": user.email}).status_code == 202
    # The third for that account is refused, from any address (no one can flood a mailbox).
    _assert_throttled(_from(app, "203.0.113.51").post("/auth/password-reset", json={"email": user.email}))
    assert client.post("/auth/password-reset", json={"email": "other@example.org"}).status_code == 202
    _assert_throttled(client.post("/auth/password-reset", json={"email": "third@example.org"}))


def test_staff_registering_volunteers_are_not_held_to_the_sign_up_limit(app, factory, as_user, limits):
    limits(sign_up_per_address="1 per 1 hour")
    staff = factory.user("centre_staff", centre=factory.centre())
    client = _from(app, "203.0.113.60")
    for n in range(3):
        body = {"first_name": "A", "last_name": f"B{n}", "email": f"reg{n}@example.org", "postcode": "TN23 1AA"}
        r = client.post("/volunteers", json=body, headers=as_user(staff))
        assert r.status_code == 201, r.text


def test_counters_are_shared_through_redis_when_it_is_configured(app, factory, limits, monkeypatch):
    """The counters live in Redis, not in the process: a new limiter (as in another server
    process) sees the attempts already made."""
    from brokerage import throttle
    from tests.conftest import REDIS_URL

    monkeypatch.setenv("BROKERAGE_THROTTLE_STORAGE_URL", REDIS_URL)
    limits(sign_in_per_address="3 per 1 hour")
    client = _from(app, "203.0.113.70")
    for _ in range(3):
        assert _token(client, "someone@example.org", "wrong").status_code == 401
    monkeypatch.setattr(throttle, "_current", None)  # forget the process's limiter
    _assert_throttled(_token(client, "someone@example.org", "wrong"))
    throttle.reset()


def test_sign_in_still_works_when_the_counters_store_is_down(app, factory, limits, monkeypatch):
    """Throttling fails open: a Redis outage must not take sign-in down with it."""
    monkeypatch.setenv("BROKERAGE_THROTTLE_STORAGE_URL", "redis://127.0.0.1:1/0")
    limits(sign_in_per_address="1 per 1 hour")
    user = factory.user("volunteer")
    client = _from(app, "203.0.113.80")
    assert _token(client, user.email, "wrong").status_code == 401
    assert _token(client, user.email, PASSWORD).status_code == 200
