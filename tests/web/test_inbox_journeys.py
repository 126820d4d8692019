"""Journeys that start in the inbox: each email is sent the real way (an event in the outbox, the
running server's worker, the SMTP server) and its recipient clicks its link in a browser, signs in
when asked, lands back on the page and acts there.

* a volunteer told about a new role says they are interested from the role's page;
* the organisation's manager, told someone is interested, moves the referral on from its page;
* the volunteer centre, told that a referral has waited too long, takes it over from its page.

Each asserts what the person sees and what changed in the database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from tests.factories import ASHFORD, PASSWORD, Factory
from tests.web.conftest import PHONE, links_in

pytestmark = pytest.mark.browser

FULL_WEEK = (1 << 21) - 1


def _enqueue(server, *events) -> None:
    """Record events in the outbox, as the app does when something happens."""
    from brokerage import outbox

    engine = create_engine(server.db_url)
    with Session(engine) as s:
        for event in events:
            outbox.enqueue(s, event)
        s.commit()
    engine.dispose()


def _one(server, sql: str, **params):
    engine = create_engine(server.db_url)
    try:
        with engine.connect() as c:
            return c.execute(text(sql), params).one()
    finally:
        engine.dispose()


def _link(server, message, path_start: str) -> str:
    urls = [u for u in links_in(message) if urlsplit(u).path.startswith(path_start)]
    assert urls, f"{message.get('Subject')!r} has no link to {path_start}: {links_in(message)}"
    assert urls[0].startswith(server.base_url), urls[0]
    return urls[0]


def _sign_in_when_asked(page, email_address: str, back_to: str) -> None:
    """On the sign-in page a link led to: sign in and be taken back to ``back_to``."""
    assert urlsplit(page.url).path == "/sign-in", page.url
    assert parse_qs(urlsplit(page.url).query).get("next") == [back_to], page.url
    page.fill("#email", email_address)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"**{back_to}")


def _fits_a_phone(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


@pytest.fixture(scope="module")
def county(server):
    """An organisation with a manager, a role about to be published, a volunteer it suits, and an
    older referral at another organisation that nobody has answered for three weeks."""
    from brokerage.models import Centre, Referral, ReferralEvent

    engine = create_engine(server.db_url)
    three_weeks_ago = datetime.utcnow() - timedelta(days=21)
    with Session(engine) as s:
        f = Factory(s)
        s.get_one(Centre, server.ids["centre"]).email = server.staff_email  # the centre's inbox
        org = f.organisation(ASHFORD, name="Kennington Repair Cafe")
        manager = f.user("organisation_manager", organisations=(org,), email="repair.manager@example.org")
        org.contact_name, org.contact_email = "Robin Repair", manager.email  # the manager is its contact
        role = f.role(org, title="Repair cafe fixer", causes=("Environment",), slot_mask=FULL_WEEK, places=3)
        volunteer = f.volunteer(
            ASHFORD, email="dana.inbox@example.net", first_name="Dana", last_name="Inboxreader", causes=("Environment",)
        )
        quiet = f.organisation(ASHFORD, name="Quiet Hall Lunch Club")
        quiet.contact_name, quiet.contact_email, quiet.contact_phone = "Sam Quiet", "hall@quiet.example.org", "01233 000111"
        lunch = f.role(quiet, title="Lunch club helper", causes=("Environment",), slot_mask=FULL_WEEK)
        waiting = f.volunteer(ASHFORD, email="eli.waiting@example.net", first_name="Eli", last_name="Waiting")
        ref = Referral(volunteer_id=waiting.id, role_id=lunch.id, status="interested", share_email=True, share_phone=False)
        ref.created_at = ref.status_changed_at = three_weeks_ago
        s.add(ref)
        s.flush()
        s.add(ReferralEvent(referral_id=ref.id, from_status=None, to_status="interested", at=three_weeks_ago))
        s.commit()
        data = {
            "org": org.name,
            "manager": manager.email,
            "role_id": role.id,
            "role": role.title,
            "volunteer": volunteer.email,
            "volunteer_id": volunteer.id,
            "volunteer_name": "Dana Inboxreader",
            "waiting_referral": ref.id,
            "waiting_role": lunch.title,
        }
    engine.dispose()
    return data


def test_a_match_email_leads_to_interest_and_the_organisation_moves_it_on(server, browser, county):
    from brokerage.events import RolePublished

    # The role is published: the worker picks the volunteers it suits and emails them.
    _enqueue(server, RolePublished(role_id=county["role_id"]))
    match = server.mailbox.wait_for(county["volunteer"], "suits you: " + county["role"], timeout=30)
    role_url = _link(server, match, f"/opportunities/{county['role_id']}")

    # -- the volunteer opens the link, signs in when asked and says they are interested ---------------
    ctx = browser.new_context(viewport=PHONE, base_url=server.base_url, locale="en-GB")
    ctx.set_default_timeout(10_000)
    try:
        v = ctx.new_page()
        v.goto(role_url)
        assert v.locator("h1").inner_text() == county["role"]
        _fits_a_phone(v)
        v.click("main a:has-text('Sign in')")
        _sign_in_when_asked(v, county["volunteer"], f"/opportunities/{county['role_id']}/interest")
        assert county["role"] in v.locator("h1").inner_text()
        v.fill("#message", "I can fix lamps and toasters.")
        v.click("button:has-text('Send')")
        v.wait_for_url("**/my/interest")
        assert f"We have told {county['org']} you are interested" in v.locator(".notification-banner").inner_text()
        assert v.locator("li.card", has_text=county["role"]).locator(".tag").inner_text() == "Interested"
        # The email's link now says so too.
        v.goto(role_url)
        assert "You are interested" in v.locator("main").inner_text()
        _fits_a_phone(v)
    finally:
        ctx.close()
    referral_id, status, message, share_email = _one(
        server,
        "select id, status, message, share_email from referrals where volunteer_id = :v and role_id = :r",
        v=county["volunteer_id"],
        r=county["role_id"],
    )
    assert (status, message, share_email) == ("interested", "I can fix lamps and toasters.", True)

    # -- the organisation's manager is told, opens the referral and marks it as contacted ------------
    told = server.mailbox.wait_for(county["manager"], f"{county['volunteer_name']} is interested in {county['role']}")
    referral_url = _link(server, told, f"/manage/referrals/{referral_id}")
    ctx = browser.new_context(viewport=PHONE, base_url=server.base_url, locale="en-GB")
    ctx.set_default_timeout(10_000)
    try:
        m = ctx.new_page()
        m.goto(referral_url)
        _sign_in_when_asked(m, county["manager"], f"/manage/referrals/{referral_id}")
        main = m.locator("main").inner_text()
        assert f"{county['volunteer_name']} – {county['role']}" in main
        assert county["volunteer"] in main  # the email address the volunteer agreed to share
        assert "I can fix lamps and toasters." in main
        assert m.locator("main .tag").first.inner_text() == "Interested"
        _fits_a_phone(m)
        m.select_option("#status", "contacted")
        m.fill("#note", "Phoned Dana, starting Saturday.")
        m.click("button:has-text('Update the referral')")
        m.wait_for_selector(".notification-banner")
        assert urlsplit(m.url).path == f"/manage/referrals/{referral_id}"  # still on the referral
        assert "contacted by the organisation" in m.locator(".notification-banner").inner_text()
        assert m.locator("main .tag").first.inner_text() == "Contacted by the organisation"
        assert "Phoned Dana, starting Saturday." in m.locator("main").inner_text()  # in its history
        # What comes next is offered: the volunteer starting.
        assert "started" in m.locator("#status option").evaluate_all("os => os.map(o => o.value)")
    finally:
        ctx.close()
    status, note, mover = _one(
        server,
        "select x.status, e.note, u.email from referrals x join referral_events e on e.referral_id = x.id"
        " join users u on u.id = e.actor_user_id where x.id = :i and e.to_status = 'contacted'",
        i=referral_id,
    )
    assert (status, note, mover) == ("contacted", "Phoned Dana, starting Saturday.", county["manager"])
    # And the volunteer hears about it.
    server.mailbox.wait_for(county["volunteer"], "An update on your interest in " + county["role"])


def test_the_centre_takes_over_an_escalated_referral_from_its_email(server, browser, county):
    from brokerage.events import ReferralFollowUpDue

    referral_id = county["waiting_referral"]
    _enqueue(server, ReferralFollowUpDue(day=date.today().isoformat()))
    escalation = server.mailbox.wait_for(server.staff_email, "needs the centre's help: " + county["waiting_role"], timeout=30)
    url = _link(server, escalation, f"/centre/referrals/{referral_id}")
    ctx = browser.new_context(viewport=PHONE, base_url=server.base_url, locale="en-GB")
    ctx.set_default_timeout(10_000)
    try:
        c = ctx.new_page()
        c.goto(url)
        _sign_in_when_asked(c, server.staff_email, f"/centre/referrals/{referral_id}")
        main = c.locator("main").inner_text()
        assert "Eli Waiting – Lunch club helper" in main
        assert "Escalated to the centre" in main
        # What the centre needs to chase it: who to call at the organisation, and the volunteer.
        for detail in ("Quiet Hall Lunch Club", "Sam Quiet", "hall@quiet.example.org", "01233 000111", "eli.waiting@example.net"):
            assert detail in main, f"the escalated referral's page does not show {detail!r}: {main}"
        _fits_a_phone(c)
        # The centre takes it over: it passes Eli on to the organisation itself, with a note.
        c.select_option("#status", "referred")
        c.fill("#note", "Rang Sam at the hall: they will call Eli on Monday.")
        c.click("button:has-text('Update the referral')")
        c.wait_for_selector(".notification-banner")
        assert urlsplit(c.url).path == f"/centre/referrals/{referral_id}"
        main = c.locator("main").inner_text()
        assert c.locator("main .tag").first.inner_text() == "Referred by a volunteer centre"
        assert "Escalated to the centre" not in main and "Overdue" not in main
        assert "Rang Sam at the hall: they will call Eli on Monday." in main
        # The centre's list no longer counts it as overdue.
        c.goto("/centre/referrals?overdue=yes")
        assert "Eli Waiting" not in c.locator("main").inner_text()
    finally:
        ctx.close()
    status, note, mover = _one(
        server,
        "select x.status, e.note, u.email from referrals x join referral_events e on e.referral_id = x.id"
        " join users u on u.id = e.actor_user_id where x.id = :i and e.to_status = 'referred'",
        i=referral_id,
    )
    assert (status, note, mover) == ("referred", "Rang Sam at the hall: they will call Eli on Monday.", server.staff_email)
    # The volunteer is told the centre has passed them on.
    server.mailbox.wait_for("eli.waiting@example.net", "An update on your interest in Lunch club helper")
