from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from brokerage import audit
from brokerage.auth import policy
from brokerage.volunteers import quiet
from brokerage.auth.passwords import hash_password
from brokerage.auth.principal import Principal
from brokerage.auth.service import normalise_email, validate_password
from brokerage.errors import Conflict, Forbidden, InvalidInput
from brokerage.jobs import service as jobs_service
from brokerage.geo.lookup import locate
from brokerage.vocab import slots, taxonomies
from brokerage.models import (
    AuditLog,
    Centre,
    Delivery,
    HoursEntry,
    Placement,
    Referral,
    ReferralEvent,
    Role,
    User,
    Volunteer,
    VolunteerCause,
    VolunteerSkill,
)
from brokerage.models.volunteer import age_band
from brokerage import events
from brokerage.outbox import enqueue
from brokerage.volunteers.schemas import Dbs, Demographics, VolunteerCreate, VolunteerOut, VolunteerUpdate
from brokerage.volunteers import erasure, guardians


def to_out(v: Volunteer, principal: Principal | None) -> VolunteerOut:
    out = VolunteerOut(
        id=v.id,
        first_name=v.first_name,
        last_name=v.last_name,
        email=v.email,
        phone=v.phone,
        date_of_birth=v.date_of_birth,
        adult_confirmed=bool(v.adult_confirmed),
        age_band=age_band(v.date_of_birth),
        postcode=v.postcode,
        district_gss=v.district_gss,
        travel_radius_miles=v.travel_radius_miles,
        mode=v.mode,
        availability=slots.mask_to_slots(v.availability_mask or 0),
        max_hours_per_week=v.max_hours_per_week,
        preference=v.preference,
        skills=v.skills,
        skills_text=v.skills_text,
        causes=v.causes,
        dbs=Dbs(level=v.dbs_level, certificate_date=v.dbs_certificate_date, update_service=v.dbs_update_service),
        dbs_willing=v.dbs_willing,
        contact_consent=v.contact_consent,
        guardian_email=v.guardian_email,
        guardian_consent=(v.guardian_consent_at is not None) if guardians.is_under_18(v.date_of_birth) else None,
        notification_preference=v.notification_preference,
        registering_centre_id=v.registering_centre_id,
        status=v.status,
        registered_on=v.registered_on,
        created_at=v.created_at,
    )
    if principal is not None and principal.is_volunteer and principal.volunteer_id == v.id:
        out.demographics = Demographics(
            gender=v.gender, ethnicity=v.ethnicity, disability=v.disability, employment_status=v.employment_status
        )
    return out


def _email_taken(session: Session, email: str, exclude_id: int | None = None) -> bool:
    stmt = select(Volunteer.id).where(Volunteer.email_normalised == normalise_email(email))
    if exclude_id is not None:
        stmt = stmt.where(Volunteer.id != exclude_id)
    return session.scalar(stmt) is not None


def _apply(session: Session, v: Volunteer, data: dict[str, Any]) -> None:
    if data.get("postcode") is not None:
        loc = locate(session, data["postcode"])
        v.postcode = loc.postcode
        v.latitude, v.longitude = loc.latitude, loc.longitude
        v.district_gss = loc.district_code
    if data.get("email") is not None:
        v.email = data["email"]
        v.email_normalised = normalise_email(data["email"])
    if data.get("availability") is not None:
        mask = slots.slots_to_mask(data["availability"])
        v.availability_mask = mask
    if data.get("skills") is not None:
        v.skill_links = [VolunteerSkill(skill_id=s) for s in taxonomies.check_skills(data["skills"])]
    if data.get("causes") is not None:
        v.cause_links = [VolunteerCause(cause_id=c) for c in taxonomies.check_causes(data["causes"])]
    if data.get("dbs") is not None:
        d = data["dbs"]
        v.dbs_level = d.get("level", "none")
        v.dbs_certificate_date = d.get("certificate_date")
        v.dbs_update_service = bool(d.get("update_service"))
    if data.get("demographics") is not None:
        for key in ("gender", "ethnicity", "disability", "employment_status"):
            if key in data["demographics"]:
                setattr(v, key, data["demographics"][key])
    for field in (
        "first_name",
        "last_name",
        "phone",
        "date_of_birth",
        "adult_confirmed",
        "travel_radius_miles",
        "mode",
        "max_hours_per_week",
        "preference",
        "skills_text",
        "dbs_willing",
        "contact_consent",
        "notification_preference",
        "guardian_email",
    ):
        if field in data and (data[field] is not None or field in ("phone", "max_hours_per_week", "skills_text")):
            setattr(v, field, data[field])


