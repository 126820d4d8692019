"""The weekly digest of new matching roles, for volunteers who chose it."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select

from brokerage import events
from brokerage.db import session_scope, utcnow
from brokerage.models import Role, Volunteer
from brokerage.outbox import enqueue
from brokerage.roles import views
from brokerage.volunteers import reminders
from brokerage.volunteers import service as volunteers_service
from workers import notify
from workers.actors._common import actor, chunks, claim, logger
from workers.mail import render, unsubscribe_url
from workers.settings import get_worker_settings


@actor(events.WeeklyDigestDue)
def digest_weekly(week: str) -> None:
    """Split the week's digest into jobs of a few volunteers each (recorded once per week). A job
    for a week that has gone by sends nothing: its roles are no longer new."""
    ws = get_worker_settings()
    if week != reminders.iso_week(datetime.now(ZoneInfo(ws.timezone)).date()):
        logger.info("The digest of %s is past; not sent", week)
        return
    with session_scope() as session:
        if not claim(session, reminders.digest_week_key(week), "fanout"):
            return
        ids = list(
            session.scalars(
                select(Volunteer.id)
                .where(
                    Volunteer.status == "active",
                    Volunteer.contact_consent.is_(True),
                    Volunteer.notification_preference == "weekly_digest",
                    Volunteer.email.is_not(None),
                )
                .order_by(Volunteer.id)
            )
        )
        for part in chunks(ids, ws.send_chunk):
            enqueue(session, events.DigestEmails(volunteer_ids=tuple(part), week=week))


@actor(events.DigestEmails)
def digest_send(volunteer_ids: list[int], week: str) -> None:
    from brokerage.matches import service as matches_service  # the matching library: loaded at worker boot

    ws = get_worker_settings()
    since = utcnow() - timedelta(days=7)
    with session_scope() as session:
        volunteers = volunteers_service.role_email_recipients(session, volunteer_ids, preference="weekly_digest")
        keys = {v.id: f"digest:{v.id}:{week}" for v in volunteers}
        done = notify.existing_keys(session, keys.values())
        plans = []
        for v in volunteers:
            if keys[v.id] in done:
                continue
            matches = matches_service.recommend_for_volunteer(session, v.id, limit=max(10, ws.digest_roles * 2))
            fresh = set(
                session.scalars(select(Role.id).where(Role.id.in_([m.role_id for m in matches]), Role.published_at >= since))
            )
            roles = views.matched_roles(matches, only=fresh)[: ws.digest_roles]
            if roles:
                plans.append((v, roles))
    for v, roles in plans:
        key = keys[v.id]
        notify.deliver(
            partial(
                render,
                "digest",
                key,
                v.email,
                f"{v.first_name} {v.last_name}".strip(),
                unsubscribe=unsubscribe_url(volunteer_id=v.id),
                first_name=v.first_name,
                roles=roles,
                week=week,
            ),
            kind="digest",
            key=key,
            recipient=v.email,
            volunteer_id=v.id,
        )
