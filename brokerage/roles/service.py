from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypedDict, Unpack

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import Session

from brokerage.dates import long_date
from brokerage import audit, locking
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.config import get_settings
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.geo.lookup import locate
from brokerage.vocab import slots, taxonomies
from brokerage.schemas import Page
from brokerage.models import Activity, Organisation, Role, RoleCause, RoleSession, RoleSkill, RoleStatusChange, User
from brokerage.organisations import service as organisations_service
from brokerage import events
from brokerage.outbox import enqueue
from brokerage.roles.lifecycle import TRANSITIONS, allowed_next
from brokerage.roles import views
from brokerage.roles.schemas import RoleCreate, RoleOut, RoleUpdate


MAX_ESSENTIAL_SKILLS = 3


def get_with_org(session: Session, principal: Principal | None, role_id: int) -> tuple[Role, Organisation]:
    role = session.get(Role, role_id)
    org = session.get(Organisation, role.organisation_id) if role is not None else None
    if role is None or org is None or not policy.can_see_role(principal, role, org):
        raise NotFound("There is no role with that id.")
    return role, org


class RoleQuery(TypedDict, total=False):
    """The filters and page of a role list, as ``list_``, ``list_page`` and the catalogue take them."""

    district: str | None
    cause: str | None
    skill: str | None
    status: str | None
    organisation_id: int | None
    mode: str | None
    one_off: bool | None
    emergency: bool | None
    q: str | None
    page: int
    page_size: int


