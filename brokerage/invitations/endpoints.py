from __future__ import annotations

from fastapi import APIRouter, status

from brokerage.deps import CurrentPrincipal, DbSession
from brokerage.invitations import service
from brokerage.invitations.schemas import InvitationAnswer, InvitationCreate, InvitationOut
from brokerage.schemas import Page, PageNumber, PageSize

router = APIRouter(prefix="/invitations", tags=["invitations"])


@router.post("", response_model=InvitationOut, status_code=status.HTTP_201_CREATED)
def invite(body: InvitationCreate, session: DbSession, principal: CurrentPrincipal):
    return service.create(session, principal, body.role_id, body.volunteer_id, body.note)


@router.get("", response_model=Page[InvitationOut])
def my_invitations(session: DbSession, principal: CurrentPrincipal, page: PageNumber = 1, page_size: PageSize = 20):
    rows, total = service.list_own(session, principal, page=page, page_size=page_size)
    return Page(items=[inv for inv, _role, _org in rows], total=total, page=page, page_size=page_size)


@router.post("/{invitation_id}/answer", response_model=InvitationOut)
def answer(invitation_id: int, body: InvitationAnswer, session: DbSession, principal: CurrentPrincipal):
    invitation, _ref = service.answer(session, principal, invitation_id, body.answer == "interested", body.reason)
    session.flush()
    return invitation
