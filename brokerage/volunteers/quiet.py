"""Volunteers who have gone quiet, and the DBS checks coming up for renewal: what a volunteer
centre's home counts and lists, and what the re-engagement email is sent on.

A volunteer's **last activity** is the latest of: registering, signing in, saying they are
interested in a role (or a change to that referral), and hours logged. A volunteer has **gone
quiet** when that was ``quiet_after_days`` ago or more (90 by default), their record is active and
no placement of theirs is still going. Each quiet spell is named by the day of that last activity,
so the re-engagement email is sent once per spell: a volunteer who comes back and goes quiet again
starts a new spell."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import DateTime, Select, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import Session

from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.config import get_settings
from brokerage.jobs import service as jobs_service
from brokerage.volunteers import reminders
from brokerage.reports.definitions import Cell
from brokerage.reports.suppression import SUPPRESSED, is_small, suppress
from brokerage.models import Delivery, HoursEntry, Invitation, Placement, Referral, User, Volunteer

REENGAGEMENT = "reengagement"
LOOKUP_CHUNK = 10_000


class greatest(FunctionElement):
    """The largest of its arguments: GREATEST on PostgreSQL, MAX(a, b, …) on SQLite."""

    type = DateTime()
    inherit_cache = True
    name = "greatest"


@compiles(greatest)
def _greatest(element, compiler, **kw):
    return "greatest(%s)" % compiler.process(element.clauses, **kw)


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return "max(%s)" % compiler.process(element.clauses, **kw)


def last_activity():
    """The moment of a volunteer's last activity (a correlated SQL expression)."""
    login = select(func.max(User.last_login_at)).where(User.id == Volunteer.user_id).scalar_subquery()
    referral = select(func.max(Referral.status_changed_at)).where(Referral.volunteer_id == Volunteer.id).scalar_subquery()
    hours = select(func.max(HoursEntry.created_at)).where(HoursEntry.volunteer_id == Volunteer.id).scalar_subquery()
    return greatest(*[func.coalesce(x, Volunteer.registered_on) for x in (login, referral, hours)])


def cutoff(today: date | None = None) -> datetime:
    """Activity before this moment is quiet."""
    today = today or date.today()
    return datetime.combine(today - timedelta(days=get_settings().quiet_after_days), time.min) + timedelta(days=1)


def quiet_condition(today: date | None = None):
    """``last_activity() < cutoff`` said so that the database can answer it for a county at once: no
    sign-in, referral change or hours since the cutoff (each an anti-join on the recent rows, not a
    look-up per volunteer), and registered before it, unless every kind of activity stands in for the
    day of registering (as ``coalesce`` does in ``last_activity``)."""
    before = cutoff(today)
    open_placement = select(Placement.id).where(Placement.volunteer_id == Volunteer.id, Placement.ended_on.is_(None)).exists()
    kinds = (
        (select(User.id).where(User.id == Volunteer.user_id).correlate(Volunteer), User.last_login_at),
        (select(Referral.id).where(Referral.volunteer_id == Volunteer.id).correlate(Volunteer), Referral.status_changed_at),
        (select(HoursEntry.id).where(HoursEntry.volunteer_id == Volunteer.id).correlate(Volunteer), HoursEntry.created_at),
    )
    return and_(
        Volunteer.status == "active",
        ~open_placement,
        *[~rows.where(at >= before).exists() for rows, at in kinds],
        or_(Volunteer.registered_on < before, and_(*[rows.where(at.is_not(None)).exists() for rows, at in kinds])),
    )


def quiet_scope(principal: Principal, today: date | None = None) -> Select:
    """The quiet volunteers the principal (centre staff) may see, with when they were last active."""
    stmt = select(Volunteer, last_activity().label("last_active")).where(quiet_condition(today))
    return policy.volunteer_scope(stmt, principal)


