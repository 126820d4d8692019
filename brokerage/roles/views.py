"""What the product says about a role, built in one place.

* :func:`role_out` — the API's full view (``RoleOut``), from an ORM role or a row with the same
  column names; the database path of the role list and the public catalogue both use it, so the
  two answer byte for byte alike.
* :class:`RoleSummary` — the few facts a match, a search result or a catalogue entry shows.
* :class:`RoleBrief` — what an email says about a role: the summary, a short description, where it
  happens and the link to it.
* :class:`MatchedRole` — one line of an email listing matched roles.

The interop feed speaks the standard's vocabulary and builds its own nodes from the ORM role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage import links
from brokerage.models import District, Organisation, Role
from brokerage.roles.schemas import RoleOut
from brokerage.vocab.slots import mask_to_slots
from brokerage.vocab.taxonomies import skills

EXCERPT_CHARACTERS = 300


# -- the API's view --------------------------------------------------------------------------
def role_out(
    role: Any,
    organisation_name: str,
    causes: list[str],
    required: list[str],
    desired: list[str],
    sessions: list[dict[str, datetime]],
    essential: list[str] | None = None,
) -> RoleOut:
    """The API's view of a role, from an ORM object or a row with the same column names."""
    essential = essential or []
    return RoleOut(
        id=role.id,
        organisation_id=role.organisation_id,
        organisation_name=organisation_name,
        activity_id=role.activity_id,
        title=role.title,
        description=role.description,
        commitment=role.commitment,
        hours_per_week=role.hours_per_week,
        one_off=role.one_off,
        slots=mask_to_slots(role.slot_mask or 0),
        sessions=sessions,  # validated into SessionOut
        mode=role.mode,
        location_name=role.location_name,
        address=role.address,
        postcode=role.postcode,
        latitude=role.latitude,
        longitude=role.longitude,
        district_gss=role.district_gss,
        causes=causes,
        required_skills=required,
        desired_skills=desired,
        essential_skills=essential,
        essential_warning=essential_warning(essential),
        dbs_level=role.dbs_level,
        requirements=list(role.requirements or []),
        accessibility=list(role.accessibility or []),
        rewards=list(role.rewards or []),
        minimum_age=role.minimum_age,
        maximum_age=role.maximum_age,
        suitable_for_under_18s=bool(role.suitable_for_under_18s),
        requires_emergency_participation=bool(role.requires_emergency_participation),
        places_available=role.places_available,
        apply_link=role.apply_link,
        publish_start=role.publish_start,
        publish_end=role.publish_end,
        status=role.status,
        published_at=role.published_at,
        created_at=role.created_at,
        updated_at=role.updated_at,
    )


def essential_warning(essential: list[str]) -> str | None:
    """What marking skills essential does, said to the poster whenever they do it."""
    if not essential:
        return None
    known = skills()
    names = ", ".join(known[s].label.lower() if s in known else s for s in essential)
    return (
        f"You have marked {names} as essential. This narrows who sees the role: only volunteers who have told us "
        "they have it will be shown it or be able to apply. Other skills count towards a good match without ruling anyone out."
    )


def sessions_of(role: Role) -> list[dict[str, datetime]]:
    return [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in role.sessions]


def to_out(role: Role, organisation_name: str) -> RoleOut:
    """The API's view of an ORM role (its causes, skills and sessions come with it)."""
    return role_out(
        role,
        organisation_name,
        role.causes,
        role.required_skills,
        role.desired_skills,
        sessions_of(role),
        role.essential_skills,
    )


# -- a match's, a search result's or a catalogue entry's view ----------------------------------
@dataclass(frozen=True, slots=True)
class RoleSummary:
    """What a match or search result shows about its role."""

    id: int
    title: str
    organisation_id: int
    organisation_name: str
    district_gss: str | None
    mode: str
    one_off: bool


_SUMMARY_COLUMNS = (
    Role.id,
    Role.title,
    Role.organisation_id,
    Role.district_gss,
    Role.mode,
    Role.one_off,
    Organisation.name.label("organisation_name"),
)


