"""Organisations and roles from a file: TeamKinetic's Provider and Opportunity exports, or any
spreadsheet through the mapping step.

Each created row remembers where it came from (``source`` / ``source_id``): a TeamKinetic provider is
``<centre>:provider:<PROVIDERID>`` and an opportunity ``<centre>:opp:<PLACEMENTID>``, the same key the
sessions import gives the role of a session row, so sessions imported afterwards attach their hours to
these roles. An organisation already on the county's records under the same name is used, not copied.
Roles come in published when the file says they are live and the brokerage would publish them, closed
once their last day has passed, and otherwise to the centre's review queue (see ``role_status``). Tags
that name a cause or skill of the taxonomies are recorded as such; the others are reported."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage.errors import InvalidInput
from brokerage.geo.lookup import locate
from brokerage.interop.feed_values import tag_concept
from brokerage.interop.imports import answers, role_status
from brokerage.interop.imports.reader import Table
from brokerage.interop.imports.values import CellProblem, Report, parse_bool, parse_date, parse_email, shown
from brokerage import events
from brokerage.db import utcnow
from brokerage.models import Activity, Organisation, Role, RoleCause, RoleSkill, RoleStatusChange
from brokerage.outbox import enqueue

TITLE_LIMIT = 200


@dataclass
class ListingPlan:
    kind: str
    report: Report
    total_rows: int = 0
    organisations: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    rejected_rows: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    review_reasons: Counter[str] = field(default_factory=Counter)
    tags_mapped: Counter[tuple[str, str]] = field(default_factory=Counter)  # (tag, cause or skill) → roles
    tags_not_mapped: Counter[str] = field(default_factory=Counter)

    @property
    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rows": self.total_rows,
            "already_imported": self.unchanged,
            "rows_with_problems": self.rejected_rows,
            "rows_skipped": self.skipped,
        }
        if self.kind == "organisations":
            out["organisations_to_create"] = len(self.organisations)
        else:
            out["roles_to_create"] = len(self.roles)
            out.update(role_status.counts(self.statuses, self.review_reasons))
            out["tags_mapped"] = [{"tag": tag, "maps_to": to, "roles": n} for (tag, to), n in sorted(self.tags_mapped.items())]
            out["tags_not_mapped"] = dict(sorted(self.tags_not_mapped.items()))
        return out


def _digest(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:20]


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


class _Cells:
    def __init__(self, report: Report, mapping: dict[str, str], n: int, values: dict[str, str]):
        self.report, self.mapping, self.n, self.values = report, mapping, n, values

    def text(self, name: str, limit: int, *, required: bool = False, what: str = "") -> str | None:
        value = self.values.get(name, "").strip()
        if not value:
            if required:
                self.report.error(self.n, self.mapping.get(name, name), "This is required but empty.")
            return None
        if len(value) > limit:
            if what:
                self.report.error(
                    self.n, self.mapping.get(name), f"The {what} is {len(value)} characters long; the most we keep is {limit}."
                )
                return None
            value = value[:limit]
        return value

    def parsed(self, name: str, parser: Callable[[str], Any]) -> Any:
        value = self.values.get(name, "").strip()
        if not value:
            return None
        try:
            return parser(value)
        except CellProblem as exc:
            self.report.error(self.n, self.mapping.get(name), exc.message)
            return None

    def web(self, name: str) -> str | None:
        value = self.values.get(name, "").strip()
        if not value:
            return None
        if not re.match(r"https?://[^\s]+$", value) or len(value) > 300:
            self.report.warning(self.n, self.mapping.get(name), f"{shown(value)} is not a web address; it is left out.")
            return None
        return value


def _place(session: Session, cells: _Cells, cache: dict[str, Any]) -> dict[str, Any] | None:
    text = cells.values.get("postcode", "").strip()
    if not text:
        return None
    if text not in cache:
        try:
            loc = locate(session, text)
            cache[text] = {
                "postcode": loc.postcode,
                "latitude": loc.latitude,
                "longitude": loc.longitude,
                "district_gss": loc.district_code,
            }
        except InvalidInput as exc:
            cache[text] = exc
    value = cache[text]
    if isinstance(value, InvalidInput):
        cells.report.error(cells.n, cells.mapping.get("postcode"), value.message)
        return None
    return value


def _existing(session: Session, model: Any, source: str, prefix: str) -> set[str]:
    return set(session.scalars(select(model.source_id).where(model.source == source, model.source_id.like(prefix + "%"))))


def _org_by_name(session: Session, name: str) -> int | None:
    ids = session.scalars(select(Organisation.id).where(func.lower(Organisation.name) == _key(name)).limit(2)).all()
    return ids[0] if len(ids) == 1 else None


def check(
    session: Session,
    centre_id: int,
    table: Table,
    mapping: dict[str, str],
    source: str,
    kind: str,
    organisation_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ListingPlan:
    plan = ListingPlan(kind=kind, report=Report(), total_rows=table.total_rows)
    report = plan.report
    for p in table.problems:
        (report.error if p.severity == "error" else report.warning)(p.row, p.field, p.problem)
    bad_rows = {p.row for p in table.problems if p.severity == "error"}
    prefix = f"{centre_id}:"
    model = Organisation if kind == "organisations" else Role
    existing = _existing(session, model, source, prefix)
    seen: dict[str, int] = {}
    cache: dict[str, Any] = {}
    verified: dict[int, bool] = {}
    default_org = _default_organisation(session, source, prefix, organisation_id) if kind == "roles" else None
    for row in table.iter_rows():
        if progress is not None:
            progress(1)
        n = row.number
        before = report.errors
        cells = _Cells(report, mapping, n, {f: row.values.get(col, "") for f, col in mapping.items()})
        data = _organisation(session, cells, cache) if kind == "organisations" else _role(session, cells, cache, default_org)
        if data is None:
            plan.skipped["Marked as removed in the other system"] = (
                plan.skipped.get("Marked as removed in the other system", 0) + 1
            )
            continue
        ref = cells.values.get("source_id", "").strip()
        natural = data["name"] if kind == "organisations" else f"{data.get('organisation_name', '')}|{data['title']}"
        key = prefix + (("provider:" if kind == "organisations" else "opp:") + ref if ref else _digest(_key(natural)))
        if key in seen:
            report.error(
                n, mapping.get("source_id"), f"Row {seen[key]} has the same id (or the same name); each row needs its own."
            )
        seen.setdefault(key, n)
        if report.errors > before or n in bad_rows:
            plan.rejected_rows += 1
            continue
        if key in existing:
            plan.unchanged += 1
            continue
        data.update(source=source, source_id=key, row=n)
        if kind == "organisations":
            existing_id = _org_by_name(session, data["name"])
            if existing_id is not None:
                plan.unchanged += 1  # already on the county's records: used as it is
                continue
            plan.organisations.append(data)
        else:
            _plan_listing(session, plan, data, verified)
            plan.roles.append(data)
    return plan


def _plan_listing(session: Session, plan: ListingPlan, data: dict[str, Any], verified: dict[int, bool]) -> None:
    """The role's status (see ``role_status``) and its tags as causes and skills, counted for the report."""
    org_id = data["organisation_id"]
    if org_id not in verified:
        verified[org_id] = session.scalar(select(Organisation.verification_status).where(Organisation.id == org_id)) == "verified"
    data["status"] = role_status.imported_status(
        ends_on=data["ends_on"],
        live=data.get("live"),
        organisation_verified=verified[org_id],
        has_place=data["remote"] or bool(data.get("place")),
        has_times=False,  # a listings file gives no weekly times or dated sessions
        today=date.today(),
        reasons=plan.review_reasons,
    )
    plan.statuses[data["status"]] += 1
    data["causes"], data["skills"] = [], []
    for tag in data.pop("tags", []):
        found = tag_concept(tag)
        if found is None:
            plan.tags_not_mapped[tag] += 1
            continue
        kind, value = found
        target = data["causes"] if kind == "cause" else data["skills"]
        if value not in target:
            target.append(value)
        plan.tags_mapped[(tag, f"{kind}: {value}")] += 1


