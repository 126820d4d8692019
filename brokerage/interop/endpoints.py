"""HTTP for interoperability: the data-standard feed, imports (upload → dry run → confirm) and
duplicate review. Rules live in the services and ``brokerage.auth.policy``."""

from __future__ import annotations

from email.utils import format_datetime

import json
from datetime import datetime, timezone
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import JSONResponse, Response

from brokerage import links
from brokerage.deps import CurrentPrincipal, DbSession
from brokerage.errors import InvalidInput
from brokerage.interop import dedup, feed_export, fetch, merge
from brokerage.interop.imports import formats
from brokerage.interop.imports import service as imports
from brokerage.interop.imports.reader import MAX_BYTES
from brokerage.interop.schemas import (
    CandidateOut,
    ConfirmIn,
    FeedUrlIn,
    ImportBatchOut,
    ImportBatchSummary,
    MappingIn,
    MergeIn,
    MergeOut,
    ScanOut,
    VolunteerBrief,
)
from brokerage.schemas import Page, PageNumber, PageSize

router = APIRouter(tags=["interoperability"])
FeedArea = Annotated[
    Literal["kent_medway"] | None, Query(description="Keep only roles in Kent and Medway, and roles done remotely")
]


# -- the UK Volunteering Data Standard feed --------------------------------------------------------
@router.get("/data-standard/feed", response_class=JSONResponse, responses={200: {"content": {"application/ld+json": {}}}})
def data_standard_feed(
    session: DbSession,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
    modified_since: Annotated[datetime | None, Query(description="Only roles changed after this time (ISO 8601, UTC)")] = None,
):
    """Published roles as JSON-LD in the UK Volunteering Data Standard's shape (open to all)."""
    if modified_since is not None and modified_since.tzinfo is not None:
        modified_since = modified_since.astimezone(timezone.utc).replace(tzinfo=None)
    base = links.base_url().rstrip("/")
    part = feed_export.feed_page(session, base_url=base, page=page, page_size=page_size, modified_since=modified_since)
    link_headers = [f'<{feed_export.LICENCE_URL}>; rel="license"']
    if page < part.pages:
        nxt = f"{base}/data-standard/feed?page={page + 1}&page_size={page_size}"
        if modified_since is not None:
            nxt += f"&modified_since={modified_since.isoformat()}"
        link_headers.append(f'<{nxt}>; rel="next"')
    headers = {"Link": ", ".join(link_headers), "X-Total-Count": str(part.organisations)}
    if part.modified is not None:
        headers["Last-Modified"] = format_datetime(part.modified.replace(tzinfo=timezone.utc), usegmt=True)
    return JSONResponse(part.document, media_type="application/ld+json", headers=headers)


async def _read(upload: UploadFile) -> bytes:
    content = await upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise InvalidInput("The file is larger than 50 MB. Split it into smaller files.", field="file")
    return content


@router.post("/data-standard/imports", response_model=ImportBatchOut, status_code=status.HTTP_201_CREATED)
async def import_feed_file(
    session: DbSession, principal: CurrentPrincipal, file: Annotated[UploadFile, File()], area: FeedArea = None
):
    """Check a feed file (dry run). Nothing is written until ``POST /imports/{id}/confirm``.
    ``area=kent_medway`` keeps only roles in Kent and Medway and those done remotely."""
    content = await _read(file)
    return imports.start(
        session,
        principal,
        kind="feed",
        format="data_standard",
        filename=file.filename or "feed.json",
        content=content,
        area=area,
    )


@router.post("/data-standard/imports/from-url", response_model=ImportBatchOut, status_code=status.HTTP_201_CREATED)
def import_feed_url(body: FeedUrlIn, session: DbSession, principal: CurrentPrincipal, area: FeedArea = None):
    """Fetch a feed from its address and check it (dry run)."""
    imports._centre_for(session, principal, None)  # refuse before going out to the network
    content = fetch.fetch(body.url)
    return imports.start(
        session,
        principal,
        kind="feed",
        format="data_standard",
        filename=body.url[:255],
        content=content,
        area=area,
    )