def create(session: Session, principal: Principal | None, body: VolunteerCreate) -> tuple[Volunteer, User | None]:
    """Self-registration (anonymous, with a password) or registration by a centre's staff."""
    if principal is not None and not principal.is_staff:
        raise Forbidden("You are already signed in. Only volunteer centre staff can register someone else.")
    if principal is None and not body.password:
        raise InvalidInput("Choose a password of at least 10 characters.", field="password")
    if _email_taken(session, body.email) or (
        principal is None and session.scalar(select(User.id).where(User.email_normalised == normalise_email(body.email)))
    ):
        raise Conflict("Someone is already registered with this email address. Try signing in or resetting your password.")
    guardians.check(body.date_of_birth, body.guardian_email, body.email)
    v = Volunteer(
        status="active",
        registered_on=date.today(),
        availability_mask=0,
        travel_radius_miles=5.0,
        mode="either",
        preference="either",
        dbs_level="none",
        dbs_willing=False,
        dbs_update_service=False,
        contact_consent=False,
        notification_preference="weekly_digest",
        adult_confirmed=False,
    )
    data = body.model_dump(mode="python", exclude_unset=True, exclude={"password", "registering_centre_id"})
    _apply(session, v, data)
    if principal is not None:
        v.registering_centre_id = principal.centre_id
    elif body.registering_centre_id is not None:
        if session.get(Centre, body.registering_centre_id) is None:
            raise InvalidInput("There is no volunteer centre with that id.", field="registering_centre_id")
        v.registering_centre_id = body.registering_centre_id
    user = None
    if principal is None and body.password:  # self-registration (a missing password was refused above)
        user = _new_account(session, body.email, f"{body.first_name} {body.last_name}", body.password)
        v.user_id = user.id
    session.add(v)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("Someone is already registered with this email address.") from None
    if principal is not None:
        audit.record(session, principal, "volunteer.register", "volunteer", v.id)
    enqueue(session, events.VolunteerRegistered(volunteer_id=v.id))
    guardians.after_change(session, v, guardian_changed=True)
    return v, user


def _new_account(session: Session, email: str, full_name: str, password: str) -> User:
    user = User(
        email=email,
        email_normalised=normalise_email(email),
        full_name=full_name,
        password_hash=hash_password(password),
        role="volunteer",
        is_active=True,
        session_version=1,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # the same address signed up at the same moment
        raise Conflict(
            "Someone is already registered with this email address. Try signing in or resetting your password."
        ) from None
    return user


def email_has_account(session: Session, email: str | None) -> bool:
    return (
        bool(email) and session.scalar(select(User.id).where(User.email_normalised == normalise_email(email or ""))) is not None
    )


def claim_account(session: Session, v: Volunteer, password: str) -> User:
    """An account for a volunteer record that has none (imported, or registered by a centre), set up
    by the volunteer from a signed link sent to the record's email address: the link shows they read
    that address, so the account signs in with it and is the record's own."""
    if v.user_id is not None:
        raise Conflict("You already have an account. Sign in with your email address and password.")
    if not v.email or email_has_account(session, v.email):
        raise Conflict("There is already an account with this email address. Sign in, or reset its password.")
    validate_password(password)
    user = _new_account(session, v.email, v.full_name, password)
    v.user_id = user.id
    audit.record(session, None, "account.claimed", "volunteer", v.id, by="invitation link")
    return user


def get(session: Session, principal: Principal, volunteer_id: int) -> Volunteer:
    v = policy.require_volunteer(principal, session.get(Volunteer, volunteer_id))
    if principal.is_staff:
        audit.record(session, principal, "volunteer.view", "volunteer", v.id)
    return v


def list_(
    session: Session,
    principal: Principal,
    *,
    district: str | None,
    status: str | None,
    cause: str | None,
    skill: str | None,
    q: str | None,
    page: int,
    page_size: int,
    dbs_expiring: bool = False,
    count_up_to: int | None = None,
) -> tuple[list[Volunteer], int]:
    """A page of the volunteers staff may see, and how many there are; with ``count_up_to``, counted only
    as far as that many (or to the end of this page) and one more, so a long list is not counted through."""
    if not principal.is_staff:
        raise Forbidden("Only volunteer centre staff can list volunteers.")
    stmt = policy.volunteer_scope(select(Volunteer), principal).where(Volunteer.status.not_in(("erased", "merged")))
    if dbs_expiring:
        stmt = stmt.where(quiet.dbs_expiring_condition())
    if district:
        stmt = stmt.where(Volunteer.district_gss == district)
    if status:
        stmt = stmt.where(Volunteer.status == status)
    if cause:
        stmt = stmt.where(Volunteer.id.in_(select(VolunteerCause.volunteer_id).where(VolunteerCause.cause_id == cause)))
    if skill:
        stmt = stmt.where(Volunteer.id.in_(select(VolunteerSkill.volunteer_id).where(VolunteerSkill.skill_id == skill)))
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Volunteer.first_name + " " + Volunteer.last_name).like(like),
                Volunteer.email_normalised.like(like),
            )
        )
    counted = stmt if count_up_to is None else stmt.limit(max(count_up_to, page * page_size) + 1)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Volunteer.last_name, Volunteer.first_name, Volunteer.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    audit.record(session, principal, "volunteer.list", "volunteer", None, count=len(rows))
    return list(rows), total


