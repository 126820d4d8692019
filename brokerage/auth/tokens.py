"""Signed, expiring tokens (itsdangerous): session cookies, API bearer tokens, password resets,
invitation links for volunteers without an account, and one-click unsubscribe links. Each kind uses its own salt so one can never stand in for another."""

from __future__ import annotations

import copy
import hmac
import time
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from brokerage.config import get_settings

SESSION_SALT = "brokerage.session"
API_SALT = "brokerage.api-token"
RESET_SALT = "brokerage.password-reset"
EMAIL_CHANGE_SALT = "brokerage.email-change"
UNSUBSCRIBE_SALT = "brokerage.unsubscribe"
GUARDIAN_CONSENT_SALT = "brokerage.guardian-consent"
GUARDIAN_WITHDRAW_SALT = "brokerage.guardian-withdraw"
INVITATION_SALT = "brokerage.invitation"
CALLOUT_ANSWER_SALT = "brokerage.callout-answer"
CSRF_SALT = "brokerage.csrf"
# The CSRF cookie holds a random value; a page's CSRF token is that value and the user, signed.
CSRF_COOKIE = "brokerage_csrf"
CSRF_MAX_AGE = 60 * 60 * 12


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().resolved_secret_key(), salt=salt)


def sign(salt: str, data: Any) -> str:
    return _serializer(salt).dumps(data)


# Tokens already checked, with when they were signed: a bearer token or a session cookie comes with
# every request, and checking its signature again each time costs more than the rest of a cached answer.
_CHECKED: dict[tuple[str, str, str], tuple[Any, float]] = {}
_MAX_CHECKED = 20_000


def unsign(salt: str, token: str, max_age: int | None) -> Any | None:
    """The signed data, or None if the token is forged, mangled or expired."""
    secret = get_settings().resolved_secret_key()
    key = (secret, salt, token)
    hit = _CHECKED.get(key)
    if hit is not None:
        data, signed_at = hit
        if max_age is None or time.time() - signed_at <= max_age:
            return copy.deepcopy(data) if isinstance(data, (dict, list)) else data
    try:
        data, when = URLSafeTimedSerializer(secret, salt=salt).loads(token, max_age=max_age, return_timestamp=True)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    if len(_CHECKED) >= _MAX_CHECKED:
        _CHECKED.clear()
    _CHECKED[key] = (data, when.timestamp())
    return copy.deepcopy(data) if isinstance(data, (dict, list)) else data


def password_fingerprint(password_hash: str | None) -> str:
    """A short piece of the hash: a reset token stops working once the password changes."""
    return (password_hash or "none")[-12:]


def csrf_token_matches(seed: str | None, token: str | None, user_id: int | None) -> bool:
    """Whether ``token`` is a CSRF token for this browser (the value in its CSRF cookie) and this user."""
    data = unsign(CSRF_SALT, token, CSRF_MAX_AGE) if token else None
    if not seed or not isinstance(data, dict):
        return False
    return hmac.compare_digest(str(data.get("c")), seed) and data.get("u") == user_id
