from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from brokerage import throttle
from brokerage.auth.service import issue_api_token
from brokerage.deps import CurrentPrincipal, DbSession, OptionalPrincipal
from brokerage.schemas import Page, PageNumber, PageSize
from brokerage.volunteers import service
from brokerage.vocab.volunteers import ListedVolunteerStatus
from brokerage.volunteers.schemas import VolunteerCreate, VolunteerOut, VolunteerSummary, VolunteerUpdate

router = APIRouter(prefix="/volunteers", tags=["volunteers"])


@router.post("", response_model=VolunteerOut, status_code=status.HTTP_201_CREATED)
def register_volunteer(
    body: VolunteerCreate, session: DbSession, principal: OptionalPrincipal, response: Response, request: Request
):
    """Sign up (anonymous, with a password; a few sign-ups an hour per address) or, for centre
    staff, register someone in person."""
    if principal is None:
        throttle.check_address(request, "sign_up")
    volunteer, user = service.create(session, principal, body)
    if user is not None:
        response.headers["X-Access-Token"] = issue_api_token(user)
    return service.to_out(volunteer, None)


@router.get("", response_model=Page[VolunteerSummary])
def list_volunteers(
    session: DbSession,
    principal: CurrentPrincipal,
    district: Annotated[str | None, Query(max_length=9)] = None,
    status: ListedVolunteerStatus | None = None,
    cause: Annotated[str | None, Query(max_length=60)] = None,
    skill: Annotated[str | None, Query(max_length=60)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
):
    rows, total = service.list_(
        session, principal, district=district, status=status, cause=cause, skill=skill, q=q, page=page, page_size=page_size
    )
    return Page(items=[VolunteerSummary.model_validate(v) for v in rows], total=total, page=page, page_size=page_size)


@router.get("/{volunteer_id}", response_model=VolunteerOut)
def get_volunteer(volunteer_id: int, session: DbSession, principal: CurrentPrincipal):
    return service.to_out(service.get(session, principal, volunteer_id), principal)


@router.patch("/{volunteer_id}", response_model=VolunteerOut)
def update_volunteer(volunteer_id: int, body: VolunteerUpdate, session: DbSession, principal: CurrentPrincipal):
    v = service.update(session, principal, volunteer_id, body)
    session.flush()
    return service.to_out(v, principal)


@router.delete("/{volunteer_id}", status_code=status.HTTP_204_NO_CONTENT)
def erase_volunteer(volunteer_id: int, session: DbSession, principal: CurrentPrincipal):
    service.erase(session, principal, volunteer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{volunteer_id}/export")
def export_volunteer(volunteer_id: int, session: DbSession, principal: CurrentPrincipal):
    data = service.export(session, principal, volunteer_id)
    import json

    return Response(
        json.dumps(data, indent=2, default=str),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="my-volunteering-data-{volunteer_id}.json"'},
    )
