"""Safeguarding events: tell a centre's safeguarding leads that a concern is waiting for them. The
email names the case only: never who or what it is about, never its text."""

from __future__ import annotations

from functools import partial

from brokerage import events, links
from brokerage.db import session_scope
from brokerage.models import Centre, SafeguardingConcern
from brokerage.safeguarding import service as safeguarding_service
from workers import notify
from workers.actors._common import actor
from workers.mail import render


@actor(events.SafeguardingConcernRaised)
def concern_raised(concern_id: int) -> None:
    with session_scope() as session:
        concern = session.get(SafeguardingConcern, concern_id)
        if concern is None:
            return
        centre = session.get_one(Centre, concern.centre_id)
        centre_name = centre.name
        recipients = safeguarding_service.lead_recipients(session, concern.centre_id)
    for email, person in recipients:
        key = f"safeguarding_concern:{concern_id}:{email.lower()}"
        notify.deliver(
            partial(
                render,
                "safeguarding_concern",
                key,
                email,
                person,
                centre_name=centre_name,
                concern_id=concern_id,
                case_url=links.absolute(links.safeguarding_case_page(concern_id)),
            ),
            kind="safeguarding_concern",
            key=key,
            recipient=email,
        )
