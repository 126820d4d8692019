"""Volunteers from a TeamKinetic export or a mapped spreadsheet: check every row, then create.

The dry run and the commit read the file the same way (:func:`_valid_rows`): the dry run counts what
the commit then writes, in chunks, so memory stays bounded however long the file is. A volunteer already
imported from the same source for the same centre (``Volunteer.source`` / ``source_id``) is left as it
is, so importing a file twice changes nothing. Rows never echo gender, ethnicity or disability values
back; the ethnicity mapping table counts answers without naming anyone."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import String, any_, bindparam, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from brokerage.dates import long_date
from brokerage.auth.service import normalise_email
from brokerage.db import utcnow
from brokerage.errors import InvalidInput
from brokerage.geo.lookup import locate
from brokerage.interop.imports import answers
from brokerage.interop.imports.reader import RawRow, Table
from brokerage.interop.imports.values import (
    CellProblem,
    Report,
    parse_bool,
    parse_date,
    parse_email,
    parse_hours,
    shown,
)
from brokerage.models import Volunteer
from brokerage.vocab.volunteers import PREFER_NOT_TO_SAY, VOLUNTEER_STATUS

_DIFFERENT_EVERY_ROW = frozenset(("first_name", "last_name", "email", "source_id"))
CHUNK = 500  # rows written by one INSERT (35 columns each: within every database's limit on parameters)


def source_key(centre_id: int, ref: str) -> str:
    return f"{centre_id}:{ref.strip()}"


def _disability(text: str) -> str:
    v = text.strip().lower()
    if "prefer" in v or "not stated" in v:
        return PREFER_NOT_TO_SAY
    try:
        return "yes" if parse_bool(v) else "no"
    except CellProblem:
        raise CellProblem("This value is not one we recognise; use Yes, No or Prefer not to say.") from None


@dataclass
class VolunteerPlan:
    report: Report
    total_rows: int = 0
    to_create: int = 0
    unchanged: int = 0
    rejected_rows: int = 0
    ethnicity: Counter[tuple[str, str]] = field(default_factory=Counter)  # (answer, what it maps to) → count
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    phones_given_zero: int = 0
    # the file's own hours totals, volunteer by volunteer (their id → logged, confirmed)
    file_hours: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.total_rows,
            "volunteers_to_create": self.to_create,
            "already_imported": self.unchanged,
            "rows_with_problems": self.rejected_rows,
            "ethnicity_mapping": [
                {"answer": answer, "maps_to": maps_to, "volunteers": n}
                for (answer, maps_to), n in sorted(self.ethnicity.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "status_mapping": [
                {"status": status or "(blank)", "maps_to": maps_to, "volunteers": n}
                for (status, maps_to), n in sorted(self.statuses.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "phone_numbers_given_their_0": self.phones_given_zero,
            "hours_in_file": self.file_hours,
        }


_MOST_HOURS = Decimal(1_000_000)


def _total_hours(text: str) -> Decimal:
    return parse_hours(text, maximum=_MOST_HOURS)


class _Rows:
    """One pass over the file: every row checked, the valid ones yielded as the columns of a volunteer."""

    def __init__(self, session: Session, centre_id: int, table: Table, mapping: dict[str, str], source: str, plan: VolunteerPlan):
        self.session, self.centre_id, self.table, self.mapping, self.source = session, centre_id, table, mapping, source
        self.plan, self.report = plan, plan.report
        self.today = date.today()
        self.existing = set(
            session.scalars(
                select(Volunteer.source_id).where(Volunteer.source == source, Volunteer.source_id.like(f"{centre_id}:%"))
            )
        )
        self.seen_refs: dict[str, int] = {}
        self.seen_emails: dict[int, int] = {}  # a digest of each address → its row (a long file, small keys)
        self.file_problems = {p.row for p in table.problems if p.severity == "error"}
        self.places: dict[str, tuple[str, float, float, str | None] | str] = {}
        # what each cell's text was read as, by field (a long file repeats its dates, Yes/No and totals)
        self.parsed: dict[str, dict[str, Any]] = {}

    def cell(self, n: int, values: dict[str, str], name: str, parser: Callable[[str], Any], *, required: bool = False) -> Any:
        text = values.get(name, "")
        label = self.mapping.get(name, name)
        if not text.strip():
            if required:
                self.report.error(n, label, "This is required but empty.")
            return None
        if name in _DIFFERENT_EVERY_ROW:
            try:
                return parser(text)
            except CellProblem as exc:
                self.report.error(n, label, exc.message)
                return None
        known = self.parsed.setdefault(name, {})
        if text not in known:
            if len(known) > 20_000:
                known.clear()  # bounded: a column of ever different values is read afresh
            try:
                known[text] = parser(text)
            except CellProblem as exc:
                known[text] = exc
        value = known[text]
        if isinstance(value, CellProblem):
            self.report.error(n, label, value.message)
            return None
        return value

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for p in self.table.problems:
            (self.report.error if p.severity == "error" else self.report.warning)(p.row, p.field, p.problem)
        pending: list[dict[str, Any]] = []
        for row in self.table.iter_rows(self.mapping.values()):
            data = self.row(row)
            if data is None:
                continue
            pending.append(data)
            if len(pending) >= CHUNK:
                yield from self.against_county(pending)
                pending = []
        yield from self.against_county(pending)

    def row(self, row: RawRow) -> dict[str, Any] | None:
        n, report, mapping = row.number, self.report, self.mapping
        errors_before = report.errors
        values = {f: row.values.get(col, "") for f, col in mapping.items()}
        first = self.cell(n, values, "first_name", lambda t: t.strip()[:100], required=True)
        last = self.cell(n, values, "last_name", lambda t: t.strip()[:100], required=True)
        ref = self.reference(n, values)
        data: dict[str, Any] = {"first_name": first, "last_name": last}
        data["date_of_birth"] = self.cell(n, values, "date_of_birth", lambda t: parse_date(t, latest=self.today))
        if data["date_of_birth"] and (self.today.year - data["date_of_birth"].year) > 110:
            report.error(n, mapping.get("date_of_birth"), "This date of birth is more than 110 years ago; please check it.")
        data["email"] = self.cell(n, values, "email", parse_email)
        data["phone"] = self.phone(n, values)
        data["registered_on"] = self.cell(
            n, values, "registered_on", lambda t: parse_date(t, earliest=date(1990, 1, 1), latest=self.today)
        )
        self.place(n, values, data)
        self.demographics(n, values, data)
        self.dbs(n, values, data)
        data["contact_consent"] = bool(self.cell(n, values, "contact_consent", parse_bool))
        data["status"] = self.status(n, values)
        self.hours_totals(n, values, ref)
        if data["email"]:
            digest = int.from_bytes(hashlib.blake2b(normalise_email(data["email"]).encode(), digest_size=8).digest(), "big")
            if digest in self.seen_emails:
                report.warning(
                    n,
                    mapping.get("email"),
                    f"Row {self.seen_emails[digest]} has the same email address; "
                    "both records are kept and offered for duplicate review.",
                )
                data["email_shared"] = True
            else:
                self.seen_emails[digest] = n
        if report.errors > errors_before or n in self.file_problems:
            self.plan.rejected_rows += 1
            return None
        if not ref:
            basis = "|".join(
                [(first or "").lower(), (last or "").lower(), str(data["date_of_birth"] or ""), (data["email"] or "").lower()]
            )
            ref = "row-" + hashlib.sha1(basis.encode()).hexdigest()[:20]
        key = source_key(self.centre_id, ref)
        if key in self.existing:
            self.plan.unchanged += 1
            return None
        data.update(source=self.source, source_id=key, row=n)
        return data

    def reference(self, n: int, values: dict[str, str]) -> str:
        ref = values.get("source_id", "").strip()
        if "source_id" in self.mapping:
            column = self.mapping["source_id"]
            if not ref:
                self.report.error(n, column, "This is required but empty: each volunteer needs their id.")
            elif ref in self.seen_refs:
                self.report.error(n, column, f"The id {shown(ref)} is used again: row {self.seen_refs[ref]} has the same id.")
            else:
                self.seen_refs[ref] = n
        return ref

    def phone(self, n: int, values: dict[str, str]) -> str | None:
        text = values.get("phone", "").strip()
        if not text:
            return None
        number = answers.phone(text)
        if number is None:
            self.report.error(n, self.mapping.get("phone"), f"{shown(text)} is not a phone number.")
            return None
        if number.added_zero:
            self.plan.phones_given_zero += 1
            self.report.warning(
                n,
                self.mapping.get("phone"),
                f"The number {shown(text)} had lost its leading 0; it is recorded as {number.number}.",
            )
        return number.number

    def place(self, n: int, values: dict[str, str], data: dict[str, Any]) -> None:
        text = values.get("postcode", "").strip()
        if not text:
            return
        if text not in self.places:
            try:
                loc = locate(self.session, text)
                self.places[text] = (loc.postcode, loc.latitude, loc.longitude, loc.district_code)
            except InvalidInput as exc:
                self.places[text] = exc.message
            if len(self.places) > 20_000:
                self.places.clear()  # bounded: a long file of different postcodes looks them up again
        place = self.places.get(text)
        if isinstance(place, str):
            self.report.error(n, self.mapping.get("postcode"), place)
        elif place is not None:
            data["postcode"], data["latitude"], data["longitude"], data["district_gss"] = place

    def demographics(self, n: int, values: dict[str, str], data: dict[str, Any]) -> None:
        """Special-category data: mapped, never echoed in a row's problems."""
        text = values.get("gender", "").strip()
        if text:
            data["gender"] = answers.gender(text)
            if data["gender"] is None:
                self.report.error(
                    n,
                    self.mapping.get("gender"),
                    "This gender answer is not one we recognise; use Woman, Man, Non-binary, Another way or Prefer not to say.",
                )
        text = values.get("ethnicity", "").strip()
        if text:
            answer = answers.ethnicity(text)
            data.update(ethnicity=answer.group, ethnicity_detail=answer.detail)
            if answer.kept_as_given:
                data["ethnicity_as_given"] = text[:100]
            self.plan.ethnicity[(text[:100], answer.label)] += 1
        text = values.get("disability", "").strip()
        if text:
            try:
                data["disability"] = _disability(text)
            except CellProblem as exc:
                self.report.error(n, self.mapping.get("disability"), exc.message)

    def dbs(self, n: int, values: dict[str, str], data: dict[str, Any]) -> None:
        checked = self.cell(n, values, "dbs_check", parse_bool)
        enhanced = self.cell(n, values, "dbs_enhanced", parse_bool)
        expires = self.cell(n, values, "dbs_expires", parse_date)
        level = "enhanced" if enhanced else ("standard" if checked else "none")
        if level != "none" and expires is not None and expires < self.today:
            self.report.warning(
                n,
                self.mapping.get("dbs_expires"),
                f"The criminal record check was due for renewal on {long_date(expires)}; it is recorded as no current check.",
            )
            level = "none"
        data["dbs_level"] = level

    def status(self, n: int, values: dict[str, str]) -> str:
        text = values.get("status", "")
        if "status" not in self.mapping:
            return "active"
        mapped = answers.status(text)
        if mapped is None:
            known = sorted({k.title() for k in answers.STATUSES if k})
            self.report.error(
                n,
                self.mapping["status"],
                f"The status {shown(text)} is not one we know, so we cannot tell whether the volunteer is active. "
                f"Statuses we know: {', '.join(known)}.",
            )
            return "active"
        self.plan.statuses[(text.strip(), VOLUNTEER_STATUS.label(mapped))] += 1
        return mapped

    def hours_totals(self, n: int, values: dict[str, str], ref: str) -> None:
        totals: dict[str, float] = {}
        for name, key in (("hours_total_logged", "logged"), ("hours_total_confirmed", "confirmed")):
            hours = self.cell(n, values, name, _total_hours)
            if hours:
                totals[key] = float(hours)
        if totals and ref:
            self.plan.file_hours[ref] = totals

    def against_county(self, chunk: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Emails already on the county's records: the new record keeps the address but is left for review."""
        emails = sorted({normalise_email(d["email"]) for d in chunk if d.get("email") and not d.get("email_shared")})
        taken = (
            set(self.session.scalars(select(Volunteer.email_normalised).where(_one_of(self.session, emails))))
            if emails
            else set()
        )
        for d in chunk:
            if d.get("email") and not d.get("email_shared") and normalise_email(d["email"]) in taken:
                d["email_shared"] = True
                self.report.warning(
                    d["row"],
                    self.mapping.get("email"),
                    "Someone on the county's records already has this email address; "
                    "the new record is kept and offered for duplicate review.",
                )
            yield d


def _one_of(session: Session, emails: list[str]) -> Any:
    """``email_normalised`` is one of ``emails``: on PostgreSQL one array parameter (``= ANY``), so
    a chunk's query is not rendered value by value; elsewhere ``IN``."""
    if session.get_bind().dialect.name == "postgresql":
        return Volunteer.email_normalised == any_(bindparam("emails", emails, type_=ARRAY(String)))
    return Volunteer.email_normalised.in_(emails)


def check(
    session: Session,
    centre_id: int,
    table: Table,
    mapping: dict[str, str],
    source: str,
    progress: Callable[[int], None] | None = None,
    *,
    write: bool = False,
) -> VolunteerPlan:
    """The dry run: every row checked, nothing written. With ``write`` the same single pass also
    writes the valid rows, 500 at a time (the commit; the caller undoes it if it refuses the file)."""
    plan = VolunteerPlan(report=Report(), total_rows=table.total_rows)
    now = utcnow()
    chunk: list[dict[str, Any]] = []
    for d in _Rows(session, centre_id, table, mapping, source, plan):
        plan.to_create += 1
        if write:
            chunk.append(_record(d, centre_id, now))
            if len(chunk) >= CHUNK:
                _insert(session, chunk)
                chunk = []
        if progress is not None and plan.to_create % CHUNK == 0:
            progress(CHUNK)
    if write and chunk:
        _insert(session, chunk)
    return plan


def _record(d: dict[str, Any], centre_id: int, now: Any) -> dict[str, Any]:
    email = d.get("email")
    return {
        "first_name": d["first_name"],
        "last_name": d["last_name"],
        "email": email,
        "email_normalised": normalise_email(email) if email and not d.get("email_shared") else None,
        "phone": d.get("phone"),
        "date_of_birth": d.get("date_of_birth"),
        "postcode": d.get("postcode"),
        "latitude": d.get("latitude"),
        "longitude": d.get("longitude"),
        "district_gss": d.get("district_gss"),
        "travel_radius_miles": 5.0,
        "mode": "either",
        "availability_mask": 0,
        "preference": "either",
        "dbs_level": d["dbs_level"],
        "dbs_update_service": False,
        "dbs_willing": False,
        "contact_consent": d["contact_consent"],
        "notification_preference": "weekly_digest" if d["contact_consent"] else "none",
        "registering_centre_id": centre_id,
        "gender": d.get("gender"),
        "ethnicity": d.get("ethnicity"),
        "ethnicity_detail": d.get("ethnicity_detail"),
        "ethnicity_as_given": d.get("ethnicity_as_given"),
        "disability": d.get("disability"),
        "status": d["status"],
        "registered_on": d.get("registered_on") or date.today(),
        "source": d["source"],
        "source_id": d["source_id"],
        "created_at": now,
        "updated_at": now,
    }


def _insert(session: Session, chunk: list[dict[str, Any]]) -> None:
    """Write a chunk of new volunteers in one go: PostgreSQL's COPY (the rows streamed into the table in
    the same transaction), elsewhere one executemany."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(Volunteer), chunk)
        return
    columns = list(chunk[0])
    dbapi: Any = connection.connection.dbapi_connection
    with dbapi.cursor() as cursor:
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f"COPY volunteers ({names}) FROM STDIN") as copy:
            for row in chunk:
                copy.write_row([row[c] for c in columns])
