"""Background jobs as admins see them (failed jobs, re-drive, counts), and one-click unsubscribe.

Jobs are outbox rows; ``brokerage`` only reads and resets them, the relay and workers run them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage import audit, locking
from brokerage.auth import tokens
from brokerage.auth.principal import Principal
from brokerage.errors import Conflict, NotFound
from brokerage.jobs.schemas import DeliveryCount, JobCount, JobOut, JobStats
from brokerage.models import Delivery, EmailSuppression, OutboxMessage, Volunteer

# Payload keys never shown to anyone (a password reset token is as good as the password).
SECRET_KEYS = {"token"}


def to_out(job: OutboxMessage) -> JobOut:
    payload = {k: ("[hidden]" if k in SECRET_KEYS else v) for k, v in (job.payload or {}).items()}
    return JobOut(
        id=job.id,
        actor=job.actor,
        payload=payload,
        status=job.status,
        attempts=job.attempts,
        created_at=job.created_at,
        dispatched_at=job.dispatched_at,
        available_at=job.available_at,
        finished_at=job.finished_at,
        last_error=job.last_error,
    )


def list_failed(session: Session, *, actor: str | None, page: int, page_size: int) -> tuple[list[OutboxMessage], int]:
    stmt = select(OutboxMessage).where(OutboxMessage.status == "failed")
    if actor:
        stmt = stmt.where(OutboxMessage.actor == actor)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(OutboxMessage.id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total


def redrive(session: Session, principal: Principal, job_id: int) -> OutboxMessage:
    job = session.get(OutboxMessage, job_id)
    if job is None:
        raise NotFound("There is no job with that id.")
    job = locking.lock(session, OutboxMessage, job.id)  # sent again once, however often it is asked
    if job.status != "failed":
        raise Conflict("Only a failed job can be sent again.")
    job.status = "pending"
    job.dispatched_at = None
    job.available_at = None
    job.finished_at = None
    job.attempts = 0
    audit.record(session, principal, "job.redrive", "job", job.id, actor=job.actor)
    return job


def stats(session: Session) -> JobStats:
    deliveries: dict[str, dict[str, int]] = {}
    for kind, status, n in session.execute(
        select(Delivery.kind, Delivery.status, func.count())
        .where(Delivery.kind != "fanout")
        .group_by(Delivery.kind, Delivery.status)
    ):
        deliveries.setdefault(kind, {"sent": 0, "failed": 0, "capped": 0})
        if status in deliveries[kind]:
            deliveries[kind][status] += n
    jobs: dict[str, dict[str, int]] = {}
    for actor, status, n in session.execute(
        select(OutboxMessage.actor, OutboxMessage.status, func.count()).group_by(OutboxMessage.actor, OutboxMessage.status)
    ):
        jobs.setdefault(actor, {"pending": 0, "dispatched": 0, "done": 0, "failed": 0})
        if status in jobs[actor]:
            jobs[actor][status] += n
    return JobStats(
        deliveries=[DeliveryCount(kind=k, **v) for k, v in sorted(deliveries.items())],
        jobs=[JobCount(actor=k, **v) for k, v in sorted(jobs.items())],
    )


def read_unsubscribe_token(token: str | None) -> dict[str, Any] | None:
    data = tokens.unsign(tokens.UNSUBSCRIBE_SALT, token or "", None)
    if not isinstance(data, dict) or not (data.get("v") or data.get("e")):
        return None
    return data


def unsubscribe(session: Session, data: dict[str, Any]) -> str | None:
    """Stop optional email: the volunteer's preference becomes 'none' and the address goes on the
    suppression list. Returns the address (for the confirmation page), if known."""
    email = data.get("e")
    volunteer_id = data.get("v")
    if volunteer_id is not None:
        volunteer = session.get(Volunteer, int(volunteer_id))
        if volunteer is not None:
            volunteer.notification_preference = "none"
            email = email or volunteer.email
    if email:
        normalised = email.strip().lower()
        if session.scalar(select(EmailSuppression.id).where(EmailSuppression.email_normalised == normalised)) is None:
            session.add(EmailSuppression(email_normalised=normalised, reason="unsubscribe"))
    return email


def suppressed(session: Session, emails: Iterable[str | None]) -> set[str]:
    """Which of these addresses (normalised) are on the suppression list: optional email stops."""
    wanted = {e.strip().lower() for e in emails if e}
    if not wanted:
        return set()
    return set(session.scalars(select(EmailSuppression.email_normalised).where(EmailSuppression.email_normalised.in_(wanted))))
