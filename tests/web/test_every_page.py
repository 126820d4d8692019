"""Every page route, visited in a real browser by every kind of user (and by a visitor who is not
signed in): none is a server error, none scrolls sideways at 390 px, none writes a date in another
style than "1 December 2026", each page passes axe-core the
first time it is seen, and each is photographed at 390 and 1280 px (test-output/screenshots). The
admin pages are also worked by keyboard alone."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from sqlalchemy import create_engine, text

from brokerage.web import PAGE_ROUTERS
from tests.web.conftest import BROWSER_SETTINGS, DESKTOP, PHONE, every_control_reached_by_tab, sign_in, tab_to

pytestmark = pytest.mark.browser

# Routes that answer with a file, not a page.
NOT_PAGES = {"/my/data.json", "/pilot/reports/export"}
USERS = ("visitor", "volunteer", "manager", "staff", "pilot", "admin")
ADMIN_PAGES = {
    "/admin",
    "/admin/centres",
    "/admin/centres/new",
    "/admin/centres/{centre_id}",
    "/admin/users",
    "/admin/users/new",
    "/admin/audit",
    "/admin/jobs",
    "/admin/rates",
    "/admin/investment",
}


def page_routes() -> list[str]:
    out = []
    for router in PAGE_ROUTERS:
        for route in router.routes:
            is_file = route.path.endswith((".csv", ".xlsx", ".json", ".pdf"))
            if "GET" in route.methods and route.path not in NOT_PAGES and not is_file and route.path not in out:
                out.append(route.path)
    return out


def _address(path: str, ids: dict) -> str:
    values = {
        "batch_id": ids["import_batch"],
        "role_id": ids["driver"],
        "organisation_id": ids["organisation"],
        "referral_id": ids["referral"],
        "volunteer_id": ids["volunteer"],
        "centre_id": ids["centre"],
        "session_id": ids["session"],
        "concern_id": ids["concern"],
        "code": ids["certificate"],
        "placement_id": ids["placement"],
        "invitation_id": ids["invitation"],
        "token": ids.get("invitation_token"),
        "resource_id": ids["resource"],
        "event_id": ids["training"],
        "callout_id": ids["callout"],
    }
    if path == "/centre/organisations/{organisation_id}":
        return f"/centre/organisations/{ids['unverified_organisation']}"
    if path == "/centre/roles/{role_id}":
        return f"/centre/roles/{ids['pending_role']}"
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def _email(server, who: str) -> str | None:
    return {
        "visitor": None,
        "volunteer": "existing0@example.net",
        "manager": server.manager_email,
        "staff": server.staff_email,
        "pilot": server.pilot_email,
        "admin": server.admin_email,
    }[who]


def _shot_name(who: str, path: str) -> str:
    return (who + "-" + (path.strip("/").replace("/", "-").replace("{", "").replace("}", "") or "home"))[:120]


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide = page.evaluate(
            """(w) => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w)
                  .slice(-5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
            PHONE["width"],
        )
        raise AssertionError(f"{page.url} scrolls sideways at 390 px ({width} px wide): {wide}")


# Dates are written one way for people ("1 December 2026", "1 December 2026, 14:30"); ISO dates
# belong in attributes and files, not in the words on a page or in an email.
OTHER_DATE_STYLES = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b0\d (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b"
)


def other_date_styles(text: str) -> list[str]:
    return OTHER_DATE_STYLES.findall(text)


@pytest.fixture(scope="module")
def failed_job(server):
    """A job that failed after its last attempt, for the failed-jobs page (sending it again is harmless)."""
    engine = create_engine(server.db_url)
    with engine.begin() as c:
        job_id = c.execute(
            text(
                "INSERT INTO outbox (actor, payload, created_at, status, attempts, last_error)"
                " VALUES ('system.noop', '{}', now(), 'failed', 5, 'The mail server said no') RETURNING id"
            )
        ).scalar_one()
    engine.dispose()
    return job_id


@pytest.fixture(scope="module")
def import_batch(server):
    """A checked, unconfirmed volunteers file at the staff member's centre, for the import pages."""
    engine = create_engine(server.db_url)
    with engine.begin() as c:
        batch_id = c.execute(
            text(
                "INSERT INTO import_batches (centre_id, kind, format, filename, content_sha256, status,"
                " total_rows, error_count, warning_count, problems, summary, rejected_count, created_at)"
                " VALUES (:centre, 'volunteers', 'csv', 'volunteers.csv', repeat('0', 64), 'checked',"
                " 0, 0, 0, '[]', '{}', 0, now()) RETURNING id"
            ),
            {"centre": server.ids["centre"]},
        ).scalar_one()
    engine.dispose()
    server.ids["import_batch"] = batch_id
    return batch_id


