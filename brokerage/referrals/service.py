from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from brokerage import audit, locking
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.matches.interest import interest_rule
from brokerage.volunteers import guardians
from brokerage.models import Placement, Referral, ReferralEvent, Role, Volunteer
from brokerage.referrals import thread
from brokerage.referrals.lifecycle import TRANSITIONS as REFERRAL_TRANSITIONS
from brokerage.vocab.referrals import ACTIVE_REFERRAL_STATUSES
from brokerage import events
from brokerage.outbox import enqueue
from brokerage.referrals.schemas import ReferralCreate, ReferralOut, ThreadEntryOut
from brokerage.roles import service as roles_service

# Who may move a referral to each status.
MANAGER_MOVES = {"contacted", "started", "completed", "unsuccessful", "no_response"}
VOLUNTEER_MOVES = {"withdrawn"}


def to_out(
    session: Session, ref: Referral, volunteer: Volunteer, role: Role, principal: Principal, with_history: bool = False
) -> ReferralOut:
    out = ReferralOut(
        id=ref.id,
        volunteer_id=ref.volunteer_id,
        volunteer_name=volunteer.full_name,
        role_id=ref.role_id,
        role_title=role.title,
        organisation_id=role.organisation_id,
        status=ref.status,
        message=ref.message,
        contact_email=volunteer.email if ref.share_email else None,
        contact_phone=volunteer.phone if ref.share_phone else None,
        created_at=ref.created_at,
        status_changed_at=ref.status_changed_at,
        allowed_next=[s for s in REFERRAL_TRANSITIONS[ref.status] if _may_move(principal, role, s)],
    )
    if with_history:
        out.history = list(
            session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == ref.id).order_by(ReferralEvent.id))
        )
        if principal.is_volunteer or principal.is_staff or principal.manages(role.organisation_id):
            out.messages = [
                ThreadEntryOut.model_validate(e, from_attributes=True)
                for e in thread.entries(session, principal, ref, volunteer, role)
            ]
    return out


def _may_move(principal: Principal, role: Role, to: str) -> bool:
    if principal.is_staff:
        return True
    if principal.is_manager and principal.manages(role.organisation_id):
        return to in MANAGER_MOVES
    if principal.is_volunteer:
        return to in VOLUNTEER_MOVES
    return False


def _load(session: Session, principal: Principal, referral_id: int) -> tuple[Referral, Volunteer, Role]:
    ref = session.get(Referral, referral_id)
    if ref is None:
        raise NotFound("There is no referral with that id.")
    volunteer = session.get_one(Volunteer, ref.volunteer_id)
    role = session.get_one(Role, ref.role_id)
    if not (principal.is_volunteer or principal.is_manager or principal.is_staff):
        raise Forbidden("Referrals hold personal data: pilot leads see them in reports, in aggregate.")
    if not policy.can_see_referral(principal, ref, volunteer, role):
        raise NotFound("There is no referral with that id.")
    return ref, volunteer, role


def get(session: Session, principal: Principal, referral_id: int) -> tuple[Referral, Volunteer, Role]:
    return _load(session, principal, referral_id)


def post_message(
    session: Session, principal: Principal, referral_id: int, body: str | None, staff_only: bool = False
) -> tuple[Referral, Volunteer, Role]:
    """A message on the referral's thread (brokerage/referrals/thread.py) from whoever may see it."""
    ref, volunteer, role = _load(session, principal, referral_id)
    thread.post(session, principal, ref, role, body, staff_only)
    return ref, volunteer, role


def active_referral(session: Session, volunteer_id: int, role_id: int) -> Referral | None:
    """The volunteer's referral for the role that is still going, if there is one."""
    return session.scalar(
        select(Referral).where(
            Referral.volunteer_id == volunteer_id,
            Referral.role_id == role_id,
            Referral.status.in_(ACTIVE_REFERRAL_STATUSES),
        )
    )