def list_quiet(session: Session, principal: Principal, *, page: int, page_size: int) -> tuple[list, int]:
    stmt = quiet_scope(principal)
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(Volunteer.id).subquery())) or 0
    rows = session.execute(
        stmt.order_by(last_activity().asc(), Volunteer.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(rows), total


def count_quiet(session: Session, principal: Principal, up_to: int | None = None) -> int:
    """How many of the volunteers the principal may see have gone quiet; with ``up_to``, counted only as
    far as that many and one more, so a county of quiet records is not counted through on every visit."""
    stmt = quiet_scope(principal).with_only_columns(Volunteer.id)
    if up_to is not None:
        stmt = stmt.limit(up_to + 1)
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def spell_key(volunteer_id: int, last_active: datetime | date) -> str:
    """The delivery key of the one re-engagement email of a quiet spell."""
    day = _as_day(last_active)
    return f"{REENGAGEMENT}:{volunteer_id}:{day.isoformat()}"


def _first_emails(since: datetime | None = None, until: datetime | None = None):
    """Each volunteer's first re-engagement email sent (in the window, when given): volunteer_id, at."""
    stmt = select(Delivery.volunteer_id, func.min(Delivery.created_at).label("at")).where(
        Delivery.kind == REENGAGEMENT, Delivery.status == "sent"
    )
    if since is not None and until is not None:
        stmt = stmt.where(Delivery.created_at >= since, Delivery.created_at < until)
    return stmt.group_by(Delivery.volunteer_id).subquery()


def _interested_since(emailed):
    """They said they were interested in a role (a referral, which a started placement comes from) after the email."""
    return select(Referral.id).where(Referral.volunteer_id == Volunteer.id, Referral.created_at >= emailed.c.at).exists()


def started_again(session: Session, principal: Principal) -> int:
    """Re-engaged volunteers who started again: sent a re-engagement email, and since then said they
    were interested in a role or started one."""
    emailed = _first_emails()
    stmt = (
        select(func.count(func.distinct(Volunteer.id)))
        .join(emailed, emailed.c.volunteer_id == Volunteer.id)
        .where(_interested_since(emailed))
    )
    return session.scalar(policy.volunteer_scope(stmt, principal)) or 0


def reengagement_report(session: Session, districts: frozenset[str] | None, start: date, end: date) -> dict[str, Any]:
    """For the pilot lead's report: volunteers sent a re-engagement email in the period, and how many
    of them then started again (said they were interested in a role after that email, at any time up
    to now: the rule of the centre's gone-quiet page); volunteers' home districts; 1 to 4 shown as "<5".

    Both are counted in the database in one pass: each emailed volunteer's first email in the period
    is joined to their latest referral, and started again when that referral is at or after the email
    (the same as "some referral since the email", without a look-up per volunteer)."""
    since, until = datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)
    emailed = _first_emails(since, until)
    latest = select(Referral.volunteer_id, func.max(Referral.created_at).label("at")).group_by(Referral.volunteer_id).subquery()
    stmt = (
        select(func.count(), func.count(latest.c.volunteer_id))
        .select_from(Volunteer)
        .join(emailed, emailed.c.volunteer_id == Volunteer.id)
        .outerjoin(latest, and_(latest.c.volunteer_id == Volunteer.id, latest.c.at >= emailed.c.at))
    )
    if districts is not None:
        stmt = stmt.where(Volunteer.district_gss.in_(districts))
    sent, again = session.execute(stmt).one()
    # Those who started again and those who did not make up the emailed: a breakdown of two.
    hidden = suppress({"again": Cell(again, again), "not": Cell(sent - again, sent - again)}, Cell(sent, sent))
    return {
        "emailed": SUPPRESSED if is_small(sent) else sent,
        "started_again": SUPPRESSED if "again" in hidden else again,
    }


# -- DBS checks due for renewal --------------------------------------------------------------------------
def dbs_due_by(today: date | None = None) -> date:
    """A certificate dated on or before this is due for renewal within the reminders' warning days
    (or is overdue): the same rule as the DBS reminders (brokerage/volunteers/reminders.py)."""
    today = today or date.today()
    return reminders.years_later(today + timedelta(days=reminders.DBS_WARNING_DAYS), -reminders.DBS_VALID_YEARS)


def dbs_expiring_condition(today: date | None = None):
    return and_(
        Volunteer.status == "active",
        Volunteer.dbs_level != "none",
        Volunteer.dbs_certificate_date.is_not(None),
        Volunteer.dbs_update_service.is_(False),
        Volunteer.dbs_certificate_date <= dbs_due_by(today),
    )


def to_reengage(session: Session, today: date | None = None) -> list:
    """Quiet volunteers to send the re-engagement email to: they agreed to be contacted, did not
    ask for no role emails, have an address that is not on the suppression list, and have not had
    this quiet spell's email yet. Rows of id, names, email and last activity."""
    # The last activity of many volunteers at once: joined to each kind's latest per volunteer, rather
    # than looked up volunteer by volunteer as ``last_activity`` does.
    referred = (
        select(Referral.volunteer_id, func.max(Referral.status_changed_at).label("at")).group_by(Referral.volunteer_id).subquery()
    )
    logged = (
        select(HoursEntry.volunteer_id, func.max(HoursEntry.created_at).label("at")).group_by(HoursEntry.volunteer_id).subquery()
    )
    last = greatest(*[func.coalesce(at, Volunteer.registered_on) for at in (User.last_login_at, referred.c.at, logged.c.at)])
    rows = session.execute(
        select(Volunteer.id, Volunteer.first_name, Volunteer.last_name, Volunteer.email, last.label("last_active"))
        .outerjoin(User, User.id == Volunteer.user_id)
        .outerjoin(referred, referred.c.volunteer_id == Volunteer.id)
        .outerjoin(logged, logged.c.volunteer_id == Volunteer.id)
        .where(
            quiet_condition(today),
            Volunteer.contact_consent.is_(True),
            Volunteer.notification_preference != "none",
            Volunteer.email.is_not(None),
        )
        .order_by(Volunteer.id)
    ).all()
    # A county's quiet volunteers are looked up a chunk at a time (a statement takes at most 65,535 values).
    emails = [r.email for r in rows]
    blocked: set[str] = set()
    for i in range(0, len(emails), LOOKUP_CHUNK):
        blocked |= jobs_service.suppressed(session, emails[i : i + LOOKUP_CHUNK])
    keys = {spell_key(r.id, _as_day(r.last_active)): r for r in rows if r.email.strip().lower() not in blocked}
    wanted = list(keys)
    done: set[str] = set()
    for i in range(0, len(wanted), LOOKUP_CHUNK):
        done.update(session.scalars(select(Delivery.key).where(Delivery.key.in_(wanted[i : i + LOOKUP_CHUNK]))))
    return [r for k, r in keys.items() if k not in done]


def _as_day(value) -> date:
    if isinstance(value, str):  # SQLite hands back a date-only value as text
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value


def seen_roles(session: Session, volunteer_id: int) -> set[int]:
    """Roles the volunteer has already been told about, asked about or shown interest in."""
    seen = {r for r in session.scalars(select(Delivery.role_id).where(Delivery.volunteer_id == volunteer_id)) if r is not None}
    seen |= set(session.scalars(select(Referral.role_id).where(Referral.volunteer_id == volunteer_id)))
    seen |= set(session.scalars(select(Invitation.role_id).where(Invitation.volunteer_id == volunteer_id)))
    return seen
