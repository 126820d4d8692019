"""Emergency call-out events: choose each batch of volunteers (nearest first, under a lock on the
call-out) and email them, each once, with signed links to say yes or no. Who is asked, and when the
next batch goes, are the rules of brokerage/callouts/service.py."""

from __future__ import annotations

from functools import partial
from typing import Any

from brokerage import events, links
from brokerage.callouts import service as callouts_service
from brokerage.config import get_settings
from brokerage.db import session_scope
from brokerage.geo import default_gazetteer
from brokerage.models import CalloutInvitation
from brokerage.vocab.taxonomies import skill_label
from sqlalchemy import select

from workers import notify
from workers.actors._common import actor
from workers.mail import render


@actor(events.CalloutRaised)
def callout_raised(callout_id: int) -> None:
    with session_scope() as session:
        callouts_service.next_batch(session, callout_id, reason="raised")


@actor(events.CalloutAnswered)
def callout_answered(callout_id: int) -> None:
    with session_scope() as session:
        callouts_service.next_batch(session, callout_id, reason="answered")


@actor(events.CalloutBatchDue)
def callout_batch_due(callout_id: int, after_batch: int) -> None:
    with session_scope() as session:
        callouts_service.next_batch(session, callout_id, reason="due", after_batch=after_batch)


def _distance(miles: float) -> str:
    return "less than a mile" if miles < 1 else f"{miles:.0f} mile{'s' if round(miles) != 1 else ''}"


@actor(events.CalloutEmails)
def callout_emails(callout_id: int, batch: int) -> None:
    """Email one batch: each person once (their delivery key), with links that answer for them."""
    with session_scope() as session:
        rows = session.scalars(
            select(CalloutInvitation)
            .where(CalloutInvitation.callout_id == callout_id, CalloutInvitation.batch == batch)
            .order_by(CalloutInvitation.distance_miles, CalloutInvitation.id)
        ).all()
        letters: list[tuple[str, str, int, dict[str, Any]]] = []
        for invitation in rows:
            found = callouts_service.email_for(session, invitation)
            if found is None:
                continue
            v, callout = found
            own = {
                "first_name": v.first_name,
                "distance": _distance(invitation.distance_miles),
                "accept_url": links.absolute(callouts_service.answer_path(invitation, "accept")),
                "decline_url": links.absolute(callouts_service.answer_path(invitation, "decline")),
            }
            letters.append((v.email or "", v.full_name, v.id, own))
        if not letters:
            return
        common: dict[str, Any] = {
            "title": callout.title,
            "postcode": callout.postcode,
            "district": default_gazetteer().district_name(callout.district_gss) if callout.district_gss else None,
            "starts_at": callout.starts_at,
            "ends_at": callout.ends_at,
            "skills": ", ".join(skill_label(s).lower() for s in callout.skills or []),
            "message": callout.message,
            "centre_name": callouts_service.centre_name(session, callout),
            "days": max(1, get_settings().callout_link_max_age_seconds // 86_400),
            "settings_url": links.absolute(links.MY_EMERGENCY),
        }
    with notify.connection() as conn:
        for to, name, vid, own in letters:
            key = f"callout:{callout_id}:{vid}"
            notify.deliver(
                partial(render, "callout", key, to, name, **common, **own),
                kind="callout",
                key=key,
                recipient=to,
                volunteer_id=vid,
                conn=conn,
            )
