"""Shifts on PostgreSQL, with committed data, real connections at once, the worker and SMTP: places
on a session are never oversold and a cancellation promotes exactly one from the waiting list (who is
emailed); the day-before reminder goes once per booking even with two schedulers; attendance proposes
hours that count only once the volunteer confirms them."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from brokerage.auth.service import build_principal
from brokerage.models import HoursEntry, HoursRollup, RoleSession, ScheduledRun, SessionBooking, User
from brokerage.shifts import service as shifts_service
from tests.factories import ASHFORD, Factory
from tests.workers.conftest import settle


def _principal(session: Session, user_id: int):
    return build_principal(session, session.get_one(User, user_id))


def _session_of(session: Session, role, starts_at: datetime, capacity: int) -> RoleSession:
    row = RoleSession(role_id=role.id, starts_at=starts_at, ends_at=starts_at + timedelta(hours=3), capacity=capacity)
    session.add(row)
    session.commit()
    return row


def test_thirty_ask_at_once_for_ten_places_then_a_cancellation_promotes_one(inproc, session, smtp, worker_db, worker_engine):
    f = Factory(session)
    org = f.organisation(ASHFORD, name="Romney Marsh Beach Clean")
    role = f.role(org, title="Beach cleaner")
    row = _session_of(session, role, datetime.now().replace(microsecond=0) + timedelta(days=3), capacity=10)
    volunteers = [f.volunteer(ASHFORD) for _ in range(30)]
    users = {v.id: v.user_id for v in volunteers}

    engine = create_engine(worker_db, pool_size=32, max_overflow=0)
    barrier = threading.Barrier(30)

    def book(volunteer_id: int) -> str:
        with Session(engine, expire_on_commit=False) as s:
            principal = _principal(s, users[volunteer_id])
            barrier.wait(timeout=60)
            booking = shifts_service.book(s, principal, row.id)
            s.commit()
            return booking.status

    try:
        with ThreadPoolExecutor(max_workers=30) as pool:
            outcomes = Counter(pool.map(book, list(users)))
    finally:
        engine.dispose()
    assert outcomes == {"booked": 10, "waiting": 20}
    stored = Counter(session.scalars(select(SessionBooking.status).where(SessionBooking.session_id == row.id)))
    assert stored == {"booked": 10, "waiting": 20}

    first_waiting = session.scalars(
        select(SessionBooking)
        .where(SessionBooking.session_id == row.id, SessionBooking.status == "waiting")
        .order_by(SessionBooking.created_at, SessionBooking.id)
    ).first()
    leaver = session.scalars(
        select(SessionBooking).where(SessionBooking.session_id == row.id, SessionBooking.status == "booked")
    ).first()
    shifts_service.cancel(session, _principal(session, users[leaver.volunteer_id]), row.id)
    session.commit()
    settle(worker_engine)

    session.expire_all()
    stored = Counter(session.scalars(select(SessionBooking.status).where(SessionBooking.session_id == row.id)))
    assert stored == {"booked": 10, "waiting": 19, "cancelled": 1}
    assert session.get_one(SessionBooking, first_waiting.id).status == "booked"
    promoted = next(v for v in volunteers if v.id == first_waiting.volunteer_id)
    letters = smtp.of_kind("session_place")
    assert [m.to for m in letters] == [promoted.email]
    assert "Beach cleaner" in letters[0].subject and "/opportunities/" in letters[0].text


class _AlwaysLeader:
    """A lease that says yes to everyone: two schedulers that both think they lead."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


