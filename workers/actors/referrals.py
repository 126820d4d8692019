"""Referral events: tell the organisation someone is interested (only the contact details the
volunteer agreed to share), the volunteer at each change of status; chase the organisation when a
referral waits, and hand it to the volunteer centre when it waits too long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import select

from brokerage import events, links
from brokerage.centres import service as centres_service
from brokerage.config import get_settings
from brokerage.db import session_scope, utcnow
from brokerage.jobs import service as jobs_service
from brokerage.models import Referral, ReferralMessage, Volunteer
from brokerage.referrals import thread
from brokerage.organisations import service as organisations_service
from brokerage.referrals import service as referrals_service
from brokerage.roles import views
from workers import notify
from workers.actors._common import actor
from workers.mail import render, unsubscribe_url
from workers.working_days import working_days_between

# What each status means to the volunteer, in a sentence.
STATUS_SENTENCES = {
    "referred": "Your volunteer centre has passed your interest on to {org}. They should be in touch soon.",
    "contacted": "{org} says they have been in touch with you. If you have not heard from them, please check your email and phone messages.",
    "started": "{org} says you have started as a volunteer. Thank you for giving your time.",
    "completed": "{org} has marked your time in this role as complete. Thank you for everything you did.",
    "withdrawn": "Your interest in this role has been withdrawn. You can look for other roles at any time.",
    "unsuccessful": "{org} has decided not to go ahead this time. Please do not be put off: there are other roles that may suit you.",
    "no_response": "We have closed this referral because we could not get a reply. You can express interest again at any time.",
    "interested": "Your interest has been reopened.",
}
# Statuses in which the next move is the organisation's.
AWAITING_ORGANISATION = ("interested", "referred")


@dataclass(frozen=True, slots=True)
class Letter:
    """An email about a referral to one recipient: its delivery key, the role it is about and what
    its template is given (a template context holds values of any kind)."""

    key: str
    email: str
    name: str | None
    role_id: int
    context: dict[str, Any]


def volunteer_name(v: Volunteer) -> str:
    return f"{v.first_name} {v.last_name}".strip()


def referral_url(referral_id: int) -> str:
    """The referral's page for the organisation."""
    return links.absolute(links.organisation_referral_page(referral_id))


def centre_referral_url(referral_id: int) -> str:
    """The referral's page for the volunteer centre."""
    return links.absolute(links.centre_referral_page(referral_id))


@actor(events.ReferralCreated)
def referral_created(referral_id: int) -> None:
    with session_scope() as session:
        ref = session.get(Referral, referral_id)
        if ref is None:
            return
        v = session.get(Volunteer, ref.volunteer_id)
        role = views.brief(session, ref.role_id)
        if v is None or v.status == "erased" or role is None:
            return
        recipients = organisations_service.recipients(session, role.organisation_id)
        context: dict[str, Any] = {
            "volunteer_name": volunteer_name(v),
            "role": role,
            # Only what the volunteer agreed to share.
            "volunteer_email": v.email if ref.share_email else None,
            "volunteer_phone": v.phone if ref.share_phone else None,
            "message": ref.message,
            "referral_url": referral_url(ref.id),
            "follow_up_days": get_settings().follow_up_working_days,
        }
        # A volunteer put forward by the centre is told (unless they asked for no service emails).
        told = v.email if ref.status == "referred" and v.email and not jobs_service.suppressed(session, [v.email]) else None
        first_name, vid, full_name = v.first_name, v.id, volunteer_name(v)
    for email, name in recipients:
        key = f"referral_created:{referral_id}:{email.lower()}"
        notify.deliver(
            partial(render, "referral_created", key, email, name, **context),
            kind="referral_created",
            key=key,
            recipient=email,
            role_id=role.id,
        )
    if told:
        key = f"referral_referred:{referral_id}"
        notify.deliver(
            partial(
                render,
                "referral_referred",
                key,
                told,
                full_name,
                first_name=first_name,
                role=role,
                message=context["message"],
                referral_url=links.absolute(links.volunteer_referral_page(referral_id)),
            ),
            kind="referral_referred",
            key=key,
            recipient=told,
            volunteer_id=vid,
            role_id=role.id,
        )


