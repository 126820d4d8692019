"""Take in a Volunteering Data Standard feed: the dry run builds a plan (every organisation, activity
and role the commit will create or change, and every row it leaves out, with the reason), and the
commit applies exactly that plan, so the dry run's counts are what the commit does.

Rows are roles; an activity with no role level is one role (the reference data publishes
activities only); an organisation with no activities is a row of its own, so an organisation-only
feed creates organisations. Every imported organisation, activity and role keeps the IRI it was
published under (``source_id``); re-importing a feed, or this brokerage's own feed, changes
nothing. Nothing is invented: a role whose place the feed does not give has no place, and its places on
offer are not stated (the standard has no word for them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from brokerage import events, links
from brokerage.db import utcnow
from brokerage.errors import InvalidInput
from brokerage.geo import KENT_AND_MEDWAY_GSS, OUTSIDE, default_gazetteer
from brokerage.geo.lookup import locate
from brokerage.interop import feed_values as fv
from brokerage.interop.feed_graph import FeedUnreadable, Graph, Shape, as_bool, load, shape
from brokerage.interop.imports.values import Report
from brokerage.models import (
    Activity,
    Organisation,
    OrganisationCause,
    OutboxMessage,
    Role,
    RoleCause,
    RoleSession,
    RoleSkill,
    RoleStatusChange,
)
from brokerage.outbox import enqueue
from brokerage.vocab.slots import slots_to_mask

SOURCE = "data_standard"
AREAS = {"kent_medway": "Kent and Medway, and roles done remotely"}
_PROFILE = re.compile(r"/(?:provider-profile|profile|organisations?)/([^/?#]+)/?$")

ROLE_FIELDS = (
    "title",
    "description",
    "commitment",
    "one_off",
    "slot_mask",
    "mode",
    "location_name",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "district_gss",
    "dbs_level",
    "requirements",
    "accessibility",
    "rewards",
    "minimum_age",
    "maximum_age",
    "suitable_for_under_18s",
    "apply_link",
    "publish_start",
    "publish_end",
)


@dataclass
class FeedPlan:
    report: Report
    total_rows: int = 0
    organisations: list[dict[str, Any]] = field(default_factory=list)  # to create
    roles: list[dict[str, Any]] = field(default_factory=list)  # to create or change
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason → rows left out
    organisations_known: int = 0
    left_out_of_area: int = 0
    organisations_to_update: list[dict[str, Any]] = field(default_factory=list)  # imported earlier, changed since

    @property
    def summary(self) -> dict[str, Any]:
        return {
            "rows_in_feed": self.total_rows,
            "roles_in_feed": self.total_rows - self.organisation_rows,
            "organisations_to_create": len(self.organisations),
            "organisations_without_roles_to_create": self.organisation_rows_planned,
            "organisations_without_roles_to_update": self.organisation_rows_updated,
            "organisations_already_here": self.organisations_known,
            "organisations_to_update": len(self.organisations_to_update),
            "roles_to_create": sum(1 for r in self.roles if r["existing_id"] is None),
            "roles_to_update": sum(1 for r in self.roles if r["existing_id"] is not None),
            "already_imported": self.unchanged,
            "left_out_of_area": self.left_out_of_area,
            "skipped": dict(sorted(self.skipped.items())),
        }

    organisation_rows: int = 0
    organisation_rows_planned: int = 0
    organisation_rows_updated: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass
class _Context:
    session: Session
    graph: Graph
    plan: FeedPlan
    area: str | None
    base_url: str
    found: Shape = field(default_factory=Shape)
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)  # node id → organisation entry
    org_keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # source id → entry
    known: _Known | None = None
    to_compare: list[dict[str, Any]] = field(default_factory=list)  # planned changes to roles already here


@dataclass
class _Known:
    """What the brokerage already holds, read once per import (not once per row): imported roles and
    organisations by their source, our own records' ids, organisations by charity number."""

    roles: dict[str, int]
    own_roles: set[int]
    orgs_by_source: dict[str, int]  # any organisation's source_id (an IRI or a key) → its id
    feed_orgs: dict[str, int]  # organisations imported from a feed, by source_id
    own_orgs: set[int]
    charities: dict[str, int]

    @classmethod
    def read(cls, session: Session) -> _Known:
        roles: dict[str, int] = {}
        own_roles: set[int] = set()
        for rid, source, source_id in session.execute(select(Role.id, Role.source, Role.source_id)):
            if source is None:
                own_roles.add(rid)
            elif source == SOURCE and source_id is not None:
                roles.setdefault(source_id, rid)
        orgs_by_source: dict[str, int] = {}
        feed_orgs: dict[str, int] = {}
        own_orgs: set[int] = set()
        charities: dict[str, int] = {}
        rows = session.execute(
            select(Organisation.id, Organisation.source, Organisation.source_id, Organisation.charity_number).order_by(
                Organisation.id
            )
        )
        for oid, source, source_id, charity in rows:
            if source is None:
                own_orgs.add(oid)
            if source_id is not None:
                orgs_by_source.setdefault(source_id, oid)
                if source == SOURCE:
                    feed_orgs.setdefault(source_id, oid)
            if charity:
                charities.setdefault(charity, oid)
        return cls(roles, own_roles, orgs_by_source, feed_orgs, own_orgs, charities)


