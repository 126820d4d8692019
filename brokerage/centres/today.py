"""A volunteer centre's day at a glance: how many of each thing wait for its staff, each counted
with the same query its list is drawn from, so a count and the list it links to always agree.

* organisations to verify, listings to review (in the centre's districts);
* referrals overdue (no move for ``follow_up_working_days``) and escalated to the centre;
* volunteers gone quiet; DBS checks due for renewal;
* invitations not answered yet."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from brokerage import links
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.config import get_settings
from brokerage.errors import Forbidden
from brokerage.invitations import service as invitations_service
from brokerage.models import Invitation, Organisation, Referral, Role, Volunteer
from brokerage.referrals import service as referrals_service
from brokerage.volunteers import quiet


@dataclass(frozen=True, slots=True)
class Count:
    key: str
    label: str
    count: int
    url: str
    more: bool = False  # counted only as far as ``count``: there are more than that


QUIET_COUNTED = 10_000  # more quiet volunteers than this show as "More than 10,000"


def _quiet(session: Session, principal: Principal) -> Count:
    n = quiet.count_quiet(session, principal, up_to=QUIET_COUNTED)
    return Count("quiet", "Volunteers gone quiet", min(n, QUIET_COUNTED), links.CENTRE_QUIET, more=n > QUIET_COUNTED)


def _total(session: Session, stmt: Select, column) -> int:
    return session.scalar(select(func.count()).select_from(stmt.with_only_columns(column).subquery())) or 0


def organisations_to_verify(principal: Principal) -> Select:
    stmt = select(Organisation).where(Organisation.verification_status == "pending")
    if principal.district_codes is not None:
        stmt = stmt.where(Organisation.district_gss.in_(principal.district_codes))
    return stmt


def listings_to_review(principal: Principal) -> Select:
    stmt = (
        select(Role, Organisation.name)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .where(Role.status == "pending_review")
    )
    if principal.district_codes is not None:
        stmt = stmt.where(
            or_(Role.district_gss.in_(principal.district_codes), Organisation.district_gss.in_(principal.district_codes))
        )
    return stmt


def page(session: Session, stmt: Select, column, order, *, page: int, page_size: int) -> tuple[list, int]:
    total = _total(session, stmt, column)
    rows = session.execute(stmt.order_by(*order).offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total


def counts(session: Session, principal: Principal) -> list[Count]:
    if not principal.is_staff:
        raise Forbidden("This is for volunteer centre staff.")
    follow_up = get_settings().follow_up_working_days
    referrals = policy.referral_scope(
        select(Referral.id).join(Volunteer, Volunteer.id == Referral.volunteer_id).join(Role, Role.id == Referral.role_id),
        principal,
    )
    invitations = invitations_service.unanswered_scope(
        select(Invitation.id).join(Volunteer, Volunteer.id == Invitation.volunteer_id).join(Role, Role.id == Invitation.role_id),
        principal,
    )
    volunteers = policy.volunteer_scope(select(Volunteer.id), principal)
    return [
        Count(
            "organisations",
            "Organisations to verify",
            _total(session, organisations_to_verify(principal), Organisation.id),
            f"{links.CENTRE_HOME}#organisations",
        ),
        Count(
            "listings",
            "Listings to review",
            _total(session, listings_to_review(principal), Role.id),
            f"{links.CENTRE_HOME}#listings",
        ),
        Count(
            "overdue",
            "Referrals overdue",
            referrals_service.count_overdue(session, principal, follow_up),
            f"{links.CENTRE_REFERRALS}?overdue=yes",
        ),
        Count(
            "escalated",
            "Referrals escalated to the centre",
            _total(session, referrals.where(referrals_service.escalated_condition()), Referral.id),
            f"{links.CENTRE_REFERRALS}?escalated=yes",
        ),
        _quiet(session, principal),
        Count(
            "dbs",
            "DBS checks due for renewal",
            _total(session, volunteers.where(quiet.dbs_expiring_condition()), Volunteer.id),
            f"{links.CENTRE_VOLUNTEERS}?dbs=expiring",
        ),
        Count("invitations", "Invitations not answered", _total(session, invitations, Invitation.id), links.CENTRE_INVITATIONS),
    ]