# -- imports --------------------------------------------------------------------------------------
@router.get("/imports/fields/{kind}")
def import_fields(kind: Literal["volunteers", "sessions", "roles", "organisations"]):
    """The fields a spreadsheet's columns can be mapped to."""
    return formats.fields_for(kind)


@router.post("/imports", response_model=ImportBatchOut, status_code=status.HTTP_201_CREATED)
async def upload_import(
    session: DbSession,
    principal: CurrentPrincipal,
    file: Annotated[UploadFile, File(description="CSV or .xlsx")],
    kind: Annotated[Literal["volunteers", "sessions", "roles", "organisations"], Form()],
    format: Annotated[Literal["teamkinetic", "generic"], Form()] = "teamkinetic",
    mapping: Annotated[str | None, Form(description="JSON object: our field → the file's column (generic files)")] = None,
    sheet: Annotated[str | None, Form(max_length=200, description="The workbook's sheet (found automatically)")] = None,
    header_row: Annotated[int | None, Form(ge=1, le=1000, description="The row naming the columns (found automatically)")] = None,
    organisation_id: Annotated[
        int | None, Form(ge=1, le=2**31 - 1, description="Roles: the organisation they belong to, if the file does not say")
    ] = None,
):
    """Upload a file and check every row (dry run). A spreadsheet without a mapping stops at the
    mapping step with a suggested mapping (``PUT /imports/{id}/mapping``)."""
    parsed = None
    if mapping:
        try:
            parsed = json.loads(mapping)
        except json.JSONDecodeError:
            raise InvalidInput(
                'The mapping should be a JSON object such as {"first_name": "Forename"}.', field="mapping"
            ) from None
        if not isinstance(parsed, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()):
            raise InvalidInput('The mapping should be a JSON object such as {"first_name": "Forename"}.', field="mapping")
    content = await _read(file)
    return imports.start(
        session,
        principal,
        kind=kind,
        format=format,
        filename=file.filename or "upload",
        content=content,
        mapping=parsed,
        sheet=sheet,
        header_row=header_row,
        organisation_id=organisation_id,
    )


@router.get("/imports", response_model=Page[ImportBatchSummary])
def list_imports(session: DbSession, principal: CurrentPrincipal, page: PageNumber = 1, page_size: PageSize = 20):
    rows, total = imports.list_(session, principal, page=page, page_size=page_size)
    return Page(items=[ImportBatchSummary.model_validate(b) for b in rows], total=total, page=page, page_size=page_size)


@router.get("/imports/{batch_id}", response_model=ImportBatchOut)
def get_import(batch_id: int, session: DbSession, principal: CurrentPrincipal):
    return imports.get(session, principal, batch_id)


@router.put("/imports/{batch_id}/mapping", response_model=ImportBatchOut)
def map_import(batch_id: int, body: MappingIn, session: DbSession, principal: CurrentPrincipal):
    return imports.set_mapping(session, principal, batch_id, body.mapping, sheet=body.sheet, header_row=body.header_row)


@router.post("/imports/{batch_id}/confirm", response_model=ImportBatchOut)
def confirm_import(batch_id: int, session: DbSession, principal: CurrentPrincipal, body: ConfirmIn | None = None):
    """Write the checked file: all of it, or (if any row now has a problem) nothing. With
    ``{"take_good_rows": true}`` the rows without problems are written and the others can be downloaded
    with their reasons."""
    return imports.confirm(session, principal, batch_id, take_good_rows=bool(body and body.take_good_rows))


