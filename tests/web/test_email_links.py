"""Every link in every kind of email the service sends, followed in a real browser by the person it
was sent to.

Each email is triggered through the running server's own worker (an event in the outbox, as the
app and the scheduler write them, or the page that asks for it) and captured by the SMTP sink.
Every link in its HTML and text bodies is then opened at phone width: first signed out (a page that
needs an account sends the recipient to sign in and straight back), then signed in. Each must be a
200 HTML page, no wider than the 390 px screen, that names the role, referral, hours, organisation
or account the email was about. Unsubscribe and password links work without signing in.

Last, a pilot lead's dashboard shows the county's totals, as counted directly in the database."""

from __future__ import annotations

import re
from html import unescape
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from tests.factories import ASHFORD, PASSWORD, Factory
from tests.web.conftest import PHONE, body_text, links_in, sign_in
from tests.web.test_every_page import other_date_styles

pytestmark = pytest.mark.browser

FULL_WEEK = (1 << 21) - 1


def _seed(server) -> dict:
    from brokerage import outbox
    from brokerage.events import (
        DbsRemindersDue,
        DigestEmails,
        GuardianConsentRequested,
        HoursProposed,
        MilestoneReached,
        SatisfactionQuestionsDue,
        HoursRemindersDue,
        HoursSubmitted,
        CalloutEmails,
        InvitationSent,
        OrganisationVerificationDecided,
        QuietVolunteersDue,
        ReferralCreated,
        ReferralFollowUpDue,
        ReferralMessagePosted,
        ReferralStatusChanged,
        RoleExpiryDue,
        RoleMatchEmails,
        SessionPlaceOffered,
        SessionRemindersDue,
        SafeguardingConcernRaised,
        VolunteerRetentionReminder,
        VolunteerUpdated,
    )
    from brokerage.models import Centre, HoursEntry, Invitation, Placement, Referral, ReferralMessage, RoleSession, SessionBooking
    from brokerage.volunteers.reminders import DBS_VALID_YEARS, years_later

    engine = create_engine(server.db_url)
    today = date.today()
    long_ago = datetime.utcnow() - timedelta(days=21)
    with Session(engine) as s:
        f = Factory(s)
        centre = s.get(Centre, server.ids["centre"])
        centre.email = server.staff_email  # escalations go to the centre's inbox
        org = f.organisation(ASHFORD, name="Willesborough Community Larder")
        manager = f.user("organisation_manager", organisations=(org,), email="larder.manager@example.org")
        org.contact_email, org.contact_name = manager.email, "Lee Larder"
        role = f.role(
            org,
            title="Larder shelf stacker",
            causes=("AntiPoverty",),
            slot_mask=FULL_WEEK,
            dbs_level="basic",
            publish_end=today + timedelta(days=3),
        )

        def volunteer(first: str, **kw):
            return f.volunteer(
                ASHFORD, email=f"{first.lower()}.links@example.net", first_name=first, last_name="Linkfollower", **kw
            )

        v_match = volunteer("Robin", causes=("AntiPoverty",))
        v_new = volunteer("Morgan", causes=("AntiPoverty",))
        v_digest = volunteer("Jessie", causes=("AntiPoverty",), notification="weekly_digest")
        # a certificate due for renewal in ten days (one that ran out long ago is not news)
        v_ref = volunteer("Avery", dbs_certificate_date=years_later(today, -DBS_VALID_YEARS) + timedelta(days=10))
        v_hours = volunteer("Quinn")
        v_move = volunteer("Casey")  # moves to a new email address
        v_young = volunteer("Kit", dob=date(today.year - 15, 1, 15), guardian_email="kit.guardian@example.org")
        v_invited = volunteer("Riley", causes=("AntiPoverty",))
        v_referred = volunteer("Emery")
        v_quiet = volunteer("Taylor", causes=("AntiPoverty",), registered_on=today - timedelta(days=120))  # gone quiet
        ref = Referral(volunteer_id=v_ref.id, role_id=role.id, status="interested", share_email=True, share_phone=False)
        ref.status_changed_at = long_ago
        started = Referral(volunteer_id=v_hours.id, role_id=role.id, status="started", share_email=True, share_phone=False)
        brokered = Referral(volunteer_id=v_referred.id, role_id=role.id, status="referred", share_email=True, share_phone=False)
        s.add_all([ref, started, brokered])
        s.flush()
        invitation = Invitation(role_id=role.id, volunteer_id=v_invited.id, sender_kind="organisation", status="waiting")
        message = ReferralMessage(
            referral_id=brokered.id,
            author_user_id=manager.id,
            author_side="organisation",
            body="When can you start?",
            staff_only=False,
        )
        s.add_all([invitation, message])
        s.flush()
        placement = Placement(
            referral_id=started.id,
            volunteer_id=v_hours.id,
            role_id=role.id,
            organisation_id=org.id,
            started_on=today - timedelta(days=30),
        )
        s.add(placement)
        s.flush()
        entry = HoursEntry(
            placement_id=placement.id,
            volunteer_id=v_hours.id,
            worked_on=today - timedelta(days=12),
            hours=4,
            status="submitted",
            reminder_count=0,
        )
        s.add(entry)
        s.flush()
        entry.created_at = long_ago
        # Shifts: a session tomorrow with a place just given from the waiting list, and hours an
        # organisation proposed from an earlier session's attendance.
        v_shift = volunteer("Sasha")
        tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time()) + timedelta(hours=9)
        shift = RoleSession(role_id=role.id, starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=2), capacity=4)
        s.add(shift)
        s.flush()
        place = SessionBooking(session_id=shift.id, volunteer_id=v_shift.id, status="booked")
        shift_placement = Placement(
            volunteer_id=v_shift.id, role_id=role.id, organisation_id=org.id, started_on=today - timedelta(days=7)
        )
        s.add_all([place, shift_placement])
        s.flush()
        proposed = HoursEntry(
            placement_id=shift_placement.id,
            volunteer_id=v_shift.id,
            worked_on=today - timedelta(days=7),
            hours=2,
            status="proposed",
            reminder_count=0,
        )
        s.add(proposed)
        # A volunteer whose hours have just reached 10.
        from brokerage.hours import milestones

        v_milestone = volunteer("Mila")
        given = Placement(
            volunteer_id=v_milestone.id, role_id=role.id, organisation_id=org.id, started_on=today - timedelta(days=9)
        )
        s.add(given)
        s.flush()
        s.add(
            HoursEntry(
                placement_id=given.id,
                volunteer_id=v_milestone.id,
                worked_on=today - timedelta(days=2),
                hours=10,
                status="approved",
                reminder_count=0,
            )
        )
        s.flush()
        # Approved hours reach the report's rollups as they do when an organisation approves them, so
        # the report pages other tests read on this server still add up.
        from brokerage.reports import rollups

        rollups.refresh_placement(s, given.id)
        reached = milestones.record_reached(s, v_milestone.id)[-1]
        # An emergency call-out, and a volunteer who opted in chosen for its first batch.
        from brokerage.models import Callout, CalloutInvitation, EmergencyAvailability

        v_callout = volunteer("Rowan")
        s.add(EmergencyAvailability(volunteer_id=v_callout.id, district_codes=[ASHFORD], slot_mask=FULL_WEEK))
        evening = datetime.combine(today + timedelta(days=1), datetime.min.time()) + timedelta(hours=18)
        callout = Callout(
            centre_id=server.ids["centre"],
            title="Rest centre at Willesborough school",
            postcode=role.postcode or "TN23 1AA",
            latitude=role.latitude or 51.14,
            longitude=role.longitude or 0.87,
            district_gss=ASHFORD,
            starts_at=evening,
            ends_at=evening + timedelta(hours=5),
            skills=["first-aid"],
            needed=2,
            accepted=0,
            batch_size=10,
            batches_sent=1,
            status="open",
        )
        s.add(callout)
        s.flush()
        s.add(CalloutInvitation(callout_id=callout.id, volunteer_id=v_callout.id, batch=1, distance_miles=1.2, status="emailed"))
        s.commit()
        week = f"{today.isocalendar()[0]}-W{today.isocalendar()[1]:02d}"
        for event in (
            RoleMatchEmails(role_id=role.id, volunteer_ids=(v_match.id,), reasons={}),
            VolunteerUpdated(volunteer_id=v_new.id),
            DigestEmails(volunteer_ids=(v_digest.id,), week=week),
            ReferralCreated(referral_id=ref.id),
            ReferralStatusChanged(referral_id=ref.id, from_status="interested", to_status="contacted"),
            ReferralFollowUpDue(day=today.isoformat()),
            RoleExpiryDue(day=today.isoformat()),
            DbsRemindersDue(day=today.isoformat()),
            HoursSubmitted(hours_entry_id=entry.id),
            HoursRemindersDue(day=today.isoformat()),
            VolunteerRetentionReminder(volunteer_id=v_digest.id, erase_on=(today + timedelta(days=30)).isoformat()),
            OrganisationVerificationDecided(organisation_id=org.id),
            SessionPlaceOffered(booking_id=place.id),
            SessionRemindersDue(day=today.isoformat()),
            HoursProposed(hours_entry_id=proposed.id),
            SafeguardingConcernRaised(concern_id=server.ids["concern"]),
            MilestoneReached(milestone_id=reached.id),
            SatisfactionQuestionsDue(day=today.isoformat()),
            GuardianConsentRequested(volunteer_id=v_young.id),
            InvitationSent(invitation_id=invitation.id),
            ReferralCreated(referral_id=brokered.id),
            ReferralMessagePosted(message_id=message.id),
            QuietVolunteersDue(day=today.isoformat()),
            CalloutEmails(callout_id=callout.id, batch=1),
        ):
            outbox.enqueue(s, event)
        s.commit()
        data = {
            "role": role.title,
            "org": org.name,
            "manager": manager.email,
            "match": v_match.email,
            "new": v_new.email,
            "digest": v_digest.email,
            "ref": v_ref.email,
            "hours": v_hours.email,
            "hours_name": "Quinn Linkfollower",
            "ref_name": "Avery Linkfollower",
            "shift": v_shift.email,
            "milestone": v_milestone.email,
            "move": v_move.email,
            "moved": "casey.moved@example.net",
            "invited": v_invited.email,
            "referred": v_referred.email,
            "quiet": v_quiet.email,
            "callout": v_callout.email,
        }
    engine.dispose()
    return data