@actor(events.ReferralMessagePosted)
def referral_message_posted(message_id: int) -> None:
    """Tell the other sides of the conversation: the volunteer, the organisation, and the volunteer
    centre when it takes part. Each reads it on their own page of the referral."""
    with session_scope() as session:
        message = session.get(ReferralMessage, message_id)
        if message is None or message.staff_only:
            return
        ref = session.get(Referral, message.referral_id)
        v = session.get(Volunteer, ref.volunteer_id) if ref is not None else None
        role = views.brief(session, ref.role_id) if ref is not None else None
        if ref is None or v is None or role is None:
            return
        to: list[tuple[str, str, str | None]] = []  # side, email, name
        if message.author_side != "volunteer" and v.status == "active" and v.email:
            to.append(("volunteer", v.email, volunteer_name(v)))
        if message.author_side != "organisation":
            to += [
                ("organisation", email, name) for email, name in organisations_service.recipients(session, role.organisation_id)
            ]
        if message.author_side != "centre" and (ref.escalated_at is not None or thread.centre_takes_part(session, ref.id)):
            centre = centres_service.centre_for_district(session, role.district_gss)
            if centre is not None and centre.email:
                to.append(("centre", centre.email, centre.name))
        blocked = jobs_service.suppressed(session, [email for _side, email, _name in to])
        author = thread.author_name(session, message, v, role.organisation_name)
        body, referral_id, vid = message.body, ref.id, v.id
    for side, email, name in to:
        if email.lower() in blocked:
            continue
        key = f"referral_message:{message_id}:{email.lower()}"
        notify.deliver(
            partial(
                render,
                "referral_message",
                key,
                email,
                name,
                role=role,
                author=author,
                body=body,
                referral_url=links.absolute(links.referral_page_for(side, referral_id)),
            ),
            kind="referral_message",
            key=key,
            recipient=email,
            volunteer_id=vid if side == "volunteer" else None,
            role_id=role.id,
        )


@actor(events.ReferralStatusChanged)
def referral_status_changed(referral_id: int, from_status: str | None = None, to_status: str | None = None) -> None:
    with session_scope() as session:
        ref = session.get(Referral, referral_id)
        if ref is None:
            return
        to_status = to_status or ref.status
        v = session.get(Volunteer, ref.volunteer_id)
        role = views.brief(session, ref.role_id)
        if v is None or v.status == "erased" or not v.email or role is None:
            return
        if jobs_service.suppressed(session, [v.email]):
            return
        sentence = STATUS_SENTENCES.get(to_status, "There is an update on your interest.").format(org=role.organisation_name)
        email, name, first_name, vid = v.email, volunteer_name(v), v.first_name, v.id
    key = f"referral_status:{referral_id}:{from_status}:{to_status}"
    notify.deliver(
        lambda: render(
            "referral_status", key, email, name, first_name=first_name, role=role, sentence=sentence, status=to_status
        ),
        kind="referral_status",
        key=key,
        recipient=email,
        volunteer_id=vid,
        role_id=role.id,
    )


@actor(events.ReferralFollowUpDue)
def referral_follow_up(day: str) -> None:
    """Chase the organisation after 5 working days without action; after 10, hand the referral to
    the volunteer centre's staff queue (``escalated_at``) and tell the centre."""
    today = date.fromisoformat(day)
    settings = get_settings()
    chases: list[Letter] = []
    escalations: list[Letter] = []
    with session_scope() as session:
        refs = session.scalars(
            select(Referral)
            .where(Referral.status.in_(AWAITING_ORGANISATION), Referral.status_changed_at < today)
            .order_by(Referral.id)
        ).all()
        for ref in refs:
            waited = working_days_between(ref.status_changed_at.date(), today)
            if waited < settings.follow_up_working_days:
                continue
            v = session.get(Volunteer, ref.volunteer_id)
            role = views.brief(session, ref.role_id)
            if v is None or role is None:
                continue
            context: dict[str, Any] = {
                "volunteer_name": volunteer_name(v),
                "role": role,
                "days": waited,
                "since": ref.status_changed_at.date(),
                "referral_url": referral_url(ref.id),
            }
            stamp = f"{ref.status_changed_at:%Y%m%d%H%M%S}"
            # Once the centre has it (escalated) for this wait, the organisation is not chased again.
            with_centre = referrals_service.escalated(ref)
            recipients = [] if with_centre else organisations_service.recipients(session, role.organisation_id)
            for email, name in recipients:
                chases.append(
                    Letter(referrals_service.chase_key(ref.id, ref.status_changed_at, email), email, name, role.id, context)
                )
            if waited >= settings.escalate_working_days and not with_centre:
                ref.escalated_at = utcnow()  # now in the centre's staff queue
                centre = centres_service.centre_for_district(session, role.district_gss)
                if centre is not None and centre.email:
                    escalations.append(
                        Letter(
                            f"referral_escalated:{ref.id}:{stamp}",
                            centre.email,
                            centre.name,
                            role.id,
                            {**context, "centre_name": centre.name, "referral_url": centre_referral_url(ref.id)},
                        )
                    )
        blocked = jobs_service.suppressed(session, [c.email for c in chases])
    for c in chases:
        if c.email.lower() in blocked:
            continue
        notify.deliver(
            partial(render, "referral_chase", c.key, c.email, c.name, unsubscribe=unsubscribe_url(email=c.email), **c.context),
            kind="referral_chase",
            key=c.key,
            recipient=c.email,
            role_id=c.role_id,
        )
    for e in escalations:
        notify.deliver(
            partial(render, "referral_escalated", e.key, e.email, e.name, **e.context),
            kind="referral_escalated",
            key=e.key,
            recipient=e.email,
            role_id=e.role_id,
        )
