"""Invitations: a role's managers (for their roles) and volunteer centre staff (for volunteers in
their districts) ask a consenting volunteer from the role's candidate list whether they are
interested. The volunteer answers on the invitation's page: "I'm interested" makes a referral by
the one interest rule (``brokerage/matches/interest.py``), "Not for me" closes it with an optional
reason.

Each invitation is an email about a role, so it counts towards the weekly cap on role emails
(``weekly_role_email_cap``): the cap is checked under a lock on the volunteer's row, so invitations
sent at the same moment by different people cannot pass it together. A volunteer who asked for no
role emails (or unsubscribed) is still invited, and sees it on their pages, but is not emailed.
Each sender is also limited to ``throttle_invitation_per_account`` invitations (brokerage/throttle.py).

Many volunteer records have no account (imported, or registered by a centre). Their email links to a
signed link that expires (``invitation_link_max_age_seconds``) instead of the invitation's page: it
opens the invitation without signing in, to answer it and to set up an account for the record (the
link shows the person reads the record's email address). The link stops working if the record's
email address changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from brokerage import audit, events, links, locking, throttle
from brokerage.auth import policy, tokens
from brokerage.auth.principal import Principal
from brokerage.config import get_settings
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.jobs import service as jobs_service
from brokerage.models import Centre, Delivery, Invitation, Organisation, Referral, Role, User, Volunteer
from brokerage.outbox import enqueue
from brokerage.referrals import service as referrals_service
from brokerage.referrals.schemas import ReferralCreate

# Emails about roles that count towards a volunteer's weekly cap (invitations count as they are made).
CAPPED_DELIVERY_KINDS = ("role_match", "volunteer_matches")
WAITING = "waiting"


def _role(session: Session, role_id: int) -> tuple[Role, Organisation]:
    role = session.get(Role, role_id)
    org = session.get(Organisation, role.organisation_id) if role is not None else None
    if role is None or org is None:
        raise NotFound("There is no role with that id.")
    return role, org


def sender_kind(principal: Principal, role: Role, org: Organisation) -> str | None:
    """ "organisation" for a manager of the role, "centre" for staff covering it, else None."""
    if principal.manages(role.organisation_id):
        return "organisation"
    if principal.is_staff and policy.can_moderate_role(principal, role, org):
        return "centre"
    return None


def roles_emails_this_week(session: Session, volunteer_id: int) -> int:
    """Role emails sent to the volunteer in the last seven days, with the invitations made to them."""
    since = utcnow() - timedelta(days=7)
    sent = session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.volunteer_id == volunteer_id,
            Delivery.kind.in_(CAPPED_DELIVERY_KINDS),
            Delivery.status == "sent",
            Delivery.created_at >= since,
        )
    )
    invited = session.scalar(
        select(func.count(Invitation.id)).where(Invitation.volunteer_id == volunteer_id, Invitation.created_at >= since)
    )
    return (sent or 0) + (invited or 0)


def create(session: Session, principal: Principal, role_id: int, volunteer_id: int, note: str | None) -> Invitation:
    role, org = _role(session, role_id)
    kind = sender_kind(principal, role, org)
    if kind is None:
        if policy.can_see_role(principal, role, org):
            raise Forbidden("Only the role's organisation and its volunteer centre can invite volunteers to it.")
        raise NotFound("There is no role with that id.")
    if role.status != "published":
        raise Conflict("Only a published role can have invitations: publish it first.")
    volunteer = session.get(Volunteer, volunteer_id)
    if (
        volunteer is None
        or volunteer.status != "active"
        or (kind == "centre" and not policy.can_see_volunteer(principal, volunteer))
    ):
        raise InvalidInput("There is no volunteer with that id.", field="volunteer_id")
    if not volunteer.contact_consent:
        raise InvalidInput("This volunteer has not agreed to be contacted about roles.", field="volunteer_id")
    throttle.check_account("invitation", f"user:{principal.user_id}")
    if referrals_service.active_referral(session, volunteer.id, role.id) is not None:
        raise Conflict("This volunteer is already interested in this role.")
    # One at a time per volunteer: count this week's role emails and add this one under the lock.
    locking.lock(session, Volunteer, volunteer.id)
    if _waiting(session, volunteer.id, role.id) is not None:
        raise Conflict("This volunteer has already been invited to this role and has not answered yet.")
    cap = get_settings().weekly_role_email_cap
    if roles_emails_this_week(session, volunteer.id) >= cap:
        raise Conflict(
            f"This volunteer has already had {cap} emails about roles this week. Try again next week, or refer them directly."
        )
    invitation = Invitation(
        role_id=role.id,
        volunteer_id=volunteer.id,
        sent_by_id=principal.user_id,
        sender_kind=kind,
        note=note,
        status=WAITING,
        created_at=utcnow(),
    )
    session.add(invitation)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("This volunteer has already been invited to this role and has not answered yet.") from None
    if principal.is_staff:
        audit.record(session, principal, "invitation.create", "invitation", invitation.id)
    enqueue(session, events.InvitationSent(invitation_id=invitation.id))
    return invitation


def _waiting(session: Session, volunteer_id: int, role_id: int) -> Invitation | None:
    return session.scalar(
        select(Invitation).where(
            Invitation.volunteer_id == volunteer_id, Invitation.role_id == role_id, Invitation.status == WAITING
        )
    )


def get_own(session: Session, principal: Principal, invitation_id: int) -> tuple[Invitation, Role, Organisation]:
    """One of the signed-in volunteer's invitations, with its role."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or not principal.is_volunteer or invitation.volunteer_id != principal.volunteer_id:
        raise NotFound("There is no invitation with that id.")
    role, org = _role(session, invitation.role_id)
    return invitation, role, org


