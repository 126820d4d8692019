"""A signed-in browser's session cookie is not enough to change anything through the API: another
site could make the browser send it. Every body-less POST (the easiest to forge) is enumerated from
the app's own routes and tried cross-site with the cookie alone."""

from __future__ import annotations

import re

import pytest
from brokerage import deps
from brokerage.auth import csrf
from brokerage.auth.service import issue_session_cookie
from tests.factories import ASHFORD

EVIL = "https://evil.example"


def body_less_cookie_routes(app) -> list[tuple[str, str]]:
    """Every API operation that changes something, takes no body and acts as the signed-in user
    (its OpenAPI entry names the sign-in as its security), from the app's own route table."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            if method.upper() in csrf.SAFE_METHODS or "requestBody" in operation:
                continue
            if operation.get("security"):
                found.append((method.upper(), path))
    return sorted(found)


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture
def db(pg_db):
    """The rule does not depend on the database: one run, on PostgreSQL."""
    return pg_db


@pytest.fixture
def staff_cookie(factory):
    staff = factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,), is_lead=True))
    return issue_session_cookie(staff), staff


def test_every_body_less_post_is_refused_cross_site_with_only_the_session_cookie(app, client, staff_cookie, factory):
    routes = body_less_cookie_routes(app)
    named = {p for _, p in routes}
    for expected in (
        "/hours/{entry_id}/approve",
        "/imports/{batch_id}/discard",
        "/merges/{merge_id}/confirm",
        "/jobs/{job_id}/redrive",
    ):
        assert expected in named, f"{expected} is no longer a body-less route: {sorted(named)}"
    cookie, _ = staff_cookie
    refused = 0
    for method, path in routes:
        for headers in ({"Origin": EVIL}, {"Referer": f"{EVIL}/page"}, {}):
            client.cookies.clear()
            client.cookies.set(deps.SESSION_COOKIE, cookie)
            r = client.request(method, _url(path), headers=headers)
            assert r.status_code == 403, (method, path, headers, r.status_code, r.text[:200])
            error = r.json()["error"]
            assert error["code"] == "csrf_failed" and error["status"] == 403
            refused += 1
    print(f"\n{len(routes)} body-less cookie routes, {refused} cross-site requests refused")
    client.cookies.clear()


def test_the_same_requests_from_this_site_or_with_the_token_or_a_bearer_token_get_through(app, client, staff_cookie, as_user):
    cookie, staff = staff_cookie
    page = client.get("/sign-in", headers={"Accept": "text/html"})  # sets the CSRF cookie
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    # That token was issued to nobody in particular; the signed-in user's pages carry one bound to them.
    client.cookies.set(deps.SESSION_COOKIE, cookie)
    page = client.get("/centre", headers={"Accept": "text/html"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    for method, path in body_less_cookie_routes(app):
        if path in ("/auth/logout", "/auth/logout-everywhere"):
            continue  # below: it ends the session the other requests use
        for headers in (
            {"Origin": "http://testserver"},
            {"Referer": "http://testserver/centre"},
            {csrf.HEADER: token},
        ):
            client.cookies.set(deps.SESSION_COOKIE, cookie)
            r = client.request(method, _url(path), headers=headers)
            assert r.status_code < 500, (method, path, r.text[:200])
            if r.status_code == 403:
                assert r.json()["error"]["code"] != "csrf_failed", (method, path, headers)
        client.cookies.delete(deps.SESSION_COOKIE)
        r = client.request(method, _url(path), headers={"Origin": EVIL, **as_user(staff)})
        assert r.status_code < 500 and (r.status_code != 403 or r.json()["error"]["code"] != "csrf_failed"), (method, path)
    # Signing out everywhere from this site's page works (and ends the cookie's session).
    client.cookies.set(deps.SESSION_COOKIE, cookie)
    assert client.post("/auth/logout-everywhere", headers={csrf.HEADER: token}).status_code == 204
    assert client.get("/auth/me").status_code == 401


def test_a_token_for_someone_else_or_from_another_browser_is_refused(client, factory, staff_cookie):
    cookie, _ = staff_cookie
    other = factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,)))
    client.cookies.set(deps.SESSION_COOKIE, issue_session_cookie(other))
    theirs = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/centre", headers={"Accept": "text/html"}).text)
    client.cookies.set(deps.SESSION_COOKIE, cookie)
    r = client.post("/auth/logout-everywhere", headers={csrf.HEADER: theirs.group(1)})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    client.cookies.delete(csrf.CSRF_COOKIE)
    r = client.post("/auth/logout-everywhere", headers={csrf.HEADER: theirs.group(1), "Origin": "null"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"


def test_cookie_requests_with_a_body_are_refused_cross_site_too(client, staff_cookie, factory):
    cookie, _ = staff_cookie
    org = factory.organisation(ASHFORD, verified=False)
    client.cookies.set(deps.SESSION_COOKIE, cookie)
    r = client.post(f"/organisations/{org.id}/verification", json={"decision": "verified"}, headers={"Origin": EVIL})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = client.post(
        f"/organisations/{org.id}/verification", json={"decision": "verified"}, headers={"Origin": "http://testserver"}
    )
    assert r.status_code == 200, r.text