def _own_id(iri: str | None, base_url: str, kind: str) -> int | None:
    """The id of a record this brokerage published under ``iri`` (``…/roles/12``), if it is one."""
    if iri and iri.startswith(base_url + f"/{kind}/"):
        tail = iri[len(base_url) + len(kind) + 2 :]
        return int(tail) if tail.isdigit() and len(tail) < 12 else None
    return None


def _iri(node: str) -> str | None:
    return None if node.startswith("_:") else node[:300]


def _place(session: Session, graph: Graph, loc: str | None, where: str, problems: fv.Problems) -> dict[str, Any]:
    """Where a location node says: its name and address, postcode, coordinates and district."""
    out: dict[str, Any] = dict(location_name=None, address=None, postcode=None, latitude=None, longitude=None, district_gss=None)
    if loc is None:
        return out
    out["location_name"] = graph.text(loc, "place_name")
    out["address"] = graph.text(loc, "address")
    out["latitude"] = fv.number(graph.text(loc, "latitude"), f"{where}.latitude", problems)
    out["longitude"] = fv.number(graph.text(loc, "longitude"), f"{where}.longitude", problems)
    postcode = graph.text(loc, "postcode") or fv.postcode_in(out["address"])
    place = None
    if postcode:
        try:
            place = locate(session, postcode)
        except InvalidInput as exc:
            problems.warning(f"{where}.address", exc.message)
    if place is not None:
        out["postcode"] = place.postcode
        if out["address"]:
            out["address"] = re.sub(r"[\s,]*" + re.escape(place.postcode) + r"[\s,]*$", "", out["address"]) or None
        out["district_gss"] = place.district_code
        if out["latitude"] is None or out["longitude"] is None:
            out["latitude"], out["longitude"] = place.latitude, place.longitude
    elif out["latitude"] is not None and out["longitude"] is not None:
        out["district_gss"] = default_gazetteer().district_near(out["latitude"], out["longitude"]) or OUTSIDE
    for key, limit in (("location_name", 200), ("address", 300)):
        if out[key] and len(out[key]) > limit:
            problems.warning(f"{where}.{key}", f"The {key.replace('_', ' ')} is over {limit} characters; it is shortened.")
            out[key] = out[key][: limit - 1] + "…"
    return out


def _org_name(graph: Graph, node: str, where: str, problems: fv.Problems) -> str | None:
    name = graph.text(node, "title")
    if name:
        return fv.fit_title(name, f"{where}.name", problems, "name")
    # The reference data gives no name: the organisation's own profile address names it.
    for link in (graph.text(node, "website"), graph.text(node, "apply")):
        m = _PROFILE.search((link or "").split("?")[0]) if link else None
        if m:
            slug = re.sub(r"-\d+$", "", m.group(1).replace("%20", " "))
            words = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|[-_]+", " ", slug).split()
            name = " ".join(words)[:200]
            if name:
                problems.warning(
                    f"{where}.name", f"The organisation has no name in the feed; it is named “{name}” from its profile address."
                )
                return name
    problems.leave_out(
        f"{where}.name",
        "organisation has no name",
        "The organisation has no name (name, title or label) and no profile address to name it by.",
    )
    return None


