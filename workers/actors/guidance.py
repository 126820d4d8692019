"""Guidance and training events: confirm a booked place on a centre's training, to the person the
place is for and to the manager who booked it for them (once each, however often the job runs)."""

from __future__ import annotations

from functools import partial

from brokerage import events, links
from brokerage.db import session_scope
from brokerage.guidance import service as guidance_service
from brokerage.shifts.service import describe
from workers import notify
from workers.actors._common import actor
from workers.mail import render


@actor(events.TrainingPlaceBooked)
def training_booked(booking_id: int) -> None:
    with session_scope() as session:
        found = guidance_service.confirmation(session, booking_id)
    if found is None:  # cancelled before the email went
        return
    context = {
        "title": found.title,
        "when": describe(found.starts_at, found.ends_at),
        "place": found.place,
        "online_url": found.online_url,
        "organisation_name": found.organisation_name,
        "centre_name": found.centre_name,
        "attendee_name": found.to_name,
        "event_url": links.absolute(links.support_training_page(found.event_id)),
    }
    recipients: list[tuple[str, str, str | None]] = [(found.to, found.to_name, None)]
    if found.booked_by is not None:
        recipients.append((found.booked_by[0], found.booked_by[1], found.to_name))
    for address, name, booked_for in recipients:
        key = f"training_booked:{booking_id}:{address.strip().lower()}"
        notify.deliver(
            partial(render, "training_booked", key, address, name, to_first=name.split(" ")[0], booked_for=booked_for, **context),
            kind="training_booked",
            key=key,
            recipient=address,
        )
