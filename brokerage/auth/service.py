"""Sign-in, tokens, the principal behind a request, and password reset."""

from __future__ import annotations

import hashlib

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage import audit, changes, throttle
from brokerage.auth import passwords, tokens
from brokerage.auth.principal import Principal
from brokerage.config import get_settings
from brokerage.db import utcnow
from brokerage.errors import Conflict, InvalidInput, NotAuthenticated
from brokerage.models import Centre, CentreDistrict, OrganisationManager, User, Volunteer
from brokerage import events
from brokerage.outbox import enqueue


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email_normalised == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User:
    user = get_user_by_email(session, email)
    if user is None:
        passwords.verify_against_dummy(password)
        raise NotAuthenticated("The email address or password is not right.")
    if not passwords.verify_password(user.password_hash, password) or not user.is_active:
        raise NotAuthenticated("The email address or password is not right.")
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def sign_in(session: Session, request: Request, email: str, password: str) -> User:
    """``authenticate`` behind the sign-in limits (brokerage/throttle.py): a 429 before the password
    is checked when this address, or this address at this account, has tried too often."""
    guard = throttle.SignInGuard(request, email)
    guard.before()
    try:
        user = authenticate(session, email, password)
    except NotAuthenticated:
        guard.failed()
        raise
    guard.succeeded()
    return user


def build_principal(session: Session, user: User) -> Principal:
    district_codes: frozenset[str] | None = frozenset()
    if user.role == "centre_staff" and user.centre_id is not None:
        centre = session.get(Centre, user.centre_id)
        if centre is not None and centre.is_lead:
            district_codes = None
        elif centre is not None:
            district_codes = frozenset(centre.district_codes)
    organisation_ids: frozenset[int] = frozenset()
    if user.role == "organisation_manager":
        organisation_ids = frozenset(
            session.scalars(select(OrganisationManager.organisation_id).where(OrganisationManager.user_id == user.id))
        )
    volunteer_id = None
    if user.role == "volunteer":
        volunteer_id = session.scalar(select(Volunteer.id).where(Volunteer.user_id == user.id))
    return Principal(
        user_id=user.id,
        role=user.role,
        email=user.email,
        full_name=user.full_name,
        centre_id=user.centre_id,
        district_codes=district_codes,
        organisation_ids=organisation_ids,
        volunteer_id=volunteer_id,
        safeguarding_lead=user.role == "centre_staff" and bool(user.safeguarding_lead),
    )


def issue_api_token(user: User) -> str:
    return tokens.sign(tokens.API_SALT, {"u": user.id, "v": user.session_version})


def issue_session_cookie(user: User) -> str:
    return tokens.sign(tokens.SESSION_SALT, {"u": user.id, "v": user.session_version})


# Who a token belongs to, remembered for two seconds: a request then needs no database round trip
# to know who is asking. Any change to these tables made in this process forgets them all at once.
_PRINCIPALS = changes.Memo("principals", (User, Centre, CentreDistrict, OrganisationManager, Volunteer), ttl=2.0)


def _memo_key(session: Session, data) -> tuple | None:
    if not isinstance(data, dict) or "u" not in data:
        return None
    return (id(session.get_bind()), data["u"], data.get("v"))


def _principal_from(session: Session, data) -> Principal | None:
    """The principal behind a signed token, checked against the database: a deactivated account or a
    bumped ``session_version`` (sign-out everywhere, new password) is refused at once when the change
    was made through this process, and within two seconds when made through another (the answer is
    remembered that long). One query for visitors' and volunteers' tokens (the user, their centre and
    their volunteer record joined); staff and managers add one for their districts or organisations."""
    key = _memo_key(session, data)
    if key is None:
        return None
    hit = _PRINCIPALS.get(key)
    if hit is not changes.MISSING:
        return hit  # type: ignore[return-value]
    principal = _load_principal(session, data)
    if principal is not None:
        _PRINCIPALS.put(key, principal)
    return principal


