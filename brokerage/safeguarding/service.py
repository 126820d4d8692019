"""Safeguarding concerns, by the rules in docs/security.md:

- anyone signed in may raise one: organisations about a volunteer who is interested in (or placed
  in) one of their roles, centre staff about a volunteer they can see, anyone about a role they can see;
- it goes to the designated safeguarding leads of the centre that covers the volunteer (their
  registering centre, else their district's) or the role's district, and to no one else: every
  other person is answered 404 for a case and 403 for the list, the person who raised it included;
- the person concerned is not told by the service;
- every time a lead opens the list or a case it is written to the audit trail (ids only: the text
  of a concern is never logged, audited, queued or exported);
- pilot leads see counts per centre, with small numbers shown as "<5".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from brokerage import audit, events
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.centres.service import centre_for_district
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.models import (
    Centre,
    Organisation,
    Referral,
    Role,
    SafeguardingConcern,
    SafeguardingNote,
    User,
    Volunteer,
)
from brokerage.outbox import enqueue
from brokerage.reports.suppression import SUPPRESSED, is_small
from brokerage.safeguarding.schemas import ConcernCreate, NoteCreate, OutcomeCreate

SUBJECT = "safeguarding_concern"
ONLY_LEADS = "Safeguarding concerns are seen only by the volunteer centre's designated safeguarding leads."
NO_CASE = "There is no safeguarding concern with that id."


# -- raising a concern ----------------------------------------------------------------------------
def _manager_knows(session: Session, principal: Principal, volunteer_id: int) -> bool:
    """An organisation's managers may raise a concern about a volunteer who came to one of their roles."""
    found = session.scalar(
        select(Referral.id)
        .join(Role, Role.id == Referral.role_id)
        .where(Referral.volunteer_id == volunteer_id, Role.organisation_id.in_(principal.organisation_ids or {-1}))
        .limit(1)
    )
    return found is not None


def about_volunteer(session: Session, principal: Principal, volunteer_id: int) -> tuple[Volunteer, Centre | None]:
    volunteer = session.get(Volunteer, volunteer_id)
    allowed = volunteer is not None and volunteer.status != "erased"
    if allowed and volunteer is not None:
        if principal.is_manager:
            allowed = _manager_knows(session, principal, volunteer.id)
        elif principal.is_staff:
            allowed = policy.can_see_volunteer(principal, volunteer)
        else:
            allowed = False
    if not allowed or volunteer is None:
        raise NotFound("There is no volunteer with that id that you work with.")
    centre = session.get(Centre, volunteer.registering_centre_id) if volunteer.registering_centre_id else None
    return volunteer, centre or centre_for_district(session, volunteer.district_gss)


def about_role(session: Session, principal: Principal, role_id: int) -> tuple[Role, Organisation, Centre | None]:
    role = session.get(Role, role_id)
    organisation = session.get(Organisation, role.organisation_id) if role is not None else None
    if role is None or organisation is None or not policy.can_see_role(principal, role, organisation):
        raise NotFound("There is no role with that id.")
    return role, organisation, centre_for_district(session, role.district_gss or organisation.district_gss)


def raise_concern(session: Session, principal: Principal, body: ConcernCreate) -> tuple[SafeguardingConcern, Centre]:
    if body.volunteer_id is not None:
        volunteer, centre = about_volunteer(session, principal, body.volunteer_id)
        subject_type, label = "volunteer", volunteer.full_name
    else:
        assert body.role_id is not None
        role, organisation, centre = about_role(session, principal, body.role_id)
        subject_type, label = "role", f"{role.title} ({organisation.name})"[:300]
    if centre is None:
        raise Conflict("No volunteer centre covers this yet, so there is no one to send the concern to.")
    concern = SafeguardingConcern(
        centre_id=centre.id,
        raised_by_user_id=principal.user_id,
        raised_by_role=principal.role,
        subject_type=subject_type,
        volunteer_id=body.volunteer_id,
        role_id=body.role_id,
        subject_label=label,
        concern=body.concern,
        status="open",
    )
    session.add(concern)
    session.flush()
    audit.record(session, principal, "safeguarding.raise", SUBJECT, concern.id, about=subject_type)
    enqueue(session, events.SafeguardingConcernRaised(concern_id=concern.id))
    return concern, centre


# -- the case, for the centre's safeguarding leads ------------------------------------------------------
@dataclass
class Case:
    concern: SafeguardingConcern
    raised_by_name: str | None
    notes: list[SafeguardingNote]


