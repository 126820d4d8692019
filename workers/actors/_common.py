"""Helpers shared by the actors: the actor decorator, chunks, recipients and small view objects."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any, TypeVar

import dramatiq
from sqlalchemy import select
from sqlalchemy.orm import Session

from workers.broker import QUEUE, ensure_broker
from workers.middleware import backoff_seconds
from workers.notify import TransientMailFailure

ensure_broker()

from brokerage.models import Centre, CentreDistrict, District, Organisation, OrganisationManager, Role, User  # noqa: E402

logger = logging.getLogger("workers.actors")
T = TypeVar("T")


def actor(name: str, **options: Any) -> Callable[[Callable[..., None]], dramatiq.Actor]:
    """A Dramatiq actor named ``domain.event``. A mail server that is away becomes ``Retry``."""

    def decorate(fn: Callable[..., None]) -> dramatiq.Actor:
        @wraps(fn)
        def run(*args: Any, **kwargs: Any) -> None:
            try:
                fn(*args, **kwargs)
            except TransientMailFailure as exc:
                raise dramatiq.Retry(str(exc), delay=int(backoff_seconds(1) * 1000)) from exc

        return dramatiq.actor(run, actor_name=name, queue_name=QUEUE, **options)

    return decorate


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for i in range(0, len(items), max(1, size)):
        yield items[i : i + size]


def text_of(explanation: Any) -> str:
    """An explanation from the matching engine as one plain sentence."""
    if explanation is None:
        return ""
    if isinstance(explanation, str):
        return explanation
    if isinstance(explanation, dict):
        for key in ("summary", "text", "sentence"):
            if isinstance(explanation.get(key), str):
                return explanation[key]
        return "; ".join(str(v) for v in explanation.values() if isinstance(v, str))
    if isinstance(explanation, Iterable):
        return "; ".join(str(x) for x in explanation)
    for attr in ("summary", "text"):
        if isinstance(getattr(explanation, attr, None), str):
            return getattr(explanation, attr)
    return str(explanation)


def role_view(session: Session, role_id: int) -> dict[str, Any] | None:
    """What an email says about a role (or None if it no longer exists)."""
    from brokerage.config import get_settings

    row = session.execute(
        select(
            Role.id,
            Role.title,
            Role.description,
            Role.commitment,
            Role.status,
            Role.mode,
            Role.postcode,
            Role.publish_end,
            Role.organisation_id,
            Role.created_by_id,
            Organisation.name.label("organisation_name"),
            District.name.label("district_name"),
        )
        .join(Organisation, Organisation.id == Role.organisation_id)
        .outerjoin(District, District.gss_code == Role.district_gss)
        .where(Role.id == role_id)
    ).first()
    if row is None:
        return None
    description = " ".join((row.description or "").split())
    if len(description) > 300:
        description = description[:297].rsplit(" ", 1)[0] + "…"
    if row.mode == "remote":
        where = "Remote"
    else:
        where = ", ".join(p for p in (row.district_name, row.postcode) if p) or "Kent"
    return {
        "id": row.id,
        "title": row.title,
        "description": description,
        "commitment": row.commitment,
        "status": row.status,
        "where": where,
        "publish_end": row.publish_end,
        "organisation_id": row.organisation_id,
        "organisation_name": row.organisation_name,
        "created_by_id": row.created_by_id,
        "url": f"{get_settings().base_url.rstrip('/')}/roles/{row.id}",
    }


def organisation_recipients(session: Session, organisation_id: int) -> list[tuple[str, str | None]]:
    """(email, name) pairs for an organisation: its contact, else its managers."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        return []
    if org.contact_email:
        return [(org.contact_email, org.contact_name)]
    rows = session.execute(
        select(User.email, User.full_name)
        .join(OrganisationManager, OrganisationManager.user_id == User.id)
        .where(OrganisationManager.organisation_id == organisation_id, User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    return [(r.email, r.full_name) for r in rows]


def centre_for_district(session: Session, district_gss: str | None) -> Centre | None:
    """The centre that covers a district, else the lead centre."""
    if district_gss:
        centre = session.scalars(
            select(Centre)
            .join(CentreDistrict, CentreDistrict.centre_id == Centre.id)
            .where(CentreDistrict.district_gss == district_gss)
            .order_by(Centre.is_lead, Centre.id)
        ).first()
        if centre is not None:
            return centre
    return session.scalars(select(Centre).where(Centre.is_lead.is_(True)).order_by(Centre.id)).first()
