"""Import batches: upload → dry run (a report per row, nothing written) → confirm (all or nothing).

The uploaded file is kept with the batch so that confirming writes exactly what was checked; it is
checked again at confirmation (the county may have changed meanwhile) and dropped once the batch is
committed or discarded. Only staff of the batch's centre may see or confirm it."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from brokerage import audit, locking
from brokerage.spreadsheets import csv_writer
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.interop.imports import formats, listings, sessions, volunteers
from brokerage.interop.imports.reader import FileProblem, Table, read_table
from brokerage.interop.imports.values import Report
from brokerage.models import Centre, ImportBatch

SOURCES = {"teamkinetic": "teamkinetic", "generic": "spreadsheet"}
MAX_PROBLEMS = 5000  # problems kept with a batch; the counts are always complete


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


@dataclass
class Checked:
    report: Report
    plan: Any = None  # None when the file could not be read
    table: Table | None = None
    mapping: dict[str, str] = field(default_factory=dict)


def _content(session: Session, batch: ImportBatch) -> bytes:
    """The stored file. On PostgreSQL it is fetched in binary (the text protocol would bring it as hex,
    twice its size, and then decode it); it is not kept on the batch."""
    if "content" in batch.__dict__:  # uploaded in this transaction
        return batch.content or b""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return batch.content or b""
    dbapi: Any = connection.connection.dbapi_connection
    with dbapi.cursor(binary=True) as cursor:
        row = cursor.execute("SELECT content FROM import_batches WHERE id = %s", (batch.id,)).fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def _read(session: Session, batch: ImportBatch) -> Table:
    options = batch.options or {}
    return read_table(
        _content(session, batch),
        batch.filename,
        sheet=options.get("sheet"),
        header_row=options.get("header_row"),
        expected=formats.expected_names(batch.kind),
    )


def _file_problem(report: Report, exc: FileProblem) -> None:
    report.error(0, None, exc.message)
    for row in exc.rows[:500]:
        report.error(row, None, "This row is named in the problem with the whole file above.")


def _check(
    session: Session, batch: ImportBatch, progress: Callable[[int], None] | None = None, *, write: bool = False
) -> Checked:
    """Run the dry run for a batch's stored file (the plan is None if the file cannot be read). With
    ``write`` a volunteers file is written in the same pass (see :func:`confirm`)."""
    if batch.kind == "feed":
        from brokerage.interop import feed_import

        feed_report, feed_plan = feed_import.check_import(
            session, _content(session, batch), area=(batch.options or {}).get("area")
        )
        return Checked(feed_report, feed_plan)
    report = Report()
    try:
        table = _read(session, batch)
    except FileProblem as exc:
        _file_problem(report, exc)
        return Checked(report)
    batch.columns = table.columns
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
            return Checked(report)
        batch.mapping = mapping
    else:
        mapping = batch.mapping or {}
    source = SOURCES[batch.format]
    plan: Any
    if batch.kind in ("roles", "organisations"):
        organisation_id = (batch.options or {}).get("organisation_id")
        plan = listings.check(session, batch.centre_id, table, mapping, source, batch.kind, organisation_id, progress)
    elif batch.kind == "volunteers":
        plan = volunteers.check(session, batch.centre_id, table, mapping, source, progress=progress, write=write)
    else:
        plan = sessions.check(session, batch.centre_id, table, mapping, source, progress=progress)
    ignored = [c for c in table.columns if c and c not in mapping.values()]
    plan.summary_extra = {
        "columns_not_used": ignored,
        "file": {
            "sheet": table.sheet,
            "sheets": table.sheets,
            "header_row": table.header_row,
            "header_rows": table.header_rows,
            "encoding": "utf-8" if table.encoding == "utf-8-sig" else table.encoding,
            "notes": table.notes,
        },
    }
    return Checked(plan.report, plan, table, mapping)


def _store_report(batch: ImportBatch, checked: Checked) -> None:
    report, plan = checked.report, checked.plan
    batch.problems = sorted(report.problems, key=lambda p: (p["row"], p["severity"] != "error"))[:MAX_PROBLEMS]
    batch.error_count, batch.warning_count = report.errors, report.warnings
    if plan is not None:
        batch.total_rows = plan.total_rows
        batch.summary = {**plan.summary, **getattr(plan, "summary_extra", {})}
    else:
        batch.total_rows, batch.summary = 0, {}


KINDS = ("volunteers", "sessions", "roles", "organisations", "feed")


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
    sheet: str | None = None,
    header_row: int | None = None,
    organisation_id: int | None = None,
    area: str | None = None,
) -> ImportBatch:
    """Upload and dry run. A spreadsheet without a mapping stops at the mapping step with a suggestion.
    A feed can be limited to an ``area`` (``kent_medway``: Kent and Medway, and remote roles)."""
    centre_id = _centre_for(session, principal, centre_id)
    if kind not in KINDS:
        raise InvalidInput("Choose what the file holds: volunteers, sessions, roles or organisations.", field="kind")
    if kind == "feed":
        format = "data_standard"
    elif format not in ("teamkinetic", "generic"):
        raise InvalidInput("Choose the file's format: teamkinetic or generic.", field="format")
    if header_row is not None and not 1 <= header_row <= 1000:
        raise InvalidInput("The header row should be a row number from 1 to 1000.", field="header_row")
    batch = ImportBatch(
        centre_id=centre_id,
        created_by_id=principal.user_id if principal else actor_user_id,
        kind=kind,
        format=format,
        filename=(filename or "upload")[:255],
        content_sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        status="checked",
        options={
            k: v
            for k, v in (("sheet", sheet), ("header_row", header_row), ("organisation_id", organisation_id), ("area", area))
            if v is not None
        }
        or None,
        problems=[],
        summary={},
        total_rows=0,
        error_count=0,
        warning_count=0,
        rejected_count=0,
    )
    if format == "generic":
        report = Report()
        try:
            table = _read(session, batch)
        except FileProblem as exc:
            _file_problem(report, exc)
            _store_report(batch, Checked(report))
            session.add(batch)
            session.flush()
            return batch
        batch.columns = table.columns
        batch.summary = {"file": {"sheet": table.sheet, "sheets": table.sheets, "header_row": table.header_row}}
        if not mapping:
            batch.status = "needs_mapping"
            batch.mapping = formats.suggest_mapping(kind, batch.columns)
            session.add(batch)
            session.flush()
            return batch
        batch.mapping = formats.check_mapping(kind, batch.columns, mapping)
    _store_report(batch, _check(session, batch, progress))
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


def set_mapping(
    session: Session,
    principal: Principal | None,
    batch_id: int,
    mapping: dict[str, str],
    *,
    sheet: str | None = None,
    header_row: int | None = None,
) -> ImportBatch:
    """The column-mapping step for a spreadsheet (and, if asked, another sheet or header row): store the
    mapping and run the dry run."""
    batch = _own_batch(session, principal, batch_id)
    if batch.status not in ("needs_mapping", "checked"):
        raise Conflict("This import has already been " + batch.status + ".")
    if batch.format != "generic":
        raise Conflict("Only a spreadsheet import needs a column mapping; TeamKinetic and feed files are mapped already.")
    if sheet is not None or header_row is not None:
        options = dict(batch.options or {})
        options.update({k: v for k, v in (("sheet", sheet), ("header_row", header_row)) if v is not None})
        batch.options = options
        try:
            batch.columns = _read(session, batch).columns
        except FileProblem as exc:
            raise InvalidInput(exc.message, field="header_row" if header_row is not None else "sheet") from None
    batch.mapping = formats.check_mapping(batch.kind, batch.columns or [], mapping)
    _store_report(batch, _check(session, batch))
    batch.status = "checked"
    session.flush()
    return batch


def _refuse(batch: ImportBatch, checked: Checked, *, good_rows: bool) -> None:
    report = checked.report
    _store_report(batch, checked)
    details = [
        {"field": f"row {p['row']}" + (f" · {p['field']}" if p["field"] else ""), "message": p["problem"]}
        for p in report.problems
        if p["severity"] == "error"
    ][:200]
    if good_rows:
        message = (
            "The file as a whole cannot be read, so there are no good rows to take; nothing was imported. "
            "Correct the file and upload it again."
        )
    else:
        message = (
            f"The file has {report.errors} problem{'s' if report.errors != 1 else ''}; nothing was imported. "
            "Correct the file and upload it again, or take only the rows without problems."
        )
    raise Conflict(message, details=details)


def confirm(
    session: Session,
    principal: Principal | None,
    batch_id: int,
    *,
    actor_user_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    take_good_rows: bool = False,
) -> ImportBatch:
    """Write the checked file: by default everything or, if any row has a problem, nothing. With
    ``take_good_rows`` the rows without problems are written and the others kept as a CSV of rejected
    rows with their reasons (see :func:`rejected_rows`). Runs in the caller's transaction."""
    batch = _own_batch(session, principal, batch_id)
    batch = locking.lock(session, ImportBatch, batch.id)  # written once, however often it is confirmed
    if batch.status == "committed":
        raise Conflict("This import has already been confirmed.")
    if batch.status == "discarded":
        raise Conflict("This import was discarded; upload the file again.")
    if batch.status == "needs_mapping":
        raise Conflict("Choose which column holds what (the mapping step) before confirming.")
    actor = principal.user_id if principal else actor_user_id
    # the dry run's report (a long file's summary holds every volunteer's hours) is written afresh
    # below: not held while the file is read again
    session.expire(batch, ["summary", "problems"])
    try:
        if batch.kind == "volunteers":
            checked, result = _check_and_write(session, batch, progress, take_good_rows)
        else:
            checked = _check(session, batch, progress)
            _refuse_if_bad(batch, checked, take_good_rows)
            with session.begin_nested():  # all or nothing, even inside a longer transaction
                result = _apply(session, batch, checked, actor, progress)
    except IntegrityError:
        raise Conflict(
            "The records changed while the import was being written; nothing was imported. "
            "Upload the file again to check it once more."
        ) from None
    _store_report(batch, checked)
    report = checked.report
    if report.errors and checked.table is not None:
        batch.rejected_csv, batch.rejected_count = _rejected_csv(checked.table, report)
        result["rows_rejected"] = batch.rejected_count
    batch.summary = {**batch.summary, "result": result}
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


