"""Account events: the password reset email and the link that confirms a new sign-in address."""

from __future__ import annotations

import hashlib

from brokerage import events, links
from brokerage.config import get_settings
from brokerage.db import session_scope
from brokerage.models import User
from workers import notify
from workers.actors._common import actor
from workers.mail import render


@actor(events.PasswordResetRequested)
def password_reset(user_id: int, token: str) -> None:
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            return
        email, name = user.email, user.full_name
    key = f"password_reset:{hashlib.sha256(token.encode()).hexdigest()[:40]}"
    link = links.absolute(links.reset_password_page(token))
    hours = max(1, get_settings().password_reset_max_age_seconds // 3600)
    notify.deliver(
        lambda: render("password_reset", key, email, name, link=link, hours=hours),
        kind="password_reset",
        key=key,
        recipient=email,
    )


@actor(events.EmailChangeRequested)
def email_change(user_id: int, new_email: str, token: str) -> None:
    """The confirmation link for a new sign-in address goes to that address (proving it is theirs)."""
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            return
        name = user.full_name
    key = f"email_change:{hashlib.sha256(token.encode()).hexdigest()[:40]}"
    link = links.absolute(links.email_change_confirm_page(token))
    hours = max(1, get_settings().email_change_max_age_seconds // 3600)
    notify.deliver(
        lambda: render("email_change", key, new_email, name, link=link, hours=hours),
        kind="email_change",
        key=key,
        recipient=new_email,
    )