def test_the_day_before_reminder_goes_once_per_booking_with_two_schedulers(inproc, session, smtp, worker_engine):
    from workers.scheduler import JOBS, Scheduler

    f = Factory(session)
    org = f.organisation(ASHFORD, name="Ashford Repair Cafe")
    role = f.role(org, title="Repair cafe fixer")
    schedulers = [Scheduler(lease=_AlwaysLeader(), jobs=JOBS) for _ in range(2)]
    now = schedulers[0].clock().replace(hour=12, minute=0, second=0, microsecond=0)
    tomorrow = _session_of(
        session, role, datetime.combine(now.date() + timedelta(days=1), datetime.min.time()) + timedelta(hours=10), 3
    )
    later = _session_of(session, role, tomorrow.starts_at + timedelta(days=2), 3)
    people = [f.volunteer(ASHFORD) for _ in range(6)]
    for v, (row, status) in zip(
        people,
        [(tomorrow, "booked")] * 3 + [(tomorrow, "waiting"), (tomorrow, "cancelled"), (later, "booked")],
        strict=True,
    ):
        session.add(SessionBooking(session_id=row.id, volunteer_id=v.id, status=status))
    session.commit()

    barrier = threading.Barrier(2)

    def tick(scheduler) -> list[str]:
        barrier.wait(timeout=30)
        return scheduler.start_due(now)

    with ThreadPoolExecutor(max_workers=2) as pool:
        started = [name for run in pool.map(tick, schedulers) for name in run]
    assert started.count(f"shifts.reminders:{now.date().isoformat()}") == 1
    settle(worker_engine)
    for scheduler in schedulers:  # they tick again later the same day: nothing more is started
        scheduler.start_due(now + timedelta(hours=1))
    settle(worker_engine)

    reminders = smtp.of_kind("session_reminder")
    assert sorted(m.to for m in reminders) == sorted(v.email for v in people[:3])
    assert all("Repair cafe fixer" in m.subject for m in reminders)
    runs = select(func.count()).select_from(ScheduledRun).where(ScheduledRun.job == "shifts.reminders")
    assert session.scalar(runs) == 1


def test_attendance_proposes_hours_that_count_once_the_volunteer_confirms(inproc, session, smtp, worker_engine):
    f = Factory(session)
    org = f.organisation(ASHFORD, name="Kennington Community Garden")
    manager = f.user("organisation_manager", organisations=(org,))
    role = f.role(org, title="Garden volunteer")
    came, missed = f.volunteer(ASHFORD), f.volunteer(ASHFORD)
    start = datetime.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    row = RoleSession(role_id=role.id, starts_at=start, ends_at=start + timedelta(hours=2, minutes=30), capacity=5)
    session.add(row)
    session.flush()
    bookings = [SessionBooking(session_id=row.id, volunteer_id=v.id, status="booked") for v in (came, missed)]
    session.add_all(bookings)
    session.commit()

    proposed = shifts_service.record_attendance(
        session,
        _principal(session, manager.id),
        row.id,
        {bookings[0].id: shifts_service.session_hours(row), bookings[1].id: None},
    )
    session.commit()
    settle(worker_engine)
    assert [(e.volunteer_id, e.hours, e.status) for e in proposed] == [(came.id, Decimal("2.50"), "proposed")]
    letters = smtp.of_kind("hours_proposed")
    assert [m.to for m in letters] == [came.email] and "Garden volunteer" in letters[0].subject

    def counted() -> Decimal:
        session.expire_all()
        return session.scalar(
            select(func.coalesce(func.sum(HoursRollup.hours), 0)).where(
                HoursRollup.volunteer_id == came.id, HoursRollup.period_kind == "month"
            )
        )

    assert counted() == 0  # proposed hours do not count yet
    shifts_service.record_attendance(session, _principal(session, manager.id), row.id, {bookings[0].id: Decimal("9")})
    session.commit()
    assert session.scalar(select(func.count()).select_from(HoursEntry)) == 1  # marked once: a second marking changes nothing

    from brokerage.hours import service as hours_service

    hours_service.confirm(session, _principal(session, came.user_id), proposed[0].id)
    session.commit()
    settle(worker_engine)
    assert counted() == Decimal("2.50")
    assert session.get_one(HoursEntry, proposed[0].id).status == "approved"
