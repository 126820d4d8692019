"""Referral events: tell the organisation someone is interested (only the contact details the
volunteer agreed to share), and the volunteer at each change of status."""

from __future__ import annotations

from brokerage.config import get_settings
from brokerage.db import session_scope
from brokerage.models import Referral, Volunteer
from workers import notify
from workers.actors._common import actor, organisation_recipients, role_view
from workers.mail import render

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


def volunteer_name(v: Volunteer) -> str:
    return f"{v.first_name} {v.last_name}".strip()


@actor("referral.created")
def referral_created(referral_id: int) -> None:
    with session_scope() as session:
        ref = session.get(Referral, referral_id)
        if ref is None:
            return
        v = session.get(Volunteer, ref.volunteer_id)
        role = role_view(session, ref.role_id)
        if v is None or v.status == "erased" or role is None:
            return
        recipients = organisation_recipients(session, role["organisation_id"])
        context = {
            "volunteer_name": volunteer_name(v),
            "role": role,
            # Only what the volunteer agreed to share.
            "volunteer_email": v.email if ref.share_email else None,
            "volunteer_phone": v.phone if ref.share_phone else None,
            "message": ref.message,
            "referral_url": f"{get_settings().base_url.rstrip('/')}/referrals/{ref.id}",
            "follow_up_days": get_settings().follow_up_working_days,
        }
    for email, name in recipients:
        key = f"referral_created:{referral_id}:{email.lower()}"
        notify.deliver(
            lambda email=email, name=name, key=key: render("referral_created", key, email, name, **context),
            kind="referral_created",
            key=key,
            recipient=email,
            role_id=context["role"]["id"],
        )


@actor("referral.status_changed")
def referral_status_changed(referral_id: int, from_status: str | None = None, to_status: str | None = None) -> None:
    with session_scope() as session:
        ref = session.get(Referral, referral_id)
        if ref is None:
            return
        to_status = to_status or ref.status
        v = session.get(Volunteer, ref.volunteer_id)
        role = role_view(session, ref.role_id)
        if v is None or v.status == "erased" or not v.email or role is None:
            return
        if notify.suppressed(session, [v.email]):
            return
        sentence = STATUS_SENTENCES.get(to_status, "There is an update on your interest.").format(org=role["organisation_name"])
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
        role_id=role["id"],
    )
