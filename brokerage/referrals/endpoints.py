from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from brokerage.config import get_settings
from brokerage.deps import CurrentPrincipal, DbSession
from brokerage.schemas import Page, PageNumber, PageSize
from brokerage.referrals import service
from brokerage.referrals import thread
from brokerage.referrals.schemas import MessageCreate, ReferralCreate, ReferralOut, ReferralTransition, ThreadEntryOut
from brokerage.vocab.referrals import ReferralStatus

router = APIRouter(prefix="/referrals", tags=["referrals"])


@router.post("", response_model=ReferralOut, status_code=status.HTTP_201_CREATED)
def create_referral(body: ReferralCreate, session: DbSession, principal: CurrentPrincipal):
    ref, volunteer, role = service.create(session, principal, body)
    return service.to_out(session, ref, volunteer, role, principal, with_history=True)


@router.get("", response_model=Page[ReferralOut])
def list_referrals(
    session: DbSession,
    principal: CurrentPrincipal,
    status: ReferralStatus | None = None,
    role_id: int | None = None,
    volunteer_id: int | None = None,
    district: Annotated[str | None, Query(max_length=9)] = None,
    overdue_days: Annotated[int | None, Query(ge=1, le=365)] = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
):
    rows, total = service.list_(
        session,
        principal,
        status=status,
        role_id=role_id,
        volunteer_id=volunteer_id,
        district=district,
        overdue_days=overdue_days,
        page=page,
        page_size=page_size,
        # a centre's list puts the overdue first, the longest waiting first
        overdue_working_days=get_settings().follow_up_working_days if principal.is_staff else None,
    )
    return Page(
        items=[service.to_out(session, r, v, ro, principal) for r, v, ro in rows], total=total, page=page, page_size=page_size
    )


@router.get("/{referral_id}", response_model=ReferralOut)
def get_referral(referral_id: int, session: DbSession, principal: CurrentPrincipal):
    ref, volunteer, role = service.get(session, principal, referral_id)
    return service.to_out(session, ref, volunteer, role, principal, with_history=True)


@router.post("/{referral_id}/status", response_model=ReferralOut)
def move_referral(referral_id: int, body: ReferralTransition, session: DbSession, principal: CurrentPrincipal):
    ref, volunteer, role = service.transition(session, principal, referral_id, body.status, body.note)
    session.flush()
    return service.to_out(session, ref, volunteer, role, principal, with_history=True)


@router.get("/{referral_id}/messages", response_model=list[ThreadEntryOut])
def referral_messages(referral_id: int, session: DbSession, principal: CurrentPrincipal):
    ref, volunteer, role = service.get(session, principal, referral_id)
    thread.side_of(principal, role)
    return thread.entries(session, principal, ref, volunteer, role)


@router.post("/{referral_id}/messages", response_model=list[ThreadEntryOut], status_code=status.HTTP_201_CREATED)
def post_message(referral_id: int, body: MessageCreate, session: DbSession, principal: CurrentPrincipal):
    ref, volunteer, role = service.post_message(session, principal, referral_id, body.body, body.staff_only)
    return thread.entries(session, principal, ref, volunteer, role)
