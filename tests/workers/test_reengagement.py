"""Re-engagement through the real machinery (PostgreSQL, the outbox relay, a Dramatiq worker, a real
SMTP server): a volunteer quiet for 90 days gets exactly one email of roles they have not seen, on
however many days the job runs; none goes to those who opted out, or to volunteers still active."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from brokerage import events, outbox
from brokerage.auth.service import build_principal
from brokerage.models import Delivery, EmailSuppression, Referral, User
from brokerage.volunteers import quiet
from tests.factories import ASHFORD, MAIDSTONE, Factory
from tests.workers.conftest import settle
from tests.workers.test_leaving import _cells, export_figures, printed


def test_a_quiet_volunteer_gets_one_reengagement_email_and_no_one_who_opted_out(inproc, session, smtp, worker_engine):
    f = Factory(session)
    org = f.organisation(ASHFORD, name="Ashford Community Garden")
    role = f.role(org, title="Garden helper", causes=("Environment",))
    quiet_day = date.today() - timedelta(days=120)

    def volunteer(**kw):
        return f.volunteer(ASHFORD, causes=("Environment",), registered_on=kw.pop("registered_on", quiet_day), **kw)

    quiet = volunteer()
    digest = volunteer(notification="weekly_digest")
    opted_out = volunteer(notification="none")
    no_consent = volunteer(consent=False)
    unsubscribed = volunteer()
    session.add(EmailSuppression(email_normalised=unsubscribed.email.lower()))
    recent = volunteer(registered_on=date.today() - timedelta(days=20))
    session.commit()

    for day in (date.today(), date.today() + timedelta(days=1)):  # the job runs on two days
        outbox.enqueue(session, events.QuietVolunteersDue(day=day.isoformat()))
        session.commit()
        settle(worker_engine)

    received = smtp.of_kind("reengagement")
    assert sorted(m.to for m in received) == sorted([quiet.email, digest.email])
    m = received[0]
    assert m.subject == "New volunteering roles since you were last here"
    assert "Garden helper" in m.text and f"/opportunities/{role.id}" in m.text
    assert m.message["List-Unsubscribe"]
    for v in (opted_out, no_consent, unsubscribed, recent):
        assert smtp.to(v.email) == []
    keys = session.scalars(select(Delivery.key).where(Delivery.kind == "reengagement")).all()
    assert sorted(keys) == sorted(f"reengagement:{v.id}:{quiet_day.isoformat()}" for v in (quiet, digest))


def test_reengaged_volunteers_who_start_again_show_in_the_report_and_its_exports(session, client_for, configure, worker_env):
    """Started again means, as on the centre's gone-quiet page, said they were interested in a role
    after the re-engagement email."""
    configure(worker_env)  # the pages read this test's database
    f = Factory(session)
    role = f.role(f.organisation(ASHFORD))
    pilot = f.user("pilot_lead")
    emailed_at = datetime.utcnow() - timedelta(days=20)
    ashford = [f.volunteer(ASHFORD) for _ in range(12)]
    maidstone = [f.volunteer(MAIDSTONE) for _ in range(3)]
    for v in ashford + maidstone:
        session.add(
            Delivery(
                key=f"reengagement:{v.id}:x", kind="reengagement", recipient=v.email, volunteer_id=v.id, created_at=emailed_at
            )
        )
    for v in ashford[:7] + maidstone[:2]:  # they came back and said they were interested
        session.add(Referral(volunteer_id=v.id, role_id=role.id, created_at=emailed_at + timedelta(days=3)))
    session.add(Referral(volunteer_id=ashford[7].id, role_id=role.id, created_at=emailed_at - timedelta(days=200)))  # before
    session.commit()

    emails = dict(
        session.execute(select(Delivery.volunteer_id, Delivery.created_at).where(Delivery.kind == "reengagement")).all()
    )
    again = {vid for vid, at in session.execute(select(Referral.volunteer_id, Referral.created_at)) if at >= emails[vid]}
    assert (len(emails), len(again)) == (15, 9)

    client = client_for(session.get_one(User, pilot.id))
    html = client.get("/pilot/reports?show=1&period_kind=last12").text
    assert _cells(html, "Sent the re-engagement email") == [str(len(emails))]
    started = "Started again: said they were interested in a role after the email"
    assert _cells(html, started) == [str(len(again))]
    got = export_figures(client, "period_kind=last12")
    assert got["csv"][("reengagement", "total", "", "reengagement_emailed")] == "15"
    assert got["csv"][("reengagement", "total", "", "reengagement_started_again")] == "9"
    assert got["xlsx"][("reengagement", "total", "All", "reengagement_started_again")] == "9"
    assert printed(got["html"], started) == ["9"]
    staff = f.user("centre_staff", centre=f.centre(districts=(ASHFORD, MAIDSTONE)))
    assert quiet.started_again(session, build_principal(session, staff)) == 9  # the figure on the gone-quiet page

    # One district: 3 emailed, 2 started again, both shown as "<5".
    only = f"period_kind=last12&districts={MAIDSTONE}"
    html = client.get(f"/pilot/reports?show=1&{only}").text
    assert _cells(html, "Sent the re-engagement email") == ["<5"] and _cells(html, started) == ["<5"]
    got = export_figures(client, only)
    assert got["csv"][("reengagement", "total", "", "reengagement_emailed")] == "<5"
    assert got["csv"][("reengagement", "total", "", "reengagement_started_again")] == "<5"
    assert printed(got["html"], started) == ["<5"]
