"""Brokerage that asks: a manager invites a volunteer from the role's candidate list, the volunteer
gets the email (the real SMTP server), follows its link, says they are interested, and the referral
appears on the volunteer's, the manager's and the centre's pages with its conversation; centre
staff refer a volunteer directly from the pages and the volunteer is emailed. The new pages pass
axe-core and are worked by keyboard."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.factories import ASHFORD, PASSWORD, Factory
from tests.web.conftest import body_text, every_control_reached_by_tab, sign_in

pytestmark = pytest.mark.browser


def _volunteers(server) -> tuple[dict, dict]:
    engine = create_engine(server.db_url)
    with Session(engine) as s:
        f = Factory(s)
        invited = f.volunteer(
            ASHFORD, email="priya.invited@example.net", first_name="Priya", last_name="Invited", causes=("AntiPoverty",)
        )
        referred = f.volunteer(
            ASHFORD, email="omar.referred@example.net", first_name="Omar", last_name="Referred", causes=("AntiPoverty",)
        )
        s.commit()
        out = ({"id": invited.id, "email": invited.email}, {"id": referred.id, "email": referred.email})
    engine.dispose()
    return out


def _link(message, part: str) -> str:
    found = [u for u in re.findall(r"""https?://[^\s"'<>]+""", unescape(body_text(message))) if part in u]
    assert found, body_text(message)
    return found[0]


def test_invite_answer_and_talk_then_refer_directly(server, new_page, check):
    invited, referred = _volunteers(server)
    role_id = server.ids["driver"]

    # -- the manager invites a candidate ------------------------------------------------------------------
    m = new_page()
    sign_in(m, server.manager_email)
    m.goto(f"/manage/roles/{role_id}")
    invite = m.locator(f"form[action='/manage/roles/{role_id}/invite']:has(input[value='{invited['id']}']) button")
    assert invite.count() == 1, m.locator("main").inner_text()[:2000]
    with m.expect_navigation():
        invite.click()
    assert "has been invited" in m.locator(".notification-banner").inner_text()

    # -- the volunteer's email, its link, and the answer ----------------------------------------------------
    message = server.mailbox.wait_for(invited["email"], "invites you to volunteer: Food bank driver", timeout=30)
    url = _link(message, "/my/invitations/")
    v = new_page()
    v.goto(url)  # signed out: sign in, and straight back to the invitation
    v.fill("#email", invited["email"])
    v.fill("#password", PASSWORD)
    v.click("button:has-text('Sign in')")
    v.wait_for_url(re.compile(r".*/my/invitations/\d+$"))
    main = v.locator("main").inner_text()
    assert "Food bank driver" in main and "Ashford Food Bank invited you" in main
    assert v.locator(".reasons--why li").count() >= 1  # why it was suggested, said to the volunteer
    check.page(v, "invitation", shot="volunteer-invitation")
    every_control_reached_by_tab(v)
    with v.expect_navigation():
        v.click('button:has-text("I\'m interested")')
    assert re.search(r"/my/interest/\d+$", v.url), v.url
    referral_id = int(v.url.rsplit("/", 1)[1])
    assert "told the organisation" in v.locator(".notification-banner").inner_text()
    v.fill("#body", "I can drive on Saturdays.")
    with v.expect_navigation():
        v.click("#message button:has-text('Send')")
    assert "I can drive on Saturdays." in v.locator("#conversation + .thread").inner_text()
    check.page(v, "volunteer's referral", shot="volunteer-referral")
    every_control_reached_by_tab(v)

    # -- the manager's and the centre's pages show the referral and the thread -------------------------------
    m.goto(f"/manage/referrals/{referral_id}")
    assert "Priya Invited" in m.locator("h1").inner_text()
    assert "I can drive on Saturdays." in m.locator(".thread").inner_text()
    m.fill("#body", "Lovely, see you Saturday.")
    with m.expect_navigation():
        m.click("#message button:has-text('Send')")
    s = new_page()
    sign_in(s, server.staff_email)
    s.goto(f"/centre/referrals/{referral_id}")
    thread = s.locator(".thread").inner_text()
    assert "I can drive on Saturdays." in thread and "Lovely, see you Saturday." in thread
    s.fill("#body", "Priya has driven for us before.")
    s.check("#staff_only")
    with s.expect_navigation():
        s.click("#message button:has-text('Send')")
    assert "Only centre staff can see it" in s.locator(".notification-banner").inner_text()
    check.page(s, "centre referral with a staff note", shot="centre-referral-thread")
    m.reload()
    assert "driven for us before" not in m.locator("main").inner_text()  # nor does the organisation
    v.reload()
    assert "Lovely, see you Saturday." in v.locator(".thread").inner_text()
    assert "driven for us before" not in v.locator("main").inner_text()  # staff notes stay with staff
    server.mailbox.wait_for(invited["email"], "A new message about Food bank driver", timeout=30)

    # -- centre staff refer a volunteer directly; the volunteer is emailed --------------------------------
    s.goto(f"/manage/roles/{role_id}")
    refer = s.locator(f"form[action='/manage/roles/{role_id}/refer']:has(input[value='{referred['id']}']) button")
    assert refer.count() == 1, s.locator("main").inner_text()[:2000]
    with s.expect_navigation():
        refer.click()
    assert "We have emailed them and the organisation" in s.locator(".notification-banner").inner_text()
    told = server.mailbox.wait_for(referred["email"], "put you forward for Food bank driver", timeout=30)
    assert "/my/interest/" in _link(told, "/my/interest/")
    # the centre's home and its lists, by keyboard
    for path in ("/centre", "/centre/invitations", "/centre/volunteers/quiet"):
        s.goto(path)
        check.axe(s, f"centre {path}")
        every_control_reached_by_tab(s)
    s.goto(f"/centre/referrals/{referral_id}")
    every_control_reached_by_tab(s)
