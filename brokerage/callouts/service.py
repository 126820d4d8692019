"""Emergency call-outs.

* **Opting in.** A volunteer says they could respond in an emergency: where (districts, a distance
  from their postcode, or both) and when (weekly time slots). Opting out deletes it. It is ordinary
  personal data, seen only by the volunteer, centre staff (for volunteers they can see) and pilot leads.
* **Raising.** Centre staff (for their centre) and pilot leads raise a call-out: a place (postcode),
  a time window, skills wanted and how many people are needed. A centre may raise at most
  ``callout_max_per_hour`` in an hour (a pilot lead without a centre counts their own), checked under
  a lock on the centre's row. Raising records ``callout.raised`` in the same transaction.
* **Batches.** The worker picks opted-in adults whose area covers the place and whose times overlap
  the window, who have not yet been asked about this call-out: those with the wanted skills first,
  then the nearest first. It emails ``batch_size`` of them (the larger of needed ×
  ``callout_batch_factor`` and ``callout_batch_minimum``). The next batch goes when those still to
  answer could no longer fill the call-out, or when a batch has had ``callout_batch_wait_seconds``
  to answer, until enough have said yes or there is no one left to ask. Each person asked is a row,
  unique per call-out and volunteer: no one is asked twice.
* **Answers.** The email's signed, expiring links open a page where the volunteer says yes or no.
  A yes takes a place by a conditional update (``accepted < needed``), so two people answering at
  once for the last place cannot both get it: the second is told it is full.

Raising, every batch and every answer are written to the audit trail (ids and counts only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from brokerage import audit, events, locking
from brokerage.auth import policy, tokens
from brokerage.auth.principal import Principal
from brokerage.config import get_settings
from brokerage.db import utcnow
from brokerage.errors import Forbidden, InvalidInput, NotFound, TooManyRequests
from brokerage.geo import default_gazetteer, haversine_miles
from brokerage.geo.lookup import locate
from brokerage.jobs import service as jobs_service
from brokerage.models import Callout, CalloutInvitation, Centre, EmergencyAvailability, User, Volunteer, VolunteerSkill
from brokerage.outbox import enqueue
from brokerage.vocab import taxonomies
from brokerage.vocab.slots import ALL_SLOTS, describe_slots, mask_to_slots, slots_to_mask
from brokerage.volunteers import guardians

ZONE = ZoneInfo("Europe/London")
OPEN, FILLED, EXHAUSTED, CLOSED = "open", "filled", "exhausted", "closed"
EMAILED, ACCEPTED, DECLINED, TOO_LATE = "emailed", "accepted", "declined", "too_late"
ANSWER_PAGE = "/callouts/answer"
STAFF_ONLY = "Only volunteer centre staff and pilot leads can raise or see emergency call-outs."
AVAILABILITY_ONLY = "Only the volunteer, volunteer centre staff and pilot leads can see emergency call-out availability."
NO_CALLOUT = "There is no call-out with that id."


def local_now() -> datetime:
    """Now, as a wall-clock time in Kent (call-out windows are kept as local times, as sessions are)."""
    return datetime.now(ZONE).replace(tzinfo=None)


def as_local(moment: datetime) -> datetime:
    """A time from the API or a form as Kent wall-clock time (one with a zone is converted)."""
    return moment.astimezone(ZONE).replace(tzinfo=None) if moment.tzinfo is not None else moment


# -- opting in ---------------------------------------------------------------------------------------------
def _own_volunteer(session: Session, principal: Principal) -> Volunteer:
    if not principal.is_volunteer or principal.volunteer_id is None:
        raise Forbidden("Only volunteers opt in to emergency call-outs.")
    volunteer = session.get(Volunteer, principal.volunteer_id)
    if volunteer is None or volunteer.status != "active":
        raise NotFound("There is no volunteer record for this account.")
    return volunteer


def availability_for(session: Session, principal: Principal, volunteer_id: int | None = None):
    """(volunteer, their opt-in or None): the signed-in volunteer's own, or one a centre's staff can
    see, or any for a pilot lead."""
    if volunteer_id is None:
        volunteer = _own_volunteer(session, principal)
    else:
        if not (principal.is_volunteer or principal.is_staff or principal.is_pilot_lead):
            raise Forbidden(AVAILABILITY_ONLY)
        found = session.get(Volunteer, volunteer_id)
        if (
            found is None
            or found.status == "erased"
            or (not principal.is_pilot_lead and not policy.can_see_volunteer(principal, found))
        ):
            raise NotFound("There is no volunteer with that id.")
        volunteer = found
    return volunteer, session.get(EmergencyAvailability, volunteer.id)


def _check_districts(codes: list[str]) -> list[str]:
    known = {d.gss for d in default_gazetteer().districts() if d.lat is not None}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(
            f"Unknown district: {', '.join(unknown)}. Use the GSS codes from GET /districts.", field="district_codes"
        )
    return sorted(set(codes))


def opt_in(
    session: Session, principal: Principal, *, district_codes: list[str], radius_miles: float | None, slots: list[str]
) -> EmergencyAvailability:
    volunteer = _own_volunteer(session, principal)
    codes = _check_districts(district_codes)
    mask = slots_to_mask(slots)
    if not mask:
        raise InvalidInput("Choose at least one time you could respond.", field="slots")
    if radius_miles is not None and (volunteer.latitude is None or volunteer.longitude is None):
        raise InvalidInput(
            "Add your postcode to your profile to be asked about call-outs within a distance of it, or choose districts.",
            field="radius_miles",
        )
    row = session.get(EmergencyAvailability, volunteer.id)
    if row is None:
        row = EmergencyAvailability(volunteer_id=volunteer.id, created_at=utcnow())
        session.add(row)
    row.district_codes, row.radius_miles, row.slot_mask, row.updated_at = codes, radius_miles, mask, utcnow()
    session.flush()
    return row


def opt_out(session: Session, principal: Principal) -> None:
    volunteer = _own_volunteer(session, principal)
    session.execute(delete(EmergencyAvailability).where(EmergencyAvailability.volunteer_id == volunteer.id))


def availability_view(volunteer: Volunteer, row: EmergencyAvailability | None) -> dict:
    if row is None:
        return {"volunteer_id": volunteer.id, "opted_in": False}
    return {
        "volunteer_id": volunteer.id,
        "opted_in": True,
        "district_codes": list(row.district_codes or []),
        "radius_miles": row.radius_miles,
        "slots": mask_to_slots(row.slot_mask),
        "updated_at": row.updated_at,
    }


# -- raising -----------------------------------------------------------------------------------------------
def require_callout_staff(principal: Principal) -> None:
    if not (principal.is_staff or principal.is_pilot_lead):
        raise Forbidden(STAFF_ONLY)


def batch_size_for(needed: int) -> int:
    settings = get_settings()
    return max(needed * settings.callout_batch_factor, settings.callout_batch_minimum)


def _rate_limit(session: Session, principal: Principal, centre_id: int | None) -> None:
    """At most ``callout_max_per_hour`` call-outs an hour per centre (or per pilot lead without one),
    counted under a lock on the centre's (or user's) row so two raised at once cannot both pass."""
    limit = get_settings().callout_max_per_hour
    since = utcnow() - timedelta(hours=1)
    if centre_id is not None:
        locking.lock(session, Centre, centre_id)
        mine = Callout.centre_id == centre_id
    else:
        locking.lock(session, User, principal.user_id)
        mine = (Callout.raised_by_id == principal.user_id) & Callout.centre_id.is_(None)
    times = list(
        session.scalars(select(Callout.created_at).where(mine, Callout.created_at >= since).order_by(Callout.created_at))
    )
    if len(times) >= limit:
        wait = max(1, int((times[0] + timedelta(hours=1) - utcnow()).total_seconds()) + 1)
        minutes = max(1, -(-wait // 60))
        raise TooManyRequests(
            f"Your centre has raised {limit} call-outs in the last hour, the most allowed. "
            f"Wait {minutes} minute{'s' if minutes != 1 else ''} and try again, or add to one already raised.",
            retry_after=wait,
        )


def raise_callout(
    session: Session,
    principal: Principal,
    *,
    title: str,
    postcode: str,
    starts_at: datetime,
    ends_at: datetime,
    needed: int,
    skills: list[str] | None = None,
    message: str | None = None,
    centre_id: int | None = None,
) -> Callout:
    require_callout_staff(principal)
    if principal.is_staff:
        centre_id = principal.centre_id
    elif centre_id is not None and session.get(Centre, centre_id) is None:
        raise InvalidInput("There is no centre with that id.", field="centre_id")
    starts_at, ends_at = as_local(starts_at), as_local(ends_at)
    if ends_at <= starts_at:
        raise InvalidInput("The call-out must end after it starts.", field="ends_at")
    if ends_at <= local_now():
        raise InvalidInput("The call-out's time window has already passed.", field="ends_at")
    place = locate(session, postcode)
    wanted = taxonomies.check_skills(list(skills or []))
    _rate_limit(session, principal, centre_id)
    callout = Callout(
        centre_id=centre_id,
        raised_by_id=principal.user_id,
        title=title.strip(),
        postcode=place.postcode,
        latitude=place.latitude,
        longitude=place.longitude,
        district_gss=place.district_code,
        starts_at=starts_at,
        ends_at=ends_at,
        skills=wanted,
        needed=needed,
        accepted=0,
        message=(message or "").strip() or None,
        batch_size=batch_size_for(needed),
        batches_sent=0,
        status=OPEN,
        created_at=utcnow(),
    )
    session.add(callout)
    session.flush()
    audit.record(session, principal, "callout.raise", "callout", callout.id, needed=needed, centre_id=centre_id)
    enqueue(session, events.CalloutRaised(callout_id=callout.id))
    return callout


# -- seeing them -------------------------------------------------------------------------------------------
def _scope(stmt, principal: Principal):
    """Call-outs a person may see: pilot leads and county-wide staff all, other staff their centre's
    and those in their districts."""
    require_callout_staff(principal)
    if principal.is_pilot_lead or principal.district_codes is None:
        return stmt
    return stmt.where((Callout.centre_id == principal.centre_id) | Callout.district_gss.in_(principal.district_codes))


def list_(session: Session, principal: Principal, *, page: int = 1, page_size: int = 20) -> tuple[list[Callout], int]:
    stmt = _scope(select(Callout), principal)
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(Callout.id).subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Callout.created_at.desc(), Callout.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return list(rows), total


def get(session: Session, principal: Principal, callout_id: int) -> Callout:
    callout = session.scalar(_scope(select(Callout).where(Callout.id == callout_id), principal))
    if callout is None:
        raise NotFound(NO_CALLOUT)
    return callout


@dataclass(frozen=True)
class Counts:
    emailed: int
    accepted: int
    declined: int
    waiting: int
    too_late: int
    still_needed: int
    batches_sent: int
    status: str


def counts(session: Session, callout: Callout) -> Counts:
    by_status = dict(
        session.execute(
            select(CalloutInvitation.status, func.count())
            .where(CalloutInvitation.callout_id == callout.id)
            .group_by(CalloutInvitation.status)
        ).all()
    )
    accepted = by_status.get(ACCEPTED, 0)
    return Counts(
        emailed=sum(by_status.values()),
        accepted=accepted,
        declined=by_status.get(DECLINED, 0),
        waiting=by_status.get(EMAILED, 0),
        too_late=by_status.get(TOO_LATE, 0),
        still_needed=max(0, callout.needed - accepted),
        batches_sent=callout.batches_sent,
        status=callout.status,
    )


def close(session: Session, principal: Principal, callout_id: int) -> Callout:
    callout = locking.lock(session, Callout, get(session, principal, callout_id).id)
    if callout.status == OPEN:
        callout.status, callout.finished_at = CLOSED, utcnow()
        audit.record(session, principal, "callout.close", "callout", callout.id)
    return callout


# -- choosing who to ask -----------------------------------------------------------------------------------
def window_mask(starts_at: datetime, ends_at: datetime) -> int:
    """The weekly time slots a window touches (morning 6am to midday, afternoon to 6pm, evening to
    midnight; the small hours count as the evening before)."""
    mask, moment = 0, starts_at.replace(minute=0, second=0, microsecond=0)
    while moment < ends_at and mask != ALL_SLOTS:
        day, hour = moment.weekday(), moment.hour
        if hour < 6:
            day, part = (day - 1) % 7, 2
        else:
            part = 0 if hour < 12 else 1 if hour < 18 else 2
        mask |= 1 << (day * 3 + part)
        moment += timedelta(hours=1)
    return mask


@dataclass(frozen=True)
class Candidate:
    volunteer_id: int
    distance_miles: float
    missing_skills: int


def covers(row: EmergencyAvailability, v_lat: float | None, v_lon: float | None, callout: Callout) -> float | None:
    """The distance in miles from the volunteer to the place if their area covers it, else None."""
    distance = (
        haversine_miles(v_lat, v_lon, callout.latitude, callout.longitude) if v_lat is not None and v_lon is not None else None
    )
    in_district = callout.district_gss is not None and callout.district_gss in (row.district_codes or [])
    in_reach = distance is not None and row.radius_miles is not None and distance <= row.radius_miles
    if not (in_district or in_reach):
        return None
    return round(distance, 2) if distance is not None else 999.0


def candidates(session: Session, callout: Callout) -> list[Candidate]:
    """Everyone who could be asked next, best first: with the wanted skills first, then nearest."""
    asked = select(CalloutInvitation.volunteer_id).where(CalloutInvitation.callout_id == callout.id)
    mask = window_mask(callout.starts_at, callout.ends_at)
    rows = session.execute(
        select(EmergencyAvailability, Volunteer.latitude, Volunteer.longitude, Volunteer.date_of_birth)
        .join(Volunteer, Volunteer.id == EmergencyAvailability.volunteer_id)
        .where(
            Volunteer.status == "active",
            Volunteer.email.is_not(None),
            EmergencyAvailability.slot_mask.op("&")(mask) != 0,
            Volunteer.id.not_in(asked),
        )
    ).all()
    wanted = set(callout.skills or [])
    skills_of: dict[int, set[str]] = {}
    if wanted:
        ids = [r[0].volunteer_id for r in rows]
        for vid, skill in session.execute(
            select(VolunteerSkill.volunteer_id, VolunteerSkill.skill_id).where(
                VolunteerSkill.volunteer_id.in_(ids), VolunteerSkill.skill_id.in_(wanted)
            )
        ):
            skills_of.setdefault(vid, set()).add(skill)
    found = []
    for row, lat, lon, born in rows:
        if guardians.is_under_18(born, callout.starts_at.date()):
            continue
        distance = covers(row, lat, lon, callout)
        if distance is not None:
            missing = len(wanted - skills_of.get(row.volunteer_id, set()))
            found.append(Candidate(row.volunteer_id, distance, missing))
    found.sort(key=lambda c: (c.missing_skills, c.distance_miles, c.volunteer_id))
    return found


def next_batch(session: Session, callout_id: int, *, reason: str, after_batch: int | None = None) -> int | None:
    """Ask the next batch about a call-out if it is still short (under a lock on its row, so two
    workers never send the same batch); returns the batch number sent, or None.

    ``reason``: "raised" (only the first batch), "answered" (only if those still to answer could no
    longer fill it), "due" (``after_batch`` has had its time to answer and no later batch has gone)."""
    callout = locking.lock(session, Callout, callout_id)
    if callout.status != OPEN or callout.ends_at <= local_now():
        return None
    if reason == "raised" and callout.batches_sent > 0:
        return None
    if reason == "due" and callout.batches_sent != after_batch:
        return None
    waiting = (
        session.scalar(
            select(func.count()).where(CalloutInvitation.callout_id == callout.id, CalloutInvitation.status == EMAILED)
        )
        or 0
    )
    if reason == "answered" and waiting >= callout.needed - callout.accepted:
        return None
    picks = candidates(session, callout)[: callout.batch_size]
    if not picks:
        if waiting == 0:
            callout.status, callout.finished_at = EXHAUSTED, utcnow()
            audit.record(session, None, "callout.exhausted", "callout", callout.id, accepted=callout.accepted)
        return None
    batch = callout.batches_sent + 1
    now = utcnow()
    session.add_all(
        CalloutInvitation(
            callout_id=callout.id,
            volunteer_id=c.volunteer_id,
            batch=batch,
            distance_miles=c.distance_miles,
            status=EMAILED,
            created_at=now,
        )
        for c in picks
    )
    session.flush()  # the unique (call-out, volunteer) rows: no one is asked twice
    callout.batches_sent, callout.last_batch_at = batch, now
    audit.record(session, None, "callout.batch", "callout", callout.id, batch=batch, emailed=len(picks))
    enqueue(session, events.CalloutEmails(callout_id=callout.id, batch=batch))
    due = enqueue(session, events.CalloutBatchDue(callout_id=callout.id, after_batch=batch))
    due.available_at = now + timedelta(seconds=get_settings().callout_batch_wait_seconds)
    return batch


def asked(session: Session, callout_id: int) -> list[tuple[CalloutInvitation, str]]:
    """Everyone asked about a call-out with their name, by batch and nearest first (staff and pilot leads)."""
    rows = session.execute(
        select(CalloutInvitation, Volunteer.first_name, Volunteer.last_name)
        .join(Volunteer, Volunteer.id == CalloutInvitation.volunteer_id)
        .where(CalloutInvitation.callout_id == callout_id)
        .order_by(CalloutInvitation.batch, CalloutInvitation.distance_miles, CalloutInvitation.id)
    ).all()
    return [(invitation, f"{first} {last}".strip()) for invitation, first, last in rows]


def describe(row: EmergencyAvailability | None) -> str:
    """One line for a profile: where and when a volunteer could respond, or that they have not opted in."""
    if row is None:
        return "No: we will not ask you"
    names = {d.gss: d.name for d in default_gazetteer().districts()}
    where = [", ".join(names.get(c, c) for c in row.district_codes)] if row.district_codes else []
    if row.radius_miles is not None:
        where.append(f"within {row.radius_miles:g} miles of your postcode")
    return f"Yes: {' or '.join(where)}; {describe_slots(row.slot_mask)}"


# -- the emails and their answers --------------------------------------------------------------------------
def answer_token(invitation: CalloutInvitation) -> str:
    return tokens.sign(tokens.CALLOUT_ANSWER_SALT, {"i": invitation.id, "v": invitation.volunteer_id})


def answer_path(invitation: CalloutInvitation, answer: str) -> str:
    return f"{ANSWER_PAGE}?token={answer_token(invitation)}&answer={answer}"


def from_token(session: Session, token: str | None) -> CalloutInvitation | None:
    """The invitation an answer link is for, or None when it is expired, altered or for no one now."""
    data = (
        tokens.unsign(tokens.CALLOUT_ANSWER_SALT, token, get_settings().callout_link_max_age_seconds)
        if token and len(token) < 500
        else None
    )
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    invitation = session.get(CalloutInvitation, data["i"])
    if invitation is None or invitation.volunteer_id != data.get("v"):
        return None
    return invitation


def email_for(session: Session, invitation: CalloutInvitation) -> tuple[Volunteer, Callout] | None:
    """Who a call-out email goes to: an active volunteer with an address that is not suppressed."""
    v = session.get(Volunteer, invitation.volunteer_id)
    callout = session.get(Callout, invitation.callout_id)
    if v is None or callout is None or v.status != "active" or not v.email or jobs_service.suppressed(session, [v.email]):
        return None
    return v, callout


def centre_name(session: Session, callout: Callout) -> str:
    centre = session.get(Centre, callout.centre_id) if callout.centre_id else None
    return centre.name if centre is not None else "Kent volunteer centres"


OUTCOMES = {
    "accepted": "Thank you: you are down to help. Please go to the place at the time given below.",
    "already_accepted": "You have already said you can help. Thank you: please go to the place at the time given below.",
    "declined": "Thank you for letting us know. We will ask someone else.",
    "full": "Thank you, but enough people have already said yes to this call-out, so you are not needed this time.",
    "over": "This call-out is over, so no more help is needed. Thank you for answering.",
}


def answer(session: Session, invitation_id: int, accept: bool) -> str:
    """Record a volunteer's answer; the outcome is a key of ``OUTCOMES``. A yes takes a place only
    while there is one (a conditional update on the call-out's row); a no after a yes gives it back."""
    invitation = locking.lock(session, CalloutInvitation, invitation_id)
    callout = session.get(Callout, invitation.callout_id)
    assert callout is not None
    over = callout.status in (CLOSED, EXHAUSTED) or callout.ends_at <= local_now()
    if accept and invitation.status == ACCEPTED:
        return "already_accepted"
    if accept and over:
        return "over"
    outcome = _take_place(session, callout) if accept else _give_back(session, callout, invitation)
    invitation.status = {"accepted": ACCEPTED, "full": TOO_LATE}.get(outcome, DECLINED)
    invitation.answered_at = utcnow()
    audit.record(session, None, "callout.answer", "callout", callout.id, invitation_id=invitation.id, outcome=outcome)
    if outcome == "declined":
        enqueue(session, events.CalloutAnswered(callout_id=callout.id))
    return outcome


def _take_place(session: Session, callout: Callout) -> str:
    taken = session.execute(
        update(Callout)
        .where(Callout.id == callout.id, Callout.status == OPEN, Callout.accepted < Callout.needed)
        .values(
            accepted=Callout.accepted + 1,
            status=case((Callout.accepted + 1 >= Callout.needed, FILLED), else_=Callout.status),
            finished_at=case((Callout.accepted + 1 >= Callout.needed, utcnow()), else_=Callout.finished_at),
        )
        .returning(Callout.accepted)
        .execution_options(synchronize_session=False)
    ).first()
    session.refresh(callout)
    return "accepted" if taken is not None else "full"


def _give_back(session: Session, callout: Callout, invitation: CalloutInvitation) -> str:
    if invitation.status == ACCEPTED:
        session.execute(
            update(Callout)
            .where(Callout.id == callout.id, Callout.accepted > 0)
            .values(
                accepted=Callout.accepted - 1,
                status=case((Callout.status == FILLED, OPEN), else_=Callout.status),
                finished_at=case((Callout.status == FILLED, None), else_=Callout.finished_at),
            )
            .execution_options(synchronize_session=False)
        )
        session.refresh(callout)
    return "declined"
