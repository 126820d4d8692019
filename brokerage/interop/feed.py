"""The UK Volunteering Data Standard (DCMS / ODI, Open Government Licence v3): publish our
published roles as a JSON-LD feed, and take in such a feed from elsewhere.

Shape (the standard's "multiple organisations" form)::

    {"@context": [...], "conformsTo", "license", "publisher", "modified",
     "graph": [Organisation {name, description, website, cause[], charityRegistration{...},
               activity: [Activity {title, description, publishStart, publishEnd,
                                    requiresEmergencyParticipation,
                                    role: [Role {title, description, commitment, applyLink,
                                                 allowsRemoteParticipation, minimumAge, maximumAge,
                                                 accessibility[], requirement[], reward[], skill[]}],
                                    session: [Session {location {name, address, latitude, longitude},
                                                       time: [MondayMorning … SundayEvening]}]}]}]}

Causes, skills, requirements and time slots are the standard's IRIs
(``https://ns.volunteeringdata.io/<Term>``). Skills our vocabulary adds to the standard's, and the
fields the standard has no word for (mode, places, DBS level, dated sessions …), are written under
our own namespace ``urn:kent-volunteer-brokerage:`` (prefix ``kvb:``), which other consumers may
ignore and our importer reads back, so that a round trip loses nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage.db import utcnow
from brokerage.errors import InvalidInput
from brokerage import net
from brokerage.geo.lookup import locate
from brokerage.interop.imports.values import Report
from brokerage.vocab import taxonomies
from brokerage.vocab.dbs import DBS_LEVEL
from brokerage.vocab.slots import SLOT_NAMES, mask_to_slots, slots_to_mask
from brokerage.models import (
    Activity,
    Organisation,
    OrganisationCause,
    Role,
    RoleCause,
    RoleSession,
    RoleSkill,
    RoleStatusChange,
)
from brokerage import events, links
from brokerage.outbox import enqueue

STANDARD_NS = "https://ns.volunteeringdata.io/"
STANDARD_CONTEXT = "https://api.volunteeringdata.io/context/v1"
KVB_NS = "urn:kent-volunteer-brokerage:"
KVB_SKILL = KVB_NS + "skill:"
SOURCE = "data_standard"
LICENCE = "OGL-UK-3.0"
_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})\b", re.I)


# -- vocabularies ----------------------------------------------------------------------------
def term_iri(label: str) -> str:
    """The standard's IRI for a taxonomy label: ``DBS Check`` → ``…/DBSCheck``."""
    words = re.findall(r"[A-Za-z0-9]+", label)
    return STANDARD_NS + "".join(w[:1].upper() + w[1:] for w in words)


def _label_from_iri(iri: str) -> str:
    tail = iri.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", tail)
    text = " ".join(words)
    return text[:1].upper() + text[1:].lower() if text else iri