def list_(
    session: Session, principal: Principal, *, status: str | None, page: int, page_size: int
) -> tuple[list[SafeguardingConcern], int]:
    if not policy.is_safeguarding_lead(principal):
        raise Forbidden(ONLY_LEADS)
    stmt = select(SafeguardingConcern).where(SafeguardingConcern.centre_id == principal.centre_id)
    if status:
        stmt = stmt.where(SafeguardingConcern.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(
        session.scalars(
            stmt.order_by(SafeguardingConcern.status.desc(), SafeguardingConcern.created_at.desc(), SafeguardingConcern.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )
    audit.record(session, principal, "safeguarding.list", SUBJECT, None, shown=[c.id for c in rows])
    return rows, total


def _load(session: Session, principal: Principal, concern_id: int, *, lock: bool = False) -> SafeguardingConcern:
    stmt = select(SafeguardingConcern).where(SafeguardingConcern.id == concern_id)
    if lock:
        stmt = stmt.with_for_update()
    concern = session.scalar(stmt)
    if concern is None or not policy.can_see_concern(principal, concern.centre_id):
        raise NotFound(NO_CASE)
    return concern


def get(session: Session, principal: Principal, concern_id: int) -> Case:
    concern = _load(session, principal, concern_id)
    audit.record(session, principal, "safeguarding.view", SUBJECT, concern.id)
    raised_by = session.get(User, concern.raised_by_user_id) if concern.raised_by_user_id else None
    notes = list(
        session.scalars(
            select(SafeguardingNote)
            .where(SafeguardingNote.concern_id == concern.id)
            .order_by(SafeguardingNote.created_at, SafeguardingNote.id)
        )
    )
    return Case(concern=concern, raised_by_name=raised_by.full_name if raised_by else None, notes=notes)


def add_note(session: Session, principal: Principal, concern_id: int, body: NoteCreate) -> SafeguardingNote:
    concern = _load(session, principal, concern_id)
    note = SafeguardingNote(
        concern_id=concern.id, author_user_id=principal.user_id, author_name=principal.full_name, body=body.body
    )
    session.add(note)
    session.flush()
    audit.record(session, principal, "safeguarding.note", SUBJECT, concern.id)
    return note


def record_outcome(session: Session, principal: Principal, concern_id: int, body: OutcomeCreate) -> SafeguardingConcern:
    concern = _load(session, principal, concern_id, lock=True)
    if concern.status == "closed":
        raise Conflict("This concern is closed already.")
    if body.outcome == "other" and not body.note:
        raise InvalidInput("Say what the outcome was.", field="note")
    concern.status, concern.outcome, concern.outcome_note = "closed", body.outcome, body.note
    concern.closed_at, concern.closed_by_user_id = utcnow(), principal.user_id
    audit.record(session, principal, "safeguarding.outcome", SUBJECT, concern.id, outcome=body.outcome)
    return concern


# -- who is told, and the counts ------------------------------------------------------------------------
def lead_recipients(session: Session, centre_id: int) -> list[tuple[str, str]]:
    """The centre's active safeguarding leads: (email, name)."""
    rows = session.execute(
        select(User.email, User.full_name)
        .where(
            User.centre_id == centre_id,
            User.role == "centre_staff",
            User.safeguarding_lead.is_(True),
            User.is_active.is_(True),
        )
        .order_by(User.id)
    ).all()
    return [(email, name) for email, name in rows]


def _shown(n: int) -> int | str:
    return SUPPRESSED if is_small(n) else n


def counts(session: Session, principal: Principal) -> list[dict]:
    """Open and closed concerns per centre, for pilot leads: counts only, "<5" for 1 to 4."""
    if not principal.is_pilot_lead:
        raise Forbidden("Counts of safeguarding concerns are for pilot leads.")
    open_ = func.count(SafeguardingConcern.id).filter(SafeguardingConcern.status == "open")
    closed = func.count(SafeguardingConcern.id).filter(SafeguardingConcern.status == "closed")
    rows = session.execute(
        select(Centre.id, Centre.name, open_, closed)
        .outerjoin(SafeguardingConcern, and_(SafeguardingConcern.centre_id == Centre.id))
        .group_by(Centre.id, Centre.name)
        .order_by(Centre.name)
    ).all()
    return [
        {"centre_id": cid, "centre_name": name, "open": _shown(int(o or 0)), "closed": _shown(int(c or 0))}
        for cid, name, o, c in rows
    ]