def _org_entry(ctx: _Context, node: str, where: str, problems: fv.Problems) -> dict[str, Any] | None:
    if node in ctx.orgs:
        return ctx.orgs[node]
    graph, session, known = ctx.graph, ctx.session, ctx.known
    assert known is not None
    own = _own_id(node, ctx.base_url, "organisations")
    existing = own if own is not None and own in known.own_orgs else None
    iri = _iri(node)
    if existing is None and iri:
        existing = known.orgs_by_source.get(iri)
    name = _org_name(graph, node, where, problems) if node in graph.nodes else None
    if node not in graph.nodes and existing is None:
        problems.leave_out(
            f"{where}.organisation",
            "organisation not in the feed",
            f"The organisation “{node[:120]}” is not in the feed and was not imported before.",
        )
        return None
    if name is None and existing is None:
        return None
    key = _iri(node) or "org:" + fv.digest((name or "").lower(), graph.text(node, "website") or "")
    if key in ctx.org_keys:  # the same organisation again (the same IRI, or the same name and website)
        ctx.orgs[node] = ctx.org_keys[key]
        return ctx.orgs[node]
    if existing is None:
        existing = known.feed_orgs.get(key)
    # a later feed updates an organisation an earlier feed brought in (found by the IRI it was published under)
    updatable = existing is not None and known.feed_orgs.get(key) == existing
    reg = next(iter(graph.refs(node, "charity_registration")), None)
    charity = graph.text(node, "charity_number") or (graph.text(reg, "charity_number") if reg else None)
    if existing is None and charity:  # a registered charity the brokerage already knows
        existing = known.charities.get(charity[:20])
    loc = next(iter(graph.refs(node, "location")), None)
    entry = {
        "existing_id": existing,
        "source_id": key,
        "name": name,
        "description": graph.text(node, "description") or "",
        "website": (graph.text(node, "website") or "")[:300] or None,
        "email": (graph.text(node, "email") or "")[:254] or None,
        "phone": (graph.text(node, "phone") or "")[:40] or None,
        "charity_number": (charity or "")[:20] or None,
        "causes": fv.causes(graph, [node], where, problems),
        "place": _place(session, graph, loc, f"{where}.location", problems),
        "planned": False,
        "update": False,
    }
    if updatable and name is not None:
        entry["update"] = _org_changed(session.get_one(Organisation, existing), entry)
        if entry["update"]:
            ctx.plan.organisations_to_update.append(entry)
    ctx.orgs[node] = ctx.org_keys[key] = entry
    return entry


ORG_FIELDS = {
    "name": "name",
    "description": "description",
    "website": "website",
    "contact_email": "email",
    "contact_phone": "phone",
    "charity_number": "charity_number",
}
ORG_PLACE_FIELDS = ("address", "postcode", "latitude", "longitude", "district_gss")


def _org_changed(org: Organisation, entry: dict[str, Any]) -> bool:
    """Whether a feed says something new about an organisation an earlier feed brought in."""
    if any(getattr(org, column) != entry[key] for column, key in ORG_FIELDS.items()):
        return True
    if any(getattr(org, k) != entry["place"][k] for k in ORG_PLACE_FIELDS):
        return True
    return sorted(org.causes) != sorted(entry["causes"])


def _times(
    ctx: _Context, sessions: list[str], where: str, problems: fv.Problems
) -> tuple[list[str], list[tuple[datetime, datetime]]]:
    graph = ctx.graph
    slots: list[str] = []
    dated: list[tuple[datetime, datetime]] = []
    for s in sessions:
        for value in graph.get(s, "time"):
            slot = fv.slot_of(graph, value)
            if slot is not None:
                slots.append(slot)
                continue
            ref = value.get("@id") if isinstance(value, dict) else None
            begin, end = (graph.text(ref, "beginning"), graph.text(ref, "end")) if ref else (None, None)
            if begin is None:
                problems.warning(
                    f"{where}.time",
                    f"“{fv.value_text(value) or ref}” is not one of the standard's 21 time slots nor a dated time; it is not recorded.",
                )
                continue
            try:
                start = fv.moment(begin, end=False)
                finish = fv.moment(end, end=True) if end else start
            except ValueError:
                problems.error(f"{where}.time", f"The dated time “{begin}” to “{end}” is not an ISO date and time.")
                continue
            if finish < start:
                problems.error(f"{where}.time", f"The dated time ends ({end}) before it begins ({begin}).")
                continue
            dated.append((start, finish))
    return sorted(set(slots)), sorted(set(dated))


