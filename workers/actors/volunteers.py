"""Volunteer events: email the best matches to someone who asked for instant emails; forget
addresses when a volunteer is erased; remind volunteers whose DBS check is nearly due; run the
retention schedule and send its reminders."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import partial

from sqlalchemy import update

from brokerage import events
from brokerage.db import session_scope
from brokerage.jobs import service as jobs_service
from brokerage.models import Delivery, Volunteer
from brokerage.roles import views
from brokerage.config import get_settings
from brokerage.volunteers import guardians, quiet, reminders
from brokerage.volunteers import retention as retention_schedule
from brokerage.volunteers import service as volunteers_service
from workers import notify
from workers.actors._common import actor
from workers.mail import render, unsubscribe_url
from workers.settings import get_worker_settings


def _send_matches(volunteer_id: int) -> None:
    from brokerage.matches import service as matches_service  # the matching library: loaded at worker boot

    ws = get_worker_settings()
    with session_scope() as session:
        recipients = volunteers_service.role_email_recipients(session, [volunteer_id])
        if not recipients:
            return
        v = recipients[0]
        matches = matches_service.recommend_for_volunteer(session, volunteer_id, limit=10)[: ws.instant_matches]
        if not matches:
            return
        ids = ",".join(str(m.role_id) for m in sorted(matches, key=lambda m: m.role_id))
        key = f"volunteer_matches:{volunteer_id}:{hashlib.sha1(ids.encode()).hexdigest()[:16]}"
        if notify.existing_keys(session, [key]):
            return
        roles = views.matched_roles(matches)
    notify.deliver(
        lambda: render(
            "volunteer_matches",
            key,
            v.email,
            f"{v.first_name} {v.last_name}".strip(),
            unsubscribe=unsubscribe_url(volunteer_id=v.id),
            first_name=v.first_name,
            roles=roles,
        ),
        kind="volunteer_matches",
        key=key,
        recipient=v.email,
        volunteer_id=v.id,
        role_id=matches[0].role_id,
        capped=True,
    )


@actor(events.VolunteerRegistered)
def volunteer_registered(volunteer_id: int) -> None:
    _send_matches(volunteer_id)


@actor(events.VolunteerUpdated)
def volunteer_updated(volunteer_id: int) -> None:
    _send_matches(volunteer_id)


@actor(events.VolunteerErased)
def volunteer_erased(volunteer_id: int) -> None:
    """Keep the counts of what was sent, not the address it went to."""
    with session_scope() as session:
        session.execute(update(Delivery).where(Delivery.volunteer_id == volunteer_id).values(recipient=None))


@actor(events.DbsRemindersDue)
def dbs_reminders(day: str) -> None:
    """Remind volunteers whose roles need a DBS check that their certificate is due for renewal:
    once when the renewal date (the certificate's date plus ``dbs_valid_years``) is
    ``dbs_warning_days`` away or nearer, naming that date; and once, in other words and naming no
    date, after the renewal date has passed (only in the ``dbs_warning_days`` after it: a check that
    ran out long ago gets no late reminder). Who is due: ``brokerage/volunteers/reminders.py``."""
    today = date.fromisoformat(day)
    ws = get_worker_settings()
    with session_scope() as session:
        due = reminders.dbs_reminders_due(session, today, valid_years=ws.dbs_valid_years, warning_days=ws.dbs_warning_days)
        blocked = jobs_service.suppressed(session, [r.email for r in due])
        done = notify.existing_keys(session, [r.key for r in due])
    for r in due:
        if r.email.lower() in blocked or r.key in done:
            continue
        notify.deliver(
            partial(
                render,
                "dbs_reminder",
                r.key,
                r.email,
                f"{r.first_name} {r.last_name}".strip(),
                unsubscribe=unsubscribe_url(volunteer_id=r.volunteer_id),
                first_name=r.first_name,
                expired=r.expired,
                renew_by=None if r.expired else r.renew_by,
                valid_years=ws.dbs_valid_years,
            ),
            kind="dbs_reminder",
            key=r.key,
            recipient=r.email,
            volunteer_id=r.volunteer_id,
        )


@actor(events.RetentionDue)
def retention(day: str) -> None:
    """The day's retention schedule (brokerage/volunteers/retention.py), with its audit entry."""
    with session_scope() as session:
        retention_schedule.run(session)


@actor(events.VolunteerRetentionReminder)
def retention_reminder(volunteer_id: int, erase_on: str) -> None:
    """Tell an inactive volunteer their account will be deleted unless they sign in (a service
    message: sent whatever their email preferences, once per reminder)."""
    with session_scope() as session:
        v = session.get(Volunteer, volunteer_id)
        if v is None or v.status != "active" or not v.email:
            return
        email, name, first_name = v.email, f"{v.first_name} {v.last_name}".strip(), v.first_name
    key = f"retention_reminder:{volunteer_id}:{erase_on}"
    notify.deliver(
        partial(render, "retention_reminder", key, email, name, first_name=first_name, erase_on=date.fromisoformat(erase_on)),
        kind="retention_reminder",
        key=key,
        recipient=email,
        volunteer_id=volunteer_id,
    )


@actor(events.GuardianConsentRequested)
def guardian_consent(volunteer_id: int) -> None:
    """Ask a young volunteer's parent or guardian for consent: a link to give it (it expires) and
    one to withdraw it later. Sent once for each guardian's address."""
    with session_scope() as session:
        v = session.get(Volunteer, volunteer_id)
        if v is None or v.status != "active" or not v.guardian_email or not guardians.is_under_18(v.date_of_birth):
            return
        email, first_name = v.guardian_email, v.first_name
        consent_url, withdraw_url = guardians.consent_link(v), guardians.withdraw_link(v)
        days = get_settings().guardian_consent_max_age_seconds // 86_400
    key = f"guardian_consent:{volunteer_id}:{email.strip().lower()}"
    notify.deliver(
        partial(
            render,
            "guardian_consent",
            key,
            email,
            None,
            first_name=first_name,
            consent_url=consent_url,
            withdraw_url=withdraw_url,
            days=days,
        ),
        kind="guardian_consent",
        key=key,
        recipient=email,
        volunteer_id=volunteer_id,
    )


@actor(events.QuietVolunteersDue)
def reengage(day: str) -> None:
    """One email to each volunteer who has gone quiet (brokerage/volunteers/quiet.py), with roles
    that suit them and that they have not been told about: once per quiet spell (its delivery key
    names the spell), and none to those who opted out. A volunteer with no fresh role is not
    emailed, and is looked at again the next day."""
    from brokerage.matches import service as matches_service  # the matching library: loaded at worker boot

    ws = get_worker_settings()
    today = date.fromisoformat(day)
    with session_scope() as session:
        letters = []
        for r in quiet.to_reengage(session, today):
            seen = quiet.seen_roles(session, r.id)
            fresh = [m for m in matches_service.recommend_for_volunteer(session, r.id, limit=20) if m.role_id not in seen]
            if fresh:
                letters.append((r, quiet.spell_key(r.id, r.last_active), views.matched_roles(fresh[: ws.instant_matches])))
    for r, key, roles in letters:
        notify.deliver(
            partial(
                render,
                "reengagement",
                key,
                r.email,
                f"{r.first_name} {r.last_name}".strip(),
                unsubscribe=unsubscribe_url(volunteer_id=r.id),
                first_name=r.first_name,
                roles=roles,
            ),
            kind=quiet.REENGAGEMENT,
            key=key,
            recipient=r.email,
            volunteer_id=r.id,
            role_id=roles[0].id,
        )