def _organisation(session: Session, cells: _Cells, cache: dict[str, Any]) -> dict[str, Any] | None:
    if cells.parsed("removed", parse_bool):
        return None
    data: dict[str, Any] = {"name": cells.text("name", 200, required=True, what="organisation's name")}
    data["contact_name"] = cells.text("contact_name", 200)
    data["email"] = cells.parsed("email", parse_email)
    phone_text = cells.values.get("phone", "").strip()
    if phone_text:
        number = answers.phone(phone_text)
        if number is None:
            cells.report.error(cells.n, cells.mapping.get("phone"), f"{shown(phone_text)} is not a phone number.")
        else:
            data["phone"] = number.number
            if number.added_zero:
                cells.report.warning(
                    cells.n,
                    cells.mapping.get("phone"),
                    f"The number {shown(phone_text)} had lost its leading 0; it is recorded as {number.number}.",
                )
    address = ", ".join(x for x in (cells.text("address", 200), cells.text("city", 90)) if x)
    data["address"] = address[:300] or None
    data["website"] = cells.web("website")
    data["charity_number"] = cells.text("charity_number", 20)
    data["place"] = _place(session, cells, cache)
    return data


def _default_organisation(session: Session, source: str, prefix: str, organisation_id: int | None) -> int | None:
    """The organisation roles without one belong to: the one chosen, or the only one imported from the source."""
    if organisation_id is not None:
        return organisation_id if session.get(Organisation, organisation_id) is not None else None
    ids = session.scalars(
        select(Organisation.id).where(Organisation.source == source, Organisation.source_id.like(prefix + "%")).limit(2)
    ).all()
    return ids[0] if len(ids) == 1 else None