def _role_data(
    ctx: _Context, org: dict[str, Any] | None, act: str, role: str | None, where: str, problems: fv.Problems
) -> dict[str, Any]:
    graph = ctx.graph
    plan_sessions = ctx.found.sessions
    node = role or act
    title = graph.text(node, "title") or (graph.text(act, "title") if role else None)
    if not title:
        problems.leave_out(f"{where}.title", "role has no title", "The role has no title (title, name or label).")
    sessions = plan_sessions.get(node, []) + (plan_sessions.get(act, []) if role else [])
    slots, dated = _times(ctx, sessions, where, problems)
    locations = [loc for s in sessions for loc in graph.refs(s, "location")] + graph.refs(node, "location")
    if role:
        locations += graph.refs(act, "location")
    if len(set(locations)) > 1:
        problems.warning(f"{where}.location", f"The role is given {len(set(locations))} places; the first is recorded.")
    place = _place(ctx.session, graph, locations[0] if locations else None, f"{where}.location", problems)
    remote = as_bool(graph.text(node, "remote"))
    if remote is None and role:
        remote = as_bool(graph.text(act, "remote"))
    has_place = place["postcode"] is not None or place["latitude"] is not None or place["address"] is not None
    mode = ("hybrid" if has_place else "remote") if remote else "in_person"
    if mode == "remote" and org is not None:
        place["district_gss"] = org["place"]["district_gss"]  # a remote role belongs to its organisation's district
    if mode == "in_person" and not has_place:
        problems.warning(f"{where}.location", "The feed gives no place for this role; its place is left unknown.")
    found = fv.concepts(graph, node, act if role else None, where, problems)
    nodes_for_cause = [n for n in (role, act) if n]
    data: dict[str, Any] = {
        "title": fv.fit_title(title or "", f"{where}.title", problems),
        "description": graph.text(node, "description") or (graph.text(act, "description") if role else None) or title or "",
        "commitment": (graph.text(node, "commitment") or "")[:300] or None,
        "apply_link": (graph.text(node, "apply") or graph.text(act, "apply") or "")[:300] or None,
        "minimum_age": fv.whole_number(graph.text(node, "minimum_age"), f"{where}.minimumAge", problems),
        "maximum_age": fv.whole_number(graph.text(node, "maximum_age"), f"{where}.maximumAge", problems),
        "publish_start": fv.day(graph.text(act, "publish_start"), f"{where}.publishStartDate", problems),
        "publish_end": fv.day(graph.text(act, "publish_end"), f"{where}.publishEndDate", problems),
        "slot_mask": slots_to_mask(slots),
        "sessions": dated,
        "one_off": bool(dated) and not slots,
        "mode": mode,
        **place,
        "dbs_level": found.dbs_level,
        "requirements": found.requirements,
        "accessibility": found.accessibility,
        "rewards": found.rewards,
        "skills": found.skills,
        "causes": fv.causes(graph, nodes_for_cause, where, problems),
        "emergency": as_bool(graph.text(act, "emergency")) or False,
    }
    if data["minimum_age"] is not None and data["maximum_age"] is not None and data["maximum_age"] < data["minimum_age"]:
        problems.error(f"{where}.maximumAge", "The maximum age is below the minimum age.")
    # A role that gives a minimum age under 18 welcomes under-18s; one that says nothing does not.
    data["suitable_for_under_18s"] = data["minimum_age"] is not None and data["minimum_age"] < 18
    return data


def _in_area(ctx: _Context, data: dict[str, Any] | None, org: dict[str, Any]) -> bool:
    if ctx.area is None:
        return True
    if data is not None and data["mode"] == "remote":
        return True
    district = (data or {}).get("district_gss") or org["place"]["district_gss"]
    return district in KENT_AND_MEDWAY_GSS


def _record(role: Role) -> dict[str, Any]:
    out = {k: getattr(role, k) for k in ROLE_FIELDS}
    out["requirements"], out["accessibility"], out["rewards"] = (
        list(x or []) for x in (role.requirements, role.accessibility, role.rewards)
    )
    out["slot_mask"] = role.slot_mask or 0
    out["skills"] = sorted(role.required_skills + role.desired_skills)
    out["causes"] = role.causes
    out["sessions"] = [(s.starts_at, s.ends_at) for s in role.sessions]
    return out


