"""Shift events: tell a volunteer a place came free for them, remind everyone booked on a session
the day before (once per booking), and ask a volunteer to confirm hours proposed from a session."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

from brokerage import events, links
from brokerage.db import session_scope
from brokerage.jobs import service as jobs_service
from brokerage.models import HoursEntry, Organisation, Placement, Role, RoleSession, SessionBooking, Volunteer
from brokerage.shifts import service as shifts_service
from workers import notify
from workers.actors._common import actor
from workers.mail import render


@actor(events.SessionPlaceOffered)
def place_offered(booking_id: int) -> None:
    """Email the volunteer who was first on the waiting list that the freed place is theirs."""
    with session_scope() as session:
        booking = session.get(SessionBooking, booking_id)
        if booking is None or booking.status != "booked":
            return
        row = session.get_one(RoleSession, booking.session_id)
        role = session.get_one(Role, row.role_id)
        org = session.get_one(Organisation, role.organisation_id)
        v = session.get_one(Volunteer, booking.volunteer_id)
        if v.status != "active" or not v.email:  # a service message: it is their place
            return
        email, name, volunteer_id, role_id = v.email, v.full_name, v.id, role.id
        context = {
            "first_name": v.first_name,
            "role_title": role.title,
            "organisation_name": org.name,
            "when": shifts_service.describe(row.starts_at, row.ends_at),
            "role_url": links.absolute(links.role_page(role.id)),
        }
    key = f"session_place:{booking_id}"
    notify.deliver(
        partial(render, "session_place", key, email, name, **context),
        kind="session_place",
        key=key,
        recipient=email,
        volunteer_id=volunteer_id,
        role_id=role_id,
    )


@actor(events.SessionRemindersDue)
def session_reminders(day: str) -> None:
    """The day before a session, remind each volunteer booked on it: once per booking, however
    many times the job runs."""
    tomorrow = date.fromisoformat(day) + timedelta(days=1)
    with session_scope() as session:
        due = shifts_service.reminders_for(session, tomorrow)
        blocked = jobs_service.suppressed(session, [r.email for r in due])
    with notify.connection() as conn:
        for r in due:
            if r.email.strip().lower() in blocked:
                continue
            key = f"session_reminder:{r.booking_id}"
            notify.deliver(
                partial(
                    render,
                    "session_reminder",
                    key,
                    r.email,
                    f"{r.first_name} {r.last_name}".strip(),
                    first_name=r.first_name,
                    role_title=r.role_title,
                    organisation_name=r.organisation_name,
                    when=shifts_service.describe(r.starts_at, r.ends_at),
                    where=r.where,
                    role_url=links.absolute(links.role_page(r.role_id)),
                ),
                kind="session_reminder",
                key=key,
                recipient=r.email,
                volunteer_id=r.volunteer_id,
                role_id=r.role_id,
                conn=conn,
            )


@actor(events.HoursProposed)
def hours_proposed(hours_entry_id: int) -> None:
    """Ask the volunteer to confirm the hours their organisation recorded for a session."""
    with session_scope() as session:
        entry = session.get(HoursEntry, hours_entry_id)
        if entry is None or entry.status != "proposed":
            return
        placement = session.get_one(Placement, entry.placement_id)
        role = session.get_one(Role, placement.role_id)
        org = session.get_one(Organisation, placement.organisation_id)
        v = session.get_one(Volunteer, entry.volunteer_id)
        if v.status != "active" or not v.email:  # a service message: their own hours
            return
        email, name, volunteer_id = v.email, v.full_name, v.id
        context: dict[str, Any] = {
            "first_name": v.first_name,
            "role_title": role.title,
            "organisation_name": org.name,
            "worked_on": entry.worked_on,
            "hours": f"{entry.hours.normalize():f}",
            "hours_url": links.absolute(links.MY_HOURS),
        }
    key = f"hours_proposed:{hours_entry_id}"
    notify.deliver(
        partial(render, "hours_proposed", key, email, name, **context),
        kind="hours_proposed",
        key=key,
        recipient=email,
        volunteer_id=volunteer_id,
    )
