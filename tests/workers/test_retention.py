"""The retention schedule deletes what it says and nothing else: inactive accounts are reminded, then
erased after the grace period unless they came back; unconfirmed import files and rejected-rows
copies go after days; kept email files after weeks; each run leaves an audit entry. It runs daily
from the scheduler."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from brokerage import events
from brokerage.config import get_settings
from brokerage.models import AuditLog, ImportBatch, OutboxMessage, User, Volunteer
from brokerage.volunteers import retention
from tests.factories import ASHFORD

NOW = datetime(2026, 6, 1, 3, 0)
LONG_AGO = NOW - timedelta(days=800)  # past the 24 months of the schedule


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BROKERAGE_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    monkeypatch.undo()
    get_settings.cache_clear()


def _volunteer(db, factory, last_login: datetime | None):
    v = factory.volunteer(ASHFORD)
    user = db.get(User, v.user_id)
    user.created_at = LONG_AGO
    user.last_login_at = last_login
    db.commit()
    return v


def _remind(db, v, at: datetime):
    db.add(AuditLog(action=retention.REMINDED, subject_type="volunteer", subject_id=v.id, at=at))
    db.commit()


def _batch(db, factory, status: str, age_days: int, *, rejected: bool = False) -> ImportBatch:
    b = ImportBatch(
        centre_id=factory.centre(districts=(ASHFORD,)).id,
        kind="volunteers",
        format="csv",
        filename="list.csv",
        content_sha256="0" * 64,
        content=b"first_name,email\nSam,sam@example.org\n" if status != "committed" else None,
        rejected_csv=b"Row,Why\n2,bad\n" if rejected else None,
        status=status,
        problems=[],
        summary={"created": 1},
        created_at=NOW - timedelta(days=age_days),
    )
    db.add(b)
    db.commit()
    return b


def test_the_retention_job_deletes_what_its_schedule_says_and_nothing_else(db, factory, var_dir):
    never_reminded = _volunteer(db, factory, LONG_AGO)
    reminded_long_ago = _volunteer(db, factory, None)
    _remind(db, reminded_long_ago, NOW - timedelta(days=31))
    reminded_lately = _volunteer(db, factory, LONG_AGO)
    _remind(db, reminded_lately, NOW - timedelta(days=10))
    came_back = _volunteer(db, factory, NOW - timedelta(days=5))
    _remind(db, came_back, NOW - timedelta(days=40))
    active = _volunteer(db, factory, NOW - timedelta(days=60))

    old_unconfirmed = _batch(db, factory, "checked", 15)
    new_unconfirmed = _batch(db, factory, "checked", 3)
    old_committed = _batch(db, factory, "committed", 20, rejected=True)

    mail = var_dir / "outbox-mail"
    mail.mkdir(parents=True)
    old_mail, new_mail = mail / "old.eml", mail / "new.eml"
    old_mail.write_text("To: a@example.org\n\nHello\n")
    new_mail.write_text("To: b@example.org\n\nHello\n")
    other = mail / "notes.txt"
    other.write_text("not an email")
    stamp = (NOW - timedelta(weeks=5)).timestamp()
    os.utime(old_mail, (stamp, stamp))
    os.utime(other, (stamp, stamp))
    os.utime(new_mail, ((NOW - timedelta(days=3)).timestamp(),) * 2)

    result = retention.run(db, NOW)
    db.commit()
    db.expire_all()

    assert (result.reminded, result.erased, result.import_files_deleted, result.mail_files_deleted) == (1, 1, 2, 1)
    status = {
        v.id: db.get(Volunteer, v.id).status for v in (never_reminded, reminded_long_ago, reminded_lately, came_back, active)
    }
    assert status == {
        never_reminded.id: "active",
        reminded_long_ago.id: "erased",
        reminded_lately.id: "active",
        came_back.id: "active",
        active.id: "active",
    }
    assert db.get(Volunteer, reminded_long_ago.id).email is None
    reminders = db.scalars(select(OutboxMessage).where(OutboxMessage.actor == events.VolunteerRetentionReminder.name)).all()
    assert [m.payload["volunteer_id"] for m in reminders] == [never_reminded.id]
    assert reminders[0].payload["erase_on"] == (NOW + timedelta(days=30)).date().isoformat()

    old_u, new_u, old_c = (db.get(ImportBatch, b.id) for b in (old_unconfirmed, new_unconfirmed, old_committed))
    assert old_u.content is None and old_u.status == "discarded"
    assert new_u.content is not None and new_u.status == "checked"
    assert old_c.rejected_csv is None and old_c.status == "committed" and old_c.summary == {"created": 1}

    assert not old_mail.exists() and new_mail.exists() and other.exists()
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "retention.run")).one()
    assert entry.detail == {"reminded": 1, "erased": 1, "import_files_deleted": 2, "mail_files_deleted": 1, "concerns_deleted": 0}

    # The next day's run finds nothing more to do.
    again = retention.run(db, NOW + timedelta(days=1))
    assert (again.reminded, again.erased, again.import_files_deleted, again.mail_files_deleted) == (0, 0, 0, 0)


def test_the_schedule_runs_daily_from_the_scheduler():
    from workers.scheduler import JOBS

    assert events.RetentionDue in {job.event for job in JOBS}
    job = next(j for j in JOBS if j.event is events.RetentionDue)
    assert not job.weekly and job.event_for("2026-06-01") == events.RetentionDue(day="2026-06-01")
