"""Hours API: volunteers log hours against a placement; organisations and centres approve or query."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from brokerage import deps
from brokerage.deps import CurrentPrincipal, DbSession
from brokerage.hours import service
from brokerage.spreadsheets import csv_writer
from brokerage.hours.schemas import (
    BulkApprove,
    BulkApproveResult,
    HoursCorrect,
    HoursCreate,
    HoursOut,
    HoursQuery,
    HoursStatus,
    PlacementOut,
)
from brokerage.schemas import Page, PageNumber, PageSize
from brokerage.models import HoursEntry

router = APIRouter(tags=["hours"])

# A session that stays open while a streamed response is being sent.
StreamSession = Annotated[Session, Depends(deps._db_session, scope="request")]


def _out(session, entry: HoursEntry, *, with_history: bool = False, superseded_by: dict[int, int] | None = None) -> HoursOut:
    out = HoursOut.model_validate(entry)
    if superseded_by is None:
        superseded_by = service.superseded_by(session, [entry.id])
    out.superseded_by_id = superseded_by.get(entry.id)
    if with_history:
        out.history = [HoursOut.model_validate(e) for e in service.history(session, entry)]
    return out


def _placement_out(view: service.PlacementView) -> PlacementOut:
    p = view.placement
    return PlacementOut(
        id=p.id,
        referral_id=p.referral_id,
        volunteer_id=p.volunteer_id,
        volunteer_name=view.volunteer.full_name,
        role_id=p.role_id,
        role_title=view.role.title,
        organisation_id=p.organisation_id,
        organisation_name=view.organisation.name,
        started_on=p.started_on,
        ended_on=p.ended_on,
        approved_hours=float(view.approved_hours),
        dbs_level=p.dbs_level,
        dbs_certificate_date=p.dbs_certificate_date,
        dbs_checked_by_name=p.dbs_checked_by_name,
    )


@router.get("/placements", response_model=Page[PlacementOut], summary="Placements you may see")
def list_placements(
    session: DbSession,
    principal: CurrentPrincipal,
    volunteer_id: int | None = None,
    organisation_id: int | None = None,
    active: bool | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
):
    views, total = service.list_placements(
        session,
        principal,
        volunteer_id=volunteer_id,
        organisation_id=organisation_id,
        active=active,
        page=page,
        page_size=page_size,
    )
    return Page(items=[_placement_out(v) for v in views], total=total, page=page, page_size=page_size)


@router.post(
    "/placements/{placement_id}/hours",
    response_model=HoursOut,
    status_code=status.HTTP_201_CREATED,
    summary="Log hours against a placement",
)
def log_hours(placement_id: int, body: HoursCreate, session: DbSession, principal: CurrentPrincipal):
    entry = service.log_hours(session, principal, placement_id, body)
    return _out(session, entry)


@router.get("/hours", response_model=Page[HoursOut], summary="Hours you may see")
def list_hours(
    session: DbSession,
    principal: CurrentPrincipal,
    status: HoursStatus | None = None,
    placement_id: int | None = None,
    volunteer_id: int | None = None,
    organisation_id: int | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
):
    rows, total = service.list_hours(
        session,
        principal,
        status=status,
        placement_id=placement_id,
        volunteer_id=volunteer_id,
        organisation_id=organisation_id,
        date_from=date_from,
        date_to=date_to,
        page=page,
        page_size=page_size,
    )
    sup = service.superseded_by(session, [e.id for e in rows])
    return Page(items=[_out(session, e, superseded_by=sup) for e in rows], total=total, page=page, page_size=page_size)


@router.get("/hours/export.csv", summary="Download hours as CSV (streamed)", response_class=StreamingResponse)
def export_hours(
    session: StreamSession,
    principal: CurrentPrincipal,
    status: HoursStatus | None = None,
    organisation_id: int | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
):
    rows = service.export_rows(
        session, principal, status=status, organisation_id=organisation_id, date_from=date_from, date_to=date_to
    )
    first = next(rows, None)  # raises Forbidden before the response starts
    return StreamingResponse(
        stream_csv(first, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="hours.csv"'},
    )


def stream_csv(first, rows, rows_per_chunk: int = 2000):
    """CSV text in chunks of a few thousand rows: memory stays flat however many rows there are."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(service.EXPORT_COLUMNS)
    if first is not None:
        writer.writerow(_csv_row(first))
    count = 0
    for row in rows:
        writer.writerow(_csv_row(row))
        count += 1
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_row(row) -> list:
    return [("" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v)) for v in row]


@router.post("/hours/bulk-approve", response_model=BulkApproveResult, summary="Approve many entries: all or nothing")
def bulk_approve(body: BulkApprove, session: DbSession, principal: CurrentPrincipal):
    entries = service.bulk_approve(session, principal, body.ids)
    return BulkApproveResult(approved=len(entries), ids=[e.id for e in entries])


@router.get("/hours/{entry_id}", response_model=HoursOut, summary="One entry with the entries it corrected")
def get_hours(entry_id: int, session: DbSession, principal: CurrentPrincipal):
    entry, *_ = service.load_entry(session, principal, entry_id)
    return _out(session, entry, with_history=True)


@router.post("/hours/{entry_id}/approve", response_model=HoursOut)
def approve_hours(entry_id: int, session: DbSession, principal: CurrentPrincipal):
    return _out(session, service.approve(session, principal, entry_id))


@router.post("/hours/{entry_id}/query", response_model=HoursOut)
def query_hours(entry_id: int, body: HoursQuery, session: DbSession, principal: CurrentPrincipal):
    return _out(session, service.query(session, principal, entry_id, body.note))


@router.post(
    "/hours/{entry_id}/correct",
    response_model=HoursOut,
    status_code=status.HTTP_201_CREATED,
    summary="Correct hours: a new entry supersedes this one, which is kept",
)
def correct_hours(entry_id: int, body: HoursCorrect, session: DbSession, principal: CurrentPrincipal):
    new = service.correct(session, principal, entry_id, body)
    return _out(session, new, with_history=True)
