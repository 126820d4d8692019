"""Daily jobs: referral follow-ups and escalation, listing expiry and refresh reminders, DBS
renewal reminders, and hours waiting for approval."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select, update

from brokerage.config import get_settings
from brokerage.db import session_scope, utcnow
from brokerage.models import (
    HoursEntry,
    Organisation,
    Placement,
    Referral,
    Role,
    User,
    Volunteer,
)
from brokerage.vocab.referrals import ACTIVE_REFERRAL_STATUSES
from workers import notify
from workers.actors._common import actor, centre_for_district, logger, organisation_recipients, role_view
from workers.actors.referrals import volunteer_name
from workers.mail import render, unsubscribe_url
from workers.settings import get_worker_settings
from workers.working_days import working_days_between

# Statuses in which the next move is the organisation's.
AWAITING_ORGANISATION = ("interested", "referred")


@actor("referral.follow_up")
def referral_follow_up(day: str) -> None:
    """Chase the organisation after 5 working days without action; after 10, hand the referral to
    the volunteer centre's staff queue (``escalated_at``) and tell the centre."""
    today = date.fromisoformat(day)
    settings = get_settings()
    base = settings.base_url.rstrip("/")
    chases, escalations = [], []
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
            role = role_view(session, ref.role_id)
            if v is None or role is None:
                continue
            context = {
                "volunteer_name": volunteer_name(v),
                "role": role,
                "days": waited,
                "since": ref.status_changed_at.date(),
                "referral_url": f"{base}/referrals/{ref.id}",
            }
            stamp = f"{ref.status_changed_at:%Y%m%d%H%M%S}"
            for email, name in organisation_recipients(session, role["organisation_id"]):
                chases.append((f"referral_chase:{ref.id}:{stamp}:{email.lower()}", email, name, context))
            if waited >= settings.escalate_working_days and ref.escalated_at is None:
                ref.escalated_at = utcnow()  # now in the centre's staff queue
                centre = centre_for_district(session, session.get(Role, ref.role_id).district_gss)
                if centre is not None and centre.email:
                    escalations.append(
                        (
                            f"referral_escalated:{ref.id}:{stamp}",
                            centre.email,
                            centre.name,
                            {**context, "centre_name": centre.name},
                        )
                    )
        blocked = notify.suppressed(session, [c[1] for c in chases])
    for key, email, name, context in chases:
        if email.lower() in blocked:
            continue
        notify.deliver(
            lambda key=key, email=email, name=name, context=context: render(
                "referral_chase", key, email, name, unsubscribe=unsubscribe_url(email=email), **context
            ),
            kind="referral_chase",
            key=key,
            recipient=email,
            role_id=context["role"]["id"],
        )
    for key, email, name, context in escalations:
        notify.deliver(
            lambda key=key, email=email, name=name, context=context: render("referral_escalated", key, email, name, **context),
            kind="referral_escalated",
            key=key,
            recipient=email,
            role_id=context["role"]["id"],
        )


@actor("role.expire_due")
def role_expire_due(day: str) -> None:
    """Close roles past their publish end; ask posters to refresh roles that close within a week."""
    from brokerage.roles.service import expire_due

    today = date.fromisoformat(day)
    ws = get_worker_settings()
    reminders = []
    with session_scope() as session:
        closed = expire_due(session, today)
        if closed:
            logger.info("Closed %d listings past their publish end", len(closed))
        roles = session.scalars(
            select(Role.id).where(
                Role.status == "published",
                Role.publish_end.is_not(None),
                Role.publish_end >= today,
                Role.publish_end <= today + timedelta(days=ws.refresh_reminder_days),
            )
        ).all()
        for role_id in roles:
            role = role_view(session, role_id)
            poster = session.get(User, role["created_by_id"]) if role["created_by_id"] else None
            recipients = (
                [(poster.email, poster.full_name)]
                if poster is not None and poster.is_active
                else organisation_recipients(session, role["organisation_id"])
            )
            for email, name in recipients:
                reminders.append((f"role_refresh:{role_id}:{role['publish_end']}:{email.lower()}", email, name, role))
        blocked = notify.suppressed(session, [r[1] for r in reminders])
    for key, email, name, role in reminders:
        if email.lower() in blocked:
            continue
        notify.deliver(
            lambda key=key, email=email, name=name, role=role: render(
                "role_refresh",
                key,
                email,
                name,
                unsubscribe=unsubscribe_url(email=email),
                role=role,
                closes_on=f"{role['publish_end'].day} {role['publish_end']:%B %Y}",
            ),
            kind="role_refresh",
            key=key,
            recipient=email,
            role_id=role["id"],
        )