def answer(
    session: Session, principal: Principal, invitation_id: int, interested: bool, reason: str | None = None
) -> tuple[Invitation, Referral | None]:
    """The volunteer's answer: interested (a referral, by the one interest rule) or not for them."""
    invitation, role, _org = get_own(session, principal, invitation_id)
    invitation = locking.lock(session, Invitation, invitation.id)
    if invitation.status != WAITING:
        raise Conflict("You have already answered this invitation.")
    ref: Referral | None = None
    if interested:
        ref, _volunteer, _role = referrals_service.create(session, principal, ReferralCreate(role_id=role.id))
        invitation.status, invitation.referral_id = "interested", ref.id
    else:
        invitation.status, invitation.decline_reason = "declined", reason
    invitation.answered_at = utcnow()
    return invitation, ref


def list_own(session: Session, principal: Principal, *, page: int, page_size: int) -> tuple[list, int]:
    """The signed-in volunteer's invitations (unanswered first, the newest first), with their roles."""
    if not principal.is_volunteer:
        raise Forbidden("Only volunteers have invitations.")
    stmt = (
        select(Invitation, Role, Organisation.name)
        .join(Role, Role.id == Invitation.role_id)
        .join(Organisation, Organisation.id == Role.organisation_id)
        .where(Invitation.volunteer_id == (principal.volunteer_id or -1))
    )
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(Invitation.id).subquery())) or 0
    rows = session.execute(
        stmt.order_by((Invitation.status != WAITING), Invitation.created_at.desc(), Invitation.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total


def unanswered_scope(stmt, principal: Principal):
    """Unanswered invitations a centre's staff look after: the volunteer or the role in their districts."""
    stmt = stmt.where(Invitation.status == WAITING)
    if principal.district_codes is None:
        return stmt
    return stmt.where((Volunteer.district_gss.in_(principal.district_codes)) | (Role.district_gss.in_(principal.district_codes)))


def list_unanswered(session: Session, principal: Principal, *, page: int, page_size: int) -> tuple[list, int]:
    """Unanswered invitations in the centre's districts, the longest waiting first."""
    if not principal.is_staff:
        raise Forbidden("Only volunteer centre staff see the invitations waiting for an answer.")
    stmt = unanswered_scope(
        select(Invitation, Volunteer, Role)
        .join(Volunteer, Volunteer.id == Invitation.volunteer_id)
        .join(Role, Role.id == Invitation.role_id),
        principal,
    )
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(Invitation.id).subquery())) or 0
    rows = session.execute(
        stmt.order_by(Invitation.created_at, Invitation.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(rows), total


def email_for(session: Session, invitation: Invitation) -> tuple[Volunteer, str, str] | None:
    """Who an invitation's email goes to (the volunteer and their address), and who it says is asking: if they still
    agree to be contacted, did not ask for no role emails and are not on the suppression list."""
    v = session.get(Volunteer, invitation.volunteer_id)
    if v is None or v.status != "active" or not v.email or not v.contact_consent or v.notification_preference == "none":
        return None
    email = v.email
    if jobs_service.suppressed(session, [v.email]):
        return None
    _role_row, org = _role(session, invitation.role_id)
    return v, email, _sender_name(session, invitation, org)


# -- the signed link, for a volunteer without an account ---------------------------------------------------
@dataclass(frozen=True)
class LinkedInvitation:
    """An invitation opened by its signed link, and the volunteer the link shows the reader to be."""

    invitation: Invitation
    role: Role
    organisation: Organisation
    volunteer: Volunteer
    sender: str

    @property
    def principal(self) -> Principal:
        """The volunteer, for this invitation only (user id 0 when they have no account: nothing is
        recorded as done by an account then)."""
        v = self.volunteer
        return Principal(user_id=v.user_id or 0, role="volunteer", email=v.email or "", full_name=v.full_name, volunteer_id=v.id)


def email_link(invitation: Invitation, volunteer: Volunteer) -> str:
    """Where the invitation's email sends the volunteer: the invitation's page if they have an account
    (signing in goes straight back to it), else a signed link that works without one."""
    if volunteer.user_id is not None:
        return links.invitation_page(invitation.id)
    claims = {"i": invitation.id, "v": volunteer.id, "e": volunteer.email_normalised}
    return links.invitation_link_page(tokens.sign(tokens.INVITATION_SALT, claims))


def _claims(token: str | None, max_age: int | None) -> dict | None:
    data = tokens.unsign(tokens.INVITATION_SALT, token, max_age) if token and len(token) < 500 else None
    ok = isinstance(data, dict) and isinstance(data.get("i"), int) and isinstance(data.get("v"), int)
    return data if ok else None


def from_link(session: Session, token: str | None) -> LinkedInvitation | None:
    """The invitation a signed link is for, or None when the link is altered, expired or stale (the
    volunteer's email address has changed, or the record is gone)."""
    data = _claims(token, get_settings().invitation_link_max_age_seconds)
    invitation = session.get(Invitation, data["i"]) if data else None
    volunteer = session.get(Volunteer, invitation.volunteer_id) if invitation is not None else None
    if (
        data is None
        or invitation is None
        or volunteer is None
        or volunteer.id != data["v"]
        or volunteer.status != "active"
        or not volunteer.email_normalised
        or volunteer.email_normalised != data.get("e")
    ):
        return None
    role, org = _role(session, invitation.role_id)
    return LinkedInvitation(invitation, role, org, volunteer, _sender_name(session, invitation, org))


def role_of_expired_link(session: Session, token: str | None) -> Role | None:
    """The role a genuine but expired link was about, so its page can point to the role instead."""
    data = _claims(token, None)
    invitation = session.get(Invitation, data["i"]) if data else None
    role = session.get(Role, invitation.role_id) if invitation is not None else None
    return role if role is not None and role.status == "published" else None


def link_is_genuine(token: str | None) -> bool:
    """Whether a link that no longer works was one we sent (it has expired), not one altered."""
    return _claims(token, None) is not None


def answer_by_link(
    session: Session, linked: LinkedInvitation, interested: bool, reason: str | None = None
) -> tuple[Invitation, Referral | None]:
    """The volunteer's answer from the signed link: the same rules as on their invitation's page."""
    return answer(session, linked.principal, linked.invitation.id, interested, reason)


def _sender_name(session: Session, invitation: Invitation, org: Organisation) -> str:
    if invitation.sender_kind != "centre":
        return org.name
    user = session.get(User, invitation.sent_by_id) if invitation.sent_by_id else None
    centre = session.get(Centre, user.centre_id) if user is not None and user.centre_id else None
    return centre.name if centre is not None else "Your volunteer centre"