def update(session: Session, principal: Principal, volunteer_id: int, body: VolunteerUpdate) -> Volunteer:
    v = policy.require_volunteer(principal, session.get(Volunteer, volunteer_id))
    data = body.model_dump(mode="python", exclude_unset=True)
    if principal.is_staff and "demographics" in data:
        raise Forbidden("Only the volunteer can record or change their equality information.")
    if v.user_id and data.get("email") and normalise_email(data["email"]) != (v.email_normalised or ""):
        # The address an account signs in with: only its owner changes it, with their password and a
        # link to the new address (POST /auth/email-change), never in passing and never by staff.
        if principal.is_staff:
            raise Forbidden("Only the volunteer can change the email address they sign in with.")
        raise InvalidInput(
            "To change the email address you sign in with, use 'Change your email address': "
            "we ask for your password and send a link to the new address.",
            field="email",
        )
    if data.get("email") and _email_taken(session, data["email"], exclude_id=v.id):
        raise Conflict("Someone is already registered with this email address.")
    guardian_before, birth_before = v.guardian_email, v.date_of_birth
    if "date_of_birth" in data or "guardian_email" in data:
        guardians.check(data.get("date_of_birth", v.date_of_birth), data.get("guardian_email", v.guardian_email), v.email)
    _apply(session, v, data)
    guardians.after_change(
        session, v, guardian_changed=v.guardian_email != guardian_before, birth_changed=v.date_of_birth != birth_before
    )
    if principal.is_staff:
        audit.record(
            session, principal, "volunteer.update", "volunteer", v.id, fields=sorted(k for k in data if k != "demographics")
        )
    enqueue(session, events.VolunteerUpdated(volunteer_id=v.id))
    return v


def erase(session: Session, principal: Principal, volunteer_id: int) -> None:
    """Right to erasure: personal data goes; anonymous aggregates (hours, referrals, district,
    registration date, birth year for the age band) stay so the county's figures still add up."""
    v = policy.require_volunteer(principal, session.get(Volunteer, volunteer_id))
    erase_volunteer(session, v, principal)


def erase_volunteer(session: Session, v: Volunteer, principal: Principal | None, *, by: str | None = None) -> None:
    """The erasure itself: by the volunteer, their centre (``principal``) or the retention schedule
    (no principal, ``by`` says why)."""
    identity = erasure.Identity.of(v)
    guardian_email = v.guardian_email
    erasure.scrub_safeguarding(session, v.id, v.user_id, identity)
    if v.user_id:
        user = session.get(User, v.user_id)
        if user is not None:
            session.delete(user)
        v.user_id = None
    v.first_name, v.last_name = "Erased", "volunteer"
    v.email = v.email_normalised = v.phone = None
    v.postcode = v.postcode.split(" ")[0] if v.postcode else None  # outward code only
    v.latitude = v.longitude = None
    v.date_of_birth = date(v.date_of_birth.year, 7, 1) if v.date_of_birth else None
    v.skills_text = None
    v.gender = v.ethnicity = v.disability = v.employment_status = None
    v.dbs_certificate_date = None
    v.dbs_update_service = False
    v.ethnicity_detail = v.ethnicity_as_given = None
    v.contact_consent = False
    v.guardian_email = None
    v.notification_preference = "none"
    v.status = "erased"
    erasure.scrub_free_text(session, v.id, identity)
    erasure.scrub_stored_records(session, v.id, identity)
    erasure.delete_mail_files(identity)
    if guardian_email:  # copies of the consent emails to their parent or guardian
        erasure.delete_mail_files(erasure.Identity("", "", guardian_email, None, None, None))
    if principal is None:
        audit.record(session, None, "volunteer.erase", "volunteer", v.id, by=by or "system")
    elif principal.is_volunteer:  # their account is gone, so the log cannot point at it
        audit.record(session, None, "volunteer.erase", "volunteer", v.id, by="self")
    else:
        audit.record(session, principal, "volunteer.erase", "volunteer", v.id)
    enqueue(session, events.VolunteerErased(volunteer_id=v.id))


