from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from brokerage import audit
from brokerage.auth.passwords import hash_password
from brokerage.auth.principal import Principal
from brokerage.auth.service import normalise_email, validate_password
from brokerage.errors import Conflict, InvalidInput, NotFound
from brokerage.models import AuditLog, Centre, Organisation, OrganisationManager, User


def create_account(
    session: Session, *, email: str, full_name: str, password: str | None, role: str, centre_id: int | None = None
) -> User:
    if session.scalar(select(User.id).where(User.email_normalised == normalise_email(email))) is not None:
        raise Conflict("Someone already has an account with this email address.")
    if password is not None:
        validate_password(password)
    if role == "centre_staff":
        if centre_id is None or session.get(Centre, centre_id) is None:
            raise InvalidInput("Centre staff must belong to a volunteer centre.", field="centre_id")
    elif centre_id is not None:
        raise InvalidInput("Only centre staff belong to a volunteer centre.", field="centre_id")
    user = User(
        email=email,
        email_normalised=normalise_email(email),
        full_name=full_name,
        password_hash=hash_password(password) if password else None,
        role=role,
        centre_id=centre_id,
        is_active=True,
        session_version=1,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # the same address signed up at the same moment
        raise Conflict("Someone already has an account with this email address.") from None
    return user


def list_(session: Session, *, role: str | None, centre_id: int | None, q: str | None, page: int, page_size: int):
    stmt = select(User)
    if role:
        stmt = stmt.where(User.role == role)
    if centre_id:
        stmt = stmt.where(User.centre_id == centre_id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(User.full_name).like(like) | User.email_normalised.like(like))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(User.id).offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total


def update(session: Session, principal: Principal, user_id: int, data: dict) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no user with that id.")
    if "is_active" in data and data["is_active"] is not None:
        user.is_active = data["is_active"]
        if not user.is_active:
            user.session_version += 1
    if data.get("safeguarding_lead") is not None:
        if user.role != "centre_staff" and data["safeguarding_lead"]:
            raise InvalidInput("Only centre staff can be a centre's safeguarding lead.", field="safeguarding_lead")
        user.safeguarding_lead = data["safeguarding_lead"]
    if data.get("full_name"):
        user.full_name = data["full_name"]
    if "centre_id" in data and data["centre_id"] is not None:
        if user.role != "centre_staff" or session.get(Centre, data["centre_id"]) is None:
            raise InvalidInput("Only centre staff belong to a volunteer centre, and it must exist.", field="centre_id")
        user.centre_id = data["centre_id"]
        user.session_version += 1
    if data.get("organisation_ids") is not None:
        if user.role != "organisation_manager":
            raise InvalidInput("Only organisation managers manage organisations.", field="organisation_ids")
        ids = set(data["organisation_ids"])
        found = set(session.scalars(select(Organisation.id).where(Organisation.id.in_(ids))))
        if ids - found:
            raise InvalidInput(f"Unknown organisation: {sorted(ids - found)}", field="organisation_ids")
        for link in session.scalars(select(OrganisationManager).where(OrganisationManager.user_id == user.id)):
            session.delete(link)
        session.flush()
        for oid in sorted(ids):
            session.add(OrganisationManager(user_id=user.id, organisation_id=oid))
    audit.record(session, principal, "user.update", "user", user.id, fields=sorted(k for k, v in data.items() if v is not None))
    return user


def audit_log(
    session: Session, *, subject_type: str | None, subject_id: int | None, actor_user_id: int | None, page: int, page_size: int
):
    stmt = select(AuditLog)
    if subject_type:
        stmt = stmt.where(AuditLog.subject_type == subject_type)
    if subject_id is not None:
        stmt = stmt.where(AuditLog.subject_id == subject_id)
    if actor_user_id is not None:
        stmt = stmt.where(AuditLog.actor_user_id == actor_user_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(AuditLog.id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total
