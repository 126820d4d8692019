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
