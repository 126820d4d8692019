"""Role events: tell the best-fit consenting volunteers about a newly published role; close listings
past their end and ask posters to refresh those closing soon."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from sqlalchemy import select

from brokerage.dates import long_date
from brokerage import events
from brokerage.db import session_scope
from brokerage.jobs import service as jobs_service
from brokerage.models import Role
from brokerage.outbox import enqueue
from brokerage.roles import service as roles_service
from brokerage.roles import views
from brokerage.volunteers import service as volunteers_service
from workers import notify
from workers.actors._common import actor, chunks, claim, logger
from workers.mail import render, unsubscribe_url
from workers.settings import get_worker_settings


@actor(events.RolePublished)
def role_published(role_id: int) -> None:
    """Pick the best-fit volunteers who asked for instant emails and record the sends as jobs."""
    from brokerage.matches import service as matches_service  # the matching library: loaded at worker boot

    ws = get_worker_settings()
    with session_scope() as session:
        role = session.get(Role, role_id)
        if role is None or role.status != "published":
            return
        key = f"role.published:{role_id}:{role.published_at:%Y%m%d%H%M%S}" if role.published_at else f"role.published:{role_id}"
        if not claim(session, key, "fanout", role_id):
            return
        pool = matches_service.candidate_pool(session, role_id)  # read once for the candidates and their reasons
        candidates = matches_service.candidates_for_role(session, role_id, limit=ws.role_candidates, pool=pool)
        wanted = {r.id for r in volunteers_service.role_email_recipients(session, [c.volunteer_id for c in candidates])}
        chosen = [c for c in candidates if c.volunteer_id in wanted]
        # The candidates' explanations are written for the role's managers: each email says why to its reader.
        said_to_them = matches_service.reasons_for_volunteers(session, role_id, [c.volunteer_id for c in chosen], pool=pool)
        for part in chunks(chosen, ws.role_email_chunk):
            enqueue(
                session,
                events.RoleMatchEmails(
                    role_id=role_id,
                    volunteer_ids=tuple(c.volunteer_id for c in part),
                    reasons={str(c.volunteer_id): said_to_them.get(c.volunteer_id, "") for c in part},
                ),
            )
        logger.info("Role %s published: %d volunteers to tell", role_id, len(chosen))


@actor(events.RoleMatchEmails)
def role_match(role_id: int, volunteer_ids: list[int], reasons: dict[str, str] | None = None) -> None:
    """Email each volunteer about the role once, within the weekly cap, unless they opted out."""
    reasons = reasons or {}
    with session_scope() as session:
        role = views.brief(session, role_id)
        if role is None or role.status != "published":
            return
        volunteers = volunteers_service.role_email_recipients(session, volunteer_ids)
        keys = {v.id: f"role_match:{role_id}:{v.id}" for v in volunteers}
        done = notify.existing_keys(session, keys.values())
    outgoing = [
        notify.Outgoing(
            key=keys[v.id],
            recipient=v.email,
            volunteer_id=v.id,
            role_id=role_id,
            build=partial(
                render,
                "role_match",
                keys[v.id],
                v.email,
                f"{v.first_name} {v.last_name}".strip(),
                unsubscribe=unsubscribe_url(volunteer_id=v.id),
                first_name=v.first_name,
                role=role,
                reason=reasons.get(str(v.id), ""),
            ),
        )
        # Each role's jobs go through the same volunteers in a different order, so that two roles'
        # jobs for the same people do not queue behind each other for each volunteer's lock.
        for v in sorted(volunteers, key=lambda v: hash((role_id, v.id)))  # stable: ints are not salted
        if keys[v.id] not in done
    ]
    notify.deliver_many(outgoing, kind="role_match", capped=True)


@actor(events.RoleChanged)
def role_changed(role_id: int) -> None:
    """Nothing to send: recorded so that the event is handled (search and reports read the table)."""


@actor(events.RoleExpiryDue)
def role_expire_due(day: str) -> None:
    """Close roles past their publish end; ask posters to refresh roles that close within a week."""
    today = date.fromisoformat(day)
    ws = get_worker_settings()
    reminders = []
    with session_scope() as session:
        closed = roles_service.expire_due(session, today)
        if closed:
            logger.info("Closed %d listings past their publish end", len(closed))
        closing = session.scalars(
            select(Role.id).where(
                Role.status == "published",
                Role.publish_end.is_not(None),
                Role.publish_end >= today,
                Role.publish_end <= today + timedelta(days=ws.refresh_reminder_days),
            )
        ).all()
        for role_id in closing:
            role = views.brief(session, role_id)
            if role is None or role.publish_end is None:  # closed or changed since the query
                continue
            closes_on = long_date(role.publish_end)
            for email, name in roles_service.listing_recipients(session, role):
                reminders.append((f"role_refresh:{role_id}:{role.publish_end}:{email.lower()}", email, name, role, closes_on))
        blocked = jobs_service.suppressed(session, [r[1] for r in reminders])
    for key, email, name, role, closes_on in reminders:
        if email.lower() in blocked:
            continue
        notify.deliver(
            partial(
                render,
                "role_refresh",
                key,
                email,
                name,
                unsubscribe=unsubscribe_url(email=email),
                role=role,
                closes_on=closes_on,
            ),
            kind="role_refresh",
            key=key,
            recipient=email,
            role_id=role.id,
        )
