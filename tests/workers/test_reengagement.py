"""Re-engagement through the real machinery (PostgreSQL, the outbox relay, a Dramatiq worker, a real
SMTP server): a volunteer quiet for 90 days gets exactly one email of roles they have not seen, on
however many days the job runs; none goes to those who opted out, or to volunteers still active."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from brokerage import events, outbox
from brokerage.models import Delivery, EmailSuppression
from tests.factories import ASHFORD, Factory
from tests.workers.conftest import settle


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
