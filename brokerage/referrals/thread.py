"""The conversation on a referral: one thread between the volunteer, the organisation and the
volunteer centre, shown on each side's page of the referral and in the API
(``GET /referrals/{id}/messages``) from the same data: the volunteer's message when they said they
were interested, the invitation that led to it, every note given with a change of status, and the
messages written on the thread. Centre staff may also write notes only staff see: the volunteer and
the organisation never do.

Contact details stay out of the thread until the referral reaches "contacted": before then the
volunteer sees the organisation's name, not its email address or phone number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage import events
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Forbidden, InvalidInput
from brokerage.models import Invitation, Organisation, Referral, ReferralEvent, ReferralMessage, Role, User, Volunteer
from brokerage.outbox import enqueue

# Once a referral has reached one of these, the two sides may see each other's contact details.
CONTACT_STATUSES = ("contacted", "started", "completed")
SIDE_NAMES = {"volunteer": "Volunteer", "organisation": "Organisation", "centre": "Volunteer centre"}
MAX_MESSAGE = 4000


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a referral's thread, in the order they happened."""

    at: datetime
    side: str  # volunteer, organisation or centre
    author: str
    body: str
    kind: str = "message"  # message, status (a note with a change of status) or invitation
    status: str | None = None
    staff_only: bool = False


def side_of(principal: Principal, role: Role) -> str:
    if principal.is_volunteer:
        return "volunteer"
    if principal.is_staff:
        return "centre"
    if principal.manages(role.organisation_id):
        return "organisation"
    raise Forbidden("Only the volunteer, the organisation and the volunteer centre take part in a referral's conversation.")


def contact_revealed(ref: Referral) -> bool:
    return ref.status in CONTACT_STATUSES


def _author(side: str, user: User | None, volunteer: Volunteer, org_name: str) -> str:
    if side == "volunteer":
        return volunteer.full_name
    if side == "organisation":
        return f"{user.full_name}, {org_name}" if user else org_name
    return f"{user.full_name}, volunteer centre" if user else "The volunteer centre"


def author_name(session: Session, message: ReferralMessage, volunteer: Volunteer, org_name: str) -> str:
    """Who wrote a message, as the thread names them."""
    user = session.get(User, message.author_user_id) if message.author_user_id else None
    return _author(message.author_side, user, volunteer, org_name)


def _side_of_user(user: User | None, volunteer: Volunteer) -> str:
    if user is None:
        return "centre"
    if volunteer.user_id == user.id or user.role == "volunteer":
        return "volunteer"
    return "organisation" if user.role == "organisation_manager" else "centre"


def entries(session: Session, principal: Principal, ref: Referral, volunteer: Volunteer, role: Role) -> list[Entry]:
    """The thread as this principal may read it (staff notes for staff only), oldest first."""
    org_name = session.scalar(select(Organisation.name).where(Organisation.id == role.organisation_id)) or ""
    staff = principal.is_staff
    out: list[Entry] = []
    invitation = session.scalar(select(Invitation).where(Invitation.referral_id == ref.id))
    if invitation is not None:
        sender = session.get(User, invitation.sent_by_id) if invitation.sent_by_id else None
        side = "organisation" if invitation.sender_kind == "organisation" else "centre"
        out.append(
            Entry(
                invitation.created_at,
                side,
                _author(side, sender, volunteer, org_name),
                invitation.note or f"Invited {volunteer.first_name} to this role.",
                kind="invitation",
            )
        )
    if ref.message:
        creator = session.get(User, ref.created_by_id) if ref.created_by_id else None
        side = _side_of_user(creator, volunteer) if creator else "volunteer"
        out.append(Entry(ref.created_at, side, _author(side, creator, volunteer, org_name), ref.message))
    users: dict[int, User | None] = {}

    def user(uid: int | None) -> User | None:
        if uid is None:
            return None
        if uid not in users:
            users[uid] = session.get(User, uid)
        return users[uid]

    for e in session.scalars(
        select(ReferralEvent)
        .where(ReferralEvent.referral_id == ref.id, ReferralEvent.note.is_not(None))
        .order_by(ReferralEvent.id)
    ):
        if not e.note:
            continue
        side = _side_of_user(user(e.actor_user_id), volunteer)
        out.append(
            Entry(
                e.at, side, _author(side, user(e.actor_user_id), volunteer, org_name), e.note, kind="status", status=e.to_status
            )
        )
    stmt = select(ReferralMessage).where(ReferralMessage.referral_id == ref.id)
    if not staff:
        stmt = stmt.where(ReferralMessage.staff_only.is_(False))
    for m in session.scalars(stmt.order_by(ReferralMessage.id)):
        out.append(
            Entry(
                m.created_at,
                m.author_side,
                _author(m.author_side, user(m.author_user_id), volunteer, org_name),
                m.body,
                staff_only=m.staff_only,
            )
        )
    return sorted(out, key=lambda x: x.at)


def post(
    session: Session, principal: Principal, ref: Referral, role: Role, body: str | None, staff_only: bool = False
) -> ReferralMessage:
    """Add a message to the referral's thread (one the principal may see, ``referrals.service.get``);
    the other sides are emailed (a staff note: no one)."""
    side = side_of(principal, role)
    text = (body or "").strip()
    if not text:
        raise InvalidInput("Write your message.", field="body")
    if len(text) > MAX_MESSAGE:
        raise InvalidInput(f"Your message must be {MAX_MESSAGE} characters or fewer.", field="body")
    if staff_only and side != "centre":
        raise Forbidden("Only volunteer centre staff can write notes for staff.")
    message = ReferralMessage(
        referral_id=ref.id,
        author_user_id=principal.user_id,
        author_side=side,
        body=text,
        staff_only=staff_only,
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    if not staff_only:
        enqueue(session, events.ReferralMessagePosted(message_id=message.id))
    return message


def centre_takes_part(session: Session, referral_id: int) -> bool:
    """Whether the volunteer centre is in the conversation (it wrote in it), so it is emailed too."""
    return (
        session.scalar(
            select(ReferralMessage.id)
            .where(ReferralMessage.referral_id == referral_id, ReferralMessage.author_side == "centre")
            .limit(1)
        )
        is not None
    )