def _changed(role: Role, data: dict[str, Any]) -> bool:
    mine = _record(role)
    return any(mine[k] != data[k] for k in mine)


def _report(report: Report, row: int, problems: fv.Problems) -> None:
    for where, message in problems.errors:
        report.error(row, where, message)
    for where, message in problems.warnings:
        report.warning(row, where, message)


def _skip_for_problems(plan: FeedPlan, problems: fv.Problems) -> None:
    if problems.errors:
        plan.skip("has problems (see the report)")
    elif problems.left_out:
        plan.skip(problems.left_out)


def _plan_org(ctx: _Context, org: dict[str, Any]) -> None:
    if org["existing_id"] is None and not org["planned"]:
        org["planned"] = True
        ctx.plan.organisations.append(org)


def _role_row(ctx: _Context, org: dict[str, Any] | None, act: str, role: str | None, where: str, problems: fv.Problems) -> None:
    plan = ctx.plan
    node = role or act
    assert ctx.known is not None
    own = _own_id(node, ctx.base_url, "roles")
    if own is not None and own in ctx.known.own_roles:
        plan.skip("published by this brokerage")
        return
    data = _role_data(ctx, org, act, role, where, problems)
    if org is None or problems.errors or problems.left_out:
        return
    if not _in_area(ctx, data, org):
        plan.left_out_of_area += 1
        plan.skip("outside the chosen area")
        return
    act_key = _iri(act) or "activity:" + fv.digest(org["source_id"], ctx.graph.text(act, "title") or data["title"])
    key = _iri(node) or "role:" + fv.digest(act_key, data["title"], data["description"][:200])
    existing = ctx.known.roles.get(key)
    _plan_org(ctx, org)
    activity = {
        "source_id": act_key,
        "title": fv.fit_title(ctx.graph.text(act, "title") or data["title"], f"{where}.activity.title", fv.Problems()),
        "description": ctx.graph.text(act, "description") or "",
        "requires_emergency_participation": data.pop("emergency"),
    }
    entry = {"existing_id": existing, "source_id": key, "org": org, "activity": activity, "data": data}
    if existing is not None:
        ctx.to_compare.append(entry)  # compared with the record in bulk, after the last row
    else:
        plan.roles.append(entry)


CHUNK = 500  # records read or written together


def _compare_known(ctx: _Context) -> None:
    """Roles the feed gives again: those that changed are planned as changes, the others skipped as
    unchanged. The records are read 500 at a time (with their sessions, causes and skills)."""
    session, plan = ctx.session, ctx.plan
    for start in range(0, len(ctx.to_compare), CHUNK):
        entries = ctx.to_compare[start : start + CHUNK]
        roles = {r.id: r for r in session.scalars(select(Role).where(Role.id.in_([e["existing_id"] for e in entries])))}
        for e in entries:
            if _changed(roles[e["existing_id"]], e["data"]):
                plan.roles.append(e)
            else:
                plan.unchanged += 1
                plan.skip("already imported, unchanged")
        for role in roles.values():
            session.expunge(role)
    ctx.to_compare = []


def check_import(session: Session, content: bytes, *, area: str | None = None) -> tuple[Report, FeedPlan | None]:
    """The dry run: read the feed and plan the import, writing nothing."""
    report = Report()
    try:
        graph = load(content)
    except FeedUnreadable as exc:
        report.error(0, None, str(exc))
        return report, None
    if area is not None and area not in AREAS:
        report.error(0, "area", f"“{area}” is not an area we can limit a feed to; use kent_medway.")
        return report, None
    found = shape(graph)
    plan = FeedPlan(report=report)
    ctx = _Context(session, graph, plan, area, links.base_url().rstrip("/"), found, known=_Known.read(session))
    if not found.organisations and not found.activities:
        report.error(0, None, "The feed holds no organisations or activities of the Volunteering Data Standard.")
        return report, plan
    row = 0
    with_activities = {o for o in found.activities.values() if o}
    for act, org_node in found.activities.items():
        roles: list[str | None] = list(found.roles.get(act, [])) or [None]
        for role in roles:
            row += 1
            where = f"activity “{(graph.text(act, 'title') or act)[:60]}”" + (
                f" · role “{(graph.text(role, 'title') or role)[:60]}”" if role else ""
            )
            problems = fv.Problems()
            org = None
            if org_node is None:
                problems.leave_out(
                    f"{where}.organisation", "activity names no organisation", "The activity names no organisation."
                )
            else:
                org = _org_entry(ctx, org_node, f"organisation “{org_node[:80]}”", problems)
            _role_row(ctx, org, act, role, where, problems)
            _report(report, row, problems)
            _skip_for_problems(plan, problems)
    for org_node in found.organisations:
        if org_node in with_activities:
            continue
        row += 1
        plan.organisation_rows += 1
        problems = fv.Problems()
        org = _org_entry(ctx, org_node, f"organisation “{org_node[:80]}”", problems)
        _report(report, row, problems)
        if org is None or problems.errors or problems.left_out:
            _skip_for_problems(plan, problems)
        elif org["existing_id"] is not None and org["update"] and not org.get("row_counted"):
            org["row_counted"] = True
            plan.organisation_rows_updated += 1
        elif org["existing_id"] is not None or org["planned"]:
            plan.organisations_known += 1
            plan.skip("organisation already here")
        elif not _in_area(ctx, None, org):
            plan.left_out_of_area += 1
            plan.skip("outside the chosen area")
        else:
            _plan_org(ctx, org)
            plan.organisation_rows_planned += 1
    _compare_known(ctx)
    plan.total_rows = row
    return report, plan


