"""Imports for centre staff, on ``brokerage.interop.imports.service``: upload a file, read its dry-run
report, correct the column mapping (and the sheet or header row), import everything or only the good
rows, and download the rows left out. Also the export of the centre's volunteers (CSV or Excel, with a
data dictionary; equality information is never in a staff export)."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from brokerage.spreadsheets import csv_writer, neutralise
from brokerage.auth import policy
from brokerage import deps
from brokerage.deps import DbSession
from brokerage.interop.imports import formats
from brokerage.interop.imports import service as imports
from brokerage.interop.imports.reader import MAX_BYTES
from brokerage.models import Volunteer
from brokerage.web import forms
from brokerage.web.deps import Form, StaffUser, page_router
from brokerage.web.rendering import district_name, redirect, render

router = page_router()
# A session that stays open until a streamed download has been sent.
StreamSession = Annotated[Session, Depends(deps._db_session, scope="request")]

KINDS = (
    ("volunteers", "Volunteers"),
    ("sessions", "Sessions and hours"),
    ("roles", "Roles (opportunities)"),
    ("organisations", "Organisations (providers)"),
)
FORMATS = (("teamkinetic", "A TeamKinetic export, as downloaded"), ("generic", "Another spreadsheet (CSV or Excel)"))
SHOWN_PROBLEMS = 200


@router.get("/centre/imports")
def imports_page(request: Request, session: DbSession, principal: StaffUser):
    batches, total = imports.list_(session, principal, page=1, page_size=20)
    return render(
        request,
        "pages/centre/imports.html",
        {"title": "Import records", "batches": batches, "total": total, "kinds": KINDS, "formats": FORMATS},
    )


@router.post("/centre/imports")
async def upload(request: Request, session: DbSession, principal: StaffUser, form: Form):
    file = form.get("file")
    kind = forms.text(form, "kind") or ""
    fmt = forms.text(form, "format") or ""
    if not isinstance(file, UploadFile) or not file.filename:
        return redirect(request, "/centre/imports", "Choose the file to import.", kind="error")
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        return redirect(request, "/centre/imports", "The file is larger than 50 MB. Split it into smaller files.", kind="error")
    batch, errors = forms.attempt(
        session,
        lambda: imports.start(session, principal, kind=kind, format=fmt, filename=file.filename or "upload", content=content),
    )
    if errors or batch is None:
        return redirect(request, "/centre/imports", errors[0]["message"] if errors else "", kind="error")
    message = (
        "Choose which column holds what, then check the file."
        if batch.status == "needs_mapping"
        else "The file has been checked. Nothing is imported until you confirm."
    )
    return redirect(request, f"/centre/imports/{batch.id}", message)


def _rows(summary: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = summary.get(key)
    return value if isinstance(value, list) else []


@router.get("/centre/imports/{batch_id}")
def batch_page(batch_id: int, request: Request, session: DbSession, principal: StaffUser):
    batch = imports.get(session, principal, batch_id)
    summary = batch.summary or {}
    counts = {
        k.replace("_", " ").capitalize(): v
        for k, v in summary.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "phone_numbers_given_their_0"
    }
    problems = batch.problems or []
    bad_rows = len({p["row"] for p in problems if p["severity"] == "error" and p["row"]})
    whole_file = any(p["row"] == 0 and p["severity"] == "error" for p in problems)
    return render(
        request,
        "pages/centre/import.html",
        {
            "title": f"Import: {batch.filename}",
            "batch": batch,
            "counts": counts,
            "file": summary.get("file") or {},
            "skipped": summary.get("rows_skipped") or {},
            "ethnicity": _rows(summary, "ethnicity_mapping"),
            "statuses": _rows(summary, "status_mapping"),
            "reconciliation": [r for r in _rows(summary, "hours_reconciliation") if not r.get("agrees")],
            "result": summary.get("result") or {},
            "phones": summary.get("phone_numbers_given_their_0"),
            "problems": problems[:SHOWN_PROBLEMS],
            "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
            "bad_rows": bad_rows,
            "whole_file": whole_file,
            "fields": formats.FIELDS.get(batch.kind, ()),
            "mapping": batch.mapping or {},
            "columns": batch.columns or [],
        },
    )


@router.post("/centre/imports/{batch_id}")
def batch_action(batch_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form):
    action = forms.text(form, "action") or ""
    here = f"/centre/imports/{batch_id}"
    if action == "mapping":
        batch = imports.get(session, principal, batch_id)
        mapping = {
            spec.name: value for spec in formats.FIELDS.get(batch.kind, ()) if (value := forms.text(form, f"map-{spec.name}"))
        }
        header = forms.text(form, "header_row")
        header_row = int(header) if header and header.isdigit() and 0 < int(header) <= 1000 else None
        _, errors = forms.attempt(
            session,
            lambda: imports.set_mapping(
                session, principal, batch_id, mapping, sheet=forms.text(form, "sheet"), header_row=header_row
            ),
        )
        message = "The file has been checked with your mapping. Nothing is imported until you confirm."
    elif action in ("confirm", "good-rows"):
        done, errors = forms.attempt(
            session, lambda: imports.confirm(session, principal, batch_id, take_good_rows=action == "good-rows")
        )
        message = "The file has been imported."
        if done is not None and done.rejected_count:
            message = (
                f"The rows without problems have been imported. {done.rejected_count} rows were left out: download them below."
            )
    elif action == "discard":
        _, errors = forms.attempt(session, lambda: imports.discard(session, principal, batch_id))
        message = "The import has been discarded; nothing was imported."
    else:
        errors, message = [{"field": "action", "message": "Choose what to do with this import."}], ""
    if errors:
        return redirect(request, here, errors[0]["message"], kind="error")
    return redirect(request, here, message)


@router.get("/centre/imports/{batch_id}/rejected.csv")
def rejected(batch_id: int, session: DbSession, principal: StaffUser):
    name, content = imports.rejected_rows(session, principal, batch_id)
    return Response(
        content, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# -- the export of the centre's volunteers -------------------------------------------------------------
# Each column with what it holds. Equality information (gender, ethnicity, disability, employment) is
# special-category data seen only by the volunteer, so it is not in a staff export.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "The brokerage's number for the volunteer's record"),
    ("first_name", "First name"),
    ("last_name", "Surname"),
    ("email", "Email address (empty when none was given)"),
    ("phone", "Phone number, UK national form (07700 900123)"),
    ("date_of_birth", "Date of birth, YYYY-MM-DD"),
    ("postcode", "Home postcode"),
    ("district", "Local authority district of the postcode"),
    ("status", "active or inactive"),
    ("registered_on", "Date the volunteer registered, YYYY-MM-DD"),
    ("dbs_level", "Level of criminal record (DBS) check held (none when there is none)"),
    ("contact_consent", "yes when the volunteer agreed to be emailed about roles"),
    ("source", "Where the record came from: empty when registered here, else teamkinetic or spreadsheet"),
)


def _export_rows(session: Session, principal: StaffUser):
    stmt = policy.volunteer_scope(select(Volunteer), principal).where(Volunteer.status.in_(("active", "inactive")))
    for v in session.scalars(stmt.order_by(Volunteer.id).execution_options(yield_per=1000)):
        yield [
            v.id,
            v.first_name,
            v.last_name,
            v.email or "",
            v.phone or "",
            v.date_of_birth.isoformat() if v.date_of_birth else "",
            v.postcode or "",
            district_name(v.district_gss) if v.district_gss else "",
            v.status,
            v.registered_on.isoformat() if v.registered_on else "",
            v.dbs_level,
            "yes" if v.contact_consent else "no",
            v.source or "",
        ]


@router.get("/centre/exports/volunteers.csv")
def export_csv(session: StreamSession, principal: StaffUser):
    def chunks():
        out = io.StringIO()
        writer = csv_writer(out, lineterminator="\r\n")
        writer.writerow([c for c, _ in EXPORT_COLUMNS])
        for i, row in enumerate(_export_rows(session, principal), start=1):
            writer.writerow(row)
            if i % 1000 == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    name = f"volunteers-{date.today():%Y-%m-%d}.csv"
    return StreamingResponse(
        chunks(), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/centre/exports/volunteers-data-dictionary.csv")
def data_dictionary(principal: StaffUser):
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(["column", "what it holds"])
    writer.writerows(EXPORT_COLUMNS)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="volunteers-data-dictionary.csv"'},
    )


@router.get("/centre/exports/volunteers.xlsx")
def export_xlsx(session: DbSession, principal: StaffUser):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Volunteers")
    ws.append([c for c, _ in EXPORT_COLUMNS])
    for row in _export_rows(session, principal):
        ws.append([_cell(v) for v in row])
    guide = wb.create_sheet("Data dictionary")
    guide.append(["column", "what it holds"])
    for column in EXPORT_COLUMNS:
        guide.append(list(column))
    buf = io.BytesIO()
    wb.save(buf)
    name = f"volunteers-{date.today():%Y-%m-%d}.xlsx"
    return Response(
        buf.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is kept as text (the one rule, brokerage/spreadsheets.py)."""
    return neutralise(value)