@pytest.fixture(scope="module")
def letters(server):
    return _seed(server)


def _names(server, path: str) -> list[str]:
    """What the page at ``path`` must name: the role, referral, organisation… it is about."""
    engine = create_engine(server.db_url)
    try:
        with engine.connect() as c:
            if m := re.fullmatch(r"/(?:opportunities|manage/roles)/(\d+)", path):
                return [c.scalar(text("select title from roles where id = :i"), {"i": int(m[1])})]
            if m := re.fullmatch(r"/my/invitations/(\d+)", path):
                return [
                    c.scalar(
                        text("select r.title from invitations i join roles r on r.id = i.role_id where i.id = :i"),
                        {"i": int(m[1])},
                    )
                ]
            if m := re.fullmatch(r"/my/interest/(\d+)", path):
                return [
                    c.scalar(
                        text("select r.title from referrals x join roles r on r.id = x.role_id where x.id = :i"), {"i": int(m[1])}
                    )
                ]
            if m := re.fullmatch(r"/(?:manage|centre)/referrals/(\d+)", path):
                row = c.execute(
                    text(
                        "select v.first_name, v.last_name, r.title from referrals x join volunteers v on v.id = x.volunteer_id"
                        " join roles r on r.id = x.role_id where x.id = :i"
                    ),
                    {"i": int(m[1])},
                ).one()
                return [f"{row[0]} {row[1]}", row[2]]
            if m := re.fullmatch(r"/centre/safeguarding/(\d+)", path):
                return [
                    f"Safeguarding concern {m[1]}",
                    c.scalar(text("select concern from safeguarding_concerns where id = :i"), {"i": int(m[1])}),
                ]
            if m := re.fullmatch(r"/certificates/([\w-]+)", path):
                row = c.execute(
                    text(
                        "select v.first_name, v.last_name, m.threshold from milestones m join volunteers v on v.id = m.volunteer_id"
                        " where m.code = :c"
                    ),
                    {"c": m[1]},
                ).one()
                return ["This certificate is genuine", f"{row[0]} {row[1]}", f"{row[2]} hours"]
            if m := re.fullmatch(r"/manage/organisations/(\d+)", path):
                return [c.scalar(text("select name from organisations where id = :i"), {"i": int(m[1])})]
    finally:
        engine.dispose()
    return []