def _refuse_if_bad(batch: ImportBatch, checked: Checked, take_good_rows: bool) -> None:
    report = checked.report
    whole_file = any(p["row"] == 0 and p["severity"] == "error" for p in report.problems)
    if checked.plan is None or whole_file or (report.errors and not take_good_rows):
        _refuse(batch, checked, good_rows=take_good_rows)


def _check_and_write(
    session: Session, batch: ImportBatch, progress: Callable[[int], None] | None, take_good_rows: bool
) -> tuple[Checked, dict[str, Any]]:
    """A volunteers file in one pass: checked again and written as it is read, inside a savepoint that
    is rolled back if the file is refused after all (so a long file is read once, not twice)."""
    savepoint = session.begin_nested()
    try:
        checked = _check(session, batch, progress, write=True)
    except BaseException:
        savepoint.rollback()
        raise
    report = checked.report
    if (
        checked.plan is None
        or report.errors
        and not take_good_rows
        or any(p["row"] == 0 and p["severity"] == "error" for p in report.problems)
    ):
        savepoint.rollback()
        _refuse(batch, checked, good_rows=take_good_rows)
    session.flush()
    savepoint.commit()
    return checked, {"volunteers_created": checked.plan.to_create, "already_imported": checked.plan.unchanged}


def _rejected_csv(table: Table, report: Report) -> tuple[bytes, int]:
    """The rows left out, as they were in the file, each with its row number and reasons. Cells that a
    spreadsheet would run as a formula are escaped (brokerage/spreadsheets.py)."""
    reasons: dict[int, list[str]] = {}
    for p in report.problems:
        if p["severity"] == "error" and p["row"]:
            reasons.setdefault(p["row"], []).append((f"{p['field']}: " if p["field"] else "") + p["problem"])
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(["Row", "Why it was not imported", *table.columns])
    written = 0
    for row in table.iter_rows():
        if row.number in reasons:
            writer.writerow([row.number, " | ".join(reasons[row.number]), *(row.values.get(c, "") for c in table.columns)])
            written += 1
    return out.getvalue().encode("utf-8-sig"), written


