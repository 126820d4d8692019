"""Pages anyone can see: home, sign in and out, password reset, accessibility and privacy."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, EmailStr, Field, ValidationError

from brokerage import links, throttle
from brokerage.auth import service as auth_service
from brokerage.config import get_settings
from brokerage.deps import SESSION_COOKIE, DbSession, OptionalPrincipal
from brokerage.errors import Conflict, InvalidInput, NotAuthenticated, TooManyRequests
from brokerage.web import csrf, forms
from brokerage.web.deps import Form, SignedIn, page_router
from brokerage.web.rendering import redirect, render

router = page_router()

HOME_FOR_ROLE = {
    "volunteer": "/my/matches",
    "organisation_manager": "/manage",
    "centre_staff": "/centre",
    "pilot_lead": "/pilot",
    "admin": "/admin",
}


def safe_next(url: str | None, default: str) -> str:
    """Only ever send people on to a page of this site."""
    return links.local_path(url) or default


def sign_in_response(request: Request, user, next_url: str, flash: str | None = None):
    response = redirect(request, next_url, flash)
    response.set_cookie(
        SESSION_COOKIE,
        auth_service.issue_session_cookie(user),
        httponly=True,
        samesite="lax",
        secure=csrf.secure_cookies(),
        path="/",
    )
    return response


@router.get("/")
def home(request: Request, principal: OptionalPrincipal):
    return render(request, "pages/home.html", {"title": "Volunteer in Kent"})


@router.get("/sign-in")
def sign_in_page(request: Request, principal: OptionalPrincipal, next: str | None = None):
    return render(request, "pages/sign_in.html", {"title": "Sign in", "next": safe_next(next, "")})


@router.get("/login")
def login_alias(request: Request, next: str | None = None):
    """The address people guess for signing in."""
    return RedirectResponse(links.sign_in_page(next), status_code=303)


@router.get("/profile")
def profile_alias(request: Request, principal: OptionalPrincipal):
    """Your account: a volunteer's profile, or the home page of your kind of account."""
    if principal is None:
        return RedirectResponse(links.sign_in_page("/profile"), status_code=303)
    if principal.role == "volunteer":
        return RedirectResponse(links.PROFILE, status_code=303)
    return RedirectResponse(HOME_FOR_ROLE.get(principal.role, "/"), status_code=303)


@router.post("/sign-in")
def sign_in(request: Request, session: DbSession, form: Form):
    email, password = forms.text(form, "email"), forms.raw(form, "password")
    next_url = forms.text(form, "next")
    errors = []
    if not email:
        errors.append({"field": "email", "message": "Enter your email address"})
    if not password:
        errors.append({"field": "password", "message": "Enter your password"})
    user = None
    status_code, headers = 422, {}
    if email and password:
        try:
            user = auth_service.sign_in(session, request, email, password)
        except NotAuthenticated as exc:
            errors.append({"field": "email", "message": exc.message})
        except TooManyRequests as exc:
            errors.append({"field": "email", "message": exc.message})
            status_code, headers = exc.status_code, exc.headers or {}
    if errors or user is None:
        page = render(
            request,
            "pages/sign_in.html",
            {"title": "Sign in", "errors": errors, "values": {"email": email or ""}, "next": safe_next(next_url, "")},
            status_code=status_code,
        )
        page.headers.update(headers)
        return page
    return sign_in_response(request, user, safe_next(next_url, HOME_FOR_ROLE.get(user.role, "/")))


