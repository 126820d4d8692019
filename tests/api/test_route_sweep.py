"""Every route in the API, called by every kind of user with ids that exist and ids that do not, and
with bodies that are empty or wrong: never a 500, every error in the one envelope, and nothing but
the public routes open to someone who has not signed in. The pages too, signed in as each kind of
user: never a 500, errors drawn as pages, and no form accepted without its CSRF token."""

from __future__ import annotations

import re

import pytest

from brokerage.models import User
from tests.factories import ASHFORD, CANTERBURY

# Routes anyone may call without signing in (public listings, reference data, signing in itself).
PUBLIC = {
    ("GET", "/centres"),
    ("GET", "/districts"),
    ("GET", "/organisations"),
    ("GET", "/organisations/{organisation_id}"),
    ("GET", "/roles"),
    ("GET", "/roles/{role_id}"),
    ("GET", "/search/roles"),
    ("GET", "/data-standard/feed"),
    ("GET", "/taxonomies/causes"),
    ("GET", "/taxonomies/skills"),
    ("GET", "/taxonomies/time-slots"),
    ("POST", "/auth/token"),
    ("POST", "/auth/password-reset"),
    ("POST", "/auth/password-reset/confirm"),
    ("POST", "/auth/signup/organisation-manager"),
    ("POST", "/volunteers"),
    ("POST", "/unsubscribe"),
    ("GET", "/reports/dictionary"),
    ("POST", "/emergency/answers"),  # the emailed token is the credential
}


@pytest.fixture
def people(factory, db):
    centre = factory.centre(districts=(ASHFORD,))
    org = factory.organisation(ASHFORD)
    factory.role(org)
    v = factory.volunteer(ASHFORD)
    return {
        "anonymous": None,
        "volunteer": db.get(User, v.user_id),
        "manager": factory.user("organisation_manager", organisations=(org,)),
        "staff": factory.user("centre_staff", centre=centre),
        "other_staff": factory.user("centre_staff", centre=factory.centre(districts=(CANTERBURY,))),
        "pilot_lead": factory.user("pilot_lead"),
        "admin": factory.user("admin"),
    }


def _routes(app):
    for path, ops in sorted(app.openapi()["paths"].items()):
        for method in sorted(ops):
            yield method.upper(), path


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_every_route_refuses_strangers_and_never_fails_with_a_500(app, client, people, as_user):
    seen = 0
    for method, path in _routes(app):
        for who, user in people.items():
            headers = as_user(user) if user is not None else {}
            for ident in ("1", "999999", "abc") if user is None else ("1", "999999"):
                url = _fill(path, ident).replace("/frozen/1/1", "/frozen/1/csv")
                for body in (None, {"unexpected": "x" * 300}):
                    kwargs = {"headers": headers}
                    if method in ("POST", "PUT", "PATCH") and body is not None:
                        kwargs["json"] = body
                    r = client.request(method, url, **kwargs)
                    seen += 1
                    assert r.status_code < 500, f"{who} {method} {url} {body}: {r.status_code} {r.text[:300]}"
                    if r.status_code >= 400 and r.headers.get("content-type", "").startswith("application/json"):
                        err = r.json()["error"]
                        assert err["status"] == r.status_code and err["message"], (method, url)
                    if user is None and (method, path) not in PUBLIC:
                        assert r.status_code in (401, 404, 405, 422), f"anonymous {method} {url}: {r.status_code}"
                        if ident == "1" and body is None:
                            assert r.status_code in (401, 405, 422), f"anonymous {method} {url}: {r.status_code}"
    assert seen > 1000


# --- the pages ------------------------------------------------------------------------------------------


def _page_routes():
    """Every server-rendered page route (left out of the OpenAPI schema), as ``mount_pages`` adds them."""
    from brokerage.web import PAGE_ROUTERS
    from brokerage.web.deps import PageRoute

    routes = [r for router in PAGE_ROUTERS for r in router.routes if isinstance(r, PageRoute)]
    for route in sorted(routes, key=lambda r: r.path):
        for method in sorted(route.methods - {"HEAD"}):
            yield method, route.path


def test_every_page_never_fails_with_a_500_and_answers_errors_with_a_page(app, client, people):
    from brokerage import deps
    from brokerage.auth.service import issue_session_cookie

    routes = list(_page_routes())
    assert ("GET", "/") in routes and ("GET", "/pilot") in routes and len(routes) > 40, routes
    seen = 0
    for who, user in people.items():
        client.cookies.clear()
        if user is not None:
            client.cookies.set(deps.SESSION_COOKIE, issue_session_cookie(user))
        for method, path in routes:
            for ident in ("1", "999999") if "{" in path else ("",):
                url = _fill(path, ident)
                for form in (None, {"unexpected": "x" * 300}) if method == "POST" else (None,):
                    r = client.request(method, url, data=form, headers={"Accept": "text/html"}, follow_redirects=False)
                    seen += 1
                    assert r.status_code < 500, f"{who} {method} {url} {form}: {r.status_code} {r.text[:300]}"
                    if r.status_code >= 400 and r.status_code != 405:
                        assert r.headers.get("content-type", "").startswith("text/html"), (who, method, url, r.status_code)
                    if method == "POST":  # no CSRF token: nothing changes, whoever asks
                        assert r.status_code in (303, 400, 403, 404, 405, 422), f"{who} POST {url}: {r.status_code}"
    client.cookies.clear()
    assert seen > 300
