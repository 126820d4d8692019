"""Volunteers from a TeamKinetic export or a mapped spreadsheet: check every row, then create.

A volunteer already imported from the same source for the same centre (``Volunteer.source`` /
``source_id``) is left as it is, so importing a file twice changes nothing. Rows never echo
gender, ethnicity or disability values back in the report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage.auth.service import normalise_email
from brokerage.errors import InvalidInput
from brokerage.geo.lookup import locate
from brokerage.interop.imports.reader import Table
from brokerage.interop.imports.values import (
    CellProblem,
    Report,
    parse_bool,
    parse_date,
    parse_email,
    parse_phone,
    shown,
)
from brokerage.models import Volunteer
from brokerage.vocab.volunteers import PREFER_NOT_TO_SAY


def source_key(centre_id: int, ref: str) -> str:
    return f"{centre_id}:{ref.strip()}"


def _gender(text: str) -> str:
    v = text.strip().lower()
    if v in ("m", "male", "man", "boy"):
        return "man"
    if v in ("f", "female", "woman", "girl"):
        return "woman"
    if v.replace("-", "").replace(" ", "") in ("nonbinary", "nb", "enby"):
        return "non_binary"
    if "prefer" in v or "not say" in v or "not stated" in v or "not known" in v or v in ("unknown", "n/a"):
        return PREFER_NOT_TO_SAY
    return "other"


def _ethnicity(text: str) -> str:
    v = text.strip().lower()
    if "prefer" in v or "not stated" in v or "not known" in v or v in ("unknown", "n/a"):
        return PREFER_NOT_TO_SAY
    if "mixed" in v or "multiple" in v:
        return "mixed"
    for word, group in (
        ("white", "white"),
        ("asian", "asian"),
        ("indian", "asian"),
        ("pakistani", "asian"),
        ("bangladeshi", "asian"),
        ("chinese", "asian"),
        ("black", "black"),
        ("african", "black"),
        ("caribbean", "black"),
    ):
        if word in v:
            return group
    return "other"


def _disability(text: str) -> str:
    v = text.strip().lower()
    if "prefer" in v or "not stated" in v:
        return PREFER_NOT_TO_SAY
    try:
        return "yes" if parse_bool(v) else "no"
    except CellProblem:
        raise CellProblem("This value is not one we recognise; use Yes, No or Prefer not to say.") from None


_STATUSES = {
    "active": "active",
    "live": "active",
    "current": "active",
    "approved": "active",
    "inactive": "inactive",
    "archived": "inactive",
    "deleted": "inactive",
    "left": "inactive",
    "suspended": "inactive",
    "dormant": "inactive",
    "pending": "active",
    "new": "active",
}


@dataclass
class VolunteerPlan:
    report: Report
    total_rows: int = 0
    to_create: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def summary(self) -> dict[str, int]:
        return {"rows": self.total_rows, "volunteers_to_create": len(self.to_create), "already_imported": self.unchanged}


def check(
    session: Session,
    centre_id: int,
    table: Table,
    mapping: dict[str, str],
    source: str,
    progress: Callable[[int], None] | None = None,
) -> VolunteerPlan:
    report = Report()
    plan = VolunteerPlan(report=report, total_rows=len(table.rows))
    today = date.today()
    existing = set(
        session.scalars(select(Volunteer.source_id).where(Volunteer.source == source, Volunteer.source_id.like(f"{centre_id}:%")))
    )
    seen_refs: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    width = len(table.columns)

    for row in table.rows:
        if progress is not None:
            progress(1)
        n = row.number
        errors_before = report.errors
        if row.extra:
            report.error(
                n,
                None,
                f"This row has {width + len(row.extra)} cells but the header names {width} columns; "
                "a stray comma or an unquoted value has shifted the columns.",
            )
            continue
        values = {f: row.values.get(col, "") for f, col in mapping.items()}
        data: dict[str, Any] = {}

        def cell(field_name: str, parser: Callable[[str], Any], *, required: bool = False, column_label: str | None = None):
            text = values.get(field_name, "")
            label = mapping.get(field_name, column_label or field_name)
            if not text.strip():
                if required:
                    report.error(n, label, "This is required but empty.")
                return None
            try:
                return parser(text)
            except CellProblem as exc:
                report.error(n, label, exc.message)
                return None

        first = cell("first_name", lambda t: t.strip()[:100], required=True, column_label="first_name")
        last = cell("last_name", lambda t: t.strip()[:100], required=True, column_label="last_name")
        ref = values.get("source_id", "").strip()
        if "source_id" in mapping:
            if not ref:
                report.error(n, mapping["source_id"], "This is required but empty: each volunteer needs their id.")
            elif ref in seen_refs:
                report.error(n, mapping["source_id"], f"The id {shown(ref)} is used again: row {seen_refs[ref]} has the same id.")
            else:
                seen_refs[ref] = n
        data["date_of_birth"] = cell("date_of_birth", lambda t: parse_date(t, latest=today))
        if data["date_of_birth"] and (today.year - data["date_of_birth"].year) > 110:
            report.error(n, mapping.get("date_of_birth"), "This date of birth is more than 110 years ago; please check it.")
        data["email"] = cell("email", parse_email)
        data["phone"] = cell("phone", parse_phone)
        data["registered_on"] = cell("registered_on", lambda t: parse_date(t, earliest=date(1990, 1, 1), latest=today))
        postcode_text = values.get("postcode", "").strip()
        if postcode_text:
            try:
                loc = locate(session, postcode_text)
                data.update(postcode=loc.postcode, latitude=loc.latitude, longitude=loc.longitude, district_gss=loc.district_code)
            except InvalidInput as exc:
                report.error(n, mapping.get("postcode"), exc.message)
        # Special-category data: parsed, never echoed.
        for name, parser in (("gender", _gender), ("ethnicity", _ethnicity), ("disability", _disability)):
            text = values.get(name, "").strip()
            if text:
                try:
                    data[name] = parser(text)
                except CellProblem as exc:
                    report.error(n, mapping.get(name), exc.message)
        dbs = cell("dbs_check", parse_bool)
        enhanced = cell("dbs_enhanced", parse_bool)
        expires = cell("dbs_expires", parse_date)
        level = "enhanced" if enhanced else ("standard" if dbs else "none")
        if level != "none" and expires is not None and expires < today:
            report.warning(
                n,
                mapping.get("dbs_expires"),
                f"The criminal record check was due for renewal on {expires:%d/%m/%Y}; it is recorded as no current check.",
            )
            level = "none"
        data["dbs_level"] = level
        consent = cell("contact_consent", parse_bool)
        data["contact_consent"] = bool(consent)
        status_text = values.get("status", "").strip().lower()
        data["status"] = "active"
        if status_text:
            if status_text in _STATUSES:
                data["status"] = _STATUSES[status_text]
            else:
                report.warning(
                    n,
                    mapping.get("status"),
                    f"The status {shown(status_text)} is not one we know; the volunteer is recorded as active.",
                )
        if data["email"]:
            key = normalise_email(data["email"])
            if key in seen_emails:
                report.warning(
                    n,
                    mapping.get("email"),
                    f"Row {seen_emails[key]} has the same email address; both records are kept and offered for duplicate review.",
                )
                data["email_shared"] = True
            else:
                seen_emails[key] = n
        if report.errors > errors_before:
            continue
        if not ref:
            basis = "|".join(
                [(first or "").lower(), (last or "").lower(), str(data["date_of_birth"] or ""), (data["email"] or "").lower()]
            )
            ref = "row-" + hashlib.sha1(basis.encode()).hexdigest()[:20]
        key = source_key(centre_id, ref)
        if key in existing:
            plan.unchanged += 1
            continue
        data.update(first_name=first, last_name=last, source=source, source_id=key, row=n)
        plan.to_create.append(data)

    # Emails already on the county's records: the new record keeps the address but is left for duplicate review.
    emails = {normalise_email(d["email"]) for d in plan.to_create if d.get("email")}
    if emails:
        taken: set[str] = set()
        email_list = sorted(emails)
        for i in range(0, len(email_list), 500):
            taken |= set(
                session.scalars(select(Volunteer.email_normalised).where(Volunteer.email_normalised.in_(email_list[i : i + 500])))
            )
        for d in plan.to_create:
            if d.get("email") and normalise_email(d["email"]) in taken:
                d["email_shared"] = True
                report.warning(
                    d["row"],
                    mapping.get("email"),
                    "Someone on the county's records already has this email address; "
                    "the new record is kept and offered for duplicate review.",
                )
    return plan


def apply(session: Session, centre_id: int, plan: VolunteerPlan) -> list[Volunteer]:
    created = []
    for d in plan.to_create:
        email = d.get("email")
        v = Volunteer(
            first_name=d["first_name"],
            last_name=d["last_name"],
            email=email,
            email_normalised=normalise_email(email) if email and not d.get("email_shared") else None,
            phone=d.get("phone"),
            date_of_birth=d.get("date_of_birth"),
            postcode=d.get("postcode"),
            latitude=d.get("latitude"),
            longitude=d.get("longitude"),
            district_gss=d.get("district_gss"),
            travel_radius_miles=5.0,
            mode="either",
            availability_mask=0,
            preference="either",
            dbs_level=d["dbs_level"],
            dbs_update_service=False,
            dbs_willing=False,
            contact_consent=d["contact_consent"],
            notification_preference="weekly_digest" if d["contact_consent"] else "none",
            registering_centre_id=centre_id,
            gender=d.get("gender"),
            ethnicity=d.get("ethnicity"),
            disability=d.get("disability"),
            status=d["status"],
            registered_on=d.get("registered_on") or date.today(),
            source=d["source"],
            source_id=d["source_id"],
        )
        session.add(v)
        created.append(v)
    session.flush()
    return created
