"""Publish the brokerage's published roles as the Volunteering Data Standard's publishing guide
does: a JSON-LD ``@graph`` of organisations (each once in the whole feed), each holding its
activities, their roles and the sessions where and when they happen.

Every term expands, against the standard's v1 context, to an IRI that the standard's ontology,
taxonomies or reference vocabulary defines. Every cause, skill, requirement, reward, accessibility
value and time slot is the taxonomy's IRI with its label beside it; a value no taxonomy lists (one of
our own skills, a reward the reward list does not have yet) is given by its label alone, so it
never borrows an IRI that means something else. Dated sessions carry their ``beginning`` and
``end``. An organisation's email and phone are published only when it agreed to.

The licence, publisher and last change travel in HTTP headers (``Link: rel=license``,
``Last-Modified``), because the guide's ``license`` / ``publisher`` / ``modified`` are not defined
by the ontology; paging is by organisation, with a ``Link: rel=next`` header. What the standard
has no word for (places on offer, hours a week, whether a skill is needed or only welcome) is not
published; docs/standard.md lists it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage import links
from brokerage.interop import feed_values as fv
from brokerage.interop.standard import STANDARD_CONTEXT, STANDARD_NS
from brokerage.models import Activity, Organisation, Role
from brokerage.vocab import taxonomies
from brokerage.vocab.dbs import DBS_LEVEL
from brokerage.vocab.slots import mask_to_slots, slot_label

LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def concept(pair: fv.Pair) -> dict[str, str]:
    iri, label = pair
    return {"id": iri, "label": label} if iri else {"label": label}


def _clean(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if v is not None and v != [] and v != ""}


def _address(address: str | None, postcode: str | None) -> str | None:
    if postcode and postcode.replace(" ", "").lower() not in (address or "").replace(" ", "").lower():
        return f"{address}, {postcode}" if address else postcode
    return address


def _location(name: str | None, address: str | None, postcode: str | None, lat: float | None, lon: float | None) -> list[Any]:
    node = _clean({"name": name, "address": _address(address, postcode), "latitude": lat, "longitude": lon})
    return [node] if node else []


def requirement_values(role: Role) -> list[dict[str, str]]:
    out = [concept(fv.requirement_concept(label)) for label in role.requirements or []]
    if role.dbs_level != "none":
        out.append({"label": DBS_LEVEL.label(role.dbs_level)})  # the level of check, read back by the importer
    return out


def role_node(role: Role, base_url: str) -> dict[str, Any]:
    skills = sorted(set(role.required_skills + role.desired_skills))
    return _clean(
        {
            "type": "Role",
            "id": f"{base_url}/roles/{role.id}",
            "url": base_url + links.role_page(role.id),  # the role's page for people
            "title": role.title,
            "description": role.description,
            "commitment": role.commitment,
            "applyLink": role.apply_link,
            "allowsRemoteParticipation": role.mode in ("remote", "hybrid"),
            # the youngest age the role welcomes: 18 when it is not suitable for under-18s
            "minimumAge": role.minimum_age if role.suitable_for_under_18s else max(role.minimum_age or 0, 18),
            "maximumAge": role.maximum_age,
            "cause": [concept((STANDARD_NS + c, taxonomies.cause_label(c))) for c in role.causes],
            "skill": [concept(fv.skill_concept(s)) for s in skills],
            "requirement": requirement_values(role),
            "reward": [concept(fv.free_concept("Reward", r)) for r in role.rewards or []],
            "accessibility": [concept(fv.free_concept("Accessibility", a)) for a in role.accessibility or []],
        }
    )


def session_node(role: Role) -> dict[str, Any]:
    times: list[dict[str, str]] = [{"id": STANDARD_NS + s, "label": slot_label(s)} for s in mask_to_slots(role.slot_mask or 0)]
    times += [{"beginning": fv.local_iso(s.starts_at), "end": fv.local_iso(s.ends_at)} for s in role.sessions]
    return _clean(
        {
            "type": "Session",
            "location": _location(role.location_name, role.address, role.postcode, role.latitude, role.longitude),
            "time": times,
        }
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def activity_node(activity: Activity, roles: list[Role], base_url: str) -> dict[str, Any]:
    """An activity as the guide nests it. Its publish dates are the activity's in the standard,
    so they are given when its roles share them. Each role carries its own session."""
    starts, ends = {r.publish_start for r in roles}, {r.publish_end for r in roles}
    node = _clean(
        {
            "id": f"{base_url}/activities/{activity.id}",
            "title": activity.title,
            "label": activity.title,  # the reference shapes ask activities for a label
            "description": activity.description,
            "requiresEmergencyParticipation": activity.requires_emergency_participation,
            "publishStartDate": _iso(next(iter(starts))) if len(starts) == 1 else None,
            "publishEndDate": _iso(next(iter(ends))) if len(ends) == 1 else None,
            "role": [{**role_node(r, base_url), "session": [session_node(r)]} for r in roles],
        }
    )
    node["description"] = activity.description or ""  # the shapes ask every activity for one, even if empty
    return node


def organisation_node(org: Organisation, activities: list[dict[str, Any]], base_url: str) -> dict[str, Any]:
    return _clean(
        {
            "type": "Organisation",
            "id": f"{base_url}/organisations/{org.id}",
            "name": org.name,
            "description": org.description,
            "website": org.website,
            "charityNumber": org.charity_number,
            "email": org.contact_email if org.publish_contact else None,
            "phone": org.contact_phone if org.publish_contact else None,
            "cause": [concept((STANDARD_NS + c, taxonomies.cause_label(c))) for c in org.causes],
            "location": _location(None, org.address, org.postcode, org.latitude, org.longitude),
            "activity": activities,
        }
    )


@dataclass
class FeedPage:
    document: dict[str, Any]
    organisations: int  # in the whole feed
    page: int
    pages: int
    modified: datetime | None


def feed_page(
    session: Session, *, base_url: str, page: int = 1, page_size: int = 100, modified_since: datetime | None = None
) -> FeedPage:
    """One page of the feed: ``page_size`` organisations with their published roles (changed after
    ``modified_since`` if given), oldest change first so that a consumer can follow along."""
    base_url = base_url.rstrip("/")
    roles_q = select(Role).where(Role.status == "published")
    if modified_since is not None:
        roles_q = roles_q.where(Role.updated_at > modified_since)
    changed = roles_q.with_only_columns(Role.organisation_id, func.max(Role.updated_at).label("at")).group_by(
        Role.organisation_id
    )
    sub = changed.subquery()
    total = session.scalar(select(func.count()).select_from(sub)) or 0
    org_rows = session.execute(
        select(sub.c.organisation_id, sub.c.at)
        .order_by(sub.c.at, sub.c.organisation_id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    org_ids = [r.organisation_id for r in org_rows]
    orgs = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))} if org_ids else {}
    roles = (
        list(session.scalars(roles_q.where(Role.organisation_id.in_(org_ids)).order_by(Role.activity_id, Role.id)))
        if org_ids
        else []
    )
    activities = (
        {a.id: a for a in session.scalars(select(Activity).where(Activity.id.in_({r.activity_id for r in roles})))}
        if roles
        else {}
    )
    by_activity: dict[int, list[Role]] = defaultdict(list)
    for role in roles:
        by_activity[role.activity_id].append(role)
    by_org: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for act_id, act_roles in by_activity.items():
        act = activities[act_id]
        by_org[act.organisation_id].append(activity_node(act, act_roles, base_url))
    graph = [organisation_node(orgs[i], by_org[i], base_url) for i in org_ids]
    return FeedPage(
        document={"@context": STANDARD_CONTEXT, "@graph": graph},
        organisations=total,
        page=page,
        pages=max(1, -(-total // page_size)),
        modified=max((r.at for r in org_rows), default=None),
    )


def whole_feed(session: Session, *, base_url: str, modified_since: datetime | None = None) -> dict[str, Any]:
    """Every page at once (the command line's export)."""
    graph: list[Any] = []
    page = 1
    while True:
        part = feed_page(session, base_url=base_url, page=page, page_size=500, modified_since=modified_since)
        graph += part.document["@graph"]
        if page >= part.pages:
            return {"@context": STANDARD_CONTEXT, "@graph": graph}
        page += 1
