"""The weekly digest of new matching roles, for volunteers who chose it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from brokerage.config import get_settings
from brokerage.db import session_scope, utcnow
from brokerage.models import Role, Volunteer
from brokerage.outbox import enqueue
from workers import notify
from workers.actors._common import actor, chunks, text_of
from workers.actors.roles import _claim
from workers.mail import render, unsubscribe_url
from workers.settings import get_worker_settings


@actor("digest.weekly")
def digest_weekly(week: str) -> None:
    """Split the week's digest into jobs of a few volunteers each (recorded once per week)."""
    ws = get_worker_settings()
    with session_scope() as session:
        if not _claim(session, f"digest.weekly:{week}", "fanout"):
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
            enqueue(session, "digest.send", volunteer_ids=part, week=week)


@actor("digest.send")
def digest_send(volunteer_ids: list[int], week: str) -> None:
    from workers.matching import recommend_for_volunteer

    ws = get_worker_settings()
    since = utcnow() - timedelta(days=7)
    base = get_settings().base_url.rstrip("/")
    with session_scope() as session:
        volunteers = session.execute(
            select(
                Volunteer.id,
                Volunteer.first_name,
                Volunteer.last_name,
                Volunteer.email,
                Volunteer.contact_consent,
                Volunteer.notification_preference,
                Volunteer.status,
            )
            .where(Volunteer.id.in_(volunteer_ids))
            .order_by(Volunteer.id)
        ).all()
        keys = {v.id: f"digest:{v.id}:{week}" for v in volunteers}
        done = notify.existing_keys(session, keys.values())
        blocked = notify.suppressed(session, [v.email for v in volunteers])
        plans = []
        for v in volunteers:
            if (
                keys[v.id] in done
                or not notify.volunteer_wants_role_emails(v, preference="weekly_digest")
                or v.email.lower() in blocked
            ):
                continue
            matches = recommend_for_volunteer(session, v.id, limit=max(10, ws.digest_roles * 2))
            fresh = set(
                session.scalars(select(Role.id).where(Role.id.in_([m.role_id for m in matches]), Role.published_at >= since))
            )
            roles = [
                {
                    "id": m.role_id,
                    "title": m.title,
                    "organisation_name": m.organisation_name,
                    "reason": text_of(m.explanation),
                    "url": f"{base}/roles/{m.role_id}",
                }
                for m in matches
                if m.role_id in fresh
            ][: ws.digest_roles]
            if roles:
                plans.append((v, roles))
    for v, roles in plans:
        key = keys[v.id]
        notify.deliver(
            lambda v=v, roles=roles, key=key: render(
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
