"""Notifications through the real machinery in this process: PostgreSQL, the outbox relay, a
Dramatiq worker (threads, in-process broker — the embedded mode) and a real SMTP server."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from brokerage.models import Delivery, EmailSuppression, User, Volunteer
from tests.factories import ASHFORD, Factory
from tests.workers.conftest import publish, settle, staff_principal, wait_for


def test_role_published_emails_best_fit_consenting_volunteers_and_no_one_who_opted_out(inproc, session, smtp, worker_engine):
    f = Factory(session)
    staff = staff_principal(session, f)
    org = f.organisation(ASHFORD, name="Ashford Animal Rescue")
    keen = [f.volunteer(ASHFORD, causes=("AnimalWelfare",)) for _ in range(3)]
    no_consent = f.volunteer(ASHFORD, consent=False)
    no_email_pref = f.volunteer(ASHFORD, notification="none")
    digest_only = f.volunteer(ASHFORD, notification="weekly_digest")
    unsubscribed = f.volunteer(ASHFORD)
    session.add(EmailSuppression(email_normalised=unsubscribed.email.lower()))
    role = f.role(org, status="draft", title="Dog walker")
    session.commit()

    publish(session, staff, role)
    settle(worker_engine)
    wait_for(lambda: smtp.count("role_match") >= 3, what="three role emails")

    received = smtp.of_kind("role_match")
    assert sorted(m.to for m in received) == sorted(v.email for v in keen)
    for v in (no_consent, no_email_pref, digest_only, unsubscribed):
        assert smtp.to(v.email) == []
    m = received[0]
    assert m.subject == "A new volunteering role that suits you: Dog walker"
    assert "Ashford Animal Rescue" in m.text and "Dog walker" in m.html
    # The link opens the role's page (not the API's JSON): tests/web/test_email_links.py follows it in a browser.
    assert f"https://volunteer.kent.example/opportunities/{role.id}" in m.text
    assert f'href="https://volunteer.kent.example/opportunities/{role.id}"' in m.html
    assert "/roles/" not in m.text and "/roles/" not in m.html
    unsubscribe = m.message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://volunteer.kent.example/unsubscribe?token=")
    assert m.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in m.text
    # Every send is recorded once, under its key.
    keys = session.scalars(select(Delivery.key).where(Delivery.kind == "role_match")).all()
    assert sorted(keys) == sorted(f"role_match:{role.id}:{v.id}" for v in keen)


def test_weekly_cap_holds_when_several_roles_are_published_at_once(inproc, session, smtp, worker_engine, configure, worker_env):
    f = Factory(session)
    staff = staff_principal(session, f)
    org = f.organisation(ASHFORD)
    volunteers = [f.volunteer(ASHFORD) for _ in range(4)]
    roles = [f.role(org, status="draft", title=f"Role number {i}") for i in range(5)]
    session.commit()
    from brokerage.config import get_settings

    assert get_settings().weekly_role_email_cap == 3

    from brokerage.roles import service as roles_service

    for role in roles:  # one transaction: five roles published at the same moment
        roles_service.change_status(session, staff, role.id, "published", None)
    session.commit()
    settle(worker_engine)

    for v in volunteers:
        assert len(smtp.to(v.email)) == 3, v.email
    statuses = session.execute(select(Delivery.volunteer_id, Delivery.status).where(Delivery.kind == "role_match")).all()
    for v in volunteers:
        mine = [s for vid, s in statuses if vid == v.id]
        assert sorted(mine) == ["capped", "capped", "sent", "sent", "sent"]


def test_a_refused_address_and_a_deferred_message_do_not_stop_the_others(inproc, session, smtp, worker_engine):
    f = Factory(session)
    staff = staff_principal(session, f)
    org = f.organisation(ASHFORD)
    volunteers = [f.volunteer(ASHFORD) for _ in range(6)]
    refused, deferred = volunteers[1], volunteers[3]
    smtp.refuse[refused.email] = "550 No such mailbox"
    smtp.defer_once.add(deferred.email)
    role = f.role(org, status="draft", title="Litter picker")
    session.commit()

    publish(session, staff, role)
    wait_for(lambda: smtp.count("role_match") >= 5, what="the role emails, one of them after a retry")
    settle(worker_engine)

    received = Counter(m.to for m in smtp.of_kind("role_match"))
    assert received == Counter(v.email for v in volunteers if v is not refused)  # each once, the deferred one too
    statuses = dict(session.execute(select(Delivery.volunteer_id, Delivery.status).where(Delivery.kind == "role_match")).all())
    assert statuses == {v.id: "failed" if v is refused else "sent" for v in volunteers}


def test_referral_emails_share_only_what_the_volunteer_agreed_and_follow_each_status(inproc, session, smtp, worker_engine):
    from brokerage.auth.service import build_principal
    from brokerage.referrals import service as referrals_service
    from brokerage.referrals.schemas import ReferralCreate

    f = Factory(session)
    staff_principal(session, f)  # the centre covering Ashford
    org = f.organisation(ASHFORD, name="Kent Food Bank")
    org.contact_email = "coordinator@foodbank.example"
    manager = f.user("organisation_manager", organisations=(org,))
    role = f.role(org, status="published", title="Warehouse helper")
    v = f.volunteer(ASHFORD, phone="01233 000000")
    session.commit()
    me = build_principal(session, session.get(type(manager), v.user_id))

    ref, _, _ = referrals_service.create(
        session, me, ReferralCreate(role_id=role.id, message="I can start next week.", share_email=False, share_phone=True)
    )
    session.commit()
    wait_for(lambda: smtp.count("referral_created") == 1, what="the organisation's email")
    m = smtp.of_kind("referral_created")[0]
    assert m.to == "coordinator@foodbank.example"
    assert "Warehouse helper" in m.subject and v.first_name in m.subject
    assert "01233 000000" in m.text and "I can start next week." in m.text
    assert v.email not in m.text and v.email not in m.html  # not shared
    assert m.message["List-Unsubscribe"] is None  # a service message
    assert f"https://volunteer.kent.example/manage/referrals/{ref.id}" in m.text  # the referral's page

    mgr = build_principal(session, manager)
    referrals_service.transition(session, mgr, ref.id, "contacted", None)
    session.commit()
    referrals_service.transition(session, mgr, ref.id, "started", None)
    session.commit()
    wait_for(lambda: smtp.count("referral_status") == 2, what="two status emails")
    texts = [m.text for m in smtp.of_kind("referral_status")]
    assert all(m.to == v.email for m in smtp.of_kind("referral_status"))
    assert any("says they have been in touch" in t for t in texts)
    assert any("you have started as a volunteer" in t for t in texts)


def test_password_reset_email_carries_a_working_link(inproc, session, smtp, worker_engine, client_for):
    from brokerage.auth.service import request_password_reset

    smtp.pipelining = False  # a server that takes one command at a time works too
    f = Factory(session)
    user = f.user("organisation_manager", email="manager@charity.example")
    session.commit()
    request_password_reset(session, "manager@charity.example")
    session.commit()
    wait_for(lambda: smtp.count("password_reset") == 1, what="the reset email")
    m = smtp.of_kind("password_reset")[0]
    assert m.to == "manager@charity.example" and m.subject == "Reset your password"
    link = next(w for w in m.text.split() if w.startswith("https://volunteer.kent.example/reset-password?token="))
    token = parse_qs(urlparse(link).query)["token"][0]
    from brokerage.auth.service import reset_password

    assert reset_password(session, token, "a brand new passphrase").id == user.id


def test_unsubscribe_link_works_without_signing_in_and_stops_role_emails(inproc, session, smtp, worker_engine, client_for):
    f = Factory(session)
    staff = staff_principal(session, f)
    org = f.organisation(ASHFORD)
    v = f.volunteer(ASHFORD)
    first, second = f.role(org, status="draft"), f.role(org, status="draft")
    session.commit()
    publish(session, staff, first)
    wait_for(lambda: smtp.count("role_match") == 1, what="the first role email")
    link = smtp.of_kind("role_match")[0].message["List-Unsubscribe"].strip("<>")
    path = link.replace("https://volunteer.kent.example", "")
    client = client_for()

    page = client.get(path)  # a GET (or a link checker) changes nothing
    assert page.status_code == 200 and "Unsubscribe" in page.text
    session.expire_all()
    assert session.get(Volunteer, v.id).notification_preference == "instant"
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})  # RFC 8058 one-click
    assert done.status_code == 200 and "unsubscribed" in done.text
    session.expire_all()
    assert session.get(Volunteer, v.id).notification_preference == "none"
    assert client.post(path.replace("token=", "token=x")).status_code == 400

    publish(session, staff, second)
    settle(worker_engine)
    assert len(smtp.to(v.email)) == 1


def test_mail_server_away_then_back_delivers_once(inproc, session, smtp, worker_engine, worker_env, configure):
    from brokerage.models import OutboxMessage
    from brokerage import events
    from brokerage.outbox import enqueue

    f = Factory(session)
    user = f.user("organisation_manager", email="retry@charity.example")
    session.commit()
    configure(worker_env, BROKERAGE_SMTP_PORT="1")  # nothing listens there
    enqueue(session, events.PasswordResetRequested(user_id=user.id, token="t0ken"))
    session.commit()
    wait_for(
        lambda: session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.actor == "account.password_reset")) >= 2,
        what="a retry",
    )
    job = session.scalars(select(OutboxMessage).where(OutboxMessage.actor == "account.password_reset")).one()
    session.refresh(job)
    assert job.last_error and "mail server" in job.last_error
    assert smtp.count() == 0
    configure(worker_env)  # the mail server is back
    settle(worker_engine)
    assert [m.to for m in smtp.messages] == ["retry@charity.example"]
    session.refresh(job)
    assert job.status == "done"


def test_new_hours_tell_the_organisation_once_a_day_but_not_if_it_unsubscribed(inproc, session, smtp, worker_engine):
    from datetime import date, timedelta
    from decimal import Decimal

    from brokerage.auth.service import build_principal
    from brokerage.hours import service as hours_service
    from brokerage.hours.schemas import HoursCreate
    from brokerage.models import Placement

    f = Factory(session)
    canal = f.organisation(ASHFORD, name="Canal Friends")
    canal.contact_email = "hours@canal.example"
    quiet = f.organisation(ASHFORD, name="Quiet Trust")
    quiet.contact_email = "quiet@trust.example"
    session.add(EmailSuppression(email_normalised="quiet@trust.example"))
    v = f.volunteer(ASHFORD)
    placements = []
    for org in (canal, quiet):
        p = Placement(
            volunteer_id=v.id, role_id=f.role(org).id, organisation_id=org.id, started_on=date.today() - timedelta(days=30)
        )
        session.add(p)
        placements.append(p)
    session.commit()
    volunteer = build_principal(session, session.get(User, v.user_id))

    def log(placement, days_ago, hours):
        body = HoursCreate(worked_on=date.today() - timedelta(days=days_ago), hours=Decimal(hours), activity="Towpath clearing")
        hours_service.log_hours(session, volunteer, placement.id, body)
        session.commit()
        settle(worker_engine)

    log(placements[0], 2, "2.5")
    log(placements[0], 1, "3")  # the same day: no second email
    log(placements[1], 1, "1")  # this organisation asked for no more optional emails

    sent = smtp.of_kind("hours_submitted")
    assert [m.to for m in sent] == ["hours@canal.example"]
    assert sent[0].subject == "New volunteer hours to approve"
    assert "Canal Friends" in sent[0].text and "1 entry (2.50 hours in all)" in sent[0].text
    assert "https://volunteer.kent.example/manage/hours" in sent[0].text
    assert smtp.to("quiet@trust.example") == []
