"""Hours events: tell the organisation that new hours wait for its approval, remind it weekly about
hours that have waited more than a week, refresh the report rollups once hours are approved and
record the milestones they reach, and congratulate the volunteer on each."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import partial
from zoneinfo import ZoneInfo

from brokerage import events, links
from brokerage.db import session_scope, utcnow
from brokerage.hours import reminders
from brokerage.hours import leaving, milestones
from brokerage.hours import service as hours_service
from brokerage.jobs import service as jobs_service
from brokerage.models import HoursEntry, Milestone, Organisation, Placement, Volunteer
from brokerage.outbox import enqueue
from brokerage.organisations import service as organisations_service
from brokerage.reports import rollups
from workers import notify
from workers.actors._common import actor
from workers.mail import render, unsubscribe_url
from workers.settings import get_worker_settings


def _local_day(at: datetime) -> date:
    return at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(get_worker_settings().timezone)).date()


@actor(events.HoursSubmitted)
def hours_submitted(hours_entry_id: int) -> None:
    """Tell the organisation's contact (else its managers) that hours wait for their approval: one
    email a day at most, however many entries are logged that day; none once the entry has been
    reviewed; none to an address that asked for no more of these emails."""
    with session_scope() as session:
        entry = session.get(HoursEntry, hours_entry_id)
        if entry is None or entry.status != "submitted":
            return
        placement = session.get(Placement, entry.placement_id)
        org = session.get(Organisation, placement.organisation_id) if placement is not None else None
        if org is None:
            return
        waiting = hours_service.awaiting_approval(session, organisation_id=org.id)
        if not waiting:
            return
        recipients = organisations_service.recipients(session, org.id)
        blocked = jobs_service.suppressed(session, [email for email, _ in recipients])
        day = _local_day(entry.created_at)
        context = {
            "organisation_name": org.name,
            "count": waiting[0].entries,
            "hours": waiting[0].hours,
            "hours_url": links.absolute(links.HOURS_TO_APPROVE),
        }
    for email, name in recipients:
        if email.strip().lower() in blocked:
            continue
        key = f"hours_submitted:{org.id}:{day}:{email.lower()}"
        notify.deliver(
            partial(render, "hours_submitted", key, email, name, unsubscribe=unsubscribe_url(email=email), **context),
            kind="hours_submitted",
            key=key,
            recipient=email,
        )


@actor(events.HoursApproved)
def hours_approved(hours_entry_id: int) -> None:
    """Hours were approved: refresh the rollups of their placement (idempotent: see
    ``workers.actors.reports``)."""
    with session_scope() as session:
        rollups.refresh_for_hours_entry(session, hours_entry_id)
        entry = session.get(HoursEntry, hours_entry_id)
        if entry is None or entry.status != "approved":
            return
        reached = milestones.record_reached(session, entry.volunteer_id)
        if reached:  # several at once (hours approved in bulk): congratulate on the highest only
            enqueue(session, events.MilestoneReached(milestone_id=reached[-1].id))


@actor(events.MilestoneReached)
def milestone_reached(milestone_id: int) -> None:
    """Congratulate the volunteer on a milestone, once, if they agreed to be contacted and have not
    asked for no more emails; the email links to their certificate."""
    with session_scope() as session:
        milestone = session.get(Milestone, milestone_id)
        v = session.get(Volunteer, milestone.volunteer_id) if milestone is not None else None
        if milestone is None or v is None or v.status != "active" or not v.email or not v.contact_consent:
            return
        if jobs_service.suppressed(session, [v.email]):
            return
        email, name, volunteer_id = v.email, v.full_name, v.id
        context = {
            "first_name": v.first_name,
            "threshold": milestone.threshold,
            "hours": f"{milestone.hours.normalize():f}",
            "organisations": milestone.organisations,
            "milestones_url": links.absolute(links.MY_MILESTONES),
            "verify_url": links.absolute(links.certificate_page(milestone.code)),
        }
    key = f"milestone:{volunteer_id}:{context['threshold']}"
    notify.deliver(
        partial(render, "milestone", key, email, name, unsubscribe=unsubscribe_url(volunteer_id=volunteer_id), **context),
        kind="milestone",
        key=key,
        recipient=email,
        volunteer_id=volunteer_id,
    )


@actor(events.HoursRemindersDue)
def hours_reminders(day: str) -> None:
    """Remind each organisation once a week about hours submitted more than ``hours_reminder_days``
    ago (and less than ``hours_reminder_stop_days``). Who is due: ``brokerage/hours/reminders.py``."""
    ws = get_worker_settings()
    now = utcnow()
    after, before = reminders.window(now, after_days=ws.hours_reminder_days, stop_days=ws.hours_reminder_stop_days)
    with session_scope() as session:
        due = reminders.due(
            session, date.fromisoformat(day), now, after_days=ws.hours_reminder_days, stop_days=ws.hours_reminder_stop_days
        )
        blocked = jobs_service.suppressed(session, [r.email for r in due])
        done = notify.existing_keys(session, [r.key for r in due])
    for r in due:
        if r.email.lower() in blocked or r.key in done:
            continue
        context = {
            "organisation_name": r.organisation_name,
            "count": r.entries,
            "hours": r.hours,
            "oldest": r.oldest.date(),
            "hours_url": links.absolute(links.HOURS_TO_APPROVE),
        }
        status = notify.deliver(
            partial(render, "hours_reminder", r.key, r.email, r.name, unsubscribe=unsubscribe_url(email=r.email), **context),
            kind="hours_reminder",
            key=r.key,
            recipient=r.email,
        )
        if status == notify.SENT:
            with session_scope() as session:
                hours_service.count_reminder(session, r.organisation_id, before, after)


@actor(events.SatisfactionQuestionsDue)
def satisfaction_questions(day: str) -> None:
    """Ask each volunteer four weeks into a placement one question, once per placement."""
    with session_scope() as session:
        due = leaving.satisfaction_due(session, date.fromisoformat(day))
        blocked = jobs_service.suppressed(session, [q.email for q in due])
    with notify.connection() as conn:
        for q in due:
            if q.email.strip().lower() in blocked:
                continue
            key = f"satisfaction_question:{q.placement_id}"
            notify.deliver(
                partial(
                    render,
                    "satisfaction_question",
                    key,
                    q.email,
                    f"{q.first_name} {q.last_name}".strip(),
                    unsubscribe=unsubscribe_url(volunteer_id=q.volunteer_id),
                    first_name=q.first_name,
                    role_title=q.role_title,
                    organisation_name=q.organisation_name,
                    question_url=links.absolute(links.satisfaction_page(q.placement_id)),
                ),
                kind="satisfaction_question",
                key=key,
                recipient=q.email,
                volunteer_id=q.volunteer_id,
                conn=conn,
            )
