"""Sessions and hours from a TeamKinetic sessions export or a mapped spreadsheet.

Each row is one volunteer at one session. The import finds (or creates) the organisation, an
activity and role for the opportunity, the volunteer's placement in it, and one hours entry per
session: *approved* when the organisation checked or confirmed the hours, otherwise *submitted*.
Every created row remembers where it came from (``source`` / ``source_id``), so a second import of
the same file finds everything already there and changes nothing."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage import events
from brokerage.auth.service import normalise_email
from brokerage.errors import InvalidInput
from brokerage.geo.lookup import locate
from brokerage.interop.imports import role_status
from brokerage.interop.imports.reader import Table
from brokerage.interop.imports.values import (
    CellProblem,
    Report,
    parse_bool,
    parse_date,
    parse_email,
    parse_hours,
    parse_time,
    shown,
)
from brokerage.interop.imports.volunteers import source_key
from brokerage.outbox import enqueue
from brokerage.models import (
    Activity,
    HoursEntry,
    ImportBatch,
    Organisation,
    Placement,
    Role,
    RoleSession,
    RoleStatusChange,
    Volunteer,
)

ZERO = Decimal("0")

SKIP_REASONS = {
    "unfilled_slot": "A session place no volunteer has taken (no volunteer in the row)",
    "application_without_session": "An application with no session date (the volunteer has not been given a session)",
    "did_not_attend": "The volunteer did not attend and no hours were logged",
    "no_hours_recorded": "No hours are recorded for the session",
}


def _not_a_session(values: dict[str, str]) -> str | None:
    """Rows a sessions export holds that are not time given: empty places and applications."""
    if not (values.get("volunteer_ref") or "").strip() and not (values.get("volunteer_email") or "").strip():
        return "unfilled_slot"
    if not (values.get("session_date") or "").strip():
        return "application_without_session"
    return None


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _digest(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:20]


def slot_bit(day: date, at: time | None) -> int:
    """The weekly slot a session falls in (bit = weekday × 3 + part, as ``brokerage.vocab.slots.SLOT_NAMES``)."""
    if at is None:
        return 0
    part = 0 if 6 <= at.hour < 12 else 1 if 12 <= at.hour < 18 else 2 if at.hour >= 18 else None
    if part is None:  # before 6 in the morning: count it as the morning
        part = 0
    return 1 << (day.weekday() * 3 + part)


@dataclass
class OrgPlan:
    key: str
    name: str
    source_id: str
    existing_id: int | None
    postcode: dict[str, Any] | None = None


@dataclass
class RolePlan:
    key: str
    source_id: str
    org_key: str
    title: str
    event: str
    one_off: bool
    opportunity_type: str
    existing_id: int | None
    postcode: dict[str, Any] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    slot_mask: int = 0
    status: str = "pending_review"  # for a role this import creates (see role_status)
    # the role's dated sessions (start, end) the file shows; those the role has already are dropped
    sessions: set[tuple[datetime, datetime]] = field(default_factory=set)


@dataclass
class SessionPlan:
    report: Report
    total_rows: int = 0
    organisations: dict[str, OrgPlan] = field(default_factory=dict)
    roles: dict[str, RolePlan] = field(default_factory=dict)
    placements: dict[str, dict[str, Any]] = field(default_factory=dict)
    hours: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    reconciliation: list[dict[str, Any]] = field(default_factory=list)

    review_reasons: Counter[str] = field(default_factory=Counter)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def statuses(self) -> Counter[str]:
        return Counter(r.status for r in self.roles.values() if r.existing_id is None)

    @property
    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.total_rows,
            "organisations_to_create": sum(1 for o in self.organisations.values() if o.existing_id is None),
            "roles_to_create": sum(1 for r in self.roles.values() if r.existing_id is None),
            "placements_to_create": sum(1 for p in self.placements.values() if p["existing_id"] is None),
            "hours_entries_to_create": len(self.hours),
            "role_sessions_to_create": sum(len(r.sessions) for r in self.roles.values()),
            **role_status.counts(self.statuses(), self.review_reasons),
            "hours_to_add": float(sum((h["hours"] for h in self.hours), ZERO)),
            "already_imported": self.unchanged,
            "rows_without_hours": sum(self.skipped.values()),
            "rows_skipped": {SKIP_REASONS[k]: v for k, v in sorted(self.skipped.items())},
            "hours_reconciliation": self.reconciliation,
        }


@dataclass
class _Known:
    """What earlier imports of this file's source made for the centre, by source id."""

    volunteers: dict[str, int]
    organisations: dict[str | None, int]
    roles: dict[str | None, int]
    placements: dict[str | None, int]
    hours: set[str | None]


