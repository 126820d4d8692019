"""Training on PostgreSQL, with committed data, real connections at once, the worker and SMTP:
several managers ask at the same instant for the last place on a training event and exactly one
gets it (the others are told it is full); the winner's place is confirmed by email, with a link
that opens the training's page."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from brokerage.auth.service import build_principal
from brokerage.errors import Conflict
from brokerage.guidance import service as guidance_service
from brokerage.guidance.schemas import BookingIn
from brokerage.models import TrainingBooking, TrainingEvent, User
from tests.factories import ASHFORD, Factory
from tests.workers.conftest import settle


def test_eight_bookings_for_the_last_place_at_once_make_exactly_one(inproc, session, smtp, worker_db, worker_engine):
    f = Factory(session)
    centre = f.centre("Ashford Volunteer Centre", (ASHFORD,), is_lead=True)
    staff = f.user("centre_staff", centre=centre)
    organisations = [f.organisation(ASHFORD, name=f"Ashford Group {i}") for i in range(9)]
    first, *rest = [f.user("organisation_manager", organisations=(o,)) for o in organisations]
    starts = datetime.combine(date.today() + timedelta(days=10), datetime.min.time()) + timedelta(hours=18)
    event = TrainingEvent(
        centre_id=centre.id,
        title="Recruiting volunteers online",
        description="An evening on writing roles that people answer.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        online_url="https://meet.example.org/recruiting",
        capacity=2,
        status="published",
        created_by_user_id=staff.id,
    )
    session.add(event)
    session.commit()
    guidance_service.book(session, build_principal(session, first), event.id, BookingIn())
    session.commit()

    engine = create_engine(worker_db, pool_size=len(rest) + 2, max_overflow=0)
    barrier = threading.Barrier(len(rest))

    def book(user_id: int) -> str:
        with Session(engine, expire_on_commit=False) as s:
            principal = build_principal(s, s.get_one(User, user_id))
            barrier.wait(timeout=60)
            try:
                guidance_service.book(s, principal, event.id, BookingIn())
            except Conflict as exc:
                s.rollback()
                return "full" if "full" in exc.message else exc.message
            s.commit()
            return "booked"

    try:
        with ThreadPoolExecutor(max_workers=len(rest)) as pool:
            outcomes = Counter(pool.map(book, [u.id for u in rest]))
    finally:
        engine.dispose()
    print(f"\n{len(rest)} bookings at once for the last of 2 places: {dict(outcomes)}")
    assert outcomes == {"booked": 1, "full": len(rest) - 1}
    held = session.scalar(select(func.count()).where(TrainingBooking.event_id == event.id, TrainingBooking.status == "booked"))
    assert held == 2

    settle(worker_engine)
    letters = smtp.of_kind("training_booked")
    assert len(letters) == 2
    winner = session.scalars(
        select(TrainingBooking).where(TrainingBooking.event_id == event.id).order_by(TrainingBooking.id.desc())
    ).first()
    letter = next(m for m in letters if winner.attendee_email in m.rcpt_tos)
    assert "Recruiting volunteers online" in letter.subject and "https://meet.example.org/recruiting" in letter.text
    assert f"/manage/support/training/{event.id}" in letter.text


def test_organisations_supported_through_training_match_a_count_of_the_rows(session, client_for, configure, worker_env):
    """The report (API, page, CSV, spreadsheet, printable) and the centre's own figures count the
    distinct organisations with a place booked or attended, as a count of the rows does."""
    from sqlalchemy import text

    from brokerage.reports import training
    from tests.factories import MAIDSTONE
    from tests.workers.test_leaving import _cells, export_figures, printed

    configure(worker_env)  # the pages read this test's database
    f = Factory(session)
    centre = f.centre("Ashford Volunteer Centre", (ASHFORD,))  # not the lead centre: its staff see Ashford only
    staff = f.user("centre_staff", centre=centre)
    pilot = f.user("pilot_lead")
    ashford = [f.organisation(ASHFORD, name=f"Ashford Group {i}") for i in range(7)]
    maidstone = f.organisation(MAIDSTONE, name="Maidstone Riverside Friends")
    today = date.today()

    def event(day: date, title: str) -> TrainingEvent:
        at = datetime.combine(day, datetime.min.time()) + timedelta(hours=1)
        row = TrainingEvent(
            centre_id=centre.id,
            title=title,
            starts_at=at,
            ends_at=at + timedelta(hours=2),
            place="Hall",
            capacity=30,
            status="published",
        )
        session.add(row)
        session.flush()
        return row

    def place(row: TrainingEvent, org, who: str, status: str) -> None:
        session.add(
            TrainingBooking(
                event_id=row.id,
                organisation_id=org.id,
                attendee_name=who,
                attendee_email=f"{who}@example.org",
                attendee_email_normalised=f"{who}@example.org",
                status=status,
            )
        )

    recent = event(today.replace(day=1), "Trustee essentials")
    place(recent, ashford[0], "ann", "attended")
    place(recent, ashford[0], "bob", "attended")  # two people from one organisation: one organisation
    for i in range(1, 5):
        place(recent, ashford[i], f"p{i}", "booked" if i % 2 else "attended")
    place(recent, ashford[5], "cancelled", "cancelled")  # cancelled: not supported
    place(recent, maidstone, "mo", "booked")
    old = event(today - timedelta(days=800), "An old course")
    place(old, ashford[6], "old", "attended")  # before the period
    session.commit()

    start = today.replace(day=1) - timedelta(days=330)
    start = start.replace(day=1)
    until = datetime.combine((today.replace(day=28) + timedelta(days=5)).replace(day=1), datetime.min.time())

    def rows_counted(district: str | None) -> int:
        sql = (
            "SELECT count(DISTINCT b.organisation_id) FROM training_bookings b"
            " JOIN training_events e ON e.id = b.event_id JOIN organisations o ON o.id = b.organisation_id"
            " WHERE b.status IN ('booked', 'attended') AND e.starts_at >= :s AND e.starts_at < :u"
            + (" AND o.district_gss = :d" if district else "")
        )
        return int(session.execute(text(sql), {"s": start, "u": until, "d": district}).scalar_one())

    county, in_ashford = rows_counted(None), rows_counted(ASHFORD)
    assert (county, in_ashford) == (6, 5)
    api = client_for(session.get_one(User, pilot.id))
    query = f"start={start:%Y-%m}&end={today:%Y-%m}"
    body = api.get(f"/reports?{query}").json()
    assert body["training"] == {"organisations_supported": county, "places": 7}
    assert api.get(f"/reports?{query}&district={ASHFORD}").json()["training"]["organisations_supported"] == in_ashford
    assert api.get(f"/reports?{query}&district={MAIDSTONE}").json()["training"]["organisations_supported"] == "<5"
    # a centre's staff report on their own districts
    own = client_for(session.get_one(User, staff.id)).get(f"/reports?{query}").json()
    assert own["training"]["organisations_supported"] == in_ashford

    html = api.get("/pilot/reports?show=1&period_kind=last12").text
    label = "Organisations supported through training (a place booked or attended)"
    assert _cells(html, label) == [str(county)]
    got = export_figures(api, "period_kind=last12")
    assert got["csv"][("training", "total", "", "training_organisations")] == str(county)
    assert got["xlsx"][("training", "total", "All", "training_organisations")] == str(county)
    assert printed(got["html"], label) == [str(county)]

    # The centre's own figures: its training over the last 12 months, wherever the organisation is.
    figures = training.centre_figures(session, build_principal(session, staff))
    centre_rows = session.execute(
        text(
            "SELECT count(DISTINCT b.organisation_id), count(*) FROM training_bookings b JOIN training_events e ON e.id = b.event_id"
            " WHERE e.centre_id = :c AND b.status IN ('booked', 'attended') AND e.starts_at >= :s AND e.starts_at < :now"
        ),
        {"c": centre.id, "s": datetime.combine(today - timedelta(days=365), datetime.min.time()), "now": datetime.now()},
    ).one()
    assert (figures.organisations, figures.places) == tuple(centre_rows) == (6, 7)
