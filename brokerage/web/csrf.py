"""CSRF protection for page forms: a random value in an HttpOnly cookie, and a token in each form
signed with ``tokens.CSRF_SALT`` that binds that value to the signed-in user (or to nobody)."""

from __future__ import annotations

import secrets

from fastapi import Request
from fastapi.responses import Response

from brokerage.auth import tokens
from brokerage.auth.tokens import CSRF_COOKIE, CSRF_MAX_AGE, csrf_token_matches
from brokerage.config import get_settings
from brokerage.errors import BrokerageError

FIELD = "csrf_token"
MAX_AGE = CSRF_MAX_AGE
__all__ = ["CSRF_COOKIE", "FIELD", "MAX_AGE", "check", "ensure_cookie", "token_for"]


class CsrfFailed(BrokerageError):
    status_code = 400
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__("This form has expired or was sent from another site. Go back, reload the page and try again.")


def secure_cookies() -> bool:
    return get_settings().base_url.startswith("https://")


def _seed(request: Request) -> str:
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE)
    if not seed:
        seed = secrets.token_urlsafe(24)
        request.state.csrf_seed_new = True
    request.state.csrf_seed = seed
    return seed


def _user_id(request: Request) -> int | None:
    principal = getattr(request.state, "principal", None)
    return principal.user_id if principal is not None else None


def token_for(request: Request) -> str:
    return tokens.sign(tokens.CSRF_SALT, {"c": _seed(request), "u": _user_id(request)})


def ensure_cookie(request: Request, response: Response) -> None:
    if getattr(request.state, "csrf_seed_new", False):
        response.set_cookie(
            CSRF_COOKIE, request.state.csrf_seed, httponly=True, samesite="lax", secure=secure_cookies(), path="/"
        )


def check(request: Request, token: str | None) -> None:
    if not csrf_token_matches(request.cookies.get(CSRF_COOKIE), token, _user_id(request)):
        raise CsrfFailed()