# -- the commit -------------------------------------------------------------------------------
def _org_values(o: dict[str, Any]) -> dict[str, Any]:
    place = o["place"]
    return {
        **{column: o[key] for column, key in ORG_FIELDS.items()},
        **{k: place[k] for k in ORG_PLACE_FIELDS},
        "organisation_type": "registered_charity" if o["charity_number"] else "other",
        "charity_registrar": "ccew" if o["charity_number"] else None,
        "publish_contact": bool(o["email"] or o["phone"]),  # published by its source already
    }


def _create_orgs(session: Session, plan: FeedPlan, actor_user_id: int | None) -> dict[int, int]:
    """The new organisations, written together; returns the plan entry's id() → the new record's id."""
    made: list[tuple[dict[str, Any], Organisation]] = []
    for o in plan.organisations:
        org = Organisation(
            **_org_values(o),
            verification_status="verified",
            verification_note="Listed in a Volunteering Data Standard feed; imported by centre staff.",
            verified_by_id=actor_user_id,
            verified_at=utcnow(),
            struggling_to_recruit=False,
            source=SOURCE,
            source_id=o["source_id"],
        )
        org.cause_links = [OrganisationCause(cause_id=c) for c in o["causes"]]
        made.append((o, org))
    session.add_all([org for _, org in made])
    session.flush()
    return {id(o): org.id for o, org in made}


def _update_orgs(session: Session, plan: FeedPlan) -> int:
    """Organisations an earlier feed brought in, changed by this one (its source IRI names them)."""
    for o in plan.organisations_to_update:
        org = session.get_one(Organisation, o["existing_id"])
        for key, value in _org_values(o).items():
            setattr(org, key, value)
        org.cause_links = [OrganisationCause(cause_id=c) for c in o["causes"]]
    session.flush()
    return len(plan.organisations_to_update)


def _set_role(role: Role, data: dict[str, Any]) -> None:
    for key in ROLE_FIELDS:
        setattr(role, key, data[key])
    role.cause_links = [RoleCause(cause_id=c) for c in data["causes"]]
    role.skill_links = [RoleSkill(skill_id=s, required=False) for s in data["skills"]]
    role.sessions = [RoleSession(starts_at=a, ends_at=b) for a, b in data["sessions"]]


def _activity_ids(session: Session, plan: FeedPlan, org_id_of: Any) -> dict[tuple[int, str], int]:
    """(organisation id, activity source id) → activity id, for every activity a new role needs:
    those already here read in one query per 500, the others created together."""
    wanted: dict[tuple[int, str], dict[str, Any]] = {}
    for entry in plan.roles:
        if entry["existing_id"] is None:
            wanted.setdefault((org_id_of(entry["org"]), entry["activity"]["source_id"]), entry["activity"])
    ids: dict[tuple[int, str], int] = {}
    keys = sorted({k[1] for k in wanted})
    for start in range(0, len(keys), CHUNK):
        rows = session.execute(
            select(Activity.id, Activity.organisation_id, Activity.source_id).where(
                Activity.source == SOURCE, Activity.source_id.in_(keys[start : start + CHUNK])
            )
        )
        for aid, org_id, source_id in rows:
            if source_id is not None and (org_id, source_id) in wanted:
                ids.setdefault((org_id, source_id), aid)
    new = [
        (key, Activity(
            organisation_id=key[0],
            title=a["title"],
            description=a["description"],
            requires_emergency_participation=a["requires_emergency_participation"],
            source=SOURCE,
            source_id=a["source_id"],
        ))
        for key, a in wanted.items()
        if key not in ids
    ]  # fmt: skip
    session.add_all([a for _, a in new])
    session.flush()
    ids.update({key: a.id for key, a in new})
    return ids


