"""Turn database rows into the matching library's plain dataclasses (the only bridge between them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ARRAY, ColumnElement, CompoundSelect, Integer, String, any_, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from brokerage.models import (
    Delivery,
    Organisation,
    Referral,
    Role,
    RoleCause,
    RoleSession,
    RoleSkill,
    Volunteer,
    VolunteerCause,
    VolunteerSkill,
)
from brokerage.vocab.dbs import DBS_RANK
from brokerage.vocab.referrals import ACTIVE_REFERRAL_STATUSES
from matching import RoleFeatures, VolunteerFeatures

INDEXED_STATUSES = ("published",)


def _group(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for key, value in rows:
        out[key].append(value)
    return out


def role_features(
    session: Session, role_ids: list[int] | None = None, *, statuses=INDEXED_STATUSES, chunk: int = 5_000
) -> Iterator[RoleFeatures]:
    """Features of roles (by default every published one), loaded in chunks with a handful of queries."""
    stmt = (
        select(Role, Organisation.struggling_to_recruit)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .order_by(Role.id)
    )
    if statuses:
        stmt = stmt.where(Role.status.in_(statuses))
    if role_ids is not None:
        stmt = stmt.where(Role.id.in_(role_ids))
    ids_stmt = stmt.with_only_columns(Role.id)
    all_ids = list(session.scalars(ids_stmt))
    for start in range(0, len(all_ids), chunk):
        ids = all_ids[start : start + chunk]
        rows = session.execute(
            select(
                Role.id,
                Role.organisation_id,
                Role.status,
                Role.publish_start,
                Role.publish_end,
                Role.places_available,
                Role.minimum_age,
                Role.maximum_age,
                Role.dbs_level,
                Role.mode,
                Role.latitude,
                Role.longitude,
                Role.slot_mask,
                Role.one_off,
                Role.hours_per_week,
                Role.published_at,
                Role.title,
                Role.description,
                Role.requirements,
                Role.suitable_for_under_18s,
                Organisation.struggling_to_recruit,
            )
            .join(Organisation, Organisation.id == Role.organisation_id)
            .where(Role.id.in_(ids))
            .order_by(Role.id)
        ).all()
        req: dict[int, list[str]] = defaultdict(list)
        des: dict[int, list[str]] = defaultdict(list)
        ess: dict[int, list[str]] = defaultdict(list)
        for rid, sid, required, essential in session.execute(
            select(RoleSkill.role_id, RoleSkill.skill_id, RoleSkill.required, RoleSkill.essential).where(
                RoleSkill.role_id.in_(ids)
            )
        ):
            (req if required or essential else des)[rid].append(sid)
            if essential:
                ess[rid].append(sid)
        causes = _group(session.execute(select(RoleCause.role_id, RoleCause.cause_id).where(RoleCause.role_id.in_(ids))))
        sessions: dict[int, list] = defaultdict(list)
        for rid, s, e in session.execute(
            select(RoleSession.role_id, RoleSession.starts_at, RoleSession.ends_at)
            .where(RoleSession.role_id.in_(ids))
            .order_by(RoleSession.starts_at)
        ):
            sessions[rid].append((s, e))
        active = dict(
            session.execute(
                select(Referral.role_id, func.count())
                .where(Referral.role_id.in_(ids), Referral.status.in_(ACTIVE_REFERRAL_STATUSES))
                .group_by(Referral.role_id)
            ).all()
        )
        for r in rows:
            yield RoleFeatures(
                id=r.id,
                organisation_id=r.organisation_id,
                status=r.status,
                publish_start=r.publish_start,
                publish_end=r.publish_end,
                places_available=r.places_available,
                active_referrals=active.get(r.id, 0),
                min_age=r.minimum_age,
                max_age=r.maximum_age,
                under_18s=bool(r.suitable_for_under_18s),
                dbs_level=DBS_RANK.get(r.dbs_level, 0),
                mode=r.mode,
                lat=r.latitude,
                lon=r.longitude,
                slot_mask=r.slot_mask or 0,
                one_off=bool(r.one_off),
                sessions=tuple(sessions.get(r.id, ())),
                required_skills=tuple(sorted(req.get(r.id, ()))),
                essential_skills=tuple(sorted(ess.get(r.id, ()))),
                requirements=tuple(r.requirements or ()),
                desired_skills=tuple(sorted(des.get(r.id, ()))),
                causes=tuple(sorted(causes.get(r.id, ()))),
                hours_per_week=r.hours_per_week,
                organisation_struggling=bool(r.struggling_to_recruit),
                published_at=r.published_at,
                title=r.title,
                description=r.description,
            )


class VolunteerColumns(Protocol):
    """What matching reads of a volunteer: a ``Volunteer`` or a row of ``_VOLUNTEER_COLUMNS``."""

    @property
    def id(self) -> int: ...
    @property
    def date_of_birth(self) -> date | None: ...
    @property
    def adult_confirmed(self) -> bool | None: ...
    @property
    def latitude(self) -> float | None: ...
    @property
    def longitude(self) -> float | None: ...
    @property
    def travel_radius_miles(self) -> float | None: ...
    @property
    def mode(self) -> str: ...
    @property
    def skills_text(self) -> str | None: ...
    @property
    def availability_mask(self) -> int | None: ...
    @property
    def max_hours_per_week(self) -> float | None: ...
    @property
    def preference(self) -> str: ...
    @property
    def dbs_level(self) -> str: ...
    @property
    def dbs_willing(self) -> bool | None: ...
    @property
    def contact_consent(self) -> bool | None: ...


def _volunteer_from(
    v: VolunteerColumns, skills: Iterable[str], causes: Iterable[str], active: Iterable[int], contacted: Iterable[int]
) -> VolunteerFeatures:
    return VolunteerFeatures(
        id=v.id,
        date_of_birth=v.date_of_birth,
        adult_confirmed=bool(v.adult_confirmed),
        lat=v.latitude,
        lon=v.longitude,
        travel_radius_miles=float(v.travel_radius_miles or 0),
        mode=v.mode,
        skills=tuple(sorted(skills)),
        skills_text=v.skills_text or "",
        causes=tuple(sorted(causes)),
        availability_mask=v.availability_mask or 0,
        max_hours_per_week=v.max_hours_per_week,
        preference=v.preference,
        dbs_level=DBS_RANK.get(v.dbs_level, 0),
        dbs_willing=bool(v.dbs_willing),
        contact_consent=bool(v.contact_consent),
        active_referral_role_ids=frozenset(active),
        contacted_role_ids=frozenset(contacted),
    )


_VOLUNTEER_COLUMNS = (
    Volunteer.id,
    Volunteer.date_of_birth,
    Volunteer.adult_confirmed,
    Volunteer.latitude,
    Volunteer.longitude,
    Volunteer.travel_radius_miles,
    Volunteer.mode,
    Volunteer.skills_text,
    Volunteer.availability_mask,
    Volunteer.max_hours_per_week,
    Volunteer.preference,
    Volunteer.dbs_level,
    Volunteer.dbs_willing,
    Volunteer.contact_consent,
)


def _one_of(session: Session, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids``: on PostgreSQL one array parameter (``= ANY``), so a query about a
    few thousand volunteers is not rendered, sent and planned value by value; elsewhere ``IN``."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def volunteer_features(session: Session, volunteer_ids: list[int]) -> list[VolunteerFeatures]:
    """Features of the named volunteers, in id order: two queries per 5,000 volunteers."""
    if not volunteer_ids:
        return []
    out = []
    for start in range(0, len(volunteer_ids), 5_000):
        ids = volunteer_ids[start : start + 5_000]
        rows = session.execute(
            select(*_VOLUNTEER_COLUMNS).where(_one_of(session, Volunteer.id, ids)).order_by(Volunteer.id)
        ).all()
        out.extend(volunteer_features_of(session, rows))
    return out


def volunteer_features_of(session: Session, volunteers: Sequence[VolunteerColumns]) -> list[VolunteerFeatures]:
    """Features of volunteers already loaded (ORM objects or rows with the same attribute names):
    their skills, causes, referrals and the roles they were emailed about come in one query."""
    if not volunteers:
        return []
    ids = [v.id for v in volunteers]
    parts: CompoundSelect[str, int, int | None, str | None] = union_all(
        select(
            literal("s").label("kind"),
            VolunteerSkill.volunteer_id.label("vid"),
            literal(None, Integer).label("rid"),
            VolunteerSkill.skill_id.label("value"),
        ).where(_one_of(session, VolunteerSkill.volunteer_id, ids)),
        select(literal("c"), VolunteerCause.volunteer_id, literal(None, Integer), VolunteerCause.cause_id).where(
            _one_of(session, VolunteerCause.volunteer_id, ids)
        ),
        select(literal("r"), Referral.volunteer_id, Referral.role_id, Referral.status).where(
            _one_of(session, Referral.volunteer_id, ids)
        ),
        select(literal("d"), Delivery.volunteer_id, Delivery.role_id, literal(None, String)).where(
            _one_of(session, Delivery.volunteer_id, ids), Delivery.role_id.is_not(None)
        ),
    )
    skills: dict[int, list[str]] = defaultdict(list)
    causes: dict[int, list[str]] = defaultdict(list)
    active: dict[int, list[int]] = defaultdict(list)
    contacted: dict[int, list[int]] = defaultdict(list)
    # Each part fills the columns its kind uses: a skill or cause in ``value``; a role in ``rid``.
    for kind, vid, rid, value in session.execute(parts):
        if kind == "s" and value is not None:
            skills[vid].append(value)
        elif kind == "c" and value is not None:
            causes[vid].append(value)
        elif rid is not None:
            contacted[vid].append(rid)
            if kind == "r" and value in ACTIVE_REFERRAL_STATUSES:
                active[vid].append(rid)
    return [
        _volunteer_from(v, skills.get(v.id, ()), causes.get(v.id, ()), active.get(v.id, ()), contacted.get(v.id, ()))
        for v in volunteers
    ]