def summary_of(row: Any) -> RoleSummary:
    """The summary of a row with the role's columns and ``organisation_name``."""
    return RoleSummary(
        id=row.id,
        title=row.title,
        organisation_id=row.organisation_id,
        organisation_name=row.organisation_name,
        district_gss=row.district_gss,
        mode=row.mode,
        one_off=bool(row.one_off),
    )


def summaries(session: Session, role_ids: Sequence[int]) -> dict[int, RoleSummary]:
    """The summaries of the roles named (those that exist), in one query."""
    if not role_ids:
        return {}
    rows = session.execute(
        select(*_SUMMARY_COLUMNS).join(Organisation, Organisation.id == Role.organisation_id).where(Role.id.in_(role_ids))
    )
    return {row.id: summary_of(row) for row in rows}


# -- an email's view ----------------------------------------------------------------------------
def role_url(role_id: int) -> str:
    """The address of a role's page, as volunteers see it."""
    return links.absolute(links.role_page(role_id))


def role_admin_url(role_id: int) -> str:
    """The address of a role's page for the organisation that posted it (refresh, reopen)."""
    return links.absolute(links.role_admin_page(role_id))


def excerpt(description: str | None, limit: int = EXCERPT_CHARACTERS) -> str:
    """A description on one line, cut at a word before ``limit`` characters."""
    text = " ".join((description or "").split())
    if len(text) > limit:
        text = text[: limit - 3].rsplit(" ", 1)[0] + "…"
    return text


@dataclass(frozen=True, slots=True)
class RoleBrief(RoleSummary):
    """What an email says about a role."""

    status: str
    excerpt: str
    commitment: str | None
    where: str
    publish_end: date | None
    created_by_id: int | None
    url: str
    admin_url: str


def brief(session: Session, role_id: int) -> RoleBrief | None:
    """What an email says about a role (None if it no longer exists)."""
    row = session.execute(
        select(
            *_SUMMARY_COLUMNS,
            Role.description,
            Role.commitment,
            Role.status,
            Role.postcode,
            Role.publish_end,
            Role.created_by_id,
            District.name.label("district_name"),
        )
        .join(Organisation, Organisation.id == Role.organisation_id)
        .outerjoin(District, District.gss_code == Role.district_gss)
        .where(Role.id == role_id)
    ).first()
    if row is None:
        return None
    if row.mode == "remote":
        where = "Remote"
    else:
        where = ", ".join(p for p in (row.district_name, row.postcode) if p) or "Kent"
    summary = summary_of(row)
    return RoleBrief(
        id=summary.id,
        title=summary.title,
        organisation_id=summary.organisation_id,
        organisation_name=summary.organisation_name,
        district_gss=summary.district_gss,
        mode=summary.mode,
        one_off=summary.one_off,
        status=row.status,
        excerpt=excerpt(row.description),
        commitment=row.commitment,
        where=where,
        publish_end=row.publish_end,
        created_by_id=row.created_by_id,
        url=role_url(row.id),
        admin_url=role_admin_url(row.id),
    )


class _Match(Protocol):
    @property
    def role_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def organisation_name(self) -> str: ...
    @property
    def explanation(self) -> str: ...


@dataclass(frozen=True, slots=True)
class MatchedRole:
    """One role in an email of matches: what it is, who runs it, why it suits, where to see it."""

    id: int
    title: str
    organisation_name: str
    reason: str
    url: str


def matched_roles(matches: Iterable[_Match], only: Mapping[int, object] | set[int] | None = None) -> list[MatchedRole]:
    """The lines of a match email, in the matches' order (only the roles in ``only``, if given)."""
    return [
        MatchedRole(
            id=m.role_id, title=m.title, organisation_name=m.organisation_name, reason=m.explanation, url=role_url(m.role_id)
        )
        for m in matches
        if only is None or m.role_id in only
    ]