def _known(session: Session, source: str, prefix: str) -> _Known:
    volunteers: dict[str, int] = {
        ref: vid
        for ref, vid in session.execute(
            select(Volunteer.source_id, Volunteer.id).where(Volunteer.source == source, Volunteer.source_id.like(prefix + "%"))
        )
        if ref is not None
    }
    organisations = dict(
        session.execute(
            select(Organisation.source_id, Organisation.id).where(
                Organisation.source == source, Organisation.source_id.like(prefix + "%")
            )
        ).all()
    )
    roles = dict(
        session.execute(select(Role.source_id, Role.id).where(Role.source == source, Role.source_id.like(prefix + "%"))).all()
    )
    placements = dict(
        session.execute(
            select(Placement.source_id, Placement.id).where(Placement.source == source, Placement.source_id.like(prefix + "%"))
        ).all()
    )
    hours = set(
        session.scalars(select(HoursEntry.source_id).where(HoursEntry.source == source, HoursEntry.source_id.like(prefix + "%")))
    )
    return _Known(volunteers, organisations, roles, placements, hours)


class _Places:
    """Postcodes looked up once per file: the place, or the problem with it, for each text given."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, Any] = {}

    def __call__(self, text: str) -> dict[str, Any]:
        if text not in self.cache:
            try:
                loc = locate(self.session, text)
                self.cache[text] = {
                    "postcode": loc.postcode,
                    "latitude": loc.latitude,
                    "longitude": loc.longitude,
                    "district_gss": loc.district_code,
                }
            except InvalidInput as exc:
                self.cache[text] = exc
        value = self.cache[text]
        if isinstance(value, InvalidInput):
            raise CellProblem(value.message)
        return value


@dataclass
class _Cells:
    """One row's cells, read by field name; a problem is reported against the row and the column."""

    report: Report
    number: int
    values: dict[str, str]
    mapping: dict[str, str]

    def __call__(self, name: str, parser: Callable[[str], Any], *, required: bool = False) -> Any:
        text = self.values.get(name, "")
        label = self.mapping.get(name, name)
        if not text.strip():
            if required:
                self.report.error(self.number, label, "This is required but empty.")
            return None
        try:
            return parser(text)
        except CellProblem as exc:
            self.report.error(self.number, label, exc.message)
            return None


@dataclass
class _Row:
    """One session row, read and checked."""

    number: int
    values: dict[str, str]
    org_name: str
    title: str
    event: str
    worked_on: date
    at: time | None
    starts_on: date | None
    ends_on: date | None
    planned: Decimal | None
    logged: Decimal | None
    confirmed: Decimal | None
    attended: bool | None
    checked: bool | None
    where: dict[str, Any] | None
    volunteer_id: int | None = None
    ref: str = ""

    @property
    def hours(self) -> Decimal | None:
        """The hours to count: confirmed, else logged, else the session's planned hours if attended."""
        if self.confirmed:
            return self.confirmed
        if self.logged:
            return self.logged
        return self.planned if (self.attended or self.attended is None) and self.planned else None

    @property
    def skip_reason(self) -> str | None:
        if self.attended is False and not self.confirmed and not self.logged:
            return "did_not_attend"
        if not self.hours:
            return "no_hours_recorded"
        return None


