"""Safeguarding API: raise a concern; the centre's safeguarding leads read and handle the case;
pilot leads see counts only."""

from __future__ import annotations

from fastapi import APIRouter, status

from brokerage.deps import CurrentPrincipal, DbSession
from brokerage.safeguarding import service
from brokerage.safeguarding.schemas import (
    ConcernCount,
    ConcernCreate,
    ConcernOut,
    ConcernReceipt,
    ConcernSummary,
    NoteCreate,
    NoteOut,
    OutcomeCreate,
)
from brokerage.schemas import Page, PageNumber, PageSize
from brokerage.vocab.safeguarding import ConcernStatus

router = APIRouter(prefix="/safeguarding", tags=["safeguarding"])

RECEIVED = (
    "Thank you. Your concern has gone to the safeguarding leads at {centre}, who will follow it up. "
    "The person it is about has not been told. If anyone is in immediate danger, call 999."
)


def case_out(case: service.Case) -> ConcernOut:
    summary = ConcernSummary.model_validate(case.concern)
    return ConcernOut(
        **summary.model_dump(),
        concern=case.concern.concern,
        raised_by_name=case.raised_by_name,
        outcome_note=case.concern.outcome_note,
        notes=[NoteOut.model_validate(n) for n in case.notes],
    )


@router.post("/concerns", response_model=ConcernReceipt, status_code=status.HTTP_201_CREATED, summary="Raise a concern")
def raise_concern(body: ConcernCreate, session: DbSession, principal: CurrentPrincipal):
    concern, centre = service.raise_concern(session, principal, body)
    return ConcernReceipt(id=concern.id, centre_name=centre.name, message=RECEIVED.format(centre=centre.name))


@router.get("/concerns", response_model=Page[ConcernSummary], summary="Concerns raised with your centre (safeguarding leads)")
def list_concerns(
    session: DbSession,
    principal: CurrentPrincipal,
    status: ConcernStatus | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
):
    rows, total = service.list_(session, principal, status=status, page=page, page_size=page_size)
    return Page(items=[ConcernSummary.model_validate(c) for c in rows], total=total, page=page, page_size=page_size)


@router.get("/concerns/{concern_id}", response_model=ConcernOut, summary="A concern's case (safeguarding leads; audited)")
def get_concern(concern_id: int, session: DbSession, principal: CurrentPrincipal):
    return case_out(service.get(session, principal, concern_id))


@router.post("/concerns/{concern_id}/notes", response_model=NoteOut, status_code=status.HTTP_201_CREATED)
def add_note(concern_id: int, body: NoteCreate, session: DbSession, principal: CurrentPrincipal):
    return NoteOut.model_validate(service.add_note(session, principal, concern_id, body))


@router.post("/concerns/{concern_id}/outcome", response_model=ConcernOut, summary="Record the outcome and close the case")
def record_outcome(concern_id: int, body: OutcomeCreate, session: DbSession, principal: CurrentPrincipal):
    service.record_outcome(session, principal, concern_id, body)
    return case_out(service.get(session, principal, concern_id))


@router.get("/counts", response_model=list[ConcernCount], summary="Concerns per centre, counts only (pilot leads)")
def counts(session: DbSession, principal: CurrentPrincipal):
    return [ConcernCount(**row) for row in service.counts(session, principal)]