@actor("volunteer.dbs_reminders")
def dbs_reminders(day: str) -> None:
    """Remind volunteers whose DBS certificate is nearly due for renewal and whose roles need one."""
    today = date.fromisoformat(day)
    ws = get_worker_settings()
    try:
        due_before = today.replace(year=today.year - ws.dbs_valid_years) + timedelta(days=ws.dbs_warning_days)
    except ValueError:  # 29 February
        due_before = (today - timedelta(days=1)).replace(year=today.year - ws.dbs_valid_years) + timedelta(
            days=ws.dbs_warning_days
        )
    needs_dbs = Role.dbs_level != "none"
    with session_scope() as session:
        in_placement = (
            select(Placement.volunteer_id).join(Role, Role.id == Placement.role_id).where(Placement.ended_on.is_(None), needs_dbs)
        )
        in_referral = (
            select(Referral.volunteer_id)
            .join(Role, Role.id == Referral.role_id)
            .where(Referral.status.in_(ACTIVE_REFERRAL_STATUSES), needs_dbs)
        )
        rows = session.execute(
            select(Volunteer.id, Volunteer.first_name, Volunteer.last_name, Volunteer.email, Volunteer.dbs_certificate_date)
            .where(
                Volunteer.status == "active",
                Volunteer.email.is_not(None),
                Volunteer.dbs_certificate_date.is_not(None),
                Volunteer.dbs_certificate_date <= due_before,
                Volunteer.dbs_update_service.is_(False),
                or_(Volunteer.id.in_(in_placement), Volunteer.id.in_(in_referral)),
            )
            .order_by(Volunteer.id)
        ).all()
        blocked = notify.suppressed(session, [r.email for r in rows])
    for r in rows:
        if r.email.lower() in blocked:
            continue
        key = f"dbs_reminder:{r.id}:{r.dbs_certificate_date}"
        try:
            renew_by = r.dbs_certificate_date.replace(year=r.dbs_certificate_date.year + ws.dbs_valid_years)
        except ValueError:
            renew_by = r.dbs_certificate_date + timedelta(days=365 * ws.dbs_valid_years)
        notify.deliver(
            lambda r=r, key=key, renew_by=renew_by: render(
                "dbs_reminder",
                key,
                r.email,
                f"{r.first_name} {r.last_name}".strip(),
                unsubscribe=unsubscribe_url(volunteer_id=r.id),
                first_name=r.first_name,
                certificate_date=r.dbs_certificate_date,
                renew_by=renew_by,
            ),
            kind="dbs_reminder",
            key=key,
            recipient=r.email,
            volunteer_id=r.id,
        )


@actor("hours.reminders")
def hours_reminders(day: str) -> None:
    """Remind each organisation once a week about hours submitted more than 7 days ago."""
    today = date.fromisoformat(day)
    ws = get_worker_settings()
    cutoff = utcnow() - timedelta(days=ws.hours_reminder_days)
    year, week, _ = today.isocalendar()
    base = get_settings().base_url.rstrip("/")
    plans = []
    with session_scope() as session:
        rows = session.execute(
            select(
                Placement.organisation_id, func.count(HoursEntry.id), func.sum(HoursEntry.hours), func.min(HoursEntry.created_at)
            )
            .join(Placement, Placement.id == HoursEntry.placement_id)
            .where(HoursEntry.status == "submitted", HoursEntry.created_at <= cutoff)
            .group_by(Placement.organisation_id)
            .order_by(Placement.organisation_id)
        ).all()
        for org_id, count, total, oldest in rows:
            org = session.get(Organisation, org_id)
            if org is None:
                continue
            for email, name in organisation_recipients(session, org_id):
                plans.append(
                    (
                        org_id,
                        f"hours_reminder:{org_id}:{year}-W{week:02d}:{email.lower()}",
                        email,
                        name,
                        {
                            "organisation_name": org.name,
                            "count": count,
                            "hours": total,
                            "oldest": oldest.date(),
                            "hours_url": f"{base}/hours?status=submitted",
                        },
                    )
                )
        blocked = notify.suppressed(session, [p[2] for p in plans])
    for org_id, key, email, name, context in plans:
        if email.lower() in blocked:
            continue
        status = notify.deliver(
            lambda key=key, email=email, name=name, context=context: render(
                "hours_reminder", key, email, name, unsubscribe=unsubscribe_url(email=email), **context
            ),
            kind="hours_reminder",
            key=key,
            recipient=email,
        )
        if status == notify.SENT:
            with session_scope() as session:
                entries = (
                    select(HoursEntry.id)
                    .join(Placement, Placement.id == HoursEntry.placement_id)
                    .where(Placement.organisation_id == org_id, HoursEntry.status == "submitted", HoursEntry.created_at <= cutoff)
                )
                session.execute(
                    update(HoursEntry)
                    .where(HoursEntry.id.in_(entries))
                    .values(reminder_count=HoursEntry.reminder_count + 1)
                    .execution_options(synchronize_session=False)
                )
