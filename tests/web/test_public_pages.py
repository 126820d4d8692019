"""Public pages, sign in and out, password reset by email, and errors as readable pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote_plus, urlsplit

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.web.conftest import body_text, sign_in

pytestmark = pytest.mark.browser


def test_home_sign_in_errors_and_sign_out(new_page, server, check):
    page = new_page()
    page.goto("/")
    assert page.locator("h1").inner_text() == "Volunteer in Kent"
    check.page(page, "home", shot="home")

    # The skip link is the first thing a keyboard reaches, and it moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"

    page.goto("/sign-in")
    check.page(page, "sign in", shot="sign-in")
    page.click("button:has-text('Sign in')")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error:")
    links = summary.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["#email", "#password"]
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    links.first.click()
    assert page.evaluate("document.activeElement.id") == "email"
    check.page(page, "sign in with errors", shot="sign-in-errors")

    page.fill("#email", server.staff_email)
    page.fill("#password", "not the password")
    page.click("button:has-text('Sign in')")
    assert "not right" in page.locator(".error-summary").inner_text()
    assert page.input_value("#email") == server.staff_email  # what they typed is kept

    sign_in(page, server.staff_email)
    assert page.url.endswith("/centre")
    page.click("button:has-text('Sign out')")
    assert "You have signed out" in page.locator(".notification-banner").inner_text()
    page.goto("/centre")
    signed_out_at = urlsplit(page.url)
    assert signed_out_at.path == "/sign-in"
    assert parse_qs(signed_out_at.query)["next"] == ["/centre"]
    sign_in(page, server.staff_email)
    assert urlsplit(page.url).path == "/centre"  # straight back to where they were going


def test_password_reset_by_email(new_page, server, check):
    # A pilot lead of this test's own: the seeded one keeps its password for the other browser tests.
    lead = "reset.lead@kent.example.org"
    engine = create_engine(server.db_url)
    with Session(engine) as s:
        Factory(s).user("pilot_lead", email=lead)
        s.commit()
    engine.dispose()
    page = new_page()
    page.goto("/forgot-password")
    check.page(page, "forgot password")
    page.fill("#email", lead)
    page.click("button:has-text('Send the link')")
    assert page.locator("h1").inner_text() == "Check your email"
    message = server.mailbox.wait_for(lead)
    link = re.search(r"(/reset-password\?token=[A-Za-z0-9._\-]+)", body_text(message))
    assert link, body_text(message)
    token = parse_qs(urlsplit(link.group(1)).query)["token"][0]
    response = page.goto(link.group(1))
    # The token leaves the address bar (history, bookmarks, Referer) before the page is shown.
    assert urlsplit(page.url).path == "/reset-password" and urlsplit(page.url).query == ""
    assert token not in page.url and token not in page.content()
    assert response.headers["referrer-policy"] == "no-referrer"
    assert page.locator("h1").inner_text() == "Choose a new password"
    check.page(page, "reset password", shot="reset-password")
    page.fill("#password", "a brand new password")
    page.fill("#confirm_password", "a different password")
    page.click("button:has-text('Change password')")
    assert page.locator(".error-summary a[href='#confirm_password']").is_visible()
    page.fill("#password", "a brand new password")
    page.fill("#confirm_password", "a brand new password")
    page.click("button:has-text('Change password')")
    assert "password has been changed" in page.locator(".notification-banner").inner_text()
    sign_in(page, lead, "a brand new password")
    assert page.url.endswith("/pilot")
    # The same link again (it worked once), and a mangled one: a page that says what to do next.
    for used in (link.group(1), link.group(1)[:-6]):
        other = new_page()
        assert other.goto(used).status == 200
        assert urlsplit(other.url).query == ""
        assert other.locator("h1").inner_text() == "This link has expired"
        assert other.locator("main a[href='/forgot-password']").is_visible()
    check.page(other, "expired reset link")


def test_errors_are_readable_pages_and_forms_need_a_csrf_token(new_page, server, check):
    page = new_page()
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    check.page(page, "not found")
    response = page.goto("/opportunities/999999")
    assert response.status == 404
    # A form posted from elsewhere (no token bound to this browser) is refused with a page, not an action.
    r = httpx.post(
        f"{server.base_url}/sign-in", data={"email": server.staff_email, "password": "x"}, headers={"accept": "text/html"}
    )
    assert r.status_code == 400 and "This form has expired" in r.text
    # The API keeps its JSON errors.
    r = httpx.get(f"{server.base_url}/roles/999999")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_addresses_that_fit_no_page_are_pages_and_api_addresses_stay_json(new_page, server, check):
    page = new_page()
    response = page.goto("/opportunities/not-a-number")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    check.page(page, "a word where a role number goes")
    # Keywords with an ampersand search, and the links to more results keep them.
    response = page.goto(f"/opportunities?q={quote_plus('tea & chat')}&page=2")
    assert response.status == 200
    assert page.input_value("#q") == "tea & chat"
    # An API address answers in JSON, to a browser too.
    r = httpx.get(f"{server.base_url}/search/roles", params={"cause": "no-such-cause"}, headers={"accept": "text/html"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    r = httpx.get(f"{server.base_url}/roles/not-a-number", headers={"accept": "text/html"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