def create(session: Session, principal: Principal, body: ReferralCreate) -> tuple[Referral, Volunteer, Role]:
    if principal.is_volunteer:
        if body.volunteer_id is not None and body.volunteer_id != principal.volunteer_id:
            raise Forbidden("You can only express interest for yourself.")
        volunteer_id = principal.volunteer_id
        status = "interested"
    elif principal.is_staff:
        if body.volunteer_id is None:
            raise InvalidInput("Say which volunteer you are referring.", field="volunteer_id")
        volunteer_id = body.volunteer_id
        status = "referred"
    else:
        raise Forbidden("Only volunteers and volunteer centre staff can make referrals.")
    volunteer = session.get(Volunteer, volunteer_id) if volunteer_id else None
    if volunteer is None or volunteer.status == "erased" or not policy.can_see_volunteer(principal, volunteer):
        raise InvalidInput("There is no volunteer with that id.", field="volunteer_id")
    role = session.get(Role, body.role_id)
    if role is None or role.status != "published":
        raise InvalidInput("That role is not open for applications.", field="role_id")
    existing = active_referral(session, volunteer.id, role.id)
    if existing is not None:
        raise Conflict(
            "There is already an active referral for this volunteer and role.",
            details=[{"field": "role_id", "message": f"referral {existing.id}"}],
        )
    if principal.is_volunteer:
        # The one interest rule (brokerage/matches/interest.py): hard gates block with the reason, soft
        # mismatches (times, distance, skills) only warn. Centre staff, as brokers, may still refer.
        rule = interest_rule(session, volunteer.id, role.id)
        if not rule.allowed:
            raise Conflict(
                "You cannot say you are interested in this role: " + " ".join(r.message for r in rule.blocks),
                details=[{"field": r.code, "message": r.message} for r in rule.blocks],
            )
    elif guardians.consent_missing(volunteer):  # brokers cannot refer a young volunteer without consent either
        raise Conflict(
            "This volunteer is under 18 and their parent or guardian has not given consent yet.",
            details=[{"field": guardians.NEEDED, "message": guardians.NEEDED_MESSAGE}],
        )
    now = utcnow()
    ref = Referral(
        volunteer_id=volunteer.id,
        role_id=role.id,
        status=status,
        message=body.message,
        share_email=body.share_email,
        share_phone=body.share_phone,
        created_by_id=principal.user_id or None,  # none: a volunteer answering by their email's link
        created_at=now,
        status_changed_at=now,
    )
    session.add(ref)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("There is already an active referral for this volunteer and role.") from None
    session.add(
        ReferralEvent(referral_id=ref.id, from_status=None, to_status=status, actor_user_id=principal.user_id or None, at=now)
    )
    if principal.is_staff:
        audit.record(session, principal, "referral.create", "referral", ref.id)
    enqueue(session, events.ReferralCreated(referral_id=ref.id))
    return ref, volunteer, role


def transition(
    session: Session, principal: Principal, referral_id: int, to: str, note: str | None, today: date | None = None
) -> tuple[Referral, Volunteer, Role]:
    ref, volunteer, role = _load(session, principal, referral_id)
    if not _may_move(principal, role, to):
        raise Forbidden(f"You cannot mark this referral as {to.replace('_', ' ')}.")
    # One transition at a time per referral: a second "started" sent at the same moment waits,
    # then finds the referral started already (409), and never makes a second placement.
    ref = locking.lock(session, Referral, ref.id)
    if to not in REFERRAL_TRANSITIONS[ref.status]:
        allowed = ", ".join(s.replace("_", " ") for s in REFERRAL_TRANSITIONS[ref.status]) or "nothing (it is finished)"
        raise Conflict(
            f"A referral that is {ref.status.replace('_', ' ')} cannot become {to.replace('_', ' ')}; it can become: {allowed}."
        )
    today = today or date.today()
    now = utcnow()
    session.add(
        ReferralEvent(
            referral_id=ref.id, from_status=ref.status, to_status=to, actor_user_id=principal.user_id, note=note, at=now
        )
    )
    previous = ref.status
    ref.status = to
    ref.status_changed_at = now
    if to == "started":
        role = roles_service.take_place(session, role.id, principal)
        session.add(
            Placement(
                referral_id=ref.id,
                volunteer_id=ref.volunteer_id,
                role_id=role.id,
                organisation_id=role.organisation_id,
                started_on=today,
                # the check this placement relied on: the volunteer's DBS as it stood, and who started it
                dbs_level=volunteer.dbs_level,
                dbs_certificate_date=volunteer.dbs_certificate_date,
                dbs_checked_by_id=principal.user_id,
                dbs_checked_by_name=principal.full_name,
            )
        )
    if previous == "started" and to in ("completed", "withdrawn"):
        placement = session.scalar(select(Placement).where(Placement.referral_id == ref.id))
        if placement is not None and placement.ended_on is None:
            placement.ended_on = today
            roles_service.give_back_place(session, role.id, principal)
    if principal.is_staff:
        audit.record(session, principal, f"referral.{to}", "referral", ref.id)
    enqueue(session, events.ReferralStatusChanged(referral_id=ref.id, from_status=previous, to_status=to))
    return ref, volunteer, role


WAITING_STATUSES = ("interested", "referred")


def chase_key(referral_id: int, status_changed_at: datetime, email: str) -> str:
    """The organisation is chased once about a referral for each time it has come to wait on them."""
    return f"referral_chase:{referral_id}:{status_changed_at:%Y%m%d%H%M%S}:{email.lower()}"


def escalated(ref: Referral) -> bool:
    """Whether the referral is in the volunteer centre's queue for the wait it is in now. An
    escalation is for one wait: once someone moves the referral on, a new wait is chased with the
    organisation, and escalated again if it goes on too long."""
    return ref.escalated_at is not None and ref.escalated_at >= ref.status_changed_at


