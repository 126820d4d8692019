"""Emergency call-outs API: volunteers opt in (and out); centre staff and pilot leads raise call-outs
and follow their answers; the emailed links answer them (the token is the recipient's credential)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from brokerage.callouts import service
from brokerage.callouts.schemas import (
    AvailabilityIn,
    AvailabilityOut,
    CalloutAnswerIn,
    CalloutAnswerOut,
    CalloutCounts,
    CalloutCreate,
    CalloutOut,
)
from brokerage.deps import CurrentPrincipal, DbSession
from brokerage.errors import BadRequest
from brokerage.models import Callout
from brokerage.schemas import Page, PageNumber, PageSize

router = APIRouter(prefix="/emergency", tags=["emergency call-outs"])


def callout_out(session, callout: Callout) -> CalloutOut:
    counts = service.counts(session, callout)
    return CalloutOut.model_validate(
        {**{c.name: getattr(callout, c.name) for c in Callout.__table__.columns}, "counts": CalloutCounts(**vars(counts))}
    )


@router.get("/availability", response_model=AvailabilityOut, summary="Your emergency call-out opt-in (volunteers)")
def my_availability(session: DbSession, principal: CurrentPrincipal):
    return service.availability_view(*service.availability_for(session, principal))


@router.put("/availability", response_model=AvailabilityOut, summary="Opt in to emergency call-outs, or change where and when")
def opt_in(body: AvailabilityIn, session: DbSession, principal: CurrentPrincipal):
    service.opt_in(session, principal, district_codes=body.district_codes, radius_miles=body.radius_miles, slots=body.slots)
    return service.availability_view(*service.availability_for(session, principal))


@router.delete("/availability", status_code=status.HTTP_204_NO_CONTENT, summary="Opt out of emergency call-outs")
def opt_out(session: DbSession, principal: CurrentPrincipal):
    service.opt_out(session, principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/availability/{volunteer_id}",
    response_model=AvailabilityOut,
    summary="A volunteer's emergency call-out opt-in (centre staff, pilot leads)",
)
def volunteer_availability(volunteer_id: int, session: DbSession, principal: CurrentPrincipal):
    return service.availability_view(*service.availability_for(session, principal, volunteer_id))


@router.post("/callouts", response_model=CalloutOut, status_code=status.HTTP_201_CREATED, summary="Raise a call-out")
def raise_callout(body: CalloutCreate, session: DbSession, principal: CurrentPrincipal):
    callout = service.raise_callout(session, principal, **body.model_dump())
    return callout_out(session, callout)


@router.get("/callouts", response_model=Page[CalloutOut], summary="Call-outs (centre staff, pilot leads)")
def list_callouts(session: DbSession, principal: CurrentPrincipal, page: PageNumber = 1, page_size: PageSize = 20):
    rows, total = service.list_(session, principal, page=page, page_size=page_size)
    return Page(items=[callout_out(session, c) for c in rows], total=total, page=page, page_size=page_size)


@router.get("/callouts/{callout_id}", response_model=CalloutOut, summary="A call-out and its answers so far")
def get_callout(callout_id: int, session: DbSession, principal: CurrentPrincipal):
    return callout_out(session, service.get(session, principal, callout_id))


@router.post("/callouts/{callout_id}/close", response_model=CalloutOut, summary="Close a call-out: no more emails go")
def close_callout(callout_id: int, session: DbSession, principal: CurrentPrincipal):
    return callout_out(session, service.close(session, principal, callout_id))


@router.post("/answers", response_model=CalloutAnswerOut, summary="Answer a call-out with the token from its email")
def answer(body: CalloutAnswerIn, session: DbSession):
    invitation = service.from_token(session, body.token)
    if invitation is None:
        raise BadRequest("This link has expired or is not complete. Your volunteer centre can tell you if help is still needed.")
    outcome = service.answer(session, invitation.id, body.answer == "accept")
    return CalloutAnswerOut(outcome=outcome, message=service.OUTCOMES[outcome], callout_id=invitation.callout_id)