@pytest.fixture(scope="module")
def invitation_link(server):
    """The signed link an invitation's email gives a volunteer with no account (``/invited/{token}``)."""
    from itsdangerous import URLSafeTimedSerializer

    from brokerage.auth import tokens

    engine = create_engine(server.db_url)
    with engine.connect() as c:
        vid, email = c.execute(
            text("SELECT v.id, v.email_normalised FROM invitations i JOIN volunteers v ON v.id = i.volunteer_id WHERE i.id = :i"),
            {"i": server.ids["invitation"]},
        ).one()
    engine.dispose()
    signer = URLSafeTimedSerializer(BROWSER_SETTINGS["BROKERAGE_SECRET_KEY"], salt=tokens.INVITATION_SALT)
    server.ids["invitation_token"] = signer.dumps({"i": server.ids["invitation"], "v": vid, "e": email})
    return server.ids["invitation_token"]


def test_every_page_for_every_kind_of_user(new_page, server, check, failed_job, import_batch, invitation_link):
    routes = page_routes()
    seen_ok: set[str] = set()
    statuses: dict[tuple[str, str], int] = {}
    for who in USERS:
        page = new_page(viewport=PHONE)
        if _email(server, who):
            sign_in(page, _email(server, who))
        for path in routes:
            address = _address(path, server.ids)
            response = page.goto(address)
            status = response.status if response else 0
            # a redirect (to sign in, or to the first step of a form) is not this page opening
            statuses[(who, path)] = status if urlparse(page.url).path == urlparse(address).path else 303
            assert status < 500, f"{who} {address}: {status}"
            assert "text/html" in (response.headers.get("content-type") or ""), (who, address)
            _fits(page)
            odd = other_date_styles(page.inner_text("body"))
            assert not odd, f"{who} {address} writes dates as {odd}"
            if status == 200 and path not in seen_ok:
                seen_ok.add(path)
                check.axe(page, f"{who} {address}")
                check.shoot(page, _shot_name(who, path))
                page.set_viewport_size(PHONE)
        page.context.close()
    missing = [p for p in routes if p not in seen_ok]
    assert not missing, f"No kind of user could open: {missing}"
    # least privilege: the admin pages are for administrators (rates for pilot leads, investment for centres and pilot leads)
    for path in ADMIN_PAGES:
        openers = {who for who in USERS if statuses[(who, path)] == 200}
        expected = {"/admin/rates": {"pilot"}, "/admin/investment": {"staff", "pilot"}}.get(path, {"admin"})
        assert openers == expected, (path, openers)
    print(f"\n{len(routes)} page routes, {len(statuses)} visits, {len(seen_ok)} pages checked by axe and photographed")


def test_admin_pages_work_by_keyboard(new_page, server, check, failed_job, import_batch):
    page = new_page(viewport=DESKTOP)
    sign_in(page, server.admin_email)
    for path in sorted(ADMIN_PAGES - {"/admin/rates", "/admin/investment"}):
        page.goto(_address(path, server.ids))
        every_control_reached_by_tab(page)
    # send the failed job again with the keyboard alone
    page.goto("/admin/jobs")
    tab_to(page, f"form[action='/admin/jobs/{failed_job}/redrive'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"Job {failed_job} will be run again" in page.locator(".notification-banner").inner_text()
    # add a centre by keyboard: the errors first, all at once, then the centre
    page.goto("/admin/centres/new")
    tab_to(page, "#name")
    page.keyboard.type("Swale Volunteer Centre")
    tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Select at least one district" in page.locator(".error-summary").inner_text()
    check.axe(page, "admin centre form with errors")
    tab_to(page, "input[name=districts][value=E07000113]")
    page.keyboard.press(" ")
    tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Swale Volunteer Centre has been saved" in page.locator(".notification-banner").inner_text()

    for who, path in (("pilot", "/admin/rates"), ("staff", "/admin/investment"), ("pilot", "/admin/investment")):
        p = new_page(viewport=DESKTOP)
        sign_in(p, _email(server, who))
        p.goto(path)
        every_control_reached_by_tab(p)
        # an empty form by keyboard: every problem at once, then axe on the page with its errors
        tab_to(p, "main form[method=post] button[type=submit]")
        with p.expect_navigation():
            p.keyboard.press("Enter")
        assert p.locator(".error-summary li").count() >= 3, p.locator("main").inner_text()[:500]
        check.axe(p, f"{who} {path} with errors")
        _fits_phone(p)


def _fits_phone(page) -> None:
    page.set_viewport_size(PHONE)
    _fits(page)
    page.set_viewport_size(DESKTOP)