def _open(page, url: str, recipient: str, server, extra: dict[str, list[str]]) -> None:
    path = urlsplit(url).path
    target = urlsplit(url)._replace(scheme="", netloc="").geturl()
    response = page.goto(url)
    if urlsplit(page.url).path == "/sign-in" and path != "/sign-in":
        assert parse_qs(urlsplit(page.url).query).get("next") == [target], page.url
        page.fill("#email", recipient)
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_load_state()
        assert urlsplit(page.url).path == path, f"{url}: signing in went to {page.url}"
        response = page.goto(url)  # the landing page's own response, to check its status
    _check(page, response, url, server, extra.get(path, []))


def _check(page, response, url: str, server, extra: list[str]) -> None:
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    assert response.headers.get("content-type", "").startswith("text/html"), f"{url}: {response.headers}"
    content = page.locator("main").inner_text() if page.locator("main").count() else page.content()
    for name in _names(server, urlsplit(url).path) + extra:
        assert name in content, f"{url} does not name {name!r}: {content[:800]}"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} is {width} px wide on a {PHONE['width']} px phone"


ONE_USE = ("/account/email/confirm",)  # a link that does its work when opened


def _follow_all(browser, server, message, recipient: str, extra: dict[str, list[str]]) -> list[str]:
    urls = [u for u in links_in(message) if u.startswith(server.base_url)]
    assert urls, f"no links in {message.get('Subject')}"
    for url in urls:
        path = urlsplit(url).path
        ctx = browser.new_context(viewport=PHONE, base_url=server.base_url, locale="en-GB")
        ctx.set_default_timeout(10_000)
        try:
            page = ctx.new_page()
            _open(page, url, recipient, server, extra)  # signed out first (and signed in on the way)
            if path in ONE_USE:
                continue
            if urlsplit(page.url).path != "/sign-in" and "/sign-in" not in page.url:
                # public pages: now sign in and open the link again
                page.goto("/sign-in")
                if urlsplit(page.url).path == "/sign-in" and page.locator("#email").count():
                    page.fill("#email", recipient)
                    page.fill("#password", PASSWORD)
                    page.click("button:has-text('Sign in')")
                    page.wait_for_load_state()
            _check(page, page.goto(url), url, server, extra.get(path, []))
        finally:
            ctx.close()
    return urls


