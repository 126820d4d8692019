"""What the pages show from matching, all of it from ``brokerage.matches.service``: a volunteer's
recommendations, role search (the same ranked search as ``GET /search/roles``), whether a role suits
the volunteer looking at it and why, volunteers who would suit a role, and tag suggestions for a role
being drafted. Role cards carry the role's row, which the card template reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage.auth.principal import Principal
from brokerage.errors import Forbidden, NotFound
from brokerage.vocab import slots, taxonomies
from brokerage.matches import interest
from brokerage.matches import service as matches_service
from brokerage.matches.service import RoleMatch
from brokerage.models import Role, Volunteer


@dataclass
class RoleCard:
    """A role in a list of results (``pages/volunteer/_role_card.html``)."""

    role: Role
    organisation_name: str
    distance_miles: float | None = None
    distance_words: str | None = None
    why: list[str] = field(default_factory=list)
    close: dict[str, str] | None = None  # a close match: what does not fit ("message") and what could change ("change")
    personal: bool = True  # ``why`` is said to the volunteer reading it (not to a visitor who is not signed in)


@dataclass
class Eligibility:
    """How a role suits the volunteer looking at it, by the one interest rule: ``blocks`` stop them
    saying they are interested (``can_apply`` is false), ``warnings`` only tell them what is off."""

    eligible: bool
    blocks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what the volunteer could change (distance, times)
    can_apply: bool = True

    @property
    def why_not(self) -> list[str]:
        return self.blocks + self.warnings


def _sentences(text: str | None) -> list[str]:
    return [text] if text else []


def _cards(session: Session, found: list[RoleMatch], personal: bool = True) -> list[RoleCard]:
    roles = {r.id: r for r in session.scalars(select(Role).where(Role.id.in_([m.role_id for m in found])))} if found else {}
    return [
        RoleCard(
            role=roles[m.role_id],
            organisation_name=m.organisation_name,
            distance_miles=m.distance_miles,
            distance_words=m.distance_words,
            why=_sentences(m.explanation),
            close=m.close_match,
            personal=personal,
        )
        for m in found
        if m.role_id in roles
    ]


def recommend(session: Session, principal: Principal, volunteer: Volunteer) -> list[RoleCard]:
    return _cards(session, matches_service.recommendations(session, principal, volunteer.id, limit=10))


def slots_mask(day: str | None, part: str | None) -> int:
    """The time slots of a day, a part of the day, or both (0: any time)."""
    if not (day or part):
        return 0
    mask = 0
    for i, name in enumerate(slots.SLOT_NAMES):
        if (not day or name.startswith(day)) and (not part or name.endswith(part)):
            mask |= 1 << i
    return mask


def search_roles(
    session: Session,
    principal: Principal | None,
    *,
    q: str | None,
    cause: str | None,
    postcode: str | None,
    miles: float | None,
    day: str | None,
    part: str | None,
    remote: bool,
    one_off: bool | None,
    page: int,
    page_size: int,
) -> tuple[list[RoleCard], int]:
    """One page of the ranked search, and how many roles it found."""
    found, total = matches_service.search_page(
        session,
        principal,
        q=q or "",
        postcode=postcode,
        miles=miles,
        causes=[cause] if cause else None,
        slots_mask=slots_mask(day, part),
        mode="remote" if remote else None,
        one_off=one_off,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    personal = principal is not None and principal.is_volunteer and bool(principal.volunteer_id)
    return _cards(session, found, personal), total


def eligibility(session: Session, principal: Principal, volunteer: Volunteer, role: Role) -> Eligibility:
    """Whether the volunteer could take the role (an active application of theirs does not count
    against it: the page shows that separately) and, when they could, why it suits them."""
    fit = matches_service.fit(session, principal, volunteer.id, role.id)
    rule = interest.with_consent(interest.classify(fit.reasons, fit.flags), volunteer)
    why = [] if rule.reasons else _sentences(fit.explanation)
    # the checks to get, in the words the explanations use ("needs a DBS check, which the organisation will arrange")
    notes = matches_service.notes_of(fit.flags)
    said = " ".join(why)
    why += [
        f"This role {n['message']}."
        for n in notes
        if n["code"] in ("needs_dbs_check", "needs_id_check") and n["message"] not in said
    ]
    return Eligibility(
        eligible=not rule.reasons,
        blocks=[r.message for r in rule.blocks],
        warnings=[r.message for r in rule.warnings],
        why=why,
        changes=[r.change for r in rule.warnings if r.change],
        can_apply=rule.allowed,
    )


def candidates(session: Session, principal: Principal, role: Role) -> list[dict[str, Any]] | None:
    """Volunteers who would suit a role, with why; ``None`` for someone who may not look for them."""
    if not (principal.is_staff or principal.manages(role.organisation_id)):
        return None
    try:
        found = matches_service.candidates(session, principal, role.id, limit=10)
    except (Forbidden, NotFound):  # centre staff of another district
        return None
    return [
        {
            "volunteer_id": c.volunteer_id,
            "name": c.display_name,
            "district": c.district_gss,
            "distance_miles": c.distance_miles,
            "distance_words": c.distance_words,
            "why": _sentences(c.explanation),
        }
        for c in found
        # centre staff invite and refer the volunteers of their own districts
        if principal.manages(role.organisation_id) or principal.covers_district(c.district_gss)
    ]


def suggested_tags(title: str | None, description: str | None) -> tuple[list[str], list[str]]:
    """Skill and cause ids that a role's title and description suggest (the most likely first)."""
    if not (title or description):
        return [], []
    found = matches_service.suggest_tags(title or "", description or "")
    skills = [s["id"] for s in found["skills"] if s["id"] in taxonomies.skills()]
    causes = [c["id"] for c in found["causes"] if c["id"] in taxonomies.causes()]
    return skills[:8], causes[:5]
