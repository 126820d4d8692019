"""Young volunteers (14 to 17): a parent or guardian's consent before they can say they are interested
in a role.

At sign-up (or when the date of birth or the guardian's address changes) a volunteer under 18 gives a
parent or guardian's email; the guardian is emailed a signed link that expires
(``guardian_consent_max_age_seconds``) to a page where they give consent, and a second signed link,
good for longer, to withdraw it. Until consent is recorded, and again after it is withdrawn, the one
interest rule (``brokerage/matches/interest.py``) blocks saying you are interested, with the reason."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from brokerage import audit, events, links
from brokerage.auth import tokens
from brokerage.auth.service import normalise_email
from brokerage.config import get_settings
from brokerage.db import utcnow
from brokerage.errors import InvalidInput
from brokerage.models import Volunteer
from brokerage.outbox import enqueue

ADULT_AGE = 18
CONSENT_PAGE = "/guardian/consent"
WITHDRAW_PAGE = "/guardian/withdraw"
NEEDED = "guardian_consent_needed"
NEEDED_MESSAGE = (
    "Because you are under 18, your parent or guardian needs to give their consent before you can say you are "
    "interested in a role. We have emailed them a link to do it."
)


def age_on(date_of_birth: date, day: date) -> int:
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def is_under_18(date_of_birth: date | None, day: date | None = None) -> bool:
    return date_of_birth is not None and age_on(date_of_birth, day or date.today()) < ADULT_AGE


def consent_missing(v: Volunteer, day: date | None = None) -> bool:
    """A volunteer under 18 whose guardian has not given consent (or has withdrawn it)."""
    return is_under_18(v.date_of_birth, day) and v.guardian_consent_at is None


def check(date_of_birth: date | None, guardian_email: str | None, own_email: str | None) -> None:
    """A volunteer under 18 gives a parent or guardian's email, not their own."""
    if not is_under_18(date_of_birth):
        return
    if not guardian_email:
        raise InvalidInput(
            "Volunteers under 18 need to give a parent or guardian's email address, so we can ask for their consent.",
            field="guardian_email",
        )
    if own_email and normalise_email(guardian_email) == normalise_email(own_email):
        raise InvalidInput("Give your parent or guardian's email address, not your own.", field="guardian_email")


def after_change(session: Session, v: Volunteer, *, guardian_changed: bool, birth_changed: bool = False) -> None:
    """Ask the guardian for consent when a volunteer under 18 names a (new) guardian, or turns out to
    be under 18; a new guardian's consent starts again from none."""
    if not is_under_18(v.date_of_birth) or not v.guardian_email:
        return
    if guardian_changed:
        v.guardian_consent_at = None
    if (guardian_changed or birth_changed) and v.guardian_consent_at is None:
        session.flush()
        enqueue(session, events.GuardianConsentRequested(volunteer_id=v.id))


# -- the links -------------------------------------------------------------------------------------------
def _claims(v: Volunteer) -> dict:
    return {"v": v.id, "g": normalise_email(v.guardian_email or "")}


def consent_link(v: Volunteer) -> str:
    return links.absolute(f"{CONSENT_PAGE}?token={tokens.sign(tokens.GUARDIAN_CONSENT_SALT, _claims(v))}")


def withdraw_link(v: Volunteer) -> str:
    return links.absolute(f"{WITHDRAW_PAGE}?token={tokens.sign(tokens.GUARDIAN_WITHDRAW_SALT, _claims(v))}")


def from_token(session: Session, token: str | None, *, withdraw: bool = False) -> Volunteer | None:
    """The young volunteer a guardian's link is for, or None when it is expired, altered or stale (the
    volunteer has since named another guardian, or is gone)."""
    settings = get_settings()
    salt = tokens.GUARDIAN_WITHDRAW_SALT if withdraw else tokens.GUARDIAN_CONSENT_SALT
    max_age = settings.guardian_withdraw_max_age_seconds if withdraw else settings.guardian_consent_max_age_seconds
    data = tokens.unsign(salt, token, max_age) if token and len(token) < 500 else None
    if not isinstance(data, dict) or not isinstance(data.get("v"), int):
        return None
    v = session.get(Volunteer, data["v"])
    if v is None or v.status == "erased" or not v.guardian_email or normalise_email(v.guardian_email) != data.get("g"):
        return None
    return v


def give_consent(session: Session, v: Volunteer) -> None:
    if v.guardian_consent_at is None:
        v.guardian_consent_at = utcnow()
        audit.record(session, None, "guardian.consent", "volunteer", v.id, by="guardian's link")
        enqueue(session, events.VolunteerUpdated(volunteer_id=v.id))


def withdraw_consent(session: Session, v: Volunteer) -> None:
    if v.guardian_consent_at is not None:
        v.guardian_consent_at = None
        audit.record(session, None, "guardian.withdraw", "volunteer", v.id, by="guardian's link")
        enqueue(session, events.VolunteerUpdated(volunteer_id=v.id))