@router.get("/imports/{batch_id}/rejected.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def rejected_rows(batch_id: int, session: DbSession, principal: CurrentPrincipal):
    """The rows a good-rows import left out, as they were in the file, with why."""
    name, content = imports.rejected_rows(session, principal, batch_id)
    return Response(
        content, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/imports/{batch_id}/discard", response_model=ImportBatchOut)
def discard_import(batch_id: int, session: DbSession, principal: CurrentPrincipal):
    return imports.discard(session, principal, batch_id)


# -- duplicate volunteers --------------------------------------------------------------------------
def _brief(v) -> VolunteerBrief:
    return VolunteerBrief(
        id=v.id,
        first_name=v.first_name,
        last_name=v.last_name,
        date_of_birth=v.date_of_birth,
        email=v.email,
        phone=v.phone,
        postcode=v.postcode,
        district_gss=v.district_gss,
        registering_centre_id=v.registering_centre_id,
        registered_on=v.registered_on,
        source=v.source,
    )


def _candidate(c, a, b) -> CandidateOut:
    return CandidateOut(id=c.id, score=c.score, reasons=list(c.reasons or []), status=c.status, first=_brief(a), second=_brief(b))


def _merge_out(m) -> MergeOut:
    moved = m.moved or {}
    return MergeOut(
        id=m.id,
        kept_volunteer_id=m.kept_id,
        merged_volunteer_id=m.merged_id,
        status=m.status,
        referrals_moved=len(moved.get("referrals", [])),
        placements_moved=len(moved.get("placements", [])),
        hours_entries_moved=len(moved.get("hours", [])),
        referrals_closed=len(moved.get("closed_referrals", [])),
        merged_at=m.merged_at,
        decided_at=m.decided_at,
    )


@router.post("/duplicates/scan", response_model=ScanOut)
def scan_duplicates(session: DbSession, principal: CurrentPrincipal):
    """Look for duplicates among the volunteers you can see (the lead centre: the whole county)."""
    r = dedup.scan(session, principal)
    return ScanOut(compared=r.compared, found=r.found, new=r.new, pairs_compared=r.pairs_compared, capped_blocks=r.capped_blocks)


@router.get("/duplicates", response_model=Page[CandidateOut])
def list_duplicates(session: DbSession, principal: CurrentPrincipal, page: PageNumber = 1, page_size: PageSize = 20):
    """Open pairs where you can see both volunteers, most likely first."""
    rows, total = dedup.list_candidates(session, principal, page=page, page_size=page_size)
    return Page(items=[_candidate(*r) for r in rows], total=total, page=page, page_size=page_size)


@router.get("/duplicates/{candidate_id}", response_model=CandidateOut)
def get_duplicate(candidate_id: int, session: DbSession, principal: CurrentPrincipal):
    return _candidate(*dedup.get_candidate(session, principal, candidate_id))


@router.post("/duplicates/{candidate_id}/dismiss", response_model=CandidateOut)
def dismiss_duplicate(candidate_id: int, session: DbSession, principal: CurrentPrincipal):
    """Not the same person: the pair is not proposed again."""
    dedup.dismiss(session, principal, candidate_id)
    return _candidate(*dedup.get_candidate(session, principal, candidate_id))


@router.post("/duplicates/{candidate_id}/merge", response_model=MergeOut, status_code=status.HTTP_201_CREATED)
def merge_duplicate(candidate_id: int, body: MergeIn, session: DbSession, principal: CurrentPrincipal):
    """Fold the other record into the one kept. Reversible until confirmed."""
    return _merge_out(merge.merge(session, principal, candidate_id, body.keep_volunteer_id))


@router.get("/merges/{merge_id}", response_model=MergeOut)
def get_merge(merge_id: int, session: DbSession, principal: CurrentPrincipal):
    return _merge_out(merge.get_merge(session, principal, merge_id))


@router.post("/merges/{merge_id}/confirm", response_model=MergeOut)
def confirm_merge(merge_id: int, session: DbSession, principal: CurrentPrincipal):
    return _merge_out(merge.confirm(session, principal, merge_id))


@router.post("/merges/{merge_id}/reverse", response_model=MergeOut)
def reverse_merge(merge_id: int, session: DbSession, principal: CurrentPrincipal):
    return _merge_out(merge.reverse(session, principal, merge_id))
