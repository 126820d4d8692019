"""Role events: tell the best-fit consenting volunteers about a newly published role."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from brokerage.db import session_scope, utcnow
from brokerage.models import Delivery, Role, Volunteer
from brokerage.outbox import enqueue
from workers import notify
from workers.actors._common import actor, chunks, logger, role_view, text_of
from workers.mail import render, unsubscribe_url
from workers.settings import get_worker_settings


def _claim(session, key: str, kind: str, role_id: int | None = None) -> bool:
    """Claim a key inside the session's transaction (so a fan-out and its jobs commit together)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    return (
        session.execute(
            insert(Delivery)
            .values(key=key, kind=kind, role_id=role_id, status="done", created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Delivery.id)
        ).first()
        is not None
    )


@actor("role.published")
def role_published(role_id: int) -> None:
    """Pick the best-fit volunteers who asked for instant emails and record the sends as jobs."""
    from workers.matching import candidates_for_role

    ws = get_worker_settings()
    with session_scope() as session:
        role = session.get(Role, role_id)
        if role is None or role.status != "published":
            return
        if not _claim(
            session,
            f"role.published:{role_id}:{role.published_at:%Y%m%d%H%M%S}" if role.published_at else f"role.published:{role_id}",
            "fanout",
            role_id,
        ):
            return
        candidates = candidates_for_role(session, role_id, limit=ws.role_candidates)
        ids = [c.volunteer_id for c in candidates]
        wanted = {
            row.id: row
            for row in session.execute(
                select(
                    Volunteer.id, Volunteer.email, Volunteer.contact_consent, Volunteer.notification_preference, Volunteer.status
                ).where(Volunteer.id.in_(ids))
            )
        }
        blocked = notify.suppressed(session, [r.email for r in wanted.values()])
        chosen = [
            c
            for c in candidates
            if c.volunteer_id in wanted
            and notify.volunteer_wants_role_emails(wanted[c.volunteer_id])
            and wanted[c.volunteer_id].email.strip().lower() not in blocked
        ]
        for part in chunks(chosen, ws.role_email_chunk):
            enqueue(
                session,
                "notification.role_match",
                role_id=role_id,
                volunteer_ids=[c.volunteer_id for c in part],
                reasons={str(c.volunteer_id): text_of(c.explanation) for c in part},
            )
        logger.info("Role %s published: %d volunteers to tell", role_id, len(chosen))


@actor("notification.role_match")
def role_match(role_id: int, volunteer_ids: list[int], reasons: dict[str, str] | None = None) -> None:
    """Email each volunteer about the role once, within the weekly cap, unless they opted out."""
    reasons = reasons or {}
    with session_scope() as session:
        role = role_view(session, role_id)
        if role is None or role["status"] != "published":
            return
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
        keys = {v.id: f"role_match:{role_id}:{v.id}" for v in volunteers}
        done = notify.existing_keys(session, keys.values())
        blocked = notify.suppressed(session, [v.email for v in volunteers])
    outgoing = [
        notify.Outgoing(
            key=keys[v.id],
            recipient=v.email,
            volunteer_id=v.id,
            role_id=role_id,
            build=lambda v=v: render(
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
        if keys[v.id] not in done and notify.volunteer_wants_role_emails(v) and v.email.strip().lower() not in blocked
    ]
    notify.deliver_many(outgoing, kind="role_match", capped=True)


@actor("role.changed")
def role_changed(role_id: int) -> None:
    """Nothing to send: recorded so that the event is handled (search and reports read the table)."""
