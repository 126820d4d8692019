"""What the pages need from matching: recommendations with their "why", a role's "why not", and
role search with distance and time filters. Uses ``brokerage.matches.service`` when it is installed;
until then, search filters published roles itself and the other answers are ``None``."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage.auth.principal import Principal
from brokerage.kit import taxonomy
from brokerage.models import Referral, Role, Volunteer
from brokerage.models.referral import ACTIVE_REFERRAL_STATUSES
from brokerage.roles import service as roles_service


def matches_service():
    try:
        return importlib.import_module("brokerage.matches.service")
    except ModuleNotFoundError as exc:
        if exc.name and "brokerage.matches".startswith(exc.name):
            return None
        raise


@dataclass
class RoleResult:
    role: Role
    organisation_name: str
    distance_miles: float | None = None
    score: float | None = None
    why: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class Eligibility:
    eligible: bool
    why_not: list[str]
    why: list[str] = field(default_factory=list)


def _call(fn, session: Session, principal: Principal | None, **kwargs):
    """Call a matches.service function with the keyword arguments it accepts."""
    params = inspect.signature(fn).parameters
    args: list[Any] = [session]
    names = list(params)
    if len(names) > 1 and names[1] in ("principal", "actor", "user"):
        args.append(principal)
    accepted = {k: v for k, v in kwargs.items() if k in params}
    return fn(*args, **accepted)


def _get(obj: Any, *names: str, default=None):
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


def _explanations(m: Any) -> list[str]:
    why = _get(m, "why", "reasons", "explanations", default=None)
    if why is None:
        text = _get(m, "explanation", default="")
        return [text] if text else []
    out = []
    for item in why:
        out.append(item if isinstance(item, str) else _get(item, "message", "text", default=str(item)))
    return [w for w in out if w]


def recommend(session: Session, principal: Principal, volunteer: Volunteer) -> list[RoleResult] | None:
    svc = matches_service()
    if svc is None:
        return None
    out = []
    for m in svc.recommendations(session, principal, volunteer.id, limit=10):
        role = session.get(Role, m.role_id)
        if role is None:
            continue
        out.append(
            RoleResult(
                role=role,
                organisation_name=m.organisation_name,
                distance_miles=m.distance_miles,
                score=m.score,
                why=_sentences(m.explanation),
                flags=list(m.flags),
            )
        )
    return out


def _sentences(text: str | None) -> list[str]:
    return [text] if text else []


def eligibility(session: Session, principal: Principal, volunteer: Volunteer | None, role: Role) -> Eligibility | None:
    svc = matches_service()
    if volunteer is None or svc is None:
        return None
    reasons, flags = svc.why_not(session, principal, volunteer.id, role.id)
    messages = [r.message for r in reasons if r.code != "already_referred"]
    why = []
    if not messages:
        try:
            found = [m for m in svc.search(session, principal, q="", limit=200) if m.role_id == role.id]
        except Exception:  # the explanation is a help; the page works without it
            found = []
        why = _sentences(found[0].explanation) if found else []
    if "needs_dbs_check" in flags:
        why.append("You would need a DBS check for this role; the organisation will arrange it.")
    return Eligibility(eligible=not messages, why_not=messages, why=why)


def active_referral(session: Session, volunteer_id: int, role_id: int) -> Referral | None:
    return session.scalar(
        select(Referral).where(
            Referral.volunteer_id == volunteer_id, Referral.role_id == role_id, Referral.status.in_(ACTIVE_REFERRAL_STATUSES)
        )
    )


def _role_mask(role: Role) -> int:
    if role.one_off and role.sessions:
        mask = 0
        for s in role.sessions:
            h = s.starts_at.hour
            mask |= 1 << (s.starts_at.weekday() * 3 + (0 if h < 12 else 1 if h < 18 else 2))
        return mask
    return role.slot_mask or taxonomy.ALL_SLOTS  # no slots on a regular role: flexible


def search_roles(
    session: Session,
    principal: Principal | None,
    *,
    q: str | None,
    cause: str | None,
    origin,
    miles: float | None,
    day: str | None,
    part: str | None,
    remote: bool,
    one_off: bool | None,
    page: int,
    page_size: int,
) -> tuple[list[RoleResult], int]:
    """Published roles matching the filters: ranked by the matching service when it is installed,
    otherwise nearest first when a postcode is given."""
    from matching.eligibility import haversine_miles

    svc = matches_service()
    if svc is not None:
        mask = 0
        for i, name in enumerate(taxonomy.SLOT_NAMES):
            if (day or part) and (not day or name.startswith(day)) and (not part or name.endswith(part)):
                mask |= 1 << i
        found = svc.search(
            session,
            principal,
            q=q or "",
            postcode=origin.postcode if origin else None,
            miles=miles,
            causes=[cause] if cause else None,
            slots_mask=mask,
            mode="remote" if remote else None,
            one_off=one_off,
            limit=200,
        )
        results = []
        for m in found:
            role = session.get(Role, m.role_id)
            if role is not None:
                results.append(
                    RoleResult(
                        role=role,
                        organisation_name=m.organisation_name,
                        distance_miles=m.distance_miles,
                        score=m.score,
                        why=_sentences(m.explanation),
                    )
                )
        start = (page - 1) * page_size
        return results[start : start + page_size], len(results)

    wanted = 0
    if day or part:
        for i, name in enumerate(taxonomy.SLOT_NAMES):
            if (not day or name.startswith(day)) and (not part or name.endswith(part)):
                wanted |= 1 << i
    rows: list[tuple[Role, str]] = []
    fetch_page = 1
    while True:
        batch, total = roles_service.list_(
            session,
            None,
            cause=cause,
            status="published",
            mode="remote" if remote else None,
            one_off=one_off,
            q=q,
            page=fetch_page,
            page_size=200,
        )
        rows.extend(batch)
        if len(batch) < 200 or len(rows) >= 2000:
            break
        fetch_page += 1
    today = date.today()
    results = []
    for role, org_name in rows:
        if role.publish_end and role.publish_end < today:
            continue
        distance = None
        if origin is not None and role.latitude is not None and role.longitude is not None and role.mode != "remote":
            distance = haversine_miles(origin.latitude, origin.longitude, role.latitude, role.longitude)
        if miles is not None:
            if role.mode == "remote":
                if not remote:
                    continue
            elif distance is None or distance > miles:
                continue
        if wanted and not (_role_mask(role) & wanted):
            continue
        results.append(RoleResult(role=role, organisation_name=org_name, distance_miles=distance))
    if origin is not None:
        results.sort(key=lambda r: (r.distance_miles is None, r.distance_miles or 0))
    total = len(results)
    start = (page - 1) * page_size
    return results[start : start + page_size], total


def candidates(session: Session, principal: Principal, role: Role) -> list[dict[str, Any]] | None:
    """Volunteers who would suit a hard-to-fill role, with why (matches.service.candidates)."""
    svc = matches_service()
    if svc is None or not (principal.is_staff or principal.manages(role.organisation_id)):
        return None
    from brokerage.errors import BrokerageError

    try:
        found = svc.candidates(session, principal, role.id, limit=10)
    except BrokerageError:
        return None
    return [
        {
            "volunteer_id": c.volunteer_id,
            "name": c.display_name,
            "district": c.district_gss,
            "distance_miles": c.distance_miles,
            "why": _sentences(c.explanation),
        }
        for c in found
    ]
