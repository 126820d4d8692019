"""Volunteer events: email the best matches to someone who asked for instant emails; forget
addresses when a volunteer is erased."""

from __future__ import annotations

import hashlib

from sqlalchemy import select, update

from brokerage.db import session_scope
from brokerage.models import Delivery, Volunteer
from workers import notify
from workers.actors._common import actor, text_of
from workers.mail import render, unsubscribe_url
from workers.settings import get_worker_settings


def _send_matches(volunteer_id: int) -> None:
    from workers.matching import recommend_for_volunteer

    ws = get_worker_settings()
    with session_scope() as session:
        v = session.execute(
            select(
                Volunteer.id,
                Volunteer.first_name,
                Volunteer.last_name,
                Volunteer.email,
                Volunteer.contact_consent,
                Volunteer.notification_preference,
                Volunteer.status,
            ).where(Volunteer.id == volunteer_id)
        ).first()
        if v is None or not notify.volunteer_wants_role_emails(v) or notify.suppressed(session, [v.email]):
            return
        matches = recommend_for_volunteer(session, volunteer_id, limit=10)[: ws.instant_matches]
        if not matches:
            return
        ids = ",".join(str(m.role_id) for m in sorted(matches, key=lambda m: m.role_id))
        key = f"volunteer_matches:{volunteer_id}:{hashlib.sha1(ids.encode()).hexdigest()[:16]}"
        if notify.existing_keys(session, [key]):
            return
        from brokerage.config import get_settings

        base = get_settings().base_url.rstrip("/")
        roles = [
            {
                "id": m.role_id,
                "title": m.title,
                "organisation_name": m.organisation_name,
                "reason": text_of(m.explanation),
                "url": f"{base}/roles/{m.role_id}",
            }
            for m in matches
        ]
    notify.deliver(
        lambda: render(
            "volunteer_matches",
            key,
            v.email,
            f"{v.first_name} {v.last_name}".strip(),
            unsubscribe=unsubscribe_url(volunteer_id=v.id),
            first_name=v.first_name,
            roles=roles,
        ),
        kind="volunteer_matches",
        key=key,
        recipient=v.email,
        volunteer_id=v.id,
        role_id=matches[0].role_id,
        capped=True,
    )


@actor("volunteer.registered")
def volunteer_registered(volunteer_id: int) -> None:
    _send_matches(volunteer_id)


@actor("volunteer.updated")
def volunteer_updated(volunteer_id: int) -> None:
    _send_matches(volunteer_id)


@actor("volunteer.erased")
def volunteer_erased(volunteer_id: int) -> None:
    """Keep the counts of what was sent, not the address it went to."""
    with session_scope() as session:
        session.execute(update(Delivery).where(Delivery.volunteer_id == volunteer_id).values(recipient=None))
