"""Erasure beyond the volunteer's own row: free text that names them, stored emails and files.

``volunteers.service.erase`` blanks the person's record and keeps the anonymous aggregates (hours,
placements, referrals' statuses, district, birth year). This module finds them everywhere else the
product may have written them, as the privacy page promises (docs/security.md, "Erasure"):

- their hours' activity text and query notes, and their referrals' notes, with their names removed;
- the rows an import file held about them: an unconfirmed file that mentions them is discarded, and
  the rejected-rows copy and the problems list of any import lose it;
- outbox payloads, the audit trail's details and merge records that quote their name, email or phone;
- the delivery log's copy of their address and the unsubscribe list's entry for it;
- copies of emails sent to them that are kept as files (``var/outbox-mail/*.eml``);
- safeguarding concerns about them or raised by them: the case stays (its dates, status and outcome)
  with their name, email, phone, postcode and date of birth removed from its text and notes; the
  certificate dates of the DBS checks their placements relied on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from brokerage.config import get_settings
from brokerage.models import (
    AuditLog,
    Delivery,
    EmailSuppression,
    HoursEntry,
    ImportBatch,
    OutboxMessage,
    Placement,
    Referral,
    ReferralEvent,
    SafeguardingConcern,
    SafeguardingNote,
    Volunteer,
    VolunteerMerge,
)

logger = logging.getLogger(__name__)

REMOVED = "[removed]"


@dataclass(frozen=True)
class Identity:
    """What identifies a person in free text, captured before their record is blanked."""

    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    postcode: str | None
    date_of_birth: date | None

    @classmethod
    def of(cls, v: Volunteer) -> "Identity":
        return cls(v.first_name or "", v.last_name or "", v.email, v.phone, v.postcode, v.date_of_birth)

    def strong(self) -> list[str]:
        """Strings that point at this person wherever they appear (searched across tables)."""
        found = [f"{self.first_name} {self.last_name}".strip(), self.email or "", self.phone or "", self.postcode or ""]
        if self.phone:
            digits = re.sub(r"\D", "", self.phone)
            found.append(digits)
        if self.date_of_birth:
            d = self.date_of_birth
            found += [d.isoformat(), f"{d:%d/%m/%Y}"]
        return [s for s in dict.fromkeys(found) if len(s) >= 5]

    def words(self) -> list[str]:
        """Their names on their own (removed only from text that is about them)."""
        return [w for w in (self.first_name, self.last_name) if len(w) >= 2]


def scrub(text: str | None, identity: Identity, *, names_too: bool = True) -> str | None:
    if not text:
        return text
    for s in identity.strong():
        text = re.sub(re.escape(s), REMOVED, text, flags=re.IGNORECASE)
    if names_too:
        for w in identity.words():
            text = re.sub(rf"\b{re.escape(w)}\b", REMOVED, text, flags=re.IGNORECASE)
    return text


def _scrub_json(value: Any, identity: Identity) -> Any:
    if isinstance(value, str):
        return scrub(value, identity, names_too=False)
    if isinstance(value, list):
        return [_scrub_json(v, identity) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, identity) for k, v in value.items()}
    return value


def _mentions(column: Any, identity: Identity) -> Any:
    return or_(*[cast(column, String).ilike(f"%{s}%") for s in identity.strong()])


def _mentions_bytes(content: bytes | None, identity: Identity, filename: str) -> bool:
    if not content:
        return False
    needles = [s.lower() for s in identity.strong()]
    if content[:2] != b"PK":  # text (CSV, JSON): read as it is
        text = content.decode("utf-8", errors="ignore").lower()
        return any(n in text for n in needles)
    from brokerage.interop.imports.reader import read_table

    try:
        table = read_table(content, filename)
        lines = (" ".join(cells).lower() for _, cells in table.records())
        return any(n in line for line in lines for n in needles)
    except Exception:  # a file that no longer opens cannot be checked: keep no copy of it
        return True


def scrub_free_text(session: Session, volunteer_id: int, identity: Identity) -> None:
    for entry in session.scalars(select(HoursEntry).where(HoursEntry.volunteer_id == volunteer_id)):
        entry.activity = scrub(entry.activity, identity)
        entry.query_note = scrub(entry.query_note, identity)
    referral_ids = select(Referral.id).where(Referral.volunteer_id == volunteer_id)
    for ref in session.scalars(select(Referral).where(Referral.volunteer_id == volunteer_id)):
        ref.message = None
    for event in session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id.in_(referral_ids))):
        event.note = scrub(event.note, identity)


def scrub_safeguarding(session: Session, volunteer_id: int, user_id: int | None, identity: Identity) -> None:
    about = SafeguardingConcern.volunteer_id == volunteer_id
    if user_id is not None:
        about = or_(about, SafeguardingConcern.raised_by_user_id == user_id)
    for concern in session.scalars(select(SafeguardingConcern).where(about)):
        concern.concern = scrub(concern.concern, identity) or ""
        concern.outcome_note = scrub(concern.outcome_note, identity)
        concern.subject_label = scrub(concern.subject_label, identity)
        for note in session.scalars(select(SafeguardingNote).where(SafeguardingNote.concern_id == concern.id)):
            note.body = scrub(note.body, identity) or ""
    session.execute(update(Placement).where(Placement.volunteer_id == volunteer_id).values(dbs_certificate_date=None))


def scrub_stored_records(session: Session, volunteer_id: int, identity: Identity) -> None:
    if not identity.strong():
        return
    for model, column in (
        (OutboxMessage, OutboxMessage.payload),
        (AuditLog, AuditLog.detail),
        (VolunteerMerge, VolunteerMerge.moved),
    ):
        for row in session.scalars(select(model).where(_mentions(column, identity))):
            setattr(row, column.key, _scrub_json(getattr(row, column.key), identity))
    for row in session.scalars(select(OutboxMessage).where(_mentions(OutboxMessage.last_error, identity))):
        row.last_error = scrub(row.last_error, identity, names_too=False)
    for row in session.scalars(select(ImportBatch).where(_mentions(ImportBatch.problems, identity))):
        row.problems = _scrub_json(row.problems, identity)
    batches = session.execute(
        select(ImportBatch.id, ImportBatch.filename).where(
            or_(ImportBatch.content.is_not(None), ImportBatch.rejected_csv.is_not(None))
        )
    ).all()
    for batch_id, filename in batches:
        batch = session.get_one(ImportBatch, batch_id)
        if _mentions_bytes(batch.rejected_csv, identity, "rejected.csv"):
            batch.rejected_csv = None
        if _mentions_bytes(batch.content, identity, filename):
            batch.content = None
            if batch.status != "committed":
                batch.status = "discarded"  # the file is gone: upload it again without them
        session.flush()
        session.expunge(batch)  # files can be large: keep one in memory at a time
    session.execute(update(Delivery).where(Delivery.volunteer_id == volunteer_id).values(recipient=None))
    if identity.email:
        address = identity.email.strip().lower()
        session.execute(update(Delivery).where(Delivery.recipient.ilike(address)).values(recipient=None))
        session.execute(delete(EmailSuppression).where(EmailSuppression.email_normalised == address))


def mail_files_dir() -> Path:
    return get_settings().var_dir / "outbox-mail"


def mail_files_mentioning(identity: Identity, directory: Path | None = None) -> Iterable[Path]:
    directory = directory or mail_files_dir()
    if not directory.is_dir():
        return []
    needles = [s.lower().encode() for s in identity.strong() if "@" in s or s.isdigit()]
    if not needles:
        return []
    found = []
    for path in directory.glob("*.eml"):
        try:
            data = path.read_bytes().lower()
        except OSError:
            continue
        if any(n in data for n in needles):
            found.append(path)
    return found


def delete_mail_files(identity: Identity) -> int:
    """Remove kept copies of emails sent to the person (files are outside the transaction: deleting
    a copy of a sent email is harmless even if the erasure were then rolled back)."""
    removed = 0
    for path in mail_files_mentioning(identity):
        try:
            path.unlink()
            removed += 1
        except OSError:
            logger.warning("Could not delete a kept email file during an erasure")
    return removed