def _read_cells(cell: _Cells, today: date, place: _Places) -> _Row:
    n = cell.number
    org_name = cell("organisation", lambda t: t.strip()[:200], required=True)
    title = cell("opportunity", lambda t: t.strip()[:200], required=True)
    event = (cell.values.get("event") or "").strip()[:200]
    worked_on = cell("session_date", lambda t: parse_date(t, earliest=date(2000, 1, 1), latest=today), required=True)
    at = cell("start_time", parse_time)
    starts_on = cell("starts_on", parse_date)
    ends_on = cell("ends_on", parse_date)
    if starts_on and ends_on and ends_on < starts_on:
        cell.report.error(n, cell.mapping.get("ends_on"), "The end date is before the start date.")
    planned = cell("session_hours", parse_hours)
    logged = cell("hours_logged", parse_hours)
    confirmed = cell("hours_confirmed", parse_hours)
    attended = cell("attended", parse_bool)
    checked = cell("checked", parse_bool)
    where = cell("postcode", place)
    return _Row(
        n,
        cell.values,
        org_name,
        title,
        event,
        worked_on,
        at,
        starts_on,
        ends_on,
        planned,
        logged,
        confirmed,
        attended,
        checked,
        where,
    )


def _find_volunteer(session: Session, centre_id: int, known: _Known, cell: _Cells, row: _Row) -> None:
    """The volunteer who gave the time, by their id in the volunteers file or by email address."""
    values, mapping, report, n = cell.values, cell.mapping, cell.report, cell.number
    row.ref = (values.get("volunteer_ref") or "").strip()
    if "volunteer_ref" in mapping and row.ref:
        row.volunteer_id = known.volunteers.get(source_key(centre_id, row.ref))
        if row.volunteer_id is None:
            report.error(
                n,
                mapping["volunteer_ref"],
                f"No volunteer with the id {shown(row.ref)} has been imported for this centre; import the volunteers file first.",
            )
    elif "volunteer_email" in mapping and values.get("volunteer_email", "").strip():
        email = cell("volunteer_email", parse_email)
        if email:
            row.volunteer_id = session.scalar(
                select(Volunteer.id).where(
                    Volunteer.email_normalised == normalise_email(email), Volunteer.registering_centre_id == centre_id
                )
            )
            row.ref = f"email:{normalise_email(email)}"
            if row.volunteer_id is None:
                report.error(n, mapping["volunteer_email"], "No volunteer registered by this centre has this email address.")
    else:
        report.error(
            n,
            mapping.get("volunteer_ref") or mapping.get("volunteer_email"),
            "This is required but empty: which volunteer gave the time?",
        )


def _plan_organisation(session: Session, plan: SessionPlan, known: _Known, prefix: str, row: _Row) -> str:
    """The organisation's key in the plan: one already imported, the only one with the name, or a new one."""
    org_key = _key(row.org_name)
    if org_key not in plan.organisations:
        org_source = prefix + _digest(org_key)
        existing = known.organisations.get(org_source)
        if existing is None:
            matches = session.scalars(select(Organisation.id).where(func.lower(Organisation.name) == org_key).limit(2)).all()
            existing = matches[0] if len(matches) == 1 else None
        plan.organisations[org_key] = OrgPlan(org_key, row.org_name, org_source, existing, row.where)
    return org_key


def _plan_role(plan: SessionPlan, known: _Known, prefix: str, org_key: str, row: _Row) -> str:
    """The role's key in the plan (by the opportunity's id, else organisation, event and title), its
    weekly slots and place widened by this session."""
    opportunity_ref = (row.values.get("opportunity_ref") or "").strip()
    role_key = "opp:" + opportunity_ref if opportunity_ref else "|".join((org_key, _key(row.event), _key(row.title)))
    role = plan.roles.get(role_key)
    if role is None:
        role_source = prefix + (role_key if opportunity_ref else _digest(role_key))
        opp_type = (row.values.get("opportunity_type") or "").strip()
        one_off = bool(re.search(r"one[\s-]?off|event|single", opp_type.lower()))
        role = plan.roles[role_key] = RolePlan(
            role_key,
            role_source,
            org_key,
            row.title,
            row.event or row.title,
            one_off,
            opp_type,
            known.roles.get(role_source),
            row.where,
            row.starts_on,
            row.ends_on,
        )
    role.slot_mask |= slot_bit(row.worked_on, row.at)
    role.sessions.add(_dated(row))
    if role.postcode is None and row.where:
        role.postcode = row.where
    return role_key


