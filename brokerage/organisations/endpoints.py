from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from brokerage.deps import CurrentPrincipal, DbSession, OptionalPrincipal
from brokerage.schemas import Page, PageNumber, PageSize
from brokerage.organisations import service
from brokerage.vocab.organisations import VerificationStatus
from brokerage.organisations.schemas import (
    OrganisationCreate,
    OrganisationOut,
    OrganisationUpdate,
    VerificationDecision,
)

router = APIRouter(prefix="/organisations", tags=["organisations"])


@router.get("", response_model=Page[OrganisationOut])
def list_organisations(
    session: DbSession,
    principal: OptionalPrincipal,
    district: Annotated[str | None, Query(max_length=9)] = None,
    cause: Annotated[str | None, Query(max_length=60)] = None,
    status: VerificationStatus | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
):
    rows, total = service.list_(
        session, principal, district=district, cause=cause, status=status, q=q, page=page, page_size=page_size
    )
    return Page(items=[service.to_out(o, principal) for o in rows], total=total, page=page, page_size=page_size)


@router.post("", response_model=OrganisationOut, status_code=status.HTTP_201_CREATED)
def create_organisation(body: OrganisationCreate, session: DbSession, principal: CurrentPrincipal):
    org = service.create(session, principal, body)
    session.flush()
    return service.to_out(org, principal)


@router.get("/{organisation_id}", response_model=OrganisationOut)
def get_organisation(organisation_id: int, session: DbSession, principal: OptionalPrincipal):
    return service.to_out(service.get(session, principal, organisation_id), principal)


@router.patch("/{organisation_id}", response_model=OrganisationOut)
def update_organisation(organisation_id: int, body: OrganisationUpdate, session: DbSession, principal: CurrentPrincipal):
    org = service.update(session, principal, organisation_id, body)
    session.flush()
    return service.to_out(org, principal)


@router.post("/{organisation_id}/verification", response_model=OrganisationOut)
def decide_verification(organisation_id: int, body: VerificationDecision, session: DbSession, principal: CurrentPrincipal):
    org = service.verify(session, principal, organisation_id, body.decision, body.note)
    return service.to_out(org, principal)