def _role(session: Session, cells: _Cells, cache: dict[str, Any], default_org: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"title": cells.text("title", TITLE_LIMIT, required=True, what="title")}
    org_name = cells.text("organisation", 200)
    org_id = _org_by_name(session, org_name) if org_name else default_org
    if org_id is None:
        cells.report.error(
            cells.n,
            cells.mapping.get("organisation"),
            (
                f"No organisation called {shown(org_name)} is on the county's records; import the organisations first."
                if org_name
                else "The file does not say whose role this is. Import the organisations file first, or choose the organisation."
            ),
        )
    data.update(organisation_id=org_id, organisation_name=org_name or "")
    data["description"] = cells.text("description", 20_000) or ""
    data["location_name"] = cells.text("location_name", 200)
    data["address"] = cells.text("city", 300)
    kind_of_place = (cells.values.get("location_type") or "").strip().lower()
    data["remote"] = bool(re.search(r"remote|online|home|virtual", kind_of_place))
    data["place"] = _place(session, cells, cache)
    opp_type = (cells.values.get("opportunity_type") or "").strip()
    data["one_off"] = bool(re.search(r"one[\s-]?off|event|single|once", opp_type.lower()))
    data["opportunity_type"] = opp_type
    data["starts_on"] = cells.parsed("starts_on", parse_date)
    data["ends_on"] = cells.parsed("ends_on", parse_date)
    if data["starts_on"] and data["ends_on"] and data["ends_on"] < data["starts_on"]:
        cells.report.error(cells.n, cells.mapping.get("ends_on"), "The last day is before the first day.")
    data["link"] = cells.web("link")
    data["live"] = cells.parsed("authorised", parse_bool)
    data["tags"] = list(dict.fromkeys(t.strip()[:100] for t in re.split(r"[,;|]", cells.values.get("tags", "")) if t.strip()))
    places = cells.values.get("places", "").strip()
    data["places"] = None
    if places:
        if not places.isdigit() or int(places) > 10_000:
            cells.report.error(cells.n, cells.mapping.get("places"), f"{shown(places)} is not a number of places.")
        else:
            data["places"] = int(places)
    return data


def apply(session: Session, plan: ListingPlan, *, actor_user_id: int | None) -> dict[str, int]:
    if plan.kind == "organisations":
        for d in plan.organisations:
            where = d.get("place") or {}
            session.add(
                Organisation(
                    name=d["name"],
                    description="",
                    organisation_type="other",
                    website=d.get("website"),
                    charity_number=d.get("charity_number"),
                    address=d.get("address"),
                    postcode=where.get("postcode"),
                    latitude=where.get("latitude"),
                    longitude=where.get("longitude"),
                    district_gss=where.get("district_gss"),
                    contact_name=d.get("contact_name"),
                    contact_email=d.get("email"),
                    contact_phone=d.get("phone"),
                    verification_status="pending",
                    struggling_to_recruit=False,
                    source=d["source"],
                    source_id=d["source_id"],
                )
            )
        session.flush()
        return {"organisations_created": len(plan.organisations), "already_imported": plan.unchanged}
    for d in plan.roles:
        activity = Activity(organisation_id=d["organisation_id"], title=d["title"], description="")
        session.add(activity)
        session.flush()
        where = {} if d["remote"] else (d.get("place") or {})
        status = d["status"]
        role = Role(
            activity_id=activity.id,
            organisation_id=d["organisation_id"],
            title=d["title"],
            description=d["description"],
            one_off=d["one_off"],
            slot_mask=0,
            mode="remote" if d["remote"] else "in_person",
            location_name=d.get("location_name"),
            address=d.get("address"),
            postcode=where.get("postcode"),
            latitude=where.get("latitude"),
            longitude=where.get("longitude"),
            district_gss=where.get("district_gss"),
            dbs_level="none",
            requirements=[],
            accessibility=[],
            rewards=[],
            places_available=d["places"],  # None when the file does not say
            apply_link=d.get("link"),
            publish_start=d["starts_on"],
            publish_end=d["ends_on"],
            status=status,
            published_at=utcnow() if status == "published" else None,
            source=d["source"],
            source_id=d["source_id"],
            created_by_id=actor_user_id,
        )
        role.cause_links = [RoleCause(cause_id=c) for c in d["causes"]]
        role.skill_links = [RoleSkill(skill_id=s, required=False) for s in d["skills"]]
        session.add(role)
        session.flush()
        session.add(
            RoleStatusChange(role_id=role.id, from_status=None, to_status=status, actor_user_id=actor_user_id, reason="Imported")
        )
        if status == "published":
            enqueue(session, events.RolePublished(role_id=role.id))
        enqueue(session, events.RoleChanged(role_id=role.id))
    session.flush()
    return {"roles_created": len(plan.roles), "already_imported": plan.unchanged}