def _dated(row: _Row) -> tuple[datetime, datetime]:
    """A session row as a dated session: from its start time for its planned hours (else the hours
    given); a row with no start time is the whole day."""
    if row.at is None:
        return datetime.combine(row.worked_on, time(0)), datetime.combine(row.worked_on, time(23, 59, 59))
    start = datetime.combine(row.worked_on, row.at)
    length = row.planned or row.hours or ZERO
    end = start + timedelta(minutes=round(float(length) * 60)) if length else start
    return start, min(end, datetime.combine(row.worked_on, time(23, 59, 59)))


def _sessions_already_there(session: Session, plan: SessionPlan) -> None:
    """Dated sessions the roles already have (from an earlier import, or added by hand) are not added again."""
    ids = {r.existing_id: r for r in plan.roles.values() if r.existing_id is not None}
    if not ids:
        return
    rows = session.execute(
        select(RoleSession.role_id, RoleSession.starts_at, RoleSession.ends_at).where(RoleSession.role_id.in_(list(ids)))
    )
    for role_id, starts_at, ends_at in rows:
        ids[role_id].sessions.discard((starts_at, ends_at))


def _statuses(session: Session, plan: SessionPlan, today: date) -> None:
    """New roles: a sessions export does not say whether a role is live, so they go to the centre's
    review queue, or come in closed once their last day has passed."""
    for r in plan.roles.values():
        if r.existing_id is None:
            org = plan.organisations[r.org_key]
            verified = (
                org.existing_id is not None
                and session.scalar(select(Organisation.verification_status).where(Organisation.id == org.existing_id))
                == "verified"
            )
            r.status = role_status.imported_status(
                ends_on=r.ends_on,
                live=None,
                organisation_verified=verified,
                has_place=bool(r.postcode),
                has_times=bool(r.slot_mask or r.sessions),
                today=today,
                reasons=plan.review_reasons,
            )


def _plan_placement(plan: SessionPlan, known: _Known, prefix: str, today: date, role_key: str, row: _Row) -> str:
    """The volunteer's placement in the role, starting at their first session, ended if the role has."""
    placement_key = prefix + _digest(row.ref, role_key)
    placement = plan.placements.get(placement_key)
    if placement is None:
        placement = plan.placements[placement_key] = {
            "source_id": placement_key,
            "volunteer_id": row.volunteer_id,
            "role_key": role_key,
            "existing_id": known.placements.get(placement_key),
            "started_on": row.worked_on,
            "ended_on": None,
        }
    placement["started_on"] = min(placement["started_on"], row.worked_on)
    if row.ends_on and row.ends_on < today:
        placement["ended_on"] = row.ends_on
    return placement_key


def _plan_hours(plan: SessionPlan, known: _Known, session_key: str, placement_key: str, row: _Row) -> None:
    """The session's hours entry, unless an earlier import made it."""
    if session_key in known.hours:
        plan.unchanged += 1
        return
    plan.hours.append(
        {
            "source_id": session_key,
            "placement_key": placement_key,
            "volunteer_id": row.volunteer_id,
            "worked_on": row.worked_on,
            "hours": row.hours,
            "status": "approved" if (row.checked or row.confirmed) else "submitted",
            "activity": row.event or row.title,
            "row": row.number,
        }
    )