def export(session: Session, principal: Principal, volunteer_id: int) -> dict[str, Any]:
    """Everything held about a volunteer, for a subject access request or "download my data"."""
    v = policy.require_volunteer(principal, session.get(Volunteer, volunteer_id))
    me = VolunteerOut.model_validate(to_out(v, principal)).model_dump(mode="json")
    # Equality information is seen only by the volunteer: a staff export (a subject access request
    # handled by a centre) leaves it out; the volunteer's own download has it.
    me["demographics"] = (
        {
            "gender": v.gender,
            "ethnicity": v.ethnicity,
            "ethnicity_detail": v.ethnicity_detail,
            "ethnicity_as_given": v.ethnicity_as_given,
            "disability": v.disability,
            "employment_status": v.employment_status,
        }
        if principal.volunteer_id == v.id
        else None
    )
    referrals = []
    for ref, role_title in session.execute(
        select(Referral, Role.title)
        .join(Role, Role.id == Referral.role_id)
        .where(Referral.volunteer_id == v.id)
        .order_by(Referral.id)
    ):
        changes = session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == ref.id).order_by(ReferralEvent.id))
        referrals.append(
            {
                "id": ref.id,
                "role_id": ref.role_id,
                "role_title": role_title,
                "status": ref.status,
                "message": ref.message,
                "created_at": ref.created_at.isoformat(),
                "history": [{"from": e.from_status, "to": e.to_status, "at": e.at.isoformat(), "note": e.note} for e in changes],
            }
        )
    hours = [
        {
            "date": h.worked_on.isoformat(),
            "hours": str(h.hours),
            "activity": h.activity,
            "status": h.status,
            "query_note": h.query_note,
        }
        for h in session.scalars(
            select(HoursEntry).where(HoursEntry.volunteer_id == v.id).order_by(HoursEntry.worked_on, HoursEntry.id)
        )
    ]
    placements = [
        {"role_id": p.role_id, "started_on": p.started_on.isoformat(), "ended_on": p.ended_on.isoformat() if p.ended_on else None}
        for p in session.scalars(select(Placement).where(Placement.volunteer_id == v.id))
    ]
    if principal.is_staff:
        audit.record(session, principal, "volunteer.export", "volunteer", v.id)
    return {
        "volunteer": me,
        "account": _account(session, v),
        "referrals": referrals,
        "placements": placements,
        "hours": hours,
        "emails_sent": [
            {"kind": d.kind, "to": d.recipient, "status": d.status, "at": (d.sent_at or d.created_at).isoformat()}
            for d in session.scalars(select(Delivery).where(Delivery.volunteer_id == v.id).order_by(Delivery.id))
        ],
        "staff_access": [
            {"action": a.action, "at": a.at.isoformat()}
            for a in session.scalars(
                select(AuditLog).where(AuditLog.subject_type == "volunteer", AuditLog.subject_id == v.id).order_by(AuditLog.id)
            )
        ],
    }


def _account(session: Session, v: Volunteer) -> dict[str, Any] | None:
    user = session.get(User, v.user_id) if v.user_id else None
    if user is None:
        return None
    return {
        "email": user.email,
        "name": user.full_name,
        "created_at": user.created_at.isoformat(),
        "last_signed_in_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }


def wants_role_emails(v: Any, *, preference: str = "instant") -> bool:
    """Consent given, the right email preference, an address, and an active record."""
    return bool(v.email) and v.contact_consent and v.notification_preference == preference and v.status == "active"


def role_email_recipients(session: Session, volunteer_ids: Sequence[int], *, preference: str = "instant") -> list[Any]:
    """The volunteers among these who asked for role emails (``instant``, or the ``weekly_digest``)
    and whose address is not on the suppression list, by id: id, names and email."""
    if not volunteer_ids:
        return []
    rows = session.execute(
        select(
            Volunteer.id,
            Volunteer.first_name,
            Volunteer.last_name,
            Volunteer.email,
            Volunteer.contact_consent,
            Volunteer.notification_preference,
            Volunteer.status,
        )
        .where(Volunteer.id.in_(volunteer_ids))
        .order_by(Volunteer.id)
    ).all()
    blocked = jobs_service.suppressed(session, [r.email for r in rows])
    return [r for r in rows if wants_role_emails(r, preference=preference) and r.email.strip().lower() not in blocked]
