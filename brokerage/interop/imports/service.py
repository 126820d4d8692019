"""Import batches: upload → dry run (a report per row, nothing written) → confirm (all or nothing).

The uploaded file is kept with the batch so that confirming writes exactly what was checked; it is
checked again at confirmation (the county may have changed meanwhile) and dropped once the batch is
committed or discarded. Only staff of the batch's centre may see or confirm it."""

from __future__ import annotations

import hashlib
from typing import Any
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from brokerage import audit, locking
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.interop.imports import formats, sessions, volunteers
from brokerage.interop.imports.reader import FileProblem, read_table
from brokerage.interop.imports.values import Report
from brokerage.models import Centre, ImportBatch

SOURCES = {"teamkinetic": "teamkinetic", "generic": "spreadsheet"}


def _centre_for(session: Session, principal: Principal | None, centre_id: int | None) -> int:
    """Staff import into their own centre; the command line names the centre."""
    if principal is not None:
        if not policy.can_import_for_centre(principal, principal.centre_id):
            raise Forbidden("Only volunteer centre staff can import records, into their own centre.")
        if centre_id is not None and centre_id != principal.centre_id:
            raise Forbidden("You can import only into your own volunteer centre.")
        centre_id = principal.centre_id
    if centre_id is None or session.get(Centre, centre_id) is None:
        raise InvalidInput("There is no volunteer centre with that id.", field="centre_id")
    return centre_id


def _check(session: Session, batch: ImportBatch, progress: Callable[[int], None] | None = None) -> tuple[Report, Any]:
    """Run the dry run for a batch's stored file; returns the report and the plan (None if unreadable)."""
    if batch.kind == "feed":
        from brokerage.interop import feed

        return feed.check_import(session, batch.content or b"")
    report = Report()
    try:
        table = read_table(batch.content or b"", batch.filename)
    except FileProblem as exc:
        report.error(0, None, exc.message)
        return report, None
    batch.columns = [c for c in table.columns if c]
    if batch.format == "teamkinetic":
        mapping, missing = formats.teamkinetic_mapping(batch.kind, table.columns)
        if missing:
            report.error(
                0,
                None,
                "This does not look like a TeamKinetic "
                + batch.kind
                + " export: the column"
                + ("s " if len(missing) > 1 else " ")
                + ", ".join(missing)
                + (" are" if len(missing) > 1 else " is")
                + " missing.",
            )
            return report, None
        batch.mapping = mapping
    else:
        mapping = batch.mapping or {}
    module = volunteers if batch.kind == "volunteers" else sessions
    plan = module.check(session, batch.centre_id, table, mapping, SOURCES[batch.format], progress=progress)
    ignored = [c for c in table.columns if c and c not in mapping.values()]
    plan.summary_extra = {"columns_not_used": ignored}
    return plan.report, plan


def _store_report(batch: ImportBatch, report: Report, plan: Any) -> None:
    batch.problems = sorted(report.problems, key=lambda p: (p["row"], p["severity"] != "error"))
    batch.error_count, batch.warning_count = report.errors, report.warnings
    if plan is not None:
        batch.total_rows = plan.total_rows
        batch.summary = {**plan.summary, **getattr(plan, "summary_extra", {})}
    else:
        batch.total_rows, batch.summary = 0, {}