def check(
    session: Session,
    centre_id: int,
    table: Table,
    mapping: dict[str, str],
    source: str,
    progress: Callable[[int], None] | None = None,
) -> SessionPlan:
    report = Report()
    plan = SessionPlan(report=report, total_rows=table.total_rows)
    today = date.today()
    prefix = f"{centre_id}:"
    known = _known(session, source, prefix)
    seen_sessions: dict[str, int] = {}
    place = _Places(session)

    for p in table.problems:
        (report.error if p.severity == "error" else report.warning)(p.row, p.field, p.problem)
    bad_rows = {p.row for p in table.problems if p.severity == "error"}
    for table_row in table.iter_rows():
        if progress is not None:
            progress(1)
        n = table_row.number
        before = report.errors
        if n in bad_rows:
            continue
        values = {f: table_row.values.get(col, "") for f, col in mapping.items()}
        reason = _not_a_session(values)
        if reason is not None:
            plan.skip(reason)
            continue
        cell = _Cells(report, n, values, mapping)
        row = _read_cells(cell, today, place)
        _find_volunteer(session, centre_id, known, cell, row)
        if report.errors > before:
            continue
        reason = row.skip_reason
        if reason is not None:
            plan.skip(reason)
            continue

        org_key = _plan_organisation(session, plan, known, prefix, row)
        role_key = _plan_role(plan, known, prefix, org_key, row)
        session_key = prefix + _digest(row.ref, role_key, row.worked_on.isoformat(), row.at.isoformat() if row.at else "")
        if session_key in seen_sessions:
            report.error(
                n,
                mapping.get("session_date"),
                f"The same volunteer, opportunity, date and start time are in row {seen_sessions[session_key]}.",
            )
            continue
        seen_sessions[session_key] = n
        placement_key = _plan_placement(plan, known, prefix, today, role_key, row)
        _plan_hours(plan, known, session_key, placement_key, row)
    _sessions_already_there(session, plan)
    _statuses(session, plan, today)
    plan.reconciliation = reconcile(session, centre_id, source, plan, known.volunteers)
    return plan


def _file_totals(session: Session, centre_id: int, source: str) -> dict[str, dict[str, float]]:
    """The hours totals the volunteers files gave, volunteer by volunteer (the latest file wins)."""
    totals: dict[str, dict[str, float]] = {}
    batches = session.scalars(
        select(ImportBatch.summary)
        .where(
            ImportBatch.centre_id == centre_id,
            ImportBatch.kind == "volunteers",
            ImportBatch.status == "committed",
            ImportBatch.format == ("teamkinetic" if source == "teamkinetic" else "generic"),
        )
        .order_by(ImportBatch.id)
    )
    for summary in batches:
        totals.update((summary or {}).get("hours_in_file") or {})
    return totals


def reconcile(
    session: Session, centre_id: int, source: str, plan: SessionPlan, volunteers_by_ref: dict[str, int]
) -> list[dict[str, Any]]:
    """Each volunteer's hours as the volunteers file totals them, beside the hours imported (earlier and
    now): a volunteer whose figures differ is listed with the difference, so nothing goes missing quietly."""
    totals = _file_totals(session, centre_id, source)
    prefix = f"{centre_id}:"
    ref_of = {vid: key[len(prefix) :] for key, vid in volunteers_by_ref.items()}
    imported: dict[int, Decimal] = {}
    for vid, hours in session.execute(
        select(HoursEntry.volunteer_id, func.sum(HoursEntry.hours))
        .where(HoursEntry.source == source, HoursEntry.source_id.like(prefix + "%"))
        .group_by(HoursEntry.volunteer_id)
    ):
        imported[vid] = Decimal(hours or 0)
    for h in plan.hours:
        imported[h["volunteer_id"]] = imported.get(h["volunteer_id"], ZERO) + h["hours"]
    rows = []
    for vid in sorted(set(imported) | {volunteers_by_ref[prefix + r] for r in totals if prefix + r in volunteers_by_ref}):
        ref = ref_of.get(vid, "")
        file = totals.get(ref, {})
        got = float(imported.get(vid, ZERO))
        expected = file.get("confirmed", file.get("logged"))
        rows.append(
            {
                "volunteer": ref,
                "file_hours_logged": file.get("logged"),
                "file_hours_confirmed": file.get("confirmed"),
                "hours_imported": round(got, 2),
                "difference": None if expected is None else round(got - expected, 2),
                "agrees": expected is not None and abs(got - expected) < 0.005,
            }
        )
    return rows


