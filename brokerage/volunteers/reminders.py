"""Who the periodic reminders to volunteers are due to today, and the keys that make each one go
once. The daily job sends what is due; the demo seed records what a running service would already
have sent, with the same rules and keys, so that a first start does not mail a backlog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from brokerage.models import Placement, Referral, Role, Volunteer
from brokerage.vocab.referrals import ACTIVE_REFERRAL_STATUSES

# A DBS certificate without the update service is treated as due for renewal this many years after
# its date; the first reminder goes this many days before that, and the one saying it has passed
# goes only in as many days after it (a check that ran out long ago is not news).
DBS_VALID_YEARS = 3
DBS_WARNING_DAYS = 60


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return (day - timedelta(days=1)).replace(year=day.year + years)


@dataclass(frozen=True)
class DbsReminder:
    volunteer_id: int
    first_name: str
    last_name: str
    email: str
    certificate_date: date
    renew_by: date
    expired: bool

    @property
    def key(self) -> str:
        """One reminder before the renewal date and one after it, per certificate."""
        return f"dbs_{'expired' if self.expired else 'reminder'}:{self.volunteer_id}:{self.certificate_date}"


def dbs_reminders_due(
    session: Session, today: date, *, valid_years: int = DBS_VALID_YEARS, warning_days: int = DBS_WARNING_DAYS
) -> list[DbsReminder]:
    """Volunteers in a role that needs a DBS check (placed, or referred and still open) whose
    certificate, without the update service, is due for renewal within ``warning_days`` or ran out
    within the last ``warning_days``."""
    oldest = years_later(today - timedelta(days=warning_days), -valid_years)
    newest = years_later(today + timedelta(days=warning_days), -valid_years)
    needs_dbs = Role.dbs_level != "none"
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
            Volunteer.dbs_certificate_date >= oldest,
            Volunteer.dbs_certificate_date <= newest,
            Volunteer.dbs_update_service.is_(False),
            or_(Volunteer.id.in_(in_placement), Volunteer.id.in_(in_referral)),
        )
        .order_by(Volunteer.id)
    ).all()
    due = []
    for r in rows:
        renew_by = years_later(r.dbs_certificate_date, valid_years)
        due.append(DbsReminder(r.id, r.first_name, r.last_name, r.email, r.dbs_certificate_date, renew_by, renew_by < today))
    return due


def digest_week_key(week: str) -> str:
    """The claim that a week's digest has been split into jobs (once per ISO week)."""
    return f"digest.weekly:{week}"


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
