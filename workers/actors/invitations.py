"""Invitation events: email the invited volunteer a link to the invitation's page (where they see
the role, why it was suggested and answer it). The email counts towards the weekly cap on role
emails; the invitation was only made if the volunteer was under it."""

from __future__ import annotations

from functools import partial

from brokerage import events, links
from brokerage.config import get_settings
from brokerage.db import session_scope
from brokerage.invitations import service as invitations_service
from brokerage.models import Invitation
from brokerage.roles import views
from workers import notify
from workers.actors._common import actor
from workers.mail import render, unsubscribe_url


@actor(events.InvitationSent)
def invitation_sent(invitation_id: int) -> None:
    with session_scope() as session:
        invitation = session.get(Invitation, invitation_id)
        if invitation is None or invitation.status != invitations_service.WAITING:
            return
        found = invitations_service.email_for(session, invitation)
        role = views.brief(session, invitation.role_id)
        if found is None or role is None:
            return
        v, email, sender = found
        name, first_name, vid, note = v.full_name, v.first_name, v.id, invitation.note
        url, has_account = links.absolute(invitations_service.email_link(invitation, v)), v.user_id is not None
    key = f"invitation:{invitation_id}"
    notify.deliver(
        partial(
            render,
            "invitation",
            key,
            email,
            name,
            unsubscribe=unsubscribe_url(volunteer_id=vid),
            first_name=first_name,
            role=role,
            sender=sender,
            note=note,
            invitation_url=url,
            has_account=has_account,
            link_days=get_settings().invitation_link_max_age_seconds // 86400,
        ),
        kind="invitation",
        key=key,
        recipient=email,
        volunteer_id=vid,
        role_id=role.id,
    )