def _create_roles(session: Session, entries: list[dict[str, Any]], activity_ids: dict[tuple[int, str], int], org_id_of: Any,
                  actor_user_id: int | None) -> None:  # fmt: skip
    """New roles, 500 at a time, written as rows (no ORM object per role): the roles in one statement
    that returns their ids in order, then their causes, skills, dated sessions, history and jobs."""
    now = utcnow()
    for start in range(0, len(entries), CHUNK):
        chunk = entries[start : start + CHUNK]
        rows = []
        for entry in chunk:
            org_id = org_id_of(entry["org"])
            rows.append(
                {
                    **{k: entry["data"][k] for k in ROLE_FIELDS},
                    "activity_id": activity_ids[(org_id, entry["activity"]["source_id"])],
                    "organisation_id": org_id,
                    "status": "published",
                    "published_at": now,
                    "places_available": None,  # the standard has no word for places: unknown, never full
                    "created_by_id": actor_user_id,
                    "source": SOURCE,
                    "source_id": entry["source_id"],
                    "created_at": now,
                    "updated_at": now,
                }
            )
        ids = session.execute(insert(Role).returning(Role.id, sort_by_parameter_order=True), rows).scalars().all()
        causes, skills, dated, history, jobs = [], [], [], [], []
        for rid, entry in zip(ids, chunk):
            data = entry["data"]
            causes += [{"role_id": rid, "cause_id": c} for c in data["causes"]]
            skills += [{"role_id": rid, "skill_id": k, "required": False, "essential": False} for k in data["skills"]]
            dated += [{"role_id": rid, "starts_at": a, "ends_at": b} for a, b in data["sessions"]]
            history.append(
                {
                    "role_id": rid,
                    "from_status": None,
                    "to_status": "published",
                    "at": now,
                    "actor_user_id": actor_user_id,
                    "reason": "Imported from a Volunteering Data Standard feed",
                }
            )
            for event in (events.RolePublished(role_id=rid), events.RoleChanged(role_id=rid)):
                jobs.append({"actor": event.name, "payload": event.payload(), "status": "pending", "attempts": 0})
        for model, values in (
            (RoleCause, causes),
            (RoleSkill, skills),
            (RoleSession, dated),
            (RoleStatusChange, history),
            (OutboxMessage, jobs),
        ):
            if values:
                session.execute(insert(model), values)


def apply_import(session: Session, plan: FeedPlan, *, actor_user_id: int | None) -> dict[str, int]:
    """The commit: exactly what the dry run planned."""
    org_ids = _create_orgs(session, plan, actor_user_id)
    updated_orgs = _update_orgs(session, plan)

    def org_id_of(o: dict[str, Any]) -> int:
        return o["existing_id"] if o["existing_id"] is not None else org_ids[id(o)]

    new = [e for e in plan.roles if e["existing_id"] is None]
    changed = [e for e in plan.roles if e["existing_id"] is not None]
    _create_roles(session, new, _activity_ids(session, plan, org_id_of), org_id_of, actor_user_id)
    for start in range(0, len(changed), CHUNK):
        entries = changed[start : start + CHUNK]
        roles = {r.id: r for r in session.scalars(select(Role).where(Role.id.in_([e["existing_id"] for e in entries])))}
        for entry in entries:
            _set_role(roles[entry["existing_id"]], entry["data"])
            enqueue(session, events.RoleChanged(role_id=entry["existing_id"]))
        session.flush()
    return {
        "organisations_created": len(org_ids),
        "organisations_updated": updated_orgs,
        "roles_created": len(new),
        "roles_updated": len(changed),
        "already_imported": plan.unchanged,
        "left_out_of_area": plan.left_out_of_area,
    }
