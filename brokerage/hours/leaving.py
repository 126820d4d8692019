"""Leaving well: when a placement ends the volunteer and the organisation each say why, from a short
list, with an optional note; four weeks into a placement the volunteer is asked one question, how
satisfied they are. The reports count both, with small numbers suppressed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput
from brokerage.hours.service import load_placement
from brokerage.models import Organisation, Placement, Role, Volunteer
from brokerage.reports.definitions import Cell
from brokerage.reports.suppression import SUPPRESSED, suppress
from brokerage.vocab.placements import EXIT_REASON, SATISFACTION

SATISFACTION_AFTER_DAYS = 28  # asked four weeks into a placement
SATISFACTION_WINDOW_DAYS = 28  # and not for placements that began long before the question existed
MAX_NOTE = 1000


def _note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidInput(f"Keep the note to {MAX_NOTE} characters.", field="note")
    return note


def side_of(principal: Principal, placement: Placement, volunteer: Volunteer, role: Role) -> str:
    """Which side of the placement this person speaks for: the volunteer or the organisation."""
    if principal.is_volunteer and principal.volunteer_id == placement.volunteer_id:
        return "volunteer"
    if policy.can_review_hours(principal, placement, volunteer, role):
        return "organisation"
    raise Forbidden("Only the volunteer and the organisation can say why a placement ended.")


def record_exit(
    session: Session, principal: Principal, placement_id: int, reason: str | None, note: str | None
) -> tuple[Placement, str]:
    """Record this side's reason the placement ended (it may be changed later)."""
    placement, volunteer, role = load_placement(session, principal, placement_id)
    side = side_of(principal, placement, volunteer, role)
    if placement.ended_on is None:
        raise Conflict("This placement has not ended.")
    if reason not in EXIT_REASON:
        raise InvalidInput("Select the reason the placement ended.", field="reason")
    if side == "volunteer":
        placement.volunteer_exit_reason, placement.volunteer_exit_note = reason, _note(note)
    else:
        placement.organisation_exit_reason, placement.organisation_exit_note = reason, _note(note)
    return placement, side


def record_satisfaction(session: Session, principal: Principal, placement_id: int, answer: str | None) -> Placement:
    placement, _volunteer, _role = load_placement(session, principal, placement_id)
    if not (principal.is_volunteer and principal.volunteer_id == placement.volunteer_id):
        raise Forbidden("Only the volunteer answers this question.")
    if answer not in SATISFACTION:
        raise InvalidInput("Select how satisfied you are.", field="satisfaction")
    placement.satisfaction, placement.satisfaction_at = answer, utcnow()
    return placement


@dataclass(frozen=True, slots=True)
class Question:
    placement_id: int
    volunteer_id: int
    email: str
    first_name: str
    last_name: str
    role_title: str
    organisation_name: str


def satisfaction_due(session: Session, today: date) -> list[Question]:
    """Placements four weeks old (up to eight), still going and not yet answered, whose volunteer
    agreed to be contacted."""
    newest = today - timedelta(days=SATISFACTION_AFTER_DAYS)
    rows = session.execute(
        select(
            Placement.id, Volunteer.id, Volunteer.email, Volunteer.first_name, Volunteer.last_name, Role.title, Organisation.name
        )
        .join(Volunteer, Volunteer.id == Placement.volunteer_id)
        .join(Role, Role.id == Placement.role_id)
        .join(Organisation, Organisation.id == Placement.organisation_id)
        .where(
            Placement.started_on <= newest,
            Placement.started_on > newest - timedelta(days=SATISFACTION_WINDOW_DAYS),
            Placement.ended_on.is_(None),
            Placement.satisfaction.is_(None),
            Volunteer.status == "active",
            Volunteer.email.is_not(None),
            Volunteer.contact_consent.is_(True),
        )
        .order_by(Placement.id)
    ).all()
    return [Question(pid, vid, str(email), first, last, title, org) for pid, vid, email, first, last, title, org in rows]


# -- the report --------------------------------------------------------------------------------------
def _shown(counts: Counter[str], codes: tuple[str, ...]) -> tuple[dict[str, Any], Any]:
    cells = {c: Cell(counts.get(c, 0), counts.get(c, 0)) for c in codes}
    total_n = sum(counts.values())
    total = Cell(total_n, total_n)
    hidden = suppress(cells, total)
    shown = {c: (SUPPRESSED if c in hidden else cells[c].value) for c in codes}
    return shown, (SUPPRESSED if 0 < total_n < 5 else total_n)


def report(session: Session, districts: frozenset[str] | None, start: date, end: date) -> dict[str, Any]:
    """Why placements that ended in the period ended (each side), and the satisfaction answers
    given in the period; volunteers' home districts; figures of 1 to 4 shown as "<5"."""
    ended = select(Placement.volunteer_exit_reason, Placement.organisation_exit_reason).join(
        Volunteer, Volunteer.id == Placement.volunteer_id
    )
    answers = select(Placement.satisfaction).join(Volunteer, Volunteer.id == Placement.volunteer_id)
    if districts is not None:
        ended = ended.where(Volunteer.district_gss.in_(districts))
        answers = answers.where(Volunteer.district_gss.in_(districts))
    ended = ended.where(Placement.ended_on >= start, Placement.ended_on <= end)
    since, until = datetime.combine(start, datetime.min.time()), datetime.combine(end + timedelta(days=1), datetime.min.time())
    answers = answers.where(Placement.satisfaction_at >= since, Placement.satisfaction_at < until)
    rows = session.execute(ended).all()
    by_volunteer = Counter(v for v, _ in rows if v)
    by_organisation = Counter(o for _, o in rows if o)
    volunteer_shown, volunteer_total = _shown(by_volunteer, EXIT_REASON.codes)
    organisation_shown, organisation_total = _shown(by_organisation, EXIT_REASON.codes)
    satisfaction = Counter(a for a in session.scalars(answers) if a)
    satisfaction_shown, satisfaction_total = _shown(satisfaction, SATISFACTION.codes)
    return {
        "exit_reasons": [
            {"code": c, "reason": EXIT_REASON.label(c), "volunteer": volunteer_shown[c], "organisation": organisation_shown[c]}
            for c in EXIT_REASON.codes
        ],
        "exit_totals": {"volunteer": volunteer_total, "organisation": organisation_total},
        "satisfaction": [
            {"code": c, "answer": SATISFACTION.label(c), "count": satisfaction_shown[c]} for c in SATISFACTION.codes
        ],
        "satisfaction_total": satisfaction_total,
    }
