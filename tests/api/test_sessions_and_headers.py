"""Sessions end on the server when people sign out or change their password; every response carries
the security headers; production sends HSTS and Secure cookies, refuses an http base URL and keeps
/docs off unless asked; the database never prints statement parameters."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from brokerage import deps
from brokerage.auth.service import issue_session_cookie
from brokerage.config import Settings, get_settings
from brokerage.headers import AccessLogWithoutPeople, redact_path
from brokerage.models import User
from tests.factories import ASHFORD, PASSWORD


@pytest.fixture
def db(pg_db):
    """Headers and sessions do not depend on the database: one run, on PostgreSQL."""
    return pg_db


def _csrf(client, path: str) -> str:
    page = client.get(path, headers={"Accept": "text/html"})
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_signing_out_ends_the_session_on_the_server(client, factory, db):
    user = factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,)))
    r = client.post(
        "/sign-in",
        data={"email": user.email, "password": PASSWORD, "csrf_token": _csrf(client, "/sign-in")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    cookie = client.cookies.get(deps.SESSION_COOKIE)
    assert client.get("/auth/me").status_code == 200
    token = _csrf(client, "/centre")
    assert client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    client.cookies.set(deps.SESSION_COOKIE, cookie)  # someone who kept a copy of the cookie
    assert client.get("/auth/me").status_code == 401


def test_api_sign_out_and_a_new_password_end_every_token(client, factory, as_user, db):
    from brokerage.auth.service import set_password

    user = factory.user("volunteer")
    headers = as_user(user)
    assert client.post("/auth/logout", headers=headers).status_code == 204
    assert client.get("/auth/me", headers=headers).status_code == 401
    db.refresh(user)
    headers, cookie = as_user(user), issue_session_cookie(user)
    set_password(db.get(User, user.id), "another long password")
    db.commit()
    assert client.get("/auth/me", headers=headers).status_code == 401
    client.cookies.set(deps.SESSION_COOKIE, cookie)
    assert client.get("/auth/me").status_code == 401


def _assert_headers(r, what):
    csp = r.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, (what, csp)
    assert r.headers.get("x-content-type-options") == "nosniff", what


def test_every_kind_of_response_carries_the_security_headers(client, factory, as_user, db):
    lead = as_user(factory.user("pilot_lead"))
    staff = as_user(factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,))))
    for what, r in (
        ("health", client.get("/healthz")),
        ("API list", client.get("/roles")),
        ("API error", client.get("/roles/999999")),
        ("unauthenticated", client.get("/auth/me")),
        ("page", client.get("/sign-in", headers={"Accept": "text/html"})),
        ("page error", client.get("/no-such-page", headers={"Accept": "text/html"})),
        ("printable report", client.get("/reports?period=2025&format=html", headers=lead)),
        ("CSV download", client.get("/hours/export.csv", headers=staff)),
        ("static file", client.get("/static/css/site.css")),
        ("docs", client.get("/docs")),
        ("schema", client.get("/openapi.json")),
    ):
        assert r.status_code < 500, (what, r.status_code)
        _assert_headers(r, what)
        assert "strict-transport-security" not in r.headers  # only in production, over https


@pytest.fixture
def production(monkeypatch, pg_url):
    def _switch(**env):
        monkeypatch.setenv("BROKERAGE_ENVIRONMENT", "production")
        monkeypatch.setenv("BROKERAGE_BASE_URL", "https://volunteering.kent.example")
        monkeypatch.setenv("BROKERAGE_DATABASE_URL", pg_url)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()

    yield _switch
    monkeypatch.undo()
    get_settings.cache_clear()


def _app_on(db):
    from brokerage.app import create_app

    app = create_app()
    app.dependency_overrides[deps._db_session] = lambda: db
    return app


def test_production_sends_hsts_and_secure_cookies_and_keeps_docs_off(production, db, factory):
    from fastapi.testclient import TestClient

    production()
    client = TestClient(_app_on(db), base_url="https://volunteering.kent.example", raise_server_exceptions=False)
    r = client.get("/healthz")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")
    _assert_headers(r, "production health")
    assert client.get("/docs").status_code == 404 and client.get("/openapi.json").status_code == 404
    user = factory.user("volunteer")
    page = client.get("/sign-in", headers={"Accept": "text/html"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    cookies = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith(deps.SESSION_COOKIE + "="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie


def test_production_can_show_docs_when_asked(production, db):
    from fastapi.testclient import TestClient

    production(BROKERAGE_DOCS_ENABLED="true")
    client = TestClient(_app_on(db), base_url="https://volunteering.kent.example")
    assert client.get("/docs").status_code == 200


def test_production_refuses_an_http_base_url():
    with pytest.raises(ValidationError, match="https"):
        Settings(
            environment="production",
            secret_key="x" * 48,
            database_url="postgresql://x/y",
            base_url="http://volunteering.kent.example",
            _env_file=None,
        )


def test_statement_parameters_never_reach_errors_or_logs(pg_url, caplog):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from brokerage.db import make_engine

    engine = make_engine(url=pg_url)
    try:
        with pytest.raises(DBAPIError) as caught, engine.connect() as conn:
            conn.execute(text("SELECT 1 / 0 WHERE CAST(:email AS text) IS NOT NULL"), {"email": "priya.sharma@example.org"})
    finally:
        engine.dispose()
    assert "priya.sharma" not in str(caught.value)
    assert "priya.sharma" not in caplog.text


def test_the_access_log_keeps_no_query_strings_or_tokens():
    import logging

    assert redact_path("/reset-password?token=abc.def") == "/reset-password"
    assert redact_path("/search?q=Priya+Sharma") == "/search"
    assert redact_path("/unsubscribe/eyJ1IjoxMn0.Zx9Q1w.abcdefghijklmnopq") == "/unsubscribe/…"
    assert redact_path("/roles/12/candidates") == "/roles/12/candidates"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/volunteers?q=Priya", "1.1", 200),
        None,
    )
    AccessLogWithoutPeople().filter(record)
    assert "Priya" not in record.getMessage() and "/volunteers" in record.getMessage()
