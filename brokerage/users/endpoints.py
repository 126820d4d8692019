from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import EmailStr, Field

from brokerage import audit
from brokerage.deps import AdminPrincipal, DbSession
from brokerage.schemas import Input, Name, Output, Page, PageNumber, PageSize
from brokerage.users import service
from brokerage.vocab.users import StaffRole, UserRole

router = APIRouter(prefix="/users", tags=["users"])


class UserCreate(Input):
    email: EmailStr
    full_name: Name
    role: StaffRole
    password: Annotated[str, Field(min_length=10, max_length=200)]
    centre_id: int | None = None


class UserUpdate(Input):
    full_name: Name | None = None
    is_active: bool | None = None
    centre_id: int | None = None
    organisation_ids: list[int] | None = None
    safeguarding_lead: bool | None = None


class UserOut(Output):
    id: int
    email: str
    full_name: str
    role: str
    centre_id: int | None
    is_active: bool
    safeguarding_lead: bool
    created_at: datetime
    last_login_at: datetime | None


@router.get("", response_model=Page[UserOut])
def list_users(
    session: DbSession,
    principal: AdminPrincipal,
    role: UserRole | None = None,
    centre_id: int | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
):
    rows, total = service.list_(session, role=role, centre_id=centre_id, q=q, page=page, page_size=page_size)
    return Page(items=[UserOut.model_validate(u) for u in rows], total=total, page=page, page_size=page_size)


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: DbSession, principal: AdminPrincipal):
    user = service.create_account(
        session, email=body.email, full_name=body.full_name, password=body.password, role=body.role, centre_id=body.centre_id
    )
    audit.record(session, principal, "user.create", "user", user.id, role=body.role)
    return UserOut.model_validate(user)


@router.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: int, body: UserUpdate, session: DbSession, principal: AdminPrincipal):
    user = service.update(session, principal, user_id, body.model_dump(exclude_unset=True))
    return UserOut.model_validate(user)


class AuditOut(Output):
    id: int
    at: datetime
    actor_user_id: int | None
    action: str
    subject_type: str
    subject_id: int | None
    detail: dict | None


audit_router = APIRouter(prefix="/audit-log", tags=["users"])


@audit_router.get("", response_model=Page[AuditOut])
def list_audit_log(
    session: DbSession,
    principal: AdminPrincipal,
    subject_type: Annotated[str | None, Query(max_length=40)] = None,
    subject_id: int | None = None,
    actor_user_id: int | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
):
    """Who did what to personal data, newest first (for the data protection officer)."""
    rows, total = service.audit_log(
        session, subject_type=subject_type, subject_id=subject_id, actor_user_id=actor_user_id, page=page, page_size=page_size
    )
    return Page(items=[AuditOut.model_validate(r) for r in rows], total=total, page=page, page_size=page_size)
