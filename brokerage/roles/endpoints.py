from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from brokerage.deps import CurrentPrincipal, DbSession, OptionalPrincipal
from brokerage.schemas import Page, PageNumber, PageSize
from brokerage.matches.answers import answered_from_memory
from brokerage.roles import service, views
from brokerage.roles.catalogue import catalogue
from brokerage.roles.schemas import RoleCreate, RoleOut, RoleUpdate, StatusChange, StatusChangeOut
from brokerage.vocab.modes import RoleMode as Mode
from brokerage.vocab.roles import RoleStatus

router = APIRouter(prefix="/roles", tags=["roles"])


@router.get("", response_model=Page[RoleOut])
async def list_roles(
    request: Request,
    session: DbSession,
    principal: OptionalPrincipal,
    district: Annotated[str | None, Query(max_length=9)] = None,
    cause: Annotated[str | None, Query(max_length=60)] = None,
    skill: Annotated[str | None, Query(max_length=60)] = None,
    status: RoleStatus | None = None,
    organisation_id: int | None = None,
    mode: Mode | None = None,
    one_off: bool | None = None,
    emergency: Annotated[
        bool | None, Query(description="Only roles that require emergency participation (true), or only those that do not")
    ] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
):
    filters = service.RoleQuery(
        district=district,
        cause=cause,
        skill=skill,
        status=status,
        organisation_id=organisation_id,
        mode=mode,
        one_off=one_off,
        emergency=emergency,
        q=q,
        page=page,
        page_size=page_size,
    )
    if service.public_only(principal):
        # Published roles are answered from the in-process catalogue, on the event loop: no thread, no query
        # (bar a catch-up at most once a second).
        if catalogue.due(session):
            await run_in_threadpool(catalogue.refresh, session)
        snapshot = catalogue.snapshot
        body = snapshot.page_json(**filters) if snapshot is not None else None
        if body is not None:
            if principal is None:
                answered_from_memory(request)
            return Response(content=body, media_type="application/json")
    return await run_in_threadpool(partial(service.list_page, session, principal, **filters))


@router.post("", response_model=RoleOut, status_code=status.HTTP_201_CREATED)
def create_role(body: RoleCreate, session: DbSession, principal: CurrentPrincipal):
    role, org = service.create(session, principal, body)
    session.flush()
    session.refresh(role)
    return views.to_out(role, org.name)


@router.get("/{role_id}", response_model=RoleOut)
def get_role(role_id: int, session: DbSession, principal: OptionalPrincipal):
    role, org = service.get_with_org(session, principal, role_id)
    return views.to_out(role, org.name)


@router.patch("/{role_id}", response_model=RoleOut)
def update_role(role_id: int, body: RoleUpdate, session: DbSession, principal: CurrentPrincipal):
    role, org = service.update(session, principal, role_id, body)
    session.flush()
    session.refresh(role)
    return views.to_out(role, org.name)


@router.post("/{role_id}/status", response_model=RoleOut)
def change_role_status(role_id: int, body: StatusChange, session: DbSession, principal: CurrentPrincipal):
    role, org = service.change_status(session, principal, role_id, body.status, body.reason)
    session.flush()
    session.refresh(role)
    return views.to_out(role, org.name)


@router.get("/{role_id}/history", response_model=list[StatusChangeOut])
def role_history(role_id: int, session: DbSession, principal: CurrentPrincipal):
    return service.history(session, principal, role_id)