def rejected_rows(session: Session, principal: Principal | None, batch_id: int) -> tuple[str, bytes]:
    """(file name, CSV) of the rows a good-rows import left out."""
    batch = _own_batch(session, principal, batch_id)
    if not batch.rejected_csv:
        raise NotFound("This import has no rejected rows.")
    stem = (batch.filename.rsplit(".", 1)[0] or "import")[:80]
    return f"{stem}-rejected-rows.csv", batch.rejected_csv


def _apply(
    session: Session, batch: ImportBatch, checked: Checked, actor: int | None, progress: Callable[[int], None] | None
) -> dict[str, Any]:
    plan = checked.plan
    if batch.kind == "sessions":
        return sessions.apply(session, batch.centre_id, plan, SOURCES[batch.format], actor_user_id=actor)
    if batch.kind in ("roles", "organisations"):
        return listings.apply(session, plan, actor_user_id=actor)
    from brokerage.interop import feed_import

    return feed_import.apply_import(session, plan, actor_user_id=actor)


def discard(session: Session, principal: Principal | None, batch_id: int) -> ImportBatch:
    batch = _own_batch(session, principal, batch_id)
    batch = locking.lock(session, ImportBatch, batch.id)
    if batch.status == "committed":
        raise Conflict("This import has already been confirmed; it cannot be discarded.")
    batch.status = "discarded"
    batch.content = None
    session.flush()
    return batch