@lru_cache
def _skill_tables() -> tuple[dict[str, str], dict[str, str]]:
    """our skill id → IRI, and IRI → our skill id."""
    import csv
    from importlib import resources

    to_iri: dict[str, str] = {}
    with resources.files("brokerage.data.taxonomy").joinpath("skill_vocabulary.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            standard = (row.get("standard_label") or "").strip()
            to_iri[row["id"]] = term_iri(standard) if standard else KVB_SKILL + row["id"]
    return to_iri, {iri: sid for sid, iri in to_iri.items()}


@lru_cache
def _requirement_tables() -> tuple[dict[str, str], dict[str, str]]:
    to_iri = {label: term_iri(label) for label in taxonomies.requirements()}
    return to_iri, {iri: label for label, iri in to_iri.items()}


def skill_iri(skill_id: str) -> str:
    return _skill_tables()[0].get(skill_id, KVB_SKILL + skill_id)


# -- publishing ------------------------------------------------------------------------------
def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _charity(org: Organisation) -> dict[str, Any]:
    if not org.charity_number:
        return {}
    return {
        "charityNumber": org.charity_number,
        "charityRegistration": {"registrar": org.charity_registrar, "registrationNumber": org.charity_number},
    }


def role_node(role: Role, base_url: str) -> dict[str, Any]:
    requirement_iris = [_requirement_tables()[0].get(r, term_iri(r)) for r in role.requirements or []]
    derived = []
    dbs = term_iri("DBS Check")
    if role.dbs_level != "none" and dbs not in requirement_iris:
        derived = [dbs]
    skills = [skill_iri(s) for s in role.required_skills + role.desired_skills]
    node: dict[str, Any] = {
        "type": "Role",
        "id": f"{base_url}/roles/{role.id}",
        "kvb:page": base_url + links.role_page(role.id),  # the role's page for people
        "title": role.title,
        "description": role.description,
        "commitment": role.commitment,
        "applyLink": role.apply_link,
        "allowsRemoteParticipation": role.mode in ("remote", "hybrid"),
        "minimumAge": role.minimum_age,
        "maximumAge": role.maximum_age,
        "accessibility": list(role.accessibility or []),
        "requirement": requirement_iris + derived,
        "reward": list(role.rewards or []),
        "skill": skills,
        "cause": [STANDARD_NS + c for c in role.causes],
        "kvb:requiredSkill": [skill_iri(s) for s in role.required_skills],
        "kvb:derivedRequirement": derived,
        "kvb:mode": role.mode,
        "kvb:oneOff": role.one_off,
        "kvb:hoursPerWeek": role.hours_per_week,
        "kvb:placesAvailable": role.places_available,
        "kvb:dbsLevel": role.dbs_level,
        "kvb:publishStart": _iso(role.publish_start),
        "kvb:publishEnd": _iso(role.publish_end),
        "kvb:updated": _iso(role.updated_at),
    }
    # publish dates stay even when empty, so that a role without them does not take its activity's
    return {k: v for k, v in node.items() if v is not None or k in ("kvb:publishStart", "kvb:publishEnd")}


def session_node(role: Role, base_url: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "type": "Session",
        "kvb:role": f"{base_url}/roles/{role.id}",
        "time": [STANDARD_NS + s for s in mask_to_slots(role.slot_mask or 0)],
    }
    if role.postcode or role.latitude is not None:
        location = {
            "type": "Location",
            "name": role.location_name,
            "address": role.address,
            "latitude": role.latitude,
            "longitude": role.longitude,
            "kvb:postcode": role.postcode,
        }
        node["location"] = {k: v for k, v in location.items() if v is not None}
    if role.sessions:
        node["kvb:dates"] = [{"startDate": s.starts_at.isoformat(), "endDate": s.ends_at.isoformat()} for s in role.sessions]
    return node


def feed_page(
    session: Session, *, base_url: str, page: int = 1, page_size: int = 100, modified_since: datetime | None = None
) -> dict[str, Any]:
    """One page of published roles (oldest change first, so a consumer can follow ``modified_since``)."""
    base_url = base_url.rstrip("/")
    stmt = select(Role).where(Role.status == "published")
    if modified_since is not None:
        stmt = stmt.where(Role.updated_at > modified_since)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    roles = list(session.scalars(stmt.order_by(Role.updated_at, Role.id).offset((page - 1) * page_size).limit(page_size)))
    orgs = (
        {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_({r.organisation_id for r in roles})))}
        if roles
        else {}
    )
    activities = (
        {a.id: a for a in session.scalars(select(Activity).where(Activity.id.in_({r.activity_id for r in roles})))}
        if roles
        else {}
    )
    graph: dict[int, dict[str, Any]] = {}
    activity_nodes: dict[int, dict[str, Any]] = {}
    for role in roles:
        org = orgs[role.organisation_id]
        org_node = graph.get(org.id)
        if org_node is None:
            org_node = graph[org.id] = {
                "type": "Organisation",
                "id": f"{base_url}/organisations/{org.id}",
                "name": org.name,
                "description": org.description,
                "website": org.website,
                **_charity(org),
                "cause": [STANDARD_NS + c for c in org.causes],
                "kvb:organisationType": org.organisation_type,
                "kvb:postcode": org.postcode,
                "activity": [],
            }
            org_node = graph[org.id] = {k: v for k, v in org_node.items() if v is not None}
        act = activities[role.activity_id]
        act_node = activity_nodes.get(act.id)
        if act_node is None:
            act_node = activity_nodes[act.id] = {
                "type": "Activity",
                "id": f"{base_url}/activities/{act.id}",
                "title": act.title,
                "description": act.description,
                "requiresEmergencyParticipation": act.requires_emergency_participation,
                "role": [],
                "session": [],
            }
            org_node["activity"].append(act_node)
        act_node["role"].append(role_node(role, base_url))
        act_node["session"].append(session_node(role, base_url))
        for key, pick in (("publishStart", min), ("publishEnd", max)):
            value = getattr(role, "publish_start" if key == "publishStart" else "publish_end")
            if value is not None:
                act_node[key] = pick(act_node[key], value.isoformat()) if key in act_node else value.isoformat()
    modified = max((r.updated_at for r in roles), default=None)
    pages = max(1, -(-total // page_size))
    doc: dict[str, Any] = {
        "@context": [STANDARD_CONTEXT, {"kvb": KVB_NS}],
        "conformsTo": STANDARD_NS,
        "license": LICENCE,
        "publisher": base_url,
        "modified": _iso(modified),
        "kvb:page": page,
        "kvb:pageSize": page_size,
        "kvb:total": total,
        "kvb:next": None,
        "graph": list(graph.values()),
    }
    if page < pages:
        nxt = f"{base_url}/data-standard/feed?page={page + 1}&page_size={page_size}"
        if modified_since is not None:
            nxt += f"&modified_since={modified_since.isoformat()}"
        doc["kvb:next"] = nxt
    return doc


# -- a comparable view of a role (used by the importer to see what changed, and by tests) -----
def role_record(session: Session, role: Role) -> dict[str, Any]:
    org = session.get(Organisation, role.organisation_id)
    act = session.get(Activity, role.activity_id)
    return {
        "title": role.title,
        "description": role.description,
        "commitment": role.commitment,
        "hours_per_week": role.hours_per_week,
        "one_off": role.one_off,
        "slots": mask_to_slots(role.slot_mask or 0),
        "mode": role.mode,
        "location_name": role.location_name,
        "address": role.address,
        "postcode": role.postcode,
        "latitude": role.latitude,
        "longitude": role.longitude,
        "district_gss": role.district_gss,
        "dbs_level": role.dbs_level,
        "requirements": list(role.requirements or []),
        "accessibility": list(role.accessibility or []),
        "rewards": list(role.rewards or []),
        "minimum_age": role.minimum_age,
        "maximum_age": role.maximum_age,
        "places_available": role.places_available,
        "apply_link": role.apply_link,
        "publish_start": role.publish_start,
        "publish_end": role.publish_end,
        "status": role.status,
        "causes": role.causes,
        "required_skills": role.required_skills,
        "desired_skills": role.desired_skills,
        "sessions": [(s.starts_at, s.ends_at) for s in role.sessions],
        "activity": {
            "title": act.title,
            "description": act.description,
            "requires_emergency_participation": act.requires_emergency_participation,
        },
        "organisation": {
            "name": org.name,
            "description": org.description,
            "website": org.website,
            "charity_registrar": org.charity_registrar,
            "charity_number": org.charity_number,
            "organisation_type": org.organisation_type,
            "postcode": org.postcode,
            "causes": org.causes,
        },
    }


# -- importing -------------------------------------------------------------------------------
@dataclass
class FeedPlan:
    report: Report
    total_rows: int = 0
    organisations: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def summary(self) -> dict[str, int]:
        return {
            "roles_in_feed": self.total_rows,
            "organisations_to_create": sum(1 for o in self.organisations if o["existing_id"] is None),
            "roles_to_create": sum(1 for r in self.roles if r["existing_id"] is None),
            "roles_to_update": sum(1 for r in self.roles if r["existing_id"] is not None),
            "already_imported": self.unchanged,
        }


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("@value", value.get("value"))
    value = str(value).strip()
    return value or None


def _get(node: dict[str, Any], *names: str) -> Any:
    for name in names:
        for key in (name, f"kvb:{name}", KVB_NS + name, STANDARD_NS + name):
            if key in node:
                return node[key]
    return None


def _int(value: Any) -> int | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return int(float(text))
    except ValueError:
        raise ValueError(f"“{text}” is not a whole number.") from None


def _float(value: Any) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a number.") from None


def _day(value: Any) -> date | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"“{text}” is not a date (use 2025-10-08).") from None


def _iri(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id") or value.get("@id")
    return _text(value)


def parse_document(content: bytes) -> list[dict[str, Any]]:
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("This is not a JSON-LD feed: the file is not JSON.") from None
    if isinstance(doc, dict):
        items = doc.get("graph", doc.get("@graph"))
        if items is None:
            items = [doc] if (doc.get("type") or doc.get("@type")) == "Organisation" or "activity" in doc else None
    else:
        items = doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError("This JSON is not a Volunteering Data Standard feed: expected a “graph” list of organisations.")
    return items


def _digest(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:24]


def check_import(session: Session, content: bytes) -> tuple[Report, FeedPlan | None]:
    report = Report()
    try:
        organisations = parse_document(content)
    except ValueError as exc:
        report.error(0, None, str(exc))
        return report, None
    plan = FeedPlan(report=report)
    skill_by_iri = _skill_tables()[1]
    requirement_by_iri = _requirement_tables()[1]
    requirement_by_label = {r.lower(): r for r in taxonomies.requirements()}
    causes = taxonomies.causes()
    slots = {STANDARD_NS + s: s for s in SLOT_NAMES} | {s: s for s in SLOT_NAMES}
    seen_roles: dict[str, int] = {}
    number = 0

    def cause_ids(values: list[Any], where: int, path: str) -> list[str]:
        out = []
        for v in values:
            iri = _iri(v) or ""
            cid = iri[len(STANDARD_NS) :] if iri.startswith(STANDARD_NS) else iri
            if cid in causes:
                out.append(cid)
            else:
                report.warning(where, path, f"The cause “{iri}” is not in the standard's cause list; it is left out.")
        return sorted(set(out))

    for oi, org in enumerate(organisations):
        opath = f"graph[{oi}]"
        name = _text(org.get("name"))
        if not name:
            report.error(0, f"{opath}.name", "An organisation has no name.")
            continue
        org_iri = _iri(org)
        org_source = (org_iri or "name:" + _digest(name.lower(), _text(org.get("website")) or ""))[:200]
        reg = org.get("charityRegistration") or {}
        charity_number = _text(reg.get("registrationNumber") if isinstance(reg, dict) else None) or _text(
            org.get("charityNumber")
        )
        existing = session.scalar(
            select(Organisation.id).where(Organisation.source == SOURCE, Organisation.source_id == org_source)
        )
        if existing is None and charity_number:
            existing = session.scalar(select(Organisation.id).where(Organisation.charity_number == charity_number).limit(1))
        org_postcode = _text(_get(org, "postcode"))
        org_place = None
        if org_postcode:
            try:
                org_place = locate(session, org_postcode)
            except InvalidInput as exc:
                report.warning(0, f"{opath}.postcode", exc.message)
        registrar = _text(reg.get("registrar")) if isinstance(reg, dict) else None
        org_plan = {
            "existing_id": existing,
            "source_id": org_source,
            "name": name[:200],
            "description": _text(org.get("description")) or "",
            "website": (_text(org.get("website")) or None),
            "charity_number": charity_number,
            "charity_registrar": registrar
            if registrar in ("ccew", "oscr", "ccni", "companies_house")
            else ("ccew" if charity_number else None),
            "organisation_type": _text(_get(org, "organisationType")) or ("registered_charity" if charity_number else "other"),
            "causes": cause_ids(_list(org.get("cause")), 0, f"{opath}.cause"),
            "place": org_place,
        }
        plan.organisations.append(org_plan)
        for ai, act in enumerate(_list(org.get("activity"))):
            apath = f"{opath}.activity[{ai}]"
            if not isinstance(act, dict):
                report.error(0, apath, "An activity should be an object.")
                continue
            act_title = _text(act.get("title")) or _text(act.get("name"))
            sessions = [s for s in _list(act.get("session")) if isinstance(s, dict)]
            act_key = _iri(act) or _digest(org_source, act_title or str(ai))
            for ri, role in enumerate(_list(act.get("role"))):
                number += 1
                rpath = f"{apath}.role[{ri}]"
                errors_before = report.errors
                if not isinstance(role, dict):
                    report.error(number, rpath, "A role should be an object.")
                    continue
                title = _text(role.get("title"))
                if not title:
                    report.error(number, f"{rpath}.title", "The role has no title.")
                role_iri = _iri(role)
                role_source = (role_iri or "role:" + _digest(org_source, act_key, title or str(ri)))[:300]
                if role_source in seen_roles:
                    report.error(
                        number, f"{rpath}.id", f"This role appears twice in the feed (also role {seen_roles[role_source]})."
                    )
                seen_roles[role_source] = number
                data: dict[str, Any] = {
                    "title": (title or "")[:200],
                    "description": _text(role.get("description")) or _text(act.get("description")) or title or "",
                }
                try:
                    data["commitment"] = _text(role.get("commitment")) or None
                    data["apply_link"] = _text(role.get("applyLink"))
                    data["minimum_age"] = _int(role.get("minimumAge"))
                    data["maximum_age"] = _int(role.get("maximumAge"))
                    data["hours_per_week"] = _float(_get(role, "hoursPerWeek"))
                    places = _int(_get(role, "placesAvailable"))
                    data["places_available"] = 1 if places is None else places
                    for key, name in (("publish_start", "publishStart"), ("publish_end", "publishEnd")):
                        own = f"kvb:{name}" in role or (KVB_NS + name) in role
                        data[key] = _day(_get(role, name)) if own else _day(act.get(name))
                except ValueError as exc:
                    report.error(number, rpath, str(exc))
                    continue
                if (
                    data["minimum_age"] is not None
                    and data["maximum_age"] is not None
                    and data["maximum_age"] < data["minimum_age"]
                ):
                    report.error(number, f"{rpath}.maximumAge", "The maximum age is below the minimum age.")
                remote = role.get("allowsRemoteParticipation")
                remote = str(remote).strip().lower() in ("true", "1", "yes") if remote is not None else False
                # skills
                required_iris = {_iri(v) for v in _list(_get(role, "requiredSkill"))}
                required, desired = [], []
                for v in _list(role.get("skill")):
                    iri = _iri(v) or ""
                    sid = skill_by_iri.get(iri) or (iri if iri in taxonomies.skills() else None)
                    if sid is None:
                        report.warning(number, f"{rpath}.skill", f"The skill “{iri}” is not in our vocabulary; it is left out.")
                        continue
                    (required if iri in required_iris else desired).append(sid)
                data["required_skills"], data["desired_skills"] = sorted(set(required)), sorted(set(desired) - set(required))
                # requirements and DBS
                derived = {_iri(v) for v in _list(_get(role, "derivedRequirement"))}
                requirements = []
                for v in _list(role.get("requirement")):
                    iri = _iri(v) or ""
                    if iri in derived:
                        continue
                    label = requirement_by_iri.get(iri) or requirement_by_label.get(iri.lower())
                    if label is None:
                        report.warning(
                            number,
                            f"{rpath}.requirement",
                            f"The requirement “{iri}” is not in the standard's list; it is left out.",
                        )
                    else:
                        requirements.append(label)
                data["requirements"] = requirements
                dbs = _text(_get(role, "dbsLevel"))
                if dbs not in DBS_LEVEL:
                    dbs = "standard" if (term_iri("DBS Check") in derived or "DBS Check" in requirements) else "none"
                data["dbs_level"] = dbs
                data["accessibility"] = [t for t in (_text(v) for v in _list(role.get("accessibility"))) if t]
                data["rewards"] = [
                    (_label_from_iri(t) if t.startswith(STANDARD_NS) else t)
                    for t in (_text(v) for v in _list(role.get("reward")))
                    if t
                ]
                role_causes = _list(role.get("cause")) or _list(org.get("cause"))
                data["causes"] = cause_ids(role_causes, number, f"{rpath}.cause")
                # where and when: the session for this role, else the activity's first session
                mine = [s for s in sessions if _iri(s.get("kvb:role")) == role_iri and role_iri] or [
                    s for s in sessions if not s.get("kvb:role")
                ]
                slot_names: set[str] = set()
                dated: list[tuple[datetime, datetime]] = []
                location: dict[str, Any] | None = None
                for s in mine:
                    for t in _list(s.get("time")):
                        iri = _iri(t) or ""
                        if iri in slots:
                            slot_names.add(slots[iri])
                        else:
                            report.warning(
                                number,
                                f"{rpath}.session.time",
                                f"“{iri}” is not one of the standard's 21 time slots; it is left out.",
                            )
                    for d in _list(_get(s, "dates")):
                        try:
                            dated.append((datetime.fromisoformat(d["startDate"]), datetime.fromisoformat(d["endDate"])))
                        except (KeyError, TypeError, ValueError):
                            report.error(number, f"{rpath}.session.dates", "A dated session needs a startDate and an endDate.")
                    if location is None and isinstance(s.get("location"), dict):
                        location = _list(s.get("location"))[0]
                data["slot_mask"] = slots_to_mask(sorted(slot_names)) if slot_names else 0
                data["sessions"] = sorted(dated)
                data["one_off"] = (
                    bool(_get(role, "oneOff")) if _get(role, "oneOff") is not None else bool(dated and not slot_names)
                )
                mode = _text(_get(role, "mode"))
                if location:
                    data["location_name"] = _text(location.get("name"))
                    data["address"] = _text(location.get("address"))
                    postcode = _text(_get(location, "postcode"))
                    if not postcode and data["address"]:
                        m = _POSTCODE_IN_TEXT.search(data["address"])
                        postcode = f"{m.group(1)} {m.group(2)}".upper() if m else None
                    try:
                        lat, lon = _float(location.get("latitude")), _float(location.get("longitude"))
                    except ValueError as exc:
                        report.error(number, f"{rpath}.session.location", str(exc))
                        lat = lon = None
                    place = None
                    if postcode:
                        try:
                            place = locate(session, postcode)
                        except InvalidInput as exc:
                            report.error(number, f"{rpath}.session.location", exc.message)
                    data["postcode"] = place.postcode if place else None
                    data["latitude"] = lat if lat is not None else (place.latitude if place else None)
                    data["longitude"] = lon if lon is not None else (place.longitude if place else None)
                    data["district_gss"] = place.district_code if place else (org_place.district_code if org_place else None)
                    data["mode"] = mode if mode in ("in_person", "remote", "hybrid") else ("hybrid" if remote else "in_person")
                else:
                    data.update(
                        location_name=None,
                        address=None,
                        postcode=None,
                        latitude=None,
                        longitude=None,
                        district_gss=org_place.district_code if org_place else None,
                    )
                    data["mode"] = (
                        "remote" if (remote or mode == "remote") else (mode if mode in ("in_person", "hybrid") else "in_person")
                    )
                    if data["mode"] != "remote":
                        report.error(
                            number, f"{rpath}.session", "An in-person role needs a session with a location (address or postcode)."
                        )
                if location and data["mode"] != "remote" and data.get("postcode") is None and data.get("latitude") is None:
                    report.error(
                        number, f"{rpath}.session.location", "An in-person role needs a postcode or a latitude and longitude."
                    )
                if report.errors > errors_before:
                    continue
                existing_role = session.scalar(select(Role).where(Role.source == SOURCE, Role.source_id == role_source))
                entry = {
                    "existing_id": existing_role.id if existing_role else None,
                    "source_id": role_source,
                    "org": org_plan,
                    "activity_key": act_key,
                    "activity": {
                        "title": (act_title or data["title"])[:200],
                        "description": _text(act.get("description")) or "",
                        "requires_emergency_participation": bool(act.get("requiresEmergencyParticipation")),
                    },
                    "data": data,
                    "row": number,
                }
                if existing_role is not None and _unchanged(session, existing_role, data):
                    plan.unchanged += 1
                    continue
                plan.roles.append(entry)
    plan.total_rows = number
    return report, plan


_COMPARED = (
    "title",
    "description",
    "commitment",
    "hours_per_week",
    "one_off",
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
    "places_available",
    "apply_link",
    "publish_start",
    "publish_end",
    "causes",
    "required_skills",
    "desired_skills",
)


def _unchanged(session: Session, role: Role, data: dict[str, Any]) -> bool:
    record = role_record(session, role)
    if any(record[k] != data[k] for k in _COMPARED):
        return False
    return (role.slot_mask or 0) == data["slot_mask"] and record["sessions"] == data["sessions"]


def _set_role(role: Role, data: dict[str, Any]) -> None:
    for key in (
        "title",
        "description",
        "commitment",
        "hours_per_week",
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
        "places_available",
        "apply_link",
        "publish_start",
        "publish_end",
    ):
        setattr(role, key, data[key])
    role.cause_links = [RoleCause(cause_id=c) for c in data["causes"]]
    role.skill_links = [RoleSkill(skill_id=s, required=True) for s in data["required_skills"]] + [
        RoleSkill(skill_id=s, required=False) for s in data["desired_skills"]
    ]
    role.sessions = [RoleSession(starts_at=a, ends_at=b) for a, b in data["sessions"]]


def apply_import(session: Session, plan: FeedPlan, *, actor_user_id: int | None) -> dict[str, int]:
    now = utcnow()
    created_orgs = created_roles = updated_roles = 0
    org_ids: dict[str, int] = {}
    activity_ids: dict[tuple[int, str], int] = {}
    for o in plan.organisations:
        if o["existing_id"] is not None:
            org_ids[o["source_id"]] = o["existing_id"]
    for entry in plan.roles:
        o = entry["org"]
        org_id = org_ids.get(o["source_id"])
        if org_id is None:
            place = o["place"]
            org = Organisation(
                name=o["name"],
                description=o["description"],
                website=o["website"],
                organisation_type=o["organisation_type"],
                charity_registrar=o["charity_registrar"],
                charity_number=o["charity_number"],
                postcode=place.postcode if place else None,
                latitude=place.latitude if place else None,
                longitude=place.longitude if place else None,
                district_gss=place.district_code if place else None,
                verification_status="verified",
                verification_note="Listed in a Volunteering Data Standard feed; imported by centre staff.",
                verified_by_id=actor_user_id,
                verified_at=now,
                struggling_to_recruit=False,
                source=SOURCE,
                source_id=o["source_id"],
            )
            org.cause_links = [OrganisationCause(cause_id=c) for c in o["causes"]]
            session.add(org)
            session.flush()
            org_id = org_ids[o["source_id"]] = org.id
            created_orgs += 1
        data = entry["data"]
        if entry["existing_id"] is not None:
            role = session.get(Role, entry["existing_id"])
            _set_role(role, data)
            updated_roles += 1
            enqueue(session, events.RoleChanged(role_id=role.id))
            continue
        key = (org_id, entry["activity_key"])
        if key not in activity_ids:
            a = entry["activity"]
            activity = Activity(
                organisation_id=org_id,
                title=a["title"],
                description=a["description"],
                requires_emergency_participation=a["requires_emergency_participation"],
            )
            session.add(activity)
            session.flush()
            activity_ids[key] = activity.id
        role = Role(
            activity_id=activity_ids[key],
            organisation_id=org_id,
            status="published",
            published_at=now,
            created_by_id=actor_user_id,
            source=SOURCE,
            source_id=entry["source_id"],
        )
        _set_role(role, data)
        session.add(role)
        session.flush()
        session.add(
            RoleStatusChange(
                role_id=role.id,
                from_status=None,
                to_status="published",
                actor_user_id=actor_user_id,
                reason="Imported from a Volunteering Data Standard feed",
            )
        )
        enqueue(session, events.RolePublished(role_id=role.id))
        enqueue(session, events.RoleChanged(role_id=role.id))
        created_roles += 1
    session.flush()
    return {
        "organisations_created": created_orgs,
        "roles_created": created_roles,
        "roles_updated": updated_roles,
        "already_imported": plan.unchanged,
    }


def fetch(url: str) -> bytes:
    """Download a feed for import (only when centre staff ask for it): public https addresses only,
    size and time capped, one generic error (brokerage/net.py)."""
    return net.fetch_public(url)
