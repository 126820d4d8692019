"""An invitation to a volunteer whose record has no account (imported, or registered by a centre):
the manager invites them from the role's candidate list, the email (the real SMTP server) links to a
signed link, and the volunteer, signed out, reads the invitation, says they are interested, sets a
password for their record and signs in to find the invitation answered. A link that was altered or
has expired opens a readable page with a way forward. The pages pass axe-core and work by keyboard."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tests.factories import ASHFORD, Factory
from tests.web.conftest import BROWSER_SETTINGS, body_text, every_control_reached_by_tab, sign_in

pytestmark = pytest.mark.browser

EMAIL = "nadia.imported@example.net"
NEW_PASSWORD = "three words together"


def _accountless_volunteer(server) -> int:
    engine = create_engine(server.db_url)
    with Session(engine) as s:
        v = Factory(s).volunteer(
            ASHFORD, with_user=False, email=EMAIL, first_name="Nadia", last_name="Imported", causes=("AntiPoverty",)
        )
        s.commit()
        vid = v.id
    engine.dispose()
    return vid


def _link(message) -> str:
    found = [u for u in re.findall(r"""https?://[^\s"'<>]+""", unescape(body_text(message))) if "/invited/" in u]
    assert found, body_text(message)
    return found[0]


def _expired_copy(url: str) -> str:
    """The same link as if it had been sent 60 days ago (signed with the browser server's key)."""
    from brokerage.auth import tokens

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int((datetime.now() - timedelta(days=60)).timestamp())

    token = urlsplit(url).path.rsplit("/", 1)[1]
    key = BROWSER_SETTINGS["BROKERAGE_SECRET_KEY"]
    genuine, data = URLSafeTimedSerializer(key, salt=tokens.INVITATION_SALT).loads_unsafe(token)
    assert genuine and data
    old = URLSafeTimedSerializer(key, salt=tokens.INVITATION_SALT, signer=LongAgo)
    return url.replace(token, old.dumps(data))


def test_a_volunteer_without_an_account_answers_by_the_link_then_sets_a_password(server, new_page, check):
    from brokerage.models import Invitation, User, Volunteer

    vid = _accountless_volunteer(server)
    role_id = server.ids["driver"]
    m = new_page()
    sign_in(m, server.manager_email)
    m.goto(f"/manage/roles/{role_id}")
    invite = m.locator(f"form[action='/manage/roles/{role_id}/invite']:has(input[value='{vid}']) button")
    assert invite.count() == 1, m.locator("main").inner_text()[:2000]
    with m.expect_navigation():
        invite.click()
    assert "email them a link to answer" in m.locator(".notification-banner").inner_text()

    # -- the email and its link, opened signed out -----------------------------------------------------------
    message = server.mailbox.wait_for(EMAIL, "invites you to volunteer: Food bank driver", timeout=30)
    assert "do not need an account to answer" in body_text(message)
    url = _link(message)
    v = new_page()
    response = v.goto(url)
    assert response.status == 200 and "/sign-in" not in v.url
    assert response.headers["referrer-policy"] == "no-referrer"
    main = v.locator("main").inner_text()
    assert "Food bank driver" in main and "Ashford Food Bank invited you" in main
    check.page(v, "invitation by its link", shot="invitation-by-link")
    every_control_reached_by_tab(v)
    with v.expect_navigation():
        v.click('button:has-text("I\'m interested")')
    assert urlsplit(v.url).path == urlsplit(url).path
    assert "told the organisation you are interested" in v.locator(".notification-banner").inner_text()
    assert "You said you are interested" in v.locator("main").inner_text()
    assert v.locator('button:has-text("I\'m interested")').count() == 0  # answered once

    # -- an account for the record: a password, then sign in with the invited address ------------------------
    v.fill("#password", NEW_PASSWORD)
    v.fill("#confirm_password", "not the same words")
    with v.expect_navigation():
        v.click("button:has-text('Set up my account')")
    assert v.locator(".error-summary a[href='#confirm_password']").is_visible()
    v.fill("#password", NEW_PASSWORD)
    v.fill("#confirm_password", NEW_PASSWORD)
    with v.expect_navigation():
        v.click("button:has-text('Set up my account')")
    assert urlsplit(v.url).path == "/sign-in"
    assert f"Sign in with {EMAIL}" in v.locator(".notification-banner").inner_text()
    v.fill("#email", EMAIL)
    v.fill("#password", NEW_PASSWORD)
    v.click("button:has-text('Sign in')")
    v.wait_for_url(re.compile(r".*/my/invitations/\d+$"))
    main = v.locator("main").inner_text()
    assert "Food bank driver" in main and "You said you are interested" in main
    with v.expect_navigation():
        v.click("main a:has-text('See where it has got to')")
    assert re.search(r"/my/interest/\d+$", v.url) and "Food bank driver" in v.locator("main").inner_text()
    engine = create_engine(server.db_url)
    with Session(engine) as s:
        user = s.scalar(select(User).where(User.email_normalised == EMAIL))
        assert user is not None and s.get(Volunteer, vid).user_id == user.id  # the record is theirs, not a copy
        assert s.scalar(select(Invitation.status).where(Invitation.volunteer_id == vid)) == "interested"
    engine.dispose()
    # the link still opens, now offering to sign in rather than a second account
    other = new_page()
    other.goto(url)
    assert other.locator("main a:has-text('Sign in')").count() == 1 and other.locator("#password").count() == 0

    # -- an altered link, and the same link once it has expired ------------------------------------------------
    broken = new_page()
    assert broken.goto(url[:-5] + "xxxxx").status == 400
    assert broken.locator("h1").inner_text() == "This link does not work"
    assert broken.locator("main a[href^='/sign-in']").is_visible()
    check.page(broken, "an altered invitation link")
    assert broken.goto(_expired_copy(url)).status == 410
    assert broken.locator("h1").inner_text() == "This link has expired"
    assert broken.locator(f"main a[href='/opportunities/{role_id}']").is_visible()  # still open: go to the role
    check.page(broken, "an expired invitation link")
    every_control_reached_by_tab(broken)