def list_(
    session: Session,
    principal: Principal | None,
    *,
    district: str | None = None,
    cause: str | None = None,
    skill: str | None = None,
    status: str | None = None,
    organisation_id: int | None = None,
    mode: str | None = None,
    one_off: bool | None = None,
    emergency: bool | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> tuple[list[tuple[Role, str]], int]:
    stmt = policy.role_scope(select(Role), principal)
    if district:
        stmt = stmt.where(Role.district_gss == district)
    if cause:
        stmt = stmt.where(Role.id.in_(select(RoleCause.role_id).where(RoleCause.cause_id == cause)))
    if skill:
        stmt = stmt.where(Role.id.in_(select(RoleSkill.role_id).where(RoleSkill.skill_id == skill)))
    if status:
        stmt = stmt.where(Role.status == status)
    if organisation_id:
        stmt = stmt.where(Role.organisation_id == organisation_id)
    if emergency is not None:
        stmt = stmt.where(
            Role.activity_id.in_(select(Activity.id).where(Activity.requires_emergency_participation.is_(emergency)))
        )
    if mode:
        stmt = stmt.where(Role.mode == mode)
    if one_off is not None:
        stmt = stmt.where(Role.one_off == one_off)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Role.title).like(like), func.lower(Role.description).like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page_stmt = (
        stmt.add_columns(Organisation.name)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .order_by(Role.published_at.desc().nulls_last(), Role.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = session.execute(page_stmt).all()
    return [(r[0], r[1]) for r in rows], total


def public_only(principal: Principal | None) -> bool:
    """Whether this principal's role list is the public one (and so can come from the catalogue)."""
    return policy.sees_only_public_roles(principal)


def list_page(session: Session, principal: Principal | None, **query: Unpack[RoleQuery]) -> Page[RoleOut]:
    """The database path of the role list (staff and managers, who also see drafts)."""
    rows, total = list_(session, principal, **query)
    items = [views.to_out(role, org_name) for role, org_name in rows]
    return Page(items=items, total=total, page=query.get("page", 1), page_size=query.get("page_size", 20))


def _actor_kind(principal: Principal, role: Role, org: Organisation) -> set[str]:
    kinds = set()
    if principal.manages(role.organisation_id):
        kinds.add("manager")
    if policy.can_moderate_role(principal, role, org):
        kinds.add("staff")
    return kinds


def _given(data: dict, key: str, current: list[str]) -> list[str]:
    """The skills ``data`` gives under ``key``, or the role's ``current`` ones when it gives none."""
    given: list[str] | None = data.get(key)
    return current if given is None else given


def _apply(session: Session, role: Role, data: dict) -> None:
    if data.get("requires_emergency_participation") is not None:
        activity = session.get(Activity, role.activity_id) if role.activity_id else None
        if activity is not None:
            activity.requires_emergency_participation = data["requires_emergency_participation"]
            if inspect(role).persistent:
                session.flush()
                session.expire(role, ["requires_emergency_participation"])
    if "postcode" in data:
        if data["postcode"]:
            loc = locate(session, data["postcode"])
            role.postcode = loc.postcode
            role.latitude, role.longitude = loc.latitude, loc.longitude
            role.district_gss = loc.district_code
        else:
            role.postcode = role.latitude = role.longitude = None
    if data.get("causes") is not None:
        role.cause_links = [RoleCause(cause_id=c) for c in taxonomies.check_causes(data["causes"])]
    if any(data.get(k) is not None for k in ("required_skills", "desired_skills", "essential_skills")):
        essential = taxonomies.check_skills(_given(data, "essential_skills", role.essential_skills), "essential_skills")
        if len(essential) > MAX_ESSENTIAL_SKILLS:
            raise InvalidInput(
                f"Mark at most {MAX_ESSENTIAL_SKILLS} skills essential: each one narrows who sees the role.",
                field="essential_skills",
            )
        required = taxonomies.check_skills(_given(data, "required_skills", role.required_skills), "required_skills")
        required += [s for s in essential if s not in required]  # an essential skill is a needed one
        desired = taxonomies.check_skills(_given(data, "desired_skills", role.desired_skills), "desired_skills")
        desired = [s for s in desired if s not in required]
        role.skill_links = [RoleSkill(skill_id=s, required=True, essential=s in essential) for s in required] + [
            RoleSkill(skill_id=s, required=False, essential=False) for s in desired
        ]
    if data.get("slots") is not None:
        role.slot_mask = slots.slots_to_mask(data["slots"])
    if data.get("sessions") is not None:
        # A session given again at the same times is kept (with its places and bookings).
        kept = {(s.starts_at, s.ends_at): s for s in role.sessions}
        role.sessions = [
            kept.get((s["starts_at"], s["ends_at"])) or RoleSession(starts_at=s["starts_at"], ends_at=s["ends_at"])
            for s in data["sessions"]
        ]
    if data.get("requirements") is not None:
        known = {r.lower(): r for r in taxonomies.requirements()}
        unknown = [r for r in data["requirements"] if r.lower() not in known]
        if unknown:
            raise InvalidInput(f"Unknown requirement: {', '.join(unknown)}.", field="requirements")
        role.requirements = [known[r.lower()] for r in data["requirements"]]
    for field in (
        "title",
        "description",
        "commitment",
        "hours_per_week",
        "one_off",
        "mode",
        "location_name",
        "address",
        "dbs_level",
        "accessibility",
        "rewards",
        "minimum_age",
        "maximum_age",
        "suitable_for_under_18s",
        "places_available",
        "publish_start",
        "publish_end",
    ):
        if field in data and (
            data[field] is not None
            or field in ("minimum_age", "maximum_age", "publish_start", "publish_end", "hours_per_week", "commitment")
        ):
            setattr(role, field, data[field])
    if "apply_link" in data:
        role.apply_link = str(data["apply_link"]) if data["apply_link"] else None


def _check_complete(role: Role) -> None:
    problems = []
    if role.mode in ("in_person", "hybrid") and not role.postcode:
        problems.append({"field": "postcode", "message": "An in-person or hybrid role needs the postcode of where it happens."})
    if role.one_off and not role.sessions:
        problems.append({"field": "sessions", "message": "A one-off role needs at least one dated session."})
    if not role.one_off and not role.slot_mask:
        problems.append({"field": "slots", "message": "A regular role needs at least one weekly time slot."})
    if role.minimum_age is not None and role.maximum_age is not None and role.maximum_age < role.minimum_age:
        problems.append({"field": "maximum_age", "message": "The maximum age cannot be below the minimum age."})
    if problems:
        raise InvalidInput(problems[0]["message"], details=problems)


def _record_status(session: Session, role: Role, to: str, principal: Principal | None, reason: str | None) -> None:
    session.add(
        RoleStatusChange(
            role_id=role.id,
            from_status=role.status,
            to_status=to,
            actor_user_id=principal.user_id if principal else None,
            reason=reason,
        )
    )
    role.status = to
    if to == "published":
        role.published_at = utcnow()
        enqueue(session, events.RolePublished(role_id=role.id))
    enqueue(session, events.RoleChanged(role_id=role.id))


# A listing closes on its closing date (``publish_end``): by default three months after it is
# posted, at most twelve months ahead. A week before, its poster is asked to refresh it.
DEFAULT_CLOSING_MONTHS = 3
MAX_CLOSING_MONTHS = 12


def _months_later(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def default_closing_date(today: date) -> date:
    return _months_later(today, DEFAULT_CLOSING_MONTHS)


def latest_closing_date(today: date) -> date:
    return _months_later(today, MAX_CLOSING_MONTHS)


def check_closing_date(closes_on: date, today: date) -> None:
    latest = latest_closing_date(today)
    if closes_on < today:
        raise InvalidInput("The closing date must be today or later.", field="publish_end")
    if closes_on > latest:
        raise InvalidInput(
            f"The closing date can be at most {MAX_CLOSING_MONTHS} months ahead, so no later than {long_date(latest)}.",
            field="publish_end",
        )


def refresh_listing(session: Session, principal: Principal, role_id: int, closes_on: date, today: date | None = None):
    """Keep a listing open until ``closes_on``; a listing that has expired opens again (it was
    moderated when first published). Returns the role and its organisation."""
    today = today or date.today()
    if session.get(Role, role_id) is None:
        raise NotFound("There is no role with that id.")
    role = locking.lock(session, Role, role_id)
    org = session.get(Organisation, role.organisation_id)
    if org is None or not policy.can_see_role(principal, role, org):
        raise NotFound("There is no role with that id.")
    if not _actor_kind(principal, role, org):
        raise Forbidden("Only the organisation's managers and its volunteer centre can change this role.")
    if role.status not in ("published", "paused", "expired"):
        raise Conflict("Only a published, paused or expired listing has a closing date to change.")
    check_closing_date(closes_on, today)
    role.publish_end = closes_on
    if role.status == "expired":
        _record_status(session, role, "published", principal, f"Reopened until {long_date(closes_on)}")
    else:
        enqueue(session, events.RoleChanged(role_id=role.id))
    return role, org


def create(session: Session, principal: Principal, body: RoleCreate) -> tuple[Role, Organisation]:
    org = session.get(Organisation, body.organisation_id)
    if org is None:
        raise InvalidInput("There is no organisation with that id.", field="organisation_id")
    if not (principal.manages(org.id) or principal.covers_district(org.district_gss)):
        raise Forbidden("Only the organisation's managers and its volunteer centre can add roles.")
    data = body.model_dump(mode="python", exclude_unset=True)
    if body.activity_id is not None:
        activity = session.get(Activity, body.activity_id)
        if activity is None or activity.organisation_id != org.id:
            raise InvalidInput("That activity does not belong to this organisation.", field="activity_id")
    else:
        activity = Activity(organisation_id=org.id, title=body.title, description=body.description)
        session.add(activity)
        session.flush()
    role = Role(
        organisation_id=org.id,
        activity_id=activity.id,
        status="draft",
        created_by_id=principal.user_id,
        requirements=[],
        accessibility=[],
        rewards=[],
        slot_mask=0,
        places_available=1,
        dbs_level="none",
        one_off=False,
    )
    data.setdefault("mode", "in_person")
    if data.get("publish_end") is None:
        data["publish_end"] = default_closing_date(date.today())  # every listing closes in the end
    check_closing_date(data["publish_end"], date.today())
    if "postcode" not in data and data["mode"] != "remote" and org.postcode:
        data["postcode"] = org.postcode  # default: where the organisation is
    _apply(session, role, data)
    if role.mode == "remote" and not role.district_gss:
        role.district_gss = org.district_gss
    _check_complete(role)
    session.add(role)
    session.flush()
    session.add(RoleStatusChange(role_id=role.id, from_status=None, to_status="draft", actor_user_id=principal.user_id))
    if body.submit_for_review:
        _record_status(session, role, "pending_review", principal, None)
    if principal.is_staff:
        audit.record(session, principal, "role.create", "role", role.id)
    return role, org


# What volunteers rely on when they say they are interested: a change to any of these on a listing the
# centre has approved sends it back to the centre's review (what it does, where, who may do it).
REVIEWED_FIELDS = (
    "title",
    "description",
    "postcode",
    "location_name",
    "address",
    "mode",
    "requirements",
    "minimum_age",
    "maximum_age",
    "suitable_for_under_18s",
)
APPROVED_STATUSES = ("published", "paused", "filled")


def _reviewed_values(role: Role) -> dict[str, Any]:
    return {f: (list(v) if isinstance(v := getattr(role, f), list) else v) for f in REVIEWED_FIELDS}


def _moderated_by(principal: Principal, role: Role, org: Organisation) -> bool:
    """The centre covering the organisation is the reviewer: its own edits need no review."""
    return "staff" in _actor_kind(principal, role, org) and not principal.manages(role.organisation_id)


def update(session: Session, principal: Principal, role_id: int, body: RoleUpdate) -> tuple[Role, Organisation]:
    role, org = get_with_org(session, principal, role_id)
    if not policy.can_edit_role(principal, role, org):
        raise Forbidden("Only the organisation's managers and its volunteer centre can change this role.")
    before = _reviewed_values(role)
    _apply(session, role, body.model_dump(mode="python", exclude_unset=True))
    _check_complete(role)
    after = _reviewed_values(role)
    changed = [f for f in REVIEWED_FIELDS if before[f] != after[f]]
    if changed and role.status in APPROVED_STATUSES and not _moderated_by(principal, role, org):
        labels = ", ".join(f.replace("_", " ") for f in changed)
        _record_status(session, role, "pending_review", principal, f"Changed after approval ({labels}): back to review")
    else:
        enqueue(session, events.RoleChanged(role_id=role.id))
    return role, org


def _paused_too_long(session: Session, role: Role) -> bool:
    paused_at = session.scalar(
        select(func.max(RoleStatusChange.at)).where(RoleStatusChange.role_id == role.id, RoleStatusChange.to_status == "paused")
    )
    limit = timedelta(days=get_settings().role_pause_review_days)
    return paused_at is not None and utcnow() - paused_at > limit


def change_status(
    session: Session, principal: Principal | None, role_id: int, to: str, reason: str | None, *, system: bool = False
) -> tuple[Role, Organisation]:
    if session.get(Role, role_id) is None:
        raise NotFound("There is no role with that id.")
    role = locking.lock(session, Role, role_id)  # one status change at a time per role
    org = session.get(Organisation, role.organisation_id)
    if org is None:
        raise NotFound("There is no role with that id.")
    if not system:
        assert principal is not None
        if not policy.can_see_role(principal, role, org):
            raise NotFound("There is no role with that id.")
        kinds = _actor_kind(principal, role, org)
        if not kinds:
            raise Forbidden("Only the organisation's managers and its volunteer centre can change this role.")
    else:
        kinds = {"system"}
    if role.status == to:
        raise Conflict(f"The role is already {to.replace('_', ' ')}.")
    allowed = TRANSITIONS.get((role.status, to))
    if allowed is None:
        nexts = ", ".join(s.replace("_", " ") for s in allowed_next(role.status)) or "nothing"
        raise Conflict(
            f"A role that is {role.status.replace('_', ' ')} cannot become {to.replace('_', ' ')}; it can become: {nexts}."
        )
    if not (allowed & kinds):
        raise Forbidden("Only the volunteer centre covering this organisation can do that (listings are moderated).")
    if to == "published":
        _check_complete(role)
        if role.publish_end is not None and role.publish_end < date.today():
            raise Conflict("The closing date has passed: choose a new closing date to reopen the listing.")
        if org.verification_status != "verified":
            raise Conflict("The organisation must be verified by its volunteer centre before its roles are published.")
    if (
        to == "draft"
        and role.status == "pending_review"
        and "staff" in kinds
        and principal is not None
        and not principal.manages(role.organisation_id)
        and not reason
    ):
        raise InvalidInput("Give a reason when sending a role back, so the organisation knows what to change.", field="reason")
    if to == "published" and role.status == "paused" and "staff" not in kinds and _paused_too_long(session, role):
        days = get_settings().role_pause_review_days
        to, reason = "pending_review", f"Paused for more than {days} days: the centre reviews it before it reopens"
    _record_status(session, role, to, principal, reason)
    if principal is not None and "staff" in kinds and not principal.manages(role.organisation_id):
        audit.record(session, principal, f"role.{to}", "role", role.id)
    return role, org


def take_place(session: Session, role_id: int, principal: Principal | None) -> Role:
    """A placement starts: one place fewer, and the role is filled when none is left. The role's row
    is locked, so concurrent starts take the places one by one and the last place is taken once."""
    role = locking.lock(session, Role, role_id)
    if role.places_available is None:  # not stated: the role stays open, its places unknown
        return role
    if role.places_available < 1:
        raise Conflict(
            "Every place on this role is taken. Reopen it with more places, or mark this referral unsuccessful.",
            details=[{"field": "status", "message": "no places left"}],
        )
    role.places_available -= 1
    if role.places_available == 0 and role.status == "published":
        _record_status(session, role, "filled", principal, "Every place is taken")
    return role


def give_back_place(session: Session, role_id: int, principal: Principal | None) -> Role:
    """A placement ends: its place is free again, and a role that was filled because every place
    was taken is open again."""
    role = locking.lock(session, Role, role_id)
    if role.places_available is None:
        return role
    was_full = role.places_available < 1
    role.places_available += 1
    if was_full and role.status == "filled":
        _record_status(session, role, "published", principal, "A place came free")
    return role


def history(session: Session, principal: Principal | None, role_id: int) -> list[RoleStatusChange]:
    role, org = get_with_org(session, principal, role_id)
    if principal is None or not (policy.can_edit_role(principal, role, org) or principal.is_pilot_lead or principal.is_admin):
        raise Forbidden("Only the organisation's managers and its volunteer centre can see a role's history.")
    return list(
        session.scalars(select(RoleStatusChange).where(RoleStatusChange.role_id == role.id).order_by(RoleStatusChange.id))
    )


def expire_due(session: Session, today: date) -> list[int]:
    """Close listings past their publish end (the expiry job)."""
    ids = list(
        session.scalars(
            select(Role.id).where(
                Role.status.in_(("published", "paused")), Role.publish_end.is_not(None), Role.publish_end < today
            )
        )
    )
    for role_id in ids:
        role = session.get(Role, role_id)
        if role is None:  # deleted since the query
            continue
        if role.status == "paused":
            session.add(
                RoleStatusChange(role_id=role.id, from_status="paused", to_status="expired", reason="Past its publish end")
            )
            role.status = "expired"
            enqueue(session, events.RoleChanged(role_id=role.id))
        else:
            _record_status(session, role, "expired", None, "Past its publish end")
    return ids


def listing_recipients(session: Session, role: views.RoleBrief) -> list[organisations_service.Recipient]:
    """Who is asked to refresh a listing: whoever posted it while their account is active, else the
    organisation."""
    poster = session.get(User, role.created_by_id) if role.created_by_id else None
    if poster is not None and poster.is_active:
        return [organisations_service.Recipient(poster.email, poster.full_name)]
    return organisations_service.recipients(session, role.organisation_id)
