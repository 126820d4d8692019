"""A parent or guardian's pages, opened from the consent email without an account: give consent for
a young volunteer (the link expires), or withdraw it (a second link, good for longer)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from brokerage.deps import DbSession
from brokerage.models import Volunteer
from brokerage.volunteers import guardians
from brokerage.web import forms
from brokerage.web.deps import Form, page_router
from brokerage.web.rendering import render

router = page_router()

EXPIRED = (
    "This link has expired or is not complete. Ask the young person to sign in and check their parent or "
    "guardian's email address on their profile: we send a new link when it is saved."
)


def _page(request: Request, v: Volunteer | None, *, withdraw: bool, token: str, done: bool = False, status_code: int = 200):
    if withdraw:
        title = "Consent withdrawn" if done else "Withdraw your consent"
    else:
        title = "Thank you: consent given" if done else "Give your consent"
    context = {
        "title": title,
        "v": v,
        "token": token,
        "withdraw": withdraw,
        "done": done,
        "expired": EXPIRED if v is None and token else None,
        "consented": v is not None and v.guardian_consent_at is not None,
    }
    return render(request, "pages/guardian/consent.html", context, status_code=status_code)


def _get(request: Request, session, token: str, *, withdraw: bool) -> Response:
    v = guardians.from_token(session, token, withdraw=withdraw) if token else None
    return _page(request, v, withdraw=withdraw, token=token, status_code=400 if token and v is None else 200)


def _post(request: Request, session, form, *, withdraw: bool) -> Response:
    token = forms.text(form, "token") or ""
    v = guardians.from_token(session, token, withdraw=withdraw)
    if v is None:
        return _page(request, None, withdraw=withdraw, token=token or "x", status_code=400)
    if withdraw:
        guardians.withdraw_consent(session, v)
    else:
        guardians.give_consent(session, v)
    return _page(request, v, withdraw=withdraw, token=token, done=True)


@router.get("/guardian/consent")
def consent_page(request: Request, session: DbSession, token: str = "") -> Response:
    return _get(request, session, token, withdraw=False)


@router.post("/guardian/consent")
def consent(request: Request, session: DbSession, form: Form) -> Response:
    return _post(request, session, form, withdraw=False)


@router.get("/guardian/withdraw")
def withdraw_page(request: Request, session: DbSession, token: str = "") -> Response:
    return _get(request, session, token, withdraw=True)


@router.post("/guardian/withdraw")
def withdraw(request: Request, session: DbSession, form: Form) -> Response:
    return _post(request, session, form, withdraw=True)