def start(
    session: Session,
    principal: Principal | None,
    *,
    kind: str,
    format: str,
    filename: str,
    content: bytes,
    mapping: dict[str, str] | None = None,
    centre_id: int | None = None,
    actor_user_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Upload and dry run. A spreadsheet without a mapping stops at the mapping step with a suggestion."""
    centre_id = _centre_for(session, principal, centre_id)
    if kind not in ("volunteers", "sessions", "feed"):
        raise InvalidInput("Choose what the file holds: volunteers or sessions.", field="kind")
    if kind == "feed":
        format = "data_standard"
    elif format not in ("teamkinetic", "generic"):
        raise InvalidInput("Choose the file's format: teamkinetic or generic.", field="format")
    batch = ImportBatch(
        centre_id=centre_id,
        created_by_id=principal.user_id if principal else actor_user_id,
        kind=kind,
        format=format,
        filename=(filename or "upload")[:255],
        content_sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        status="checked",
        problems=[],
        summary={},
        total_rows=0,
        error_count=0,
        warning_count=0,
    )
    if format == "generic":
        try:
            table = read_table(content, filename)
        except FileProblem as exc:
            report = Report()
            report.error(0, None, exc.message)
            _store_report(batch, report, None)
            session.add(batch)
            session.flush()
            return batch
        batch.columns = [c for c in table.columns if c]
        if not mapping:
            batch.status = "needs_mapping"
            batch.mapping = formats.suggest_mapping(kind, batch.columns)
            session.add(batch)
            session.flush()
            return batch
        batch.mapping = formats.check_mapping(kind, batch.columns, mapping)
    report, plan = _check(session, batch, progress)
    _store_report(batch, report, plan)
    session.add(batch)
    session.flush()
    return batch


def _own_batch(session: Session, principal: Principal | None, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound("There is no import with that id.")
    if principal is not None and not policy.can_import_for_centre(principal, batch.centre_id):
        if principal.is_staff:
            raise NotFound("There is no import with that id.")
        raise Forbidden("Only volunteer centre staff can see imports, for their own centre.")
    return batch


def get(session: Session, principal: Principal | None, batch_id: int) -> ImportBatch:
    return _own_batch(session, principal, batch_id)


def list_(session: Session, principal: Principal, *, page: int, page_size: int) -> tuple[list[ImportBatch], int]:
    if not policy.can_import_for_centre(principal, principal.centre_id):
        raise Forbidden("Only volunteer centre staff can see imports, for their own centre.")
    stmt = select(ImportBatch).where(ImportBatch.centre_id == principal.centre_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(ImportBatch.id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total


def set_mapping(session: Session, principal: Principal | None, batch_id: int, mapping: dict[str, str]) -> ImportBatch:
    """The column-mapping step for a spreadsheet: store the mapping and run the dry run."""
    batch = _own_batch(session, principal, batch_id)
    if batch.status not in ("needs_mapping", "checked"):
        raise Conflict("This import has already been " + batch.status + ".")
    if batch.format != "generic":
        raise Conflict("Only a spreadsheet import needs a column mapping; TeamKinetic and feed files are mapped already.")
    batch.mapping = formats.check_mapping(batch.kind, batch.columns or [], mapping)
    report, plan = _check(session, batch)
    _store_report(batch, report, plan)
    batch.status = "checked"
    session.flush()
    return batch


def confirm(
    session: Session,
    principal: Principal | None,
    batch_id: int,
    *,
    actor_user_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Write the checked file: everything or, at the first problem, nothing (the caller's transaction)."""
    batch = _own_batch(session, principal, batch_id)
    batch = locking.lock(session, ImportBatch, batch.id)  # written once, however often it is confirmed
    if batch.status == "committed":
        raise Conflict("This import has already been confirmed.")
    if batch.status == "discarded":
        raise Conflict("This import was discarded; upload the file again.")
    if batch.status == "needs_mapping":
        raise Conflict("Choose which column holds what (the mapping step) before confirming.")
    report, plan = _check(session, batch, progress)
    if plan is None or report.errors:
        _store_report(batch, report, plan)
        details = [
            {"field": f"row {p['row']}" + (f" · {p['field']}" if p["field"] else ""), "message": p["problem"]}
            for p in report.problems
            if p["severity"] == "error"
        ][:200]
        raise Conflict(
            f"The file has {report.errors} problem{'s' if report.errors != 1 else ''}; nothing was imported. "
            "Correct the file and upload it again.",
            details=details,
        )
    actor = principal.user_id if principal else actor_user_id
    try:
        with session.begin_nested():  # all or nothing, even inside a longer transaction
            result = _apply(session, batch, plan, actor)
    except IntegrityError:
        raise Conflict(
            "The records changed while the import was being written; nothing was imported. "
            "Upload the file again to check it once more."
        ) from None
    batch.problems = sorted(report.problems, key=lambda p: (p["row"], p["severity"] != "error"))
    batch.warning_count = report.warnings
    batch.summary = {**plan.summary, **getattr(plan, "summary_extra", {}), "result": result}
    batch.status = "committed"
    batch.committed_at = utcnow()
    batch.committed_by_id = actor
    batch.content = None  # the file is no longer needed once its rows are in
    audit.record(
        session,
        principal,
        f"import.{batch.kind}",
        "import_batch",
        batch.id,
        **{k: v for k, v in result.items() if isinstance(v, int)},
    )
    session.flush()
    return batch


def _apply(session: Session, batch: ImportBatch, plan: Any, actor: int | None) -> dict[str, Any]:
    if batch.kind == "volunteers":
        created = volunteers.apply(session, batch.centre_id, plan)
        return {"volunteers_created": len(created), "already_imported": plan.unchanged}
    if batch.kind == "sessions":
        return sessions.apply(session, batch.centre_id, plan, SOURCES[batch.format], actor_user_id=actor)
    from brokerage.interop import feed

    return feed.apply_import(session, plan, actor_user_id=actor)


def discard(session: Session, principal: Principal | None, batch_id: int) -> ImportBatch:
    batch = _own_batch(session, principal, batch_id)
    batch = locking.lock(session, ImportBatch, batch.id)
    if batch.status == "committed":
        raise Conflict("This import has already been confirmed; it cannot be discarded.")
    batch.status = "discarded"
    batch.content = None
    session.flush()
    return batch
