"""Inputs bounded at the edge: ids no row can have are 404s on every operation (signed in or not),
control characters are 422s wherever a string comes in, and permission comes before parameters."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from brokerage.models import User
from tests.factories import ASHFORD

HUGE = ["0", "-1", str(2**31), str(2**63), "1" + "0" * 30]
VALID_OTHER = {"fmt": "csv", "kind": "volunteers"}


def _operations(app):
    for path, ops in sorted(app.openapi()["paths"].items()):
        for method, op in sorted(ops.items()):
            yield method.upper(), path, op


def _fill(path: str, name: str, value: str) -> str:
    def one(m: re.Match) -> str:
        key = m.group(1)
        return value if key == name else VALID_OTHER.get(key, "1")

    return re.sub(r"\{([^}]+)\}", one, path)


@pytest.fixture
def admin_and_staff(factory, as_user):
    centre = factory.centre(districts=(ASHFORD,), is_lead=True)
    return {
        "anonymous": {},
        "admin": as_user(factory.user("admin")),
        "staff": as_user(factory.user("centre_staff", centre=centre)),
    }


def _assert_404(r, what):
    assert r.status_code == 404, (what, r.status_code, r.text[:300])
    error = r.json()["error"]
    assert error["status"] == 404 and error["code"] == "not_found", what


def test_an_id_no_row_can_have_is_a_404_on_every_operation_for_everyone(app, client, admin_and_staff):
    checked = 0
    for method, path, op in _operations(app):
        params = op.get("parameters", [])
        path_ids = [p["name"] for p in params if p["in"] == "path" and p["name"].endswith("_id")]
        query_ids = [p["name"] for p in params if p["in"] == "query" and p["name"].endswith("_id")]
        for who, headers in admin_and_staff.items():
            for bad in HUGE:
                for name in path_ids:
                    url = _fill(path, name, bad)
                    kwargs = {"json": {}} if "requestBody" in op else {}
                    _assert_404(client.request(method, url, headers=headers, **kwargs), (who, method, url))
                    checked += 1
                for name in query_ids:
                    url = re.sub(r"\{([^}]+)\}", lambda m: VALID_OTHER.get(m.group(1), "1"), path)
                    r = client.request(method, url, params={name: bad}, headers=headers)
                    _assert_404(r, (who, method, url, name, bad))
                    checked += 1
    print(f"\n{checked} requests with ids out of range: every one a 404 in the envelope")
    assert checked > 300


@pytest.mark.parametrize(
    "bad",
    ["a\x00b", "\x07bell", "line\x1bescape", "del\x7f"],
)
def test_control_characters_in_query_path_json_and_forms_are_422s(client, factory, as_user, bad):
    staff = factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,), is_lead=True))
    headers = as_user(staff)
    for url, params in (("/roles", {"q": bad}), ("/search/roles", {"q": bad}), ("/volunteers", {"q": bad})):
        r = client.get(url, params=params, headers=headers)
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "query.q", (url, r.text)
    r = client.get(f"/imports/fields/{quote(bad)}", headers=headers)
    assert r.status_code == 422, r.text
    body = {
        "first_name": bad,
        "last_name": "X",
        "email": "x@example.org",
        "password": "long enough password",
        "postcode": "TN23 1AA",
    }
    r = client.post("/volunteers", json=body)
    assert r.status_code == 422 and r.json()["error"]["details"] == [
        {"field": "body.first_name", "message": "This must be plain text: control characters such as NUL are not allowed."}
    ]
    # Escaped in JSON, the character is the same character.
    r = client.post(
        "/auth/token",
        content=b'{"email": "a@example.org", "password": "x\\u0000y"}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.password"
    r = client.post("/auth/token", data={"email": "a@example.org", "password": bad})
    assert r.status_code == 422


def test_ordinary_text_with_new_lines_and_tabs_still_goes_through(client, factory, as_user):
    org = factory.organisation(ASHFORD)
    manager = factory.user("organisation_manager", organisations=(org,))
    r = client.patch(
        f"/organisations/{org.id}",
        json={"description": "Line one\r\nLine two\twith a tab, and ünïcödé 🙂"},
        headers=as_user(manager),
    )
    assert r.status_code == 200, r.text


def test_a_page_form_with_a_nul_byte_gets_a_readable_page(client):
    page = client.get("/sign-in", headers={"Accept": "text/html"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/sign-in", data={"email": "a\x00@example.org", "password": "x", "csrf_token": token}, headers={"Accept": "text/html"}
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "control characters" in r.text


def test_reports_check_permission_before_reading_any_parameter(client, factory, db, as_user):
    volunteer = factory.volunteer(ASHFORD)
    headers = as_user(db.get(User, volunteer.user_id))
    for params in ({"period": "not a period"}, {"dimension": "nonsense"}, {"as_of": "yesterday"}, {"format": "exe"}, {}):
        r = client.get("/reports", params=params, headers=headers)
        assert r.status_code == 403, (params, r.text)
        assert client.get("/reports", params=params).status_code == 401
    pilot = as_user(factory.user("pilot_lead"))
    r = client.get("/reports", params={"period": "not a period"}, headers=pilot)
    assert r.status_code == 422 and r.json()["error"]["code"] in ("invalid_input", "validation_error"), r.text
    r = client.get("/reports", params={"start": "2025-13"}, headers=pilot)
    assert r.status_code == 422, r.text


def test_pages_keep_their_own_use_of_id_0_and_still_refuse_huge_ids(client, factory):
    from brokerage.auth.service import issue_session_cookie

    staff = factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,), is_lead=True))
    client.cookies.set("brokerage_session", issue_session_cookie(staff))
    page = client.get("/centre/duplicates", headers={"Accept": "text/html"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/centre/duplicates/0",
        data={"csrf_token": token, "action": "scan"},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/centre/duplicates"
    r = client.get(f"/centre/roles/{2**40}", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
