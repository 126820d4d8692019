"""Merge two records of one volunteer: referrals (with their history), placements and hours move
to the record kept; skills and causes are combined; blanks in the kept record are filled from the
other. Everything that moved or changed is written down in the merge, so a member of staff can
reverse it until it is confirmed. Every step is audit-logged."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from brokerage import audit, locking
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.interop.dedup import get_candidate
from brokerage.models import (
    DuplicateCandidate,
    HoursEntry,
    Placement,
    Referral,
    ReferralEvent,
    Volunteer,
    VolunteerCause,
    VolunteerMerge,
    VolunteerSkill,
)
from brokerage.vocab.referrals import ACTIVE_REFERRAL_STATUSES
from brokerage import events
from brokerage.outbox import enqueue

FILLED_FIELDS = ("phone", "date_of_birth", "skills_text")
PLACE_FIELDS = ("postcode", "latitude", "longitude", "district_gss")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _from_plain(field: str, value: Any) -> Any:
    if field == "date_of_birth" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _pending_for(session: Session, *volunteer_ids: int) -> VolunteerMerge | None:
    return session.scalar(
        select(VolunteerMerge)
        .where(
            VolunteerMerge.status == "pending",
            (VolunteerMerge.kept_id.in_(volunteer_ids)) | (VolunteerMerge.merged_id.in_(volunteer_ids)),
        )
        .limit(1)
    )


def merge(session: Session, principal: Principal, candidate_id: int, keep_id: int) -> VolunteerMerge:
    candidate, a, b = get_candidate(session, principal, candidate_id)
    candidate = locking.lock(session, DuplicateCandidate, candidate.id)  # merged once
    if candidate.status != "open":
        raise Conflict(f"This pair has already been {candidate.status}.")
    if keep_id not in (a.id, b.id):
        raise InvalidInput("Choose which of the two records to keep.", field="keep_volunteer_id")
    kept, gone = (a, b) if keep_id == a.id else (b, a)
    for v in (kept, gone):
        if v.status in ("erased", "merged") or v.merged_into_id is not None:
            raise Conflict("One of these records has been erased or merged already.")
    if _pending_for(session, kept.id, gone.id) is not None:
        raise Conflict("One of these records is in a merge that is not yet confirmed; confirm or reverse that merge first.")

    moved: dict[str, Any] = {
        "referrals": [],
        "closed_referrals": [],
        "placements": [],
        "hours": [],
        "skills_added": [],
        "causes_added": [],
        "kept_fields": {},
        "merged_fields": {},
        "user_moved": False,
    }
    # Referrals: an active referral to a role the kept record is already active in is closed, then all move.
    kept_active_roles = set(
        session.scalars(
            select(Referral.role_id).where(Referral.volunteer_id == kept.id, Referral.status.in_(ACTIVE_REFERRAL_STATUSES))
        )
    )
    for ref in session.scalars(select(Referral).where(Referral.volunteer_id == gone.id).order_by(Referral.id)).all():
        if ref.status in ACTIVE_REFERRAL_STATUSES and ref.role_id in kept_active_roles:
            event = ReferralEvent(
                referral_id=ref.id,
                from_status=ref.status,
                to_status="withdrawn",
                actor_user_id=principal.user_id,
                note="Closed when two records of the same volunteer were merged; the kept record's referral continues.",
            )
            session.add(event)
            session.flush()
            moved["closed_referrals"].append(
                {"id": ref.id, "status": ref.status, "status_changed_at": ref.status_changed_at.isoformat(), "event_id": event.id}
            )
            ref.status = "withdrawn"
        moved["referrals"].append(ref.id)
    session.flush()
    if moved["referrals"]:
        session.execute(update(Referral).where(Referral.id.in_(moved["referrals"])).values(volunteer_id=kept.id))
    moved["placements"] = list(session.scalars(select(Placement.id).where(Placement.volunteer_id == gone.id)))
    if moved["placements"]:
        session.execute(update(Placement).where(Placement.id.in_(moved["placements"])).values(volunteer_id=kept.id))
    moved["hours"] = list(session.scalars(select(HoursEntry.id).where(HoursEntry.volunteer_id == gone.id)))
    if moved["hours"]:
        session.execute(update(HoursEntry).where(HoursEntry.id.in_(moved["hours"])).values(volunteer_id=kept.id))

    # Skills and causes: the union.
    moved["skills_added"] = sorted(set(gone.skills) - set(kept.skills))
    moved["causes_added"] = sorted(set(gone.causes) - set(kept.causes))
    kept.skill_links.extend(VolunteerSkill(skill_id=s) for s in moved["skills_added"])
    kept.cause_links.extend(VolunteerCause(cause_id=c) for c in moved["causes_added"])

    # Blanks in the kept record are filled from the other.
    for f in FILLED_FIELDS:
        if getattr(kept, f) in (None, "") and getattr(gone, f) not in (None, ""):
            moved["kept_fields"][f] = _plain(getattr(kept, f))
            setattr(kept, f, getattr(gone, f))
    if not kept.postcode and gone.postcode:
        for f in PLACE_FIELDS:
            moved["kept_fields"][f] = getattr(kept, f)
            setattr(kept, f, getattr(gone, f))
    moved["merged_fields"] = {"status": gone.status, "email_normalised": gone.email_normalised, "user_id": gone.user_id}
    take_email = not kept.email and gone.email
    gone.email_normalised = None
    if kept.user_id is None and gone.user_id is not None:
        moved["user_moved"] = True
        user_id, gone.user_id = gone.user_id, None
    else:
        user_id = None
    gone.status, gone.merged_into_id = "merged", kept.id
    session.flush()
    if take_email:
        moved["kept_fields"].update(email=kept.email, email_normalised=kept.email_normalised)
        kept.email, kept.email_normalised = gone.email, moved["merged_fields"]["email_normalised"]
    if user_id is not None:
        kept.user_id = user_id

    record = VolunteerMerge(
        kept_id=kept.id,
        merged_id=gone.id,
        candidate_id=candidate.id,
        status="pending",
        moved=moved,
        merged_by_id=principal.user_id,
        merged_at=utcnow(),
    )
    session.add(record)
    candidate.status, candidate.reviewed_by_id, candidate.reviewed_at = "merged", principal.user_id, utcnow()
    session.flush()
    audit.record(
        session,
        principal,
        "volunteer.merge",
        "volunteer",
        kept.id,
        merged_volunteer_id=gone.id,
        merge_id=record.id,
        referrals=len(moved["referrals"]),
        placements=len(moved["placements"]),
        hours_entries=len(moved["hours"]),
    )
    enqueue(session, events.VolunteerUpdated(volunteer_id=kept.id))
    for placement_id in moved["placements"]:  # the county figures follow the hours to the record kept
        enqueue(session, events.RollupRefresh(placement_id=placement_id))
    return record


def _records(session: Session, record: VolunteerMerge) -> tuple[Volunteer, Volunteer]:
    """The record kept and the record merged into it (a merge whose records are gone is not found)."""
    kept, gone = session.get(Volunteer, record.kept_id), session.get(Volunteer, record.merged_id)
    if kept is None or gone is None:
        raise NotFound("There is no merge with that id.")
    return kept, gone


def get_merge(session: Session, principal: Principal, merge_id: int) -> VolunteerMerge:
    record = session.get(VolunteerMerge, merge_id)
    if record is None:
        raise NotFound("There is no merge with that id.")
    if not principal.is_staff:
        raise Forbidden("Only volunteer centre staff can review merges.")
    kept, gone = _records(session, record)
    if not (
        policy.can_see_volunteer(principal, kept)
        and (policy.can_see_volunteer(principal, gone) or gone.merged_into_id == kept.id)
    ):
        raise NotFound("There is no merge with that id.")
    return record


def list_pending(session: Session, principal: Principal) -> list[tuple[VolunteerMerge, Volunteer, Volunteer]]:
    """Merges waiting for a member of staff to confirm or reverse them, that this principal may review."""
    if not principal.is_staff:
        raise Forbidden("Only volunteer centre staff can review merges.")
    out = []
    for record in session.scalars(
        select(VolunteerMerge).where(VolunteerMerge.status == "pending").order_by(VolunteerMerge.merged_at)
    ):
        kept, gone = session.get(Volunteer, record.kept_id), session.get(Volunteer, record.merged_id)
        if kept is None or gone is None:
            continue
        if policy.can_see_volunteer(principal, kept) and (
            policy.can_see_volunteer(principal, gone) or gone.merged_into_id == kept.id
        ):
            out.append((record, kept, gone))
    return out


def confirm(session: Session, principal: Principal, merge_id: int) -> VolunteerMerge:
    record = get_merge(session, principal, merge_id)
    record = locking.lock(session, VolunteerMerge, record.id)  # decided once
    if record.status != "pending":
        raise Conflict(f"This merge has already been {record.status}.")
    record.status, record.decided_by_id, record.decided_at = "confirmed", principal.user_id, utcnow()
    audit.record(
        session,
        principal,
        "volunteer.merge_confirmed",
        "volunteer",
        record.kept_id,
        merged_volunteer_id=record.merged_id,
        merge_id=record.id,
    )
    return record


def reverse(session: Session, principal: Principal, merge_id: int) -> VolunteerMerge:
    record = get_merge(session, principal, merge_id)
    record = locking.lock(session, VolunteerMerge, record.id)  # decided once
    if record.status != "pending":
        raise Conflict(
            "Only a merge that has not been confirmed can be reversed."
            if record.status == "confirmed"
            else "This merge has already been reversed."
        )
    moved = record.moved
    kept, gone = _records(session, record)
    if moved["hours"]:
        session.execute(update(HoursEntry).where(HoursEntry.id.in_(moved["hours"])).values(volunteer_id=gone.id))
    if moved["placements"]:
        session.execute(update(Placement).where(Placement.id.in_(moved["placements"])).values(volunteer_id=gone.id))
    if moved["referrals"]:
        session.execute(update(Referral).where(Referral.id.in_(moved["referrals"])).values(volunteer_id=gone.id))
    session.flush()
    from datetime import datetime

    for closed in moved["closed_referrals"]:
        ref = session.get(Referral, closed["id"])
        if ref is None:
            continue
        ref.status = closed["status"]
        ref.status_changed_at = datetime.fromisoformat(closed["status_changed_at"])
        event = session.get(ReferralEvent, closed["event_id"])
        if event is not None:
            session.delete(event)
    kept.skill_links = [link for link in kept.skill_links if link.skill_id not in set(moved["skills_added"])]
    kept.cause_links = [link for link in kept.cause_links if link.cause_id not in set(moved["causes_added"])]
    fields = dict(moved["kept_fields"])
    email_fields = {k: fields.pop(k) for k in ("email", "email_normalised") if k in fields}
    if email_fields:
        kept.email, kept.email_normalised = email_fields["email"], email_fields["email_normalised"]
    for f, value in fields.items():
        setattr(kept, f, _from_plain(f, value))
    if moved["user_moved"]:
        kept.user_id = None
    session.flush()
    gone.status = moved["merged_fields"]["status"]
    gone.email_normalised = moved["merged_fields"]["email_normalised"]
    gone.user_id = moved["merged_fields"]["user_id"]
    gone.merged_into_id = None
    if record.candidate_id is not None:
        candidate = session.get(DuplicateCandidate, record.candidate_id)
        if candidate is not None:
            candidate.status = "open"
    record.status, record.decided_by_id, record.decided_at = "reversed", principal.user_id, utcnow()
    session.flush()
    audit.record(
        session, principal, "volunteer.merge_reversed", "volunteer", kept.id, merged_volunteer_id=gone.id, merge_id=record.id
    )
    enqueue(session, events.VolunteerUpdated(volunteer_id=kept.id))
    enqueue(session, events.VolunteerUpdated(volunteer_id=gone.id))
    for placement_id in moved["placements"]:
        enqueue(session, events.RollupRefresh(placement_id=placement_id))
    return record
