"""The report's re-engagement figures equal a count of the rows they summarise (on PostgreSQL and
SQLite): volunteers whose first sent re-engagement email falls in the period, and those of them with
a referral made at or after that first email."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from brokerage.models import Delivery, Referral, Volunteer
from brokerage.reports import service
from brokerage.reports.schemas import ReportParams
from brokerage.volunteers import quiet
from tests.factories import ASHFORD, MAIDSTONE, Factory
from tests.reports import dataset
from tests.reports.test_report_figures import PILOT


def _by_hand(session, districts, start: date, end: date) -> tuple[int, int]:
    since, until = datetime.combine(start, datetime.min.time()), datetime.combine(end + timedelta(days=1), datetime.min.time())
    home = dict(session.execute(select(Volunteer.id, Volunteer.district_gss)).all())
    first: dict[int, datetime] = {}
    for vid, at in session.execute(
        select(Delivery.volunteer_id, Delivery.created_at).where(Delivery.kind == "reengagement", Delivery.status == "sent")
    ):
        if vid in home and since <= at < until and (districts is None or home[vid] in districts):
            first[vid] = min(at, first.get(vid, at))
    referrals = session.execute(select(Referral.volunteer_id, Referral.created_at)).all()
    again = {vid for vid, at in referrals if vid in first and at >= first[vid]}
    return len(first), len(again)


def test_reengagement_figures_are_counts_of_the_emails_and_referrals(db):
    session = db
    f = Factory(session)
    role, other = f.role(f.organisation(ASHFORD)), f.role(f.organisation(ASHFORD))
    start, end = date.today() - timedelta(days=60), date.today()
    emailed_at = datetime.combine(start, datetime.min.time()) + timedelta(days=10, hours=9)
    people = [f.volunteer(ASHFORD) for _ in range(14)] + [f.volunteer(MAIDSTONE) for _ in range(6)]

    def email(v, at, status="sent", n=0):
        session.add(
            Delivery(
                key=f"reengagement:{v.id}:{n}",
                kind="reengagement",
                recipient=v.email,
                volunteer_id=v.id,
                status=status,
                created_at=at,
            )
        )

    def referral(v, at, to=role):
        session.add(Referral(volunteer_id=v.id, role_id=to.id, status="withdrawn", created_at=at))

    for v in people[:16]:
        email(v, emailed_at)
    email(people[16], emailed_at, status="failed")  # not sent: not counted
    email(people[17], emailed_at - timedelta(days=90))  # before the period
    email(people[18], emailed_at + timedelta(days=5))
    email(people[18], emailed_at - timedelta(days=1), n=1)  # the first in the period is this one
    session.add(Delivery(key="reengagement:gone:0", kind="reengagement", volunteer_id=None, created_at=emailed_at))
    session.add(Delivery(key="match:x", kind="match", volunteer_id=people[19].id, created_at=emailed_at))  # another kind

    for v in people[:6]:  # came back after the email
        referral(v, emailed_at + timedelta(days=2))
    referral(people[6], emailed_at)  # at the very moment: counts
    referral(people[7], emailed_at - timedelta(seconds=1))  # just before: does not
    referral(people[8], emailed_at - timedelta(days=30))
    referral(people[8], emailed_at + timedelta(days=1), to=other)  # one before, one after: counts once
    referral(people[9], emailed_at + timedelta(days=1))
    referral(people[9], emailed_at + timedelta(days=3), to=other)  # two after: counts once
    referral(people[14], emailed_at + timedelta(days=4))  # a Maidstone volunteer who came back
    referral(people[18], emailed_at)  # after their first email in the period, before their second
    referral(people[19], emailed_at + timedelta(days=1))  # never sent a re-engagement email
    session.commit()

    for districts in (None, frozenset({ASHFORD}), frozenset({MAIDSTONE}), frozenset({ASHFORD, MAIDSTONE})):
        sent, again = _by_hand(session, districts, start, end)
        figures = quiet.reengagement_report(session, districts, start, end)
        assert figures == {
            "emailed": "<5" if 0 < sent < 5 else sent,
            "started_again": "<5" if 0 < again < 5 or 0 < sent - again < 5 else again,
        }, districts
    assert _by_hand(session, None, start, end) == (17, 11)  # the case above is not empty
    assert quiet.reengagement_report(session, None, start, end) == {"emailed": 17, "started_again": 11}


def test_the_dashboards_report_is_the_full_report_without_its_sections(db, factory):
    """The pilot lead's dashboard asks for the report without leaving, re-engagement and training
    (it shows none of them): every other figure is the full report's."""
    dataset.build(db, factory)
    params = ReportParams(start="2025-01", end="2025-12", dimensions=["district", "quarter"])
    at = datetime(2026, 1, 5, 12, 0)
    full = service.build_report(db, PILOT, params, generated_at=at)
    short = service.build_report(db, PILOT, params, generated_at=at, sections=False)
    assert {k: v for k, v in short.items() if k not in ("leaving", "reengagement", "training")} == {
        k: v for k, v in full.items() if k not in ("leaving", "reengagement", "training")
    }
    assert (short["leaving"], short["reengagement"], short["training"]) == (None, None, None)
    assert full["leaving"] is not None and full["reengagement"] is not None and full["training"] is not None
