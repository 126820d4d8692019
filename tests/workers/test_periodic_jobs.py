"""The scheduler's daily and weekly jobs, run through the relay, a Dramatiq worker and SMTP:
referral follow-ups on the working-day clock, listing expiry, DBS and hours reminders; and the
admin view of failed jobs."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from brokerage.models import HoursEntry, OutboxMessage, Placement, Referral, Role
from tests.factories import ASHFORD, Factory
from tests.workers.conftest import settle, staff_principal
from workers.working_days import add_working_days, is_working_day, working_days_between


def test_working_day_clock_skips_weekends_and_bank_holidays():
    assert not is_working_day(date(2026, 12, 26))  # Saturday
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day, moved to Monday
    assert not is_working_day(date(2026, 4, 3)) and not is_working_day(date(2026, 4, 6))  # Good Friday, Easter Monday
    assert not is_working_day(date(2026, 5, 25))  # spring bank holiday
    assert is_working_day(date(2026, 12, 29))
    # Five working days from Tuesday 22 December 2026 ends on Thursday 31 December (nine calendar days).
    assert add_working_days(date(2026, 12, 22), 5) == date(2026, 12, 31)
    assert working_days_between(date(2026, 12, 22), date(2026, 12, 31)) == 5
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 9)) == 3  # Easter
    assert working_days_between(date(2026, 12, 31), date(2026, 12, 31)) == 0


def _referral(session, v, role, status: str, changed: date) -> Referral:
    at = datetime.combine(changed, datetime.min.time()) + timedelta(hours=10)
    ref = Referral(
        volunteer_id=v.id,
        role_id=role.id,
        status=status,
        share_email=True,
        share_phone=False,
        created_at=at,
        status_changed_at=at,
    )
    session.add(ref)
    session.flush()
    return ref


def _run(session, engine, actor: str, **payload) -> None:
    from brokerage.events import event_named
    from brokerage.outbox import enqueue

    enqueue(session, event_named(actor, payload))
    session.commit()
    settle(engine)


def test_follow_up_chases_after_five_working_days_and_escalates_after_ten(inproc, session, smtp, worker_engine):
    f = Factory(session)
    staff_principal(session, f)  # the Ashford centre (with an email address) and its staff
    org = f.organisation(ASHFORD, name="Romney Marsh Trust")
    org.contact_email = "hello@romney.example"
    role = f.role(org, title="Path warden")
    four, five, ten, moved_on = (f.volunteer(ASHFORD) for _ in range(4))
    today = date(2026, 12, 31)
    r4 = _referral(session, four, role, "interested", date(2026, 12, 23))  # 4 working days (6 weekdays)
    r5 = _referral(session, five, role, "interested", date(2026, 12, 22))  # 5 working days
    r10 = _referral(session, ten, role, "referred", date(2026, 12, 15))  # 10 working days
    r_done = _referral(session, moved_on, role, "contacted", date(2026, 12, 1))  # the organisation acted
    session.commit()

    _run(session, worker_engine, "referral.follow_up", day=today.isoformat())

    chases = smtp.of_kind("referral_chase")
    assert sorted(m.to for m in chases) == ["hello@romney.example"] * 2
    chased = " ".join(m.text for m in chases)
    assert five.first_name in chased and ten.first_name in chased and four.first_name not in chased
    assert "5 working days" in chased and "Path warden" in chased
    escalations = smtp.of_kind("referral_escalated")
    assert [m.to for m in escalations] == ["ashford-centre@example.org"]
    assert ten.first_name in escalations[0].text
    session.expire_all()
    assert session.get(Referral, r10.id).escalated_at is not None
    assert all(session.get(Referral, r.id).escalated_at is None for r in (r4, r5, r_done))

    _run(session, worker_engine, "referral.follow_up", day=today.isoformat())  # the job runs again: no repeats
    assert smtp.count() == 3


def test_a_referral_the_centre_passes_on_again_is_chased_and_escalated_again(inproc, session, smtp, worker_engine):
    from brokerage.referrals import service as referrals_service

    f = Factory(session)
    staff = staff_principal(session, f)
    org = f.organisation(ASHFORD, name="Hythe Lifeboat Shop")
    org.contact_email = "shop@hythe.example"
    role = f.role(org, title="Shop helper")
    ref = _referral(session, f.volunteer(ASHFORD), role, "interested", date.today() - timedelta(days=28))
    session.commit()
    _run(session, worker_engine, "referral.follow_up", day=date.today().isoformat())
    assert [m.to for m in smtp.of_kind("referral_escalated")] == ["ashford-centre@example.org"]

    # The centre takes it over and passes the volunteer on to the organisation again; the
    # organisation does not answer this time either.
    referrals_service.transition(session, staff, ref.id, "referred", "Passed on by phone")
    session.commit()
    _run(session, worker_engine, "referral.follow_up", day=(date.today() + timedelta(days=28)).isoformat())
    assert [m.to for m in smtp.of_kind("referral_chase")] == ["shop@hythe.example"] * 2
    assert [m.to for m in smtp.of_kind("referral_escalated")] == ["ashford-centre@example.org"] * 2


def test_listing_expiry_closes_old_roles_and_asks_poster_to_refresh(inproc, session, smtp, worker_engine):
    f = Factory(session)
    org = f.organisation(ASHFORD)
    poster = f.user("organisation_manager", organisations=(org,), email="poster@charity.example")
    today = date.today()
    old = f.role(org, title="Past its end", publish_end=today - timedelta(days=1), created_by_id=poster.id)
    soon = f.role(org, title="Closing soon", publish_end=today + timedelta(days=5), created_by_id=poster.id)
    later = f.role(org, title="Open for weeks", publish_end=today + timedelta(days=40), created_by_id=poster.id)
    session.commit()

    _run(session, worker_engine, "role.expire_due", day=today.isoformat())

    session.expire_all()
    assert session.get(Role, old.id).status == "expired"
    assert session.get(Role, soon.id).status == "published" and session.get(Role, later.id).status == "published"
    reminders = smtp.of_kind("role_refresh")
    assert [m.to for m in reminders] == ["poster@charity.example"]
    assert "Closing soon" in reminders[0].subject and "update the closing date" in reminders[0].text
    assert reminders[0].message["List-Unsubscribe"]
    assert f"https://volunteer.kent.example/manage/roles/{soon.id}" in reminders[0].text  # the page to refresh it


def _named_dates(text: str) -> list[date]:
    months = {name: i for i, name in enumerate(calendar.month_name) if name}
    pattern = r"\b(\d{1,2}) (" + "|".join(months) + r") (\d{4})\b"
    return [date(int(y), months[m], int(d)) for d, m, y in re.findall(pattern, text)]


def test_dbs_reminder_goes_to_volunteers_whose_roles_need_a_check(inproc, session, smtp, worker_engine):
    f = Factory(session)
    org = f.organisation(ASHFORD)
    dbs_role = f.role(org, dbs_level="enhanced", title="Youth club helper")
    plain_role = f.role(org, title="Litter pick")
    today = date.today()

    def renewal_in(days: int) -> date:  # the certificate date whose three-year renewal is ``days`` away
        renew = today + timedelta(days=days)
        return renew.replace(year=renew.year - 3) if not (renew.month == 2 and renew.day == 29) else renew - timedelta(days=1096)

    due = f.volunteer(ASHFORD, dbs_level="enhanced", dbs_certificate_date=renewal_in(10))
    due_at_sixty = f.volunteer(ASHFORD, dbs_level="enhanced", dbs_certificate_date=renewal_in(58))
    not_yet = f.volunteer(ASHFORD, dbs_level="enhanced", dbs_certificate_date=renewal_in(75))
    expired = f.volunteer(ASHFORD, dbs_level="enhanced", dbs_certificate_date=renewal_in(-20))
    long_expired = f.volunteer(ASHFORD, dbs_level="enhanced", dbs_certificate_date=renewal_in(-400))  # told long ago
    update_service = f.volunteer(ASHFORD, dbs_level="enhanced", dbs_certificate_date=renewal_in(10), dbs_update_service=True)
    no_dbs_role = f.volunteer(ASHFORD, dbs_level="enhanced", dbs_certificate_date=renewal_in(10))
    recent = f.volunteer(ASHFORD, dbs_level="enhanced", dbs_certificate_date=today - timedelta(days=200))
    placed = (due, due_at_sixty, not_yet, expired, long_expired, update_service, recent)
    session.add_all(
        [Placement(volunteer_id=v.id, role_id=dbs_role.id, organisation_id=org.id, started_on=today) for v in placed]
        + [Placement(volunteer_id=no_dbs_role.id, role_id=plain_role.id, organisation_id=org.id, started_on=today)]
    )
    session.commit()

    _run(session, worker_engine, "volunteer.dbs_reminders", day=today.isoformat())

    sent = {m.to: m for m in smtp.of_kind("dbs_reminder")}
    assert set(sent) == {due.email, due_at_sixty.email, expired.email}
    for m in sent.values():
        assert "DBS Update Service" in m.text
        named = _named_dates(m.subject + "\n" + m.text + "\n" + m.html)
        assert all(d >= today for d in named), (m.to, named)  # never a date in the past
    assert _named_dates(sent[due.email].text) == [today + timedelta(days=10)]
    assert _named_dates(sent[due_at_sixty.email].subject) == [today + timedelta(days=58)]
    assert "more than 3 years old" in sent[expired.email].text and not _named_dates(sent[expired.email].text)
    assert "needs renewing" in sent[expired.email].subject

    # The next day's run repeats none of them.
    _run(session, worker_engine, "volunteer.dbs_reminders", day=(today + timedelta(days=1)).isoformat())
    assert len(smtp.of_kind("dbs_reminder")) == 3


def test_hours_waiting_over_a_week_remind_the_organisation_once(inproc, session, smtp, worker_engine):
    f = Factory(session)
    slow = f.organisation(ASHFORD, name="Slow to approve")
    slow.contact_email = "slow@charity.example"
    quick = f.organisation(ASHFORD, name="Recently logged")
    quick.contact_email = "quick@charity.example"
    v = f.volunteer(ASHFORD)
    rows = []
    stale = f.organisation(ASHFORD, name="Months behind")
    stale.contact_email = "stale@charity.example"  # hours waiting for months: not news any more
    for org, age in ((slow, 9), (slow, 8), (quick, 2), (stale, 90)):
        role = f.role(org)
        p = Placement(volunteer_id=v.id, role_id=role.id, organisation_id=org.id, started_on=date.today() - timedelta(days=30))
        session.add(p)
        session.flush()
        rows.append(
            HoursEntry(
                placement_id=p.id,
                volunteer_id=v.id,
                worked_on=date.today() - timedelta(days=age),
                hours=Decimal("2.5"),
                status="submitted",
                created_at=datetime.utcnow() - timedelta(days=age),
            )
        )
    session.add_all(rows)
    session.commit()

    _run(session, worker_engine, "hours.reminders", day=date.today().isoformat())
    _run(session, worker_engine, "hours.reminders", day=date.today().isoformat())

    reminders = smtp.of_kind("hours_reminder")
    assert [m.to for m in reminders] == ["slow@charity.example"]
    assert "2 entries of hours (5.00 hours in all)" in reminders[0].text
    session.expire_all()
    assert sorted(session.scalars(select(HoursEntry.reminder_count)).all()) == [0, 0, 1, 1]


def test_failed_jobs_retry_with_backoff_then_are_listed_for_admins_and_can_be_redriven(
    inproc, session, smtp, worker_engine, worker_env, configure, client_for
):
    f = Factory(session)
    user = f.user("organisation_manager", email="unlucky@charity.example")
    admin = f.user("admin")
    session.commit()
    configure(worker_env, BROKERAGE_SMTP_PORT="1", BROKERAGE_WORKER_MAX_ATTEMPTS="3")
    from brokerage import events
    from brokerage.outbox import enqueue

    enqueue(session, events.PasswordResetRequested(user_id=user.id, token="secret-token"))
    session.commit()
    settle(worker_engine)
    job = session.scalars(select(OutboxMessage).where(OutboxMessage.actor == "account.password_reset")).one()
    session.refresh(job)
    assert (job.status, job.attempts) == ("failed", 3)

    client = client_for(admin)
    failed = client.get("/jobs/failed").json()
    assert failed["total"] == 1
    item = failed["items"][0]
    assert item["id"] == job.id and item["actor"] == "account.password_reset"
    assert item["payload"]["token"] == "[hidden]" and "mail server" in item["last_error"]
    assert client_for(user).get("/jobs/failed").status_code == 403
    assert client_for().get("/jobs/stats").status_code == 401

    configure(worker_env)  # the mail server is back
    assert client.post(f"/jobs/{job.id}/redrive").json()["status"] == "pending"
    assert client.post(f"/jobs/{job.id}/redrive").status_code == 409
    settle(worker_engine)
    assert [m.to for m in smtp.messages] == ["unlucky@charity.example"]
    stats = client.get("/jobs/stats").json()
    assert {"kind": "password_reset", "sent": 1, "failed": 0, "capped": 0} in stats["deliveries"]
    assert {"actor": "account.password_reset", "pending": 0, "dispatched": 0, "done": 1, "failed": 0} in stats["jobs"]
    assert client.get("/jobs/failed").json()["total"] == 0