def apply(session: Session, centre_id: int, plan: SessionPlan, source: str, *, actor_user_id: int | None) -> dict[str, int]:
    from brokerage.db import utcnow

    org_ids: dict[str, int] = {}
    for key, o in plan.organisations.items():
        if o.existing_id is not None:
            org_ids[key] = o.existing_id
            continue
        where = o.postcode or {}
        org = Organisation(
            name=o.name,
            description="Imported from a TeamKinetic sessions export."
            if source == "teamkinetic"
            else "Imported from a spreadsheet.",
            organisation_type="other",
            postcode=where.get("postcode"),
            latitude=where.get("latitude"),
            longitude=where.get("longitude"),
            district_gss=where.get("district_gss"),
            verification_status="pending",
            struggling_to_recruit=False,
            source=source,
            source_id=o.source_id,
        )
        session.add(org)
        session.flush()
        org_ids[key] = org.id
    role_ids: dict[str, int] = {}
    for key, r in plan.roles.items():
        if r.existing_id is not None:
            role_ids[key] = r.existing_id
            session.add_all(RoleSession(role_id=r.existing_id, starts_at=a, ends_at=b) for a, b in sorted(r.sessions))
            continue
        org_id = org_ids[r.org_key]
        activity = Activity(organisation_id=org_id, title=r.event, description="")
        session.add(activity)
        session.flush()
        where = r.postcode or {}
        status = r.status
        role = Role(
            activity_id=activity.id,
            organisation_id=org_id,
            title=r.title,
            description=f"Imported from {'TeamKinetic' if source == 'teamkinetic' else 'a spreadsheet'}"
            + (f" ({r.opportunity_type})." if r.opportunity_type else "."),
            one_off=r.one_off,
            slot_mask=r.slot_mask,
            mode="in_person" if where else "remote",
            postcode=where.get("postcode"),
            latitude=where.get("latitude"),
            longitude=where.get("longitude"),
            district_gss=where.get("district_gss"),
            dbs_level="none",
            requirements=[],
            accessibility=[],
            rewards=[],
            places_available=None,  # the export does not say how many volunteers the role needs
            publish_start=r.starts_on,
            publish_end=r.ends_on,
            status=status,
            source=source,
            source_id=r.source_id,
            created_by_id=actor_user_id,
        )
        role.sessions = [RoleSession(starts_at=a, ends_at=b) for a, b in sorted(r.sessions)]
        session.add(role)
        session.flush()
        session.add(
            RoleStatusChange(
                role_id=role.id,
                from_status=None,
                to_status=status,
                actor_user_id=actor_user_id,
                reason="Imported with volunteers' hours",
            )
        )
        role_ids[key] = role.id
    placement_ids: dict[str, int] = {}
    for key, p in plan.placements.items():
        if p["existing_id"] is not None:
            placement_ids[key] = p["existing_id"]
            continue
        role_id = role_ids[p["role_key"]]
        placement = Placement(
            volunteer_id=p["volunteer_id"],
            role_id=role_id,
            organisation_id=org_ids[plan.roles[p["role_key"]].org_key],
            started_on=p["started_on"],
            ended_on=p["ended_on"],
            source=source,
            source_id=key,
        )
        session.add(placement)
        session.flush()
        placement_ids[key] = placement.id
    now = utcnow()
    for h in plan.hours:
        session.add(
            HoursEntry(
                placement_id=placement_ids[h["placement_key"]],
                volunteer_id=h["volunteer_id"],
                worked_on=h["worked_on"],
                hours=h["hours"],
                activity=h["activity"][:300],
                status=h["status"],
                reviewed_at=now if h["status"] == "approved" else None,
                source=source,
                source_id=h["source_id"],
            )
        )
    session.flush()
    # The county figures take in the approved hours when the import commits (the rollups' refresh is
    # recorded in the same transaction).
    approved = sorted({placement_ids[h["placement_key"]] for h in plan.hours if h["status"] == "approved"})
    for placement_id in approved:
        enqueue(session, events.RollupRefresh(placement_id=placement_id))
    s = plan.summary
    return {
        "organisations_created": s["organisations_to_create"],
        "roles_created": s["roles_to_create"],
        "placements_created": s["placements_to_create"],
        "hours_entries_created": s["hours_entries_to_create"],
        "role_sessions_created": s["role_sessions_to_create"],
        "hours_added": s["hours_to_add"],
        "already_imported": s["already_imported"],
    }
