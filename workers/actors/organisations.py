"""Organisation events: tell an organisation the outcome of its verification."""

from __future__ import annotations

from functools import partial

from brokerage import events, links
from brokerage.db import session_scope
from brokerage.models import Organisation
from brokerage.organisations import service as organisations_service
from workers import notify
from workers.actors._common import actor
from workers.mail import render


@actor(events.OrganisationRegistered)
def organisation_registered(organisation_id: int) -> None:
    """Centre staff see new organisations in their verification queue; no email is needed."""


@actor(events.OrganisationVerificationDecided)
def verification_decided(organisation_id: int) -> None:
    with session_scope() as session:
        org = session.get(Organisation, organisation_id)
        if org is None or org.verification_status not in ("verified", "rejected"):
            return
        status, note, name = org.verification_status, org.verification_note, org.name
        stamp = f"{org.verified_at:%Y%m%d%H%M%S}" if org.verified_at else "0"
        recipients = organisations_service.recipients(session, organisation_id)
    decision = "approved" if status == "verified" else "not approved"
    for email, person in recipients:
        key = f"organisation_verification:{organisation_id}:{status}:{stamp}:{email.lower()}"
        notify.deliver(
            partial(
                render,
                "organisation_verification",
                key,
                email,
                person,
                organisation_name=name,
                decision=decision,
                verified=status == "verified",
                note=note,
                organisation_url=links.absolute(links.organisation_page(organisation_id)),
            ),
            kind="organisation_verification",
            key=key,
            recipient=email,
        )