def _load_principal(session: Session, data: dict) -> Principal | None:
    volunteer_id = select(Volunteer.id).where(Volunteer.user_id == User.id).order_by(Volunteer.id).limit(1).scalar_subquery()
    row = session.execute(
        select(
            User.id,
            User.role,
            User.email,
            User.full_name,
            User.centre_id,
            User.is_active,
            User.session_version,
            User.safeguarding_lead,
            Centre.id.label("centre_found"),
            Centre.is_lead,
            volunteer_id.label("volunteer_id"),
        )
        .outerjoin(Centre, Centre.id == User.centre_id)
        .where(User.id == data["u"])
    ).first()
    if row is None or not row.is_active or row.session_version != data.get("v"):
        return None
    district_codes: frozenset[str] | None = frozenset()
    if row.role == "centre_staff" and row.centre_found is not None:
        if row.is_lead:
            district_codes = None
        else:
            district_codes = frozenset(
                session.scalars(select(CentreDistrict.district_gss).where(CentreDistrict.centre_id == row.centre_id))
            )
    organisation_ids: frozenset[int] = frozenset()
    if row.role == "organisation_manager":
        organisation_ids = frozenset(
            session.scalars(select(OrganisationManager.organisation_id).where(OrganisationManager.user_id == row.id))
        )
    return Principal(
        user_id=row.id,
        role=row.role,
        email=row.email,
        full_name=row.full_name,
        centre_id=row.centre_id,
        district_codes=district_codes,
        organisation_ids=organisation_ids,
        volunteer_id=row.volunteer_id if row.role == "volunteer" else None,
        safeguarding_lead=row.role == "centre_staff" and bool(row.safeguarding_lead),
    )


def principal_from_api_token(session: Session, token: str) -> Principal | None:
    settings = get_settings()
    return _principal_from(session, tokens.unsign(tokens.API_SALT, token, settings.token_max_age_seconds))


def principal_from_session_cookie(session: Session, cookie: str) -> Principal | None:
    settings = get_settings()
    return _principal_from(session, tokens.unsign(tokens.SESSION_SALT, cookie, settings.session_max_age_seconds))


def remembered_principal(session: Session, *, token: str | None = None, cookie: str | None = None) -> object:
    """The principal behind an API token or a session cookie if it is remembered (no database),
    ``changes.MISSING`` otherwise. A forged or expired token is not remembered either."""
    settings = get_settings()
    if token is not None:
        data = tokens.unsign(tokens.API_SALT, token, settings.token_max_age_seconds)
    elif cookie is not None:
        data = tokens.unsign(tokens.SESSION_SALT, cookie, settings.session_max_age_seconds)
    else:
        return changes.MISSING
    key = _memo_key(session, data)
    return changes.MISSING if key is None else _PRINCIPALS.get(key)


def request_password_reset(session: Session, email: str) -> None:
    """Queue a reset email if the account exists; say nothing either way (no account probing)."""
    user = get_user_by_email(session, email)
    if user is None or not user.is_active:
        return
    token = tokens.sign(tokens.RESET_SALT, {"u": user.id, "f": tokens.password_fingerprint(user.password_hash)})
    enqueue(session, events.PasswordResetRequested(user_id=user.id, token=token))


def password_reset_user(session: Session, token: str | None) -> User | None:
    """The account a reset link is for, or None if the link is forged, expired or already used (a
    reset token stops working once the password changes)."""
    data = tokens.unsign(tokens.RESET_SALT, token, get_settings().password_reset_max_age_seconds) if token else None
    user = session.get(User, data["u"]) if isinstance(data, dict) and "u" in data else None
    if user is None or not isinstance(data, dict) or data.get("f") != tokens.password_fingerprint(user.password_hash):
        return None
    return user


def reset_password(session: Session, token: str, new_password: str) -> User:
    user = password_reset_user(session, token)
    if user is None:
        raise InvalidInput(
            "This password reset link is not valid or has expired. Please ask for a new one.",
            field="token",
        )
    set_password(user, new_password)
    return user


