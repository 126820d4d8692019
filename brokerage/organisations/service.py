from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from brokerage import audit, locking
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Forbidden, NotFound
from brokerage.geo.lookup import locate
from brokerage.vocab import taxonomies
from brokerage.models import Organisation, OrganisationCause, OrganisationManager, User
from brokerage.organisations.schemas import OrganisationCreate, OrganisationOut, OrganisationUpdate
from brokerage import events
from brokerage.outbox import enqueue


def to_out(org: Organisation, principal: Principal | None) -> OrganisationOut:
    out = OrganisationOut(
        id=org.id,
        name=org.name,
        description=org.description,
        website=org.website,
        organisation_type=org.organisation_type,
        charity_registration=(
            {"registrar": org.charity_registrar, "registration_number": org.charity_number}
            if org.charity_registrar and org.charity_number
            else None
        ),
        causes=org.causes,
        address=org.address,
        postcode=org.postcode,
        district_gss=org.district_gss,
        verification_status=org.verification_status,
        struggling_to_recruit=org.struggling_to_recruit,
        created_at=org.created_at,
    )
    if policy.can_see_organisation_private(principal, org):
        out.contact = {"name": org.contact_name, "email": org.contact_email, "phone": org.contact_phone}
        out.verification_note = org.verification_note
        out.verified_at = org.verified_at
    return out


def get(session: Session, principal: Principal | None, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("There is no organisation with that id.")
    if org.verification_status != "verified" and not policy.can_see_organisation_private(principal, org):
        raise NotFound("There is no organisation with that id.")
    return org


def list_(
    session: Session,
    principal: Principal | None,
    *,
    district: str | None,
    cause: str | None,
    status: str | None,
    q: str | None,
    page: int,
    page_size: int,
    districts: Collection[str] | None = None,
) -> tuple[list[Organisation], int]:
    """A page of organisations and how many there are in all; ``districts``: only those based in
    one of them."""
    stmt = policy.organisation_scope(select(Organisation), principal)
    if district:
        stmt = stmt.where(Organisation.district_gss == district)
    if districts is not None:
        stmt = stmt.where(Organisation.district_gss.in_(list(districts)))
    if cause:
        stmt = stmt.where(
            Organisation.id.in_(select(OrganisationCause.organisation_id).where(OrganisationCause.cause_id == cause))
        )
    if status:
        stmt = stmt.where(Organisation.verification_status == status)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Organisation.name).like(like), func.lower(Organisation.description).like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Organisation.name, Organisation.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(rows), total


def _apply(session: Session, org: Organisation, data: dict) -> None:
    if "postcode" in data and data["postcode"] is not None:
        loc = locate(session, data["postcode"])
        org.postcode = loc.postcode
        org.latitude, org.longitude = loc.latitude, loc.longitude
        org.district_gss = loc.district_code
    if "causes" in data and data["causes"] is not None:
        ids = taxonomies.check_causes(data["causes"])
        org.cause_links = [OrganisationCause(cause_id=c) for c in ids]
    if "charity_registration" in data:
        reg = data["charity_registration"]
        org.charity_registrar = reg["registrar"] if reg else None
        org.charity_number = reg["registration_number"] if reg else None
    if "contact" in data and data["contact"] is not None:
        c = data["contact"]
        org.contact_name, org.contact_email, org.contact_phone = c.get("name"), c.get("email"), c.get("phone")
    for field in ("name", "description", "organisation_type", "address", "struggling_to_recruit"):
        if field in data and data[field] is not None:
            setattr(org, field, data[field])
    if "website" in data:
        org.website = str(data["website"]) if data["website"] else None


def create(session: Session, principal: Principal, body: OrganisationCreate) -> Organisation:
    if not (principal.is_manager or principal.is_staff or principal.is_admin):
        raise Forbidden("Sign in as an organisation manager to register an organisation.")
    org = Organisation(verification_status="pending", description="")
    _apply(session, org, body.model_dump(mode="json"))
    session.add(org)
    session.flush()
    if principal.is_manager:
        session.add(OrganisationManager(user_id=principal.user_id, organisation_id=org.id))
    if principal.is_staff:
        audit.record(session, principal, "organisation.create", "organisation", org.id)
    enqueue(session, events.OrganisationRegistered(organisation_id=org.id))
    return org


def update(session: Session, principal: Principal, organisation_id: int, body: OrganisationUpdate) -> Organisation:
    org = get(session, principal, organisation_id)
    if not policy.can_edit_organisation(principal, org):
        raise Forbidden("Only the organisation's managers and its volunteer centre can change it.")
    before = (org.name, org.charity_registrar, org.charity_number)
    _apply(session, org, body.model_dump(mode="json", exclude_unset=True))
    if principal.is_staff:
        audit.record(session, principal, "organisation.update", "organisation", org.id)
    changed = before != (org.name, org.charity_registrar, org.charity_number)
    if changed and org.verification_status == "verified" and not policy.can_verify_organisation(principal, org):
        # Who the organisation is was what the centre checked: a new name or charity number is checked again.
        org.verification_status = "pending"
        org.verification_note = "Its name or charity registration changed after it was verified."
        audit.record(session, principal, "organisation.reverify", "organisation", org.id)
        enqueue(session, events.OrganisationRegistered(organisation_id=org.id))
    return org


def verify(session: Session, principal: Principal, organisation_id: int, decision: str, note: str | None) -> Organisation:
    org = get(session, principal, organisation_id)
    if not policy.can_verify_organisation(principal, org):
        raise Forbidden("Only staff of the volunteer centre covering this organisation can verify it.")
    org = locking.lock(session, Organisation, org.id)  # one decision at a time
    org.verification_status = decision
    org.verification_note = note
    org.verified_by_id = principal.user_id
    org.verified_at = utcnow()
    audit.record(session, principal, f"organisation.{decision}", "organisation", org.id)
    enqueue(session, events.OrganisationVerificationDecided(organisation_id=org.id))
    return org


class Recipient(NamedTuple):
    email: str
    name: str | None


def recipients(session: Session, organisation_id: int) -> list[Recipient]:
    """Who an email to an organisation goes to: its contact, else its active managers."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        return []
    if org.contact_email:
        return [Recipient(org.contact_email, org.contact_name)]
    rows = session.execute(
        select(User.email, User.full_name)
        .join(OrganisationManager, OrganisationManager.user_id == User.id)
        .where(OrganisationManager.organisation_id == organisation_id, User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    return [Recipient(r.email, r.full_name) for r in rows]
