"""The retention schedule (docs/security.md, "Retention"), run every day by the scheduler.

- **Inactive volunteer accounts.** A volunteer who has not signed in, logged hours or said they were
  interested in a role for ``retention_inactive_months`` is sent a reminder; if they are still
  inactive ``retention_erase_after_reminder_days`` after it, their account is erased exactly as if
  they had deleted it themselves (anonymous aggregates stay). Signing in, logging hours or saying
  they are interested cancels it.
- **Import files.** An uploaded file that was never confirmed, and the rejected-rows copy of any
  import, are deleted ``retention_import_file_days`` after the upload; the report of what was checked
  and imported stays.
- **Safeguarding concerns.** A closed concern, with its notes and outcome, is deleted
  ``retention_safeguarding_years`` years after it was closed; open concerns are kept.
- **Kept email files.** Copies of sent emails kept as ``.eml`` files (when no mail server is set) are
  deleted ``retention_mail_file_weeks`` weeks after they were written.

Each run writes one audit entry with what it did; reminders are recorded in the audit trail too
(that record is what the erasure's date is counted from).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session

from brokerage import audit, events
from brokerage.config import get_settings
from brokerage.models import AuditLog, HoursEntry, ImportBatch, Referral, SafeguardingConcern, SafeguardingNote, User, Volunteer
from brokerage.outbox import enqueue
from brokerage.volunteers import erasure
from brokerage.volunteers import service as volunteers_service

logger = logging.getLogger(__name__)

REMINDED = "volunteer.retention_reminder"


@dataclass
class RetentionResult:
    reminded: int = 0
    erased: int = 0
    import_files_deleted: int = 0
    mail_files_deleted: int = 0
    concerns_deleted: int = 0


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, 28))


def _inactive_since(cutoff: datetime):
    """Volunteers with an account and no sign-in, hours or interest since ``cutoff``."""
    hours = exists().where(HoursEntry.volunteer_id == Volunteer.id, HoursEntry.created_at >= cutoff)
    interest = exists().where(Referral.volunteer_id == Volunteer.id, Referral.created_at >= cutoff)
    return (
        select(Volunteer.id)
        .join(User, User.id == Volunteer.user_id)
        .where(
            Volunteer.status == "active",
            func.coalesce(User.last_login_at, User.created_at) < cutoff,
            ~hours,
            ~interest,
        )
    )


def _last_reminders(session: Session, ids: list[int]) -> dict[int, datetime]:
    if not ids:
        return {}
    rows = session.execute(
        select(AuditLog.subject_id, func.max(AuditLog.at))
        .where(AuditLog.action == REMINDED, AuditLog.subject_type == "volunteer", AuditLog.subject_id.in_(ids))
        .group_by(AuditLog.subject_id)
    ).all()
    return {int(vid): at for vid, at in rows if vid is not None}


def _inactive_accounts(session: Session, now: datetime, result: RetentionResult) -> None:
    settings = get_settings()
    cutoff = datetime.combine(_months_before(now.date(), settings.retention_inactive_months), time())
    ids = list(session.scalars(_inactive_since(cutoff).order_by(Volunteer.id)))
    reminded = _last_reminders(session, ids)
    grace = timedelta(days=settings.retention_erase_after_reminder_days)
    for vid in ids:
        at = reminded.get(vid)
        if at is None or at < cutoff:  # never reminded in this stretch of inactivity
            audit.record(session, None, REMINDED, "volunteer", vid, by="retention schedule")
            enqueue(session, events.VolunteerRetentionReminder(volunteer_id=vid, erase_on=(now + grace).date().isoformat()))
            result.reminded += 1
        elif now - at >= grace:
            volunteer = session.get(Volunteer, vid)
            if volunteer is not None:
                erase_record(session, volunteer)
                result.erased += 1


def erase_record(session: Session, volunteer: Volunteer) -> None:
    volunteers_service.erase_volunteer(session, volunteer, None, by="retention schedule")


def _import_files(session: Session, now: datetime, result: RetentionResult) -> None:
    cutoff = now - timedelta(days=get_settings().retention_import_file_days)
    old = session.scalars(
        select(ImportBatch).where(
            ImportBatch.created_at < cutoff,
            or_(ImportBatch.content.is_not(None), ImportBatch.rejected_csv.is_not(None)),
        )
    ).all()
    for batch in old:
        batch.content = None
        batch.rejected_csv = None
        if batch.status != "committed":
            batch.status = "discarded"
        result.import_files_deleted += 1


def _concerns(session: Session, now: datetime, result: RetentionResult) -> None:
    years = get_settings().retention_safeguarding_years
    cutoff = now.replace(year=now.year - years) if not (now.month == 2 and now.day == 29) else now - timedelta(days=365 * years)
    old = SafeguardingConcern.status == "closed", SafeguardingConcern.closed_at < cutoff
    result.concerns_deleted = session.scalar(select(func.count()).select_from(SafeguardingConcern).where(*old)) or 0
    if result.concerns_deleted:
        ids = select(SafeguardingConcern.id).where(*old)
        session.execute(delete(SafeguardingNote).where(SafeguardingNote.concern_id.in_(ids)))
        session.execute(delete(SafeguardingConcern).where(*old))


def _mail_files(now: datetime, result: RetentionResult, directory: Path | None = None) -> None:
    directory = directory or erasure.mail_files_dir()
    if not directory.is_dir():
        return
    cutoff = (now - timedelta(weeks=get_settings().retention_mail_file_weeks)).timestamp()
    for path in directory.glob("*.eml"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                result.mail_files_deleted += 1
        except OSError:
            logger.warning("Could not delete an old email file")


def run(session: Session, now: datetime | None = None) -> RetentionResult:
    """One day's run of the schedule, in the caller's transaction."""
    now = now or datetime.now()
    result = RetentionResult()
    _inactive_accounts(session, now, result)
    _import_files(session, now, result)
    _concerns(session, now, result)
    _mail_files(now, result)
    audit.record(session, None, "retention.run", "system", None, **asdict(result))
    return result