def validate_password(password: str) -> None:
    if len(password) < passwords.MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Choose a password of at least {passwords.MIN_PASSWORD_LENGTH} characters.", field="password")


def _email_fingerprint(user: User) -> str:
    """Changes when the account's email or password does: a link asked for before either stops working."""
    digest = hashlib.sha256(f"{user.email_normalised}|{user.password_hash}".encode()).hexdigest()
    return digest[:16]


def email_in_use(session: Session, email: str, *, user_id: int) -> bool:
    normalised = normalise_email(email)
    other_user = session.scalar(select(User.id).where(User.email_normalised == normalised, User.id != user_id))
    other_volunteer = session.scalar(
        select(Volunteer.id).where(
            Volunteer.email_normalised == normalised, (Volunteer.user_id != user_id) | Volunteer.user_id.is_(None)
        )
    )
    return other_user is not None or other_volunteer is not None


def request_email_change(session: Session, request: Request, user_id: int, new_email: str, password: str) -> None:
    """Changing the email an account signs in with needs the account's password (checked behind the
    sign-in limits) and a link sent to the new address; nothing changes until the link is opened."""
    user = session.get(User, user_id)
    if user is None:
        raise NotAuthenticated()
    guard = throttle.SignInGuard(request, user.email)
    guard.before()
    if not passwords.verify_password(user.password_hash, password):
        guard.failed()
        raise InvalidInput("The password is not right.", field="password")
    guard.succeeded()
    if normalise_email(new_email) == user.email_normalised:
        raise InvalidInput("That is already the email address you sign in with.", field="email")
    if email_in_use(session, new_email, user_id=user.id):
        raise Conflict("Someone is already registered with this email address.")
    token = tokens.sign(tokens.EMAIL_CHANGE_SALT, {"u": user.id, "e": new_email.strip(), "f": _email_fingerprint(user)})
    enqueue(session, events.EmailChangeRequested(user_id=user.id, new_email=new_email.strip(), token=token))


def _email_change_link(session: Session, token: str) -> tuple[User, str]:
    """The account a confirmation link is for and the address it moves it to, or a 422."""
    data = tokens.unsign(tokens.EMAIL_CHANGE_SALT, token, get_settings().email_change_max_age_seconds)
    user = session.get(User, data["u"]) if isinstance(data, dict) and "u" in data else None
    if user is None or not isinstance(data, dict) or data.get("f") != _email_fingerprint(user):
        raise InvalidInput("This link is not valid or has expired. Ask for a new one from your account.", field="token")
    return user, str(data["e"])


def email_change_address(session: Session, token: str) -> str:
    """The address a confirmation link would give the account (nothing changes until it is confirmed)."""
    return _email_change_link(session, token)[1]


def confirm_email_change(session: Session, token: str) -> User:
    """Open the link: the account (and the volunteer record it belongs to) takes the new address, and
    every session of the account ends, so it is signed in again with the new address."""
    user, new_email = _email_change_link(session, token)
    if email_in_use(session, new_email, user_id=user.id):
        raise Conflict("Someone is already registered with this email address.")
    user.email, user.email_normalised = new_email, normalise_email(new_email)
    for volunteer in session.scalars(select(Volunteer).where(Volunteer.user_id == user.id)):
        volunteer.email, volunteer.email_normalised = new_email, normalise_email(new_email)
    end_sessions(session, user.id)
    audit.record(session, None, "account.email_changed", "user", user.id)
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """Sign-out, on the server: every cookie and token issued to this account stops working at once
    (they carry the account's session version, which moves on)."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version = (user.session_version or 1) + 1


def set_password(user: User, new_password: str) -> None:
    validate_password(new_password)
    user.password_hash = passwords.hash_password(new_password)
    user.session_version = (user.session_version or 1) + 1