def test_every_link_in_every_email_opens_its_page(server, browser, letters, new_page):
    mb = server.mailbox
    role, org = letters["role"], letters["org"]
    # An email asked for on a page: a password reset.
    p = new_page()
    p.goto("/forgot-password")
    p.fill("#email", letters["manager"])
    p.click("form button[type=submit]")
    p.wait_for_load_state()
    # And one asked for by a signed-in volunteer: moving the account to a new email address.
    sign_in(p, letters["move"])
    p.goto("/account/email")
    p.fill("#email", letters["moved"])
    p.fill("#password", PASSWORD)
    p.click("button:has-text('Send the link')")
    assert f"We have sent a link to {letters['moved']}" in p.locator(".notification-banner").inner_text()

    hours_page = {"/manage/hours": [letters["hours_name"]]}
    expected = [
        ("role_match", letters["match"], "suits you: " + role, {}),
        ("volunteer_matches", letters["new"], "Volunteering roles that suit you", {}),
        ("digest", letters["digest"], "This week's volunteering roles", {}),
        ("referral_created", letters["manager"], "is interested in " + role, {}),
        ("referral_status", letters["ref"], "An update on your interest in " + role, {}),
        ("referral_chase", letters["manager"], "Please reply to", {}),
        ("referral_escalated", server.staff_email, "needs the centre's help: " + role, {}),
        ("role_refresh", letters["manager"], f'"{role}" closes on', {}),
        ("dbs_reminder", letters["ref"], "DBS check", {}),
        ("hours_submitted", letters["manager"], "New volunteer hours to approve", hours_page),
        ("hours_reminder", letters["manager"], "hours waiting for your approval", hours_page),
        ("retention_reminder", letters["digest"], "will be deleted unless you sign in", {}),
        ("organisation_verification", letters["manager"], "registration: approved", {"/manage/organisations": [org]}),
        ("safeguarding_concern", server.staff_email, "A safeguarding concern has been raised", {}),
        (
            "guardian_consent",
            "kit.guardian@example.org",
            "Your consent for Kit to volunteer",
            {"/guardian/consent": ["Kit", "I give my consent"], "/guardian/withdraw": ["Kit"]},
        ),
        ("password_reset", letters["manager"], "Reset your password", {"/reset-password": ["new password"]}),
        ("session_place", letters["shift"], "A place has come free for you: " + role, {}),
        ("session_reminder", letters["shift"], "Tomorrow: " + role, {}),
        ("hours_proposed", letters["shift"], "Please confirm your hours for " + role, {"/my/hours": ["Hours to confirm"]}),
        ("milestone", letters["milestone"], "Congratulations: 10 hours", {"/my/milestones": ["10 hours", "Download"]}),
        ("email_change", letters["moved"], "Confirm your new email address", {"/account/email/confirm": [letters["moved"]]}),
        ("satisfaction_question", letters["hours"], "How is volunteering with " + org, {}),
        ("invitation", letters["invited"], "invites you to volunteer: " + role, {}),
        ("referral_referred", letters["referred"], "put you forward for " + role, {}),
        ("referral_message", letters["referred"], "A new message about " + role, {}),
        ("reengagement", letters["quiet"], "New volunteering roles since you were last here", {}),
        (
            "callout",
            letters["callout"],
            "Emergency call-out: can you help? Rest centre at Willesborough school",
            {"/callouts/answer": ["Rest centre at Willesborough school", "Yes, I can help"], "/my/emergency": ["May we ask you"]},
        ),
    ]
    followed = {}
    for kind, to, subject, extra in expected:
        message = mb.wait_for(to, subject, timeout=30)
        words = str(message.get("Subject")) + " " + re.sub(r"<[^>]+>", " ", unescape(body_text(message)))
        assert not other_date_styles(words), (kind, other_date_styles(words))  # "1 December 2026", as on the pages
        who = to
        profile = {"/my/profile": ["Linkfollower"]} if "@example.net" in who else {}
        followed[kind] = _follow_all(browser, server, message, who, {**profile, **extra})
    # Every email that can be unsubscribed from says so with a link that works signed out.
    for kind in (
        "role_match",
        "volunteer_matches",
        "digest",
        "referral_chase",
        "role_refresh",
        "dbs_reminder",
        "milestone",
        "satisfaction_question",
        "reengagement",
    ):
        assert any("/unsubscribe?token=" in u for u in followed[kind]), (kind, followed[kind])
    # The ones about a role or referral link to its page.
    assert any("/opportunities/" in u for u in followed["role_match"])
    assert any("/manage/referrals/" in u for u in followed["referral_created"])
    assert any("/manage/referrals/" in u for u in followed["referral_chase"])
    assert any("/centre/referrals/" in u for u in followed["referral_escalated"])
    assert any("/manage/roles/" in u for u in followed["role_refresh"])
    assert any("/manage/hours" in u for u in followed["hours_submitted"] + followed["hours_reminder"])
    assert all(any("/opportunities/" in u for u in followed[k]) for k in ("session_place", "session_reminder"))
    assert any("/my/hours" in u for u in followed["hours_proposed"])
    assert any("/centre/safeguarding/" in u for u in followed["safeguarding_concern"])
    assert any(re.search(r"/my/placements/\d+/satisfaction$", u) for u in followed["satisfaction_question"])
    assert any("/certificates/" in u for u in followed["milestone"]) and any("/my/milestones" in u for u in followed["milestone"])
    assert {urlsplit(u).path for u in followed["guardian_consent"]} >= {"/guardian/consent", "/guardian/withdraw"}
    # The new address is confirmed from its link, and the account then signs in with it.
    (confirm,) = [u for u in followed["email_change"] if "/account/email/confirm?token=" in u]
    p = new_page(PHONE)
    p.goto(confirm)
    p.click("button:has-text('Use my new email address')")
    assert "Sign in with the new address" in p.locator(".notification-banner").inner_text()
    sign_in(p, letters["moved"])
    p.goto("/my/profile")
    assert "Casey Linkfollower" in p.locator("main").inner_text()
    engine = create_engine(server.db_url)
    with engine.connect() as c:
        assert c.scalar(text("select count(*) from users where email = :e"), {"e": letters["moved"]}) == 1
    engine.dispose()
    assert any("/my/invitations/" in u for u in followed["invitation"])
    assert any("/opportunities/" in u for u in followed["reengagement"])
    assert any("/my/interest/" in u for u in followed["referral_referred"] + followed["referral_message"])
    assert {urlsplit(u).path for u in followed["callout"]} >= {"/callouts/answer", "/my/emergency"}
    with engine.connect() as c:  # opening the answer links answered nothing
        assert (
            c.scalar(
                text(
                    "select i.status from emergency_callout_invitations i join volunteers v on v.id = i.volunteer_id where v.email = :e"
                ),
                {"e": letters["callout"]},
            )
            == "emailed"
        )
    engine.dispose()


def test_pilot_dashboard_shows_the_seeded_totals(server, new_page):
    from brokerage.models import Volunteer

    engine = create_engine(server.db_url)
    with Session(engine) as s:
        volunteers = s.scalar(select(func.count()).select_from(Volunteer).where(Volunteer.status == "active"))
    engine.dispose()
    p = new_page()
    sign_in(p, server.pilot_email)
    p.goto("/pilot")
    content = p.locator("main").inner_text()
    assert str(volunteers) in content