def escalated_condition():
    """SQL for :func:`escalated`, of a referral still waiting: in the centre's queue now."""
    return (
        Referral.escalated_at.is_not(None)
        & (Referral.escalated_at >= Referral.status_changed_at)
        & Referral.status.in_(WAITING_STATUSES)
    )


def working_days_since(moment: datetime, today: date | None = None) -> int:
    """Working days (Monday to Friday) from ``moment`` to ``today``: 0 on the day itself."""
    today = today or date.today()
    return int(np.busday_count(moment.date(), today)) if moment.date() < today else 0


def overdue_before(working_days: int, today: date | None = None) -> datetime:
    """The moment a waiting referral must have last moved before to be overdue: it has waited at least
    ``working_days`` working days (as :func:`working_days_since` counts them) by ``today``."""
    today = today or date.today()
    day = today
    while int(np.busday_count(day, today)) < working_days:
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time.min)


def _overdue(cutoff: datetime):
    return Referral.status.in_(WAITING_STATUSES) & (Referral.status_changed_at < cutoff)


def list_(
    session: Session,
    principal: Principal,
    *,
    status: str | None,
    role_id: int | None,
    volunteer_id: int | None,
    district: str | None,
    overdue_days: int | None,
    page: int,
    page_size: int,
    overdue_working_days: int | None = None,
    overdue_only: bool = False,
    escalated_only: bool = False,
):
    """One page of the referrals the principal may see, and how many there are in all. With
    ``overdue_working_days`` the overdue ones (waiting that many working days or more) come first, the
    longest waiting first; ``overdue_only`` keeps only those."""
    stmt = (
        select(Referral, Volunteer, Role)
        .join(Volunteer, Volunteer.id == Referral.volunteer_id)
        .join(Role, Role.id == Referral.role_id)
    )
    stmt = policy.referral_scope(stmt, principal)
    if status:
        stmt = stmt.where(Referral.status == status)
    if role_id:
        stmt = stmt.where(Referral.role_id == role_id)
    if volunteer_id:
        stmt = stmt.where(Referral.volunteer_id == volunteer_id)
    if district:
        stmt = stmt.where(Volunteer.district_gss == district)
    if overdue_days:
        stmt = stmt.where(
            Referral.status.in_(WAITING_STATUSES), Referral.status_changed_at < utcnow() - timedelta(days=overdue_days)
        )
    if escalated_only:
        stmt = stmt.where(escalated_condition())
    order: list[Any] = [Referral.status_changed_at.desc(), Referral.id.desc()]
    total = session.scalar(_count_of(stmt, principal, district)) or 0
    offset = (page - 1) * page_size
    if not overdue_working_days:
        return session.execute(stmt.order_by(*order).offset(offset).limit(page_size)).all(), total
    late = _overdue(overdue_before(overdue_working_days))
    if overdue_only:
        stmt = stmt.where(late)
        total = session.scalar(_count_of(stmt, principal, district)) or 0
    # overdue first, the longest waiting first; then the rest, the latest change first. Two queries,
    # each read in the order of an index, rather than one sort of every referral.
    n_late = total if overdue_only else session.scalar(_count_of(stmt.where(late), principal, district)) or 0
    rows = list(
        session.execute(
            stmt.where(late).order_by(Referral.status_changed_at.asc(), Referral.id.desc()).offset(offset).limit(page_size)
        ).all()
    )
    if len(rows) < page_size and not overdue_only:
        rest = stmt.where(~late).order_by(*order).offset(max(0, offset - n_late)).limit(page_size - len(rows))
        rows += session.execute(rest).all()
    return rows, total


def _count_of(stmt: Select, principal: Principal, district: str | None) -> Select:
    """``count(*)`` of a referrals query. The joins to volunteers and roles never drop a referral (both
    keys are required), so they are left out when nothing filters on them: counting a county's
    referrals then reads one table instead of hashing every volunteer."""
    inner = stmt.with_only_columns(Referral.id)
    if district is None and principal.is_staff and principal.district_codes is None:
        where = inner.whereclause
        inner = select(Referral.id)
        if where is not None:
            inner = inner.where(where)
    return select(func.count()).select_from(inner.subquery())


def count_overdue(session: Session, principal: Principal, working_days: int, status: str | None = None) -> int:
    """How many referrals the principal may see have waited ``working_days`` working days or more."""
    stmt = policy.referral_scope(
        select(Referral.id).join(Volunteer, Volunteer.id == Referral.volunteer_id).join(Role, Role.id == Referral.role_id),
        principal,
    ).where(_overdue(overdue_before(working_days)))
    if status:
        stmt = stmt.where(Referral.status == status)
    return session.scalar(_count_of(stmt, principal, None)) or 0