@router.post("/sign-out")
def sign_out(request: Request, session: DbSession, principal: OptionalPrincipal):
    if principal is not None:
        auth_service.end_sessions(session, principal.user_id)  # the cookie stops working on the server too
    request.state.principal = None
    response = redirect(request, "/", "You have signed out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


class _ResetRequest(BaseModel):
    email: EmailStr


class _NewPassword(BaseModel):
    password: str = Field(min_length=10, max_length=200)


@router.get("/forgot-password")
def forgot_password_page(request: Request, principal: OptionalPrincipal):
    return render(request, "pages/forgot_password.html", {"title": "Reset your password"})


@router.post("/forgot-password", dependencies=[throttle.per_address("password_reset")])
def forgot_password(request: Request, session: DbSession, form: Form):
    email = forms.text(form, "email") or ""
    try:
        _ResetRequest(email=email)
    except ValidationError:
        errors = [{"field": "email", "message": "Enter an email address in the right format, like name@example.com"}]
        return render(
            request,
            "pages/forgot_password.html",
            {"title": "Reset your password", "errors": errors, "values": {"email": email}},
            status_code=422,
        )
    throttle.check_account("password_reset", email)
    auth_service.request_password_reset(session, email)
    return render(request, "pages/forgot_password_sent.html", {"title": "Check your email", "email": email})


# The reset link's token leaves the address bar at once: the link's GET keeps it in a short-lived
# HttpOnly cookie for this one page and sends the browser on to the plain address, so the token is in
# no history, no bookmark, no Referer and no access log. Neither page sends a Referer at all.
RESET_COOKIE = "brokerage_reset"
RESET_PATH = "/reset-password"


def _no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _reset_form(request: Request, session: DbSession, errors: list | None = None, status_code: int = 200):
    token = request.cookies.get(RESET_COOKIE)
    context: dict[str, Any] = {"title": "Choose a new password", "errors": errors or []}
    if auth_service.password_reset_user(session, token) is None:
        # The page says what happened and what to do instead (the form's errors would point nowhere).
        context.update(title="This link has expired", link_invalid=True, errors=[])
    return _no_referrer(render(request, "pages/reset_password.html", context, status_code=status_code))


@router.get(RESET_PATH)
def reset_password_page(request: Request, session: DbSession, principal: OptionalPrincipal, token: str = ""):
    if token:
        response = redirect(request, RESET_PATH)
        response.set_cookie(
            RESET_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=csrf.secure_cookies(),
            path=RESET_PATH,
            max_age=get_settings().password_reset_max_age_seconds,
        )
        return _no_referrer(response)
    return _reset_form(request, session)


@router.post(RESET_PATH, dependencies=[throttle.per_address("password_reset")])
def reset_password(request: Request, session: DbSession, form: Form):
    token = request.cookies.get(RESET_COOKIE) or ""
    password = forms.raw(form, "password")
    confirm = forms.raw(form, "confirm_password")
    errors = []
    if len(password) < 10:
        errors.append({"field": "password", "message": "Choose a password of at least 10 characters"})
    elif password != confirm:
        errors.append({"field": "confirm_password", "message": "The two passwords do not match"})
    if not errors:
        try:
            auth_service.reset_password(session, token, password)
        except InvalidInput as exc:
            session.rollback()
            errors.append({"field": "password", "message": exc.message})
    if errors:
        return _reset_form(request, session, errors, status_code=422)
    response = redirect(request, "/sign-in", "Your password has been changed. Sign in with your new password.")
    response.delete_cookie(RESET_COOKIE, path=RESET_PATH)
    return response


@router.get("/account/email")
def email_change_page(request: Request, principal: SignedIn):
    return render(request, "pages/email_change.html", {"title": "Change your email address", "current": principal.email})


@router.post("/account/email")
def email_change(request: Request, session: DbSession, principal: SignedIn, form: Form):
    email = forms.text(form, "email") or ""
    password = form.get("password") or ""
    errors = []
    try:
        _ResetRequest(email=email)
    except ValidationError:
        errors.append({"field": "email", "message": "Enter an email address in the right format, like name@example.com"})
    if not errors:
        try:
            auth_service.request_email_change(session, request, principal.user_id, email, str(password))
        except (InvalidInput, Conflict) as exc:
            session.rollback()
            field = "password" if "password" in exc.message else "email"
            errors.append({"field": field, "message": exc.message})
    if errors:
        return render(
            request,
            "pages/email_change.html",
            {"title": "Change your email address", "current": principal.email, "errors": errors, "values": {"email": email}},
            status_code=422,
        )
    return redirect(request, "/account/email", f"We have sent a link to {email}. Open it to start using that address.")


@router.get("/account/email/confirm")
def email_change_confirm_page(request: Request, session: DbSession, principal: OptionalPrincipal, token: str = ""):
    """The link in the email: it names the address the account will sign in with, or says the link
    no longer works, before anything changes."""
    context: dict[str, Any] = {"title": "Confirm your new email address", "token": token}
    if token:
        try:
            context["new_email"] = auth_service.email_change_address(session, token)
        except InvalidInput as exc:
            context.update(token="", errors=[{"field": "token", "message": exc.message}])
            return render(request, "pages/email_change_confirm.html", context, status_code=422)
    return render(request, "pages/email_change_confirm.html", context)


@router.post("/account/email/confirm")
def email_change_confirm(request: Request, session: DbSession, form: Form):
    token = forms.text(form, "token") or ""
    try:
        auth_service.confirm_email_change(session, token)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return render(
            request,
            "pages/email_change_confirm.html",
            {"title": "Confirm your new email address", "token": "", "errors": [{"field": "token", "message": exc.message}]},
            status_code=422,
        )
    request.state.principal = None
    response = redirect(request, "/sign-in", "Your email address has changed. Sign in with the new address.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/accessibility")
def accessibility(request: Request, principal: OptionalPrincipal):
    return render(request, "pages/accessibility.html", {"title": "Accessibility statement"})


@router.get("/privacy")
def privacy(request: Request, principal: OptionalPrincipal):
    return render(request, "pages/privacy.html", {"title": "Privacy notice"})
