"""Signing up to volunteer, in steps: where and when (kept in a signed cookie until the account
exists; nothing sensitive), the account itself, then skills, causes, contact and about you, asked
as sections of the new profile."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from brokerage import throttle
from brokerage.auth import tokens
from brokerage.deps import DbSession, OptionalPrincipal
from brokerage.volunteers import service as volunteers_service
from brokerage.volunteers.schemas import VolunteerCreate
from brokerage.web import csrf, forms
from brokerage.web.deps import Form, VolunteerUser, page_router
from brokerage.web.pages.public import sign_in_response
from brokerage.web.pages.volunteer.sections import (
    Errors,
    add_section_routes,
    parse_date_of_birth,
    parse_when,
    parse_where,
    step_ctx,
)
from brokerage.web.rendering import redirect, render

router = page_router()

DRAFT_COOKIE = "brokerage_signup"
DRAFT_SALT = "brokerage.signup-draft"
DRAFT_MAX_AGE = 60 * 60 * 24

ACCOUNT_FIELDS = {
    "first_name": "Your first name",
    "last_name": "Your last name",
    "email": "Your email address",
    "password": "A password",
    "dob-day": "Date of birth",
    "adult_confirmed": "Whether you are 18 or over",
    "guardian_email": "Your parent or guardian's email address",
}


# -- the draft: the steps before the account exists ---------------------------------------------------
def read_draft(request: Request) -> dict[str, Any]:
    value = request.cookies.get(DRAFT_COOKIE)
    data = tokens.unsign(DRAFT_SALT, value, DRAFT_MAX_AGE) if value else None
    return data if isinstance(data, dict) else {}


def write_draft(response: Response, draft: dict[str, Any]) -> None:
    response.set_cookie(
        DRAFT_COOKIE,
        tokens.sign(DRAFT_SALT, draft),
        httponly=True,
        samesite="lax",
        secure=csrf.secure_cookies(),
        path="/",
        max_age=DRAFT_MAX_AGE,
    )


@router.get("/volunteer/sign-up")
def signup_start(request: Request, principal: OptionalPrincipal) -> Response:
    if principal is not None and principal.is_volunteer:
        return RedirectResponse("/my/matches", status_code=303)
    return render(request, "pages/volunteer/sign_up_start.html", {"title": "Sign up to volunteer"})


@router.get("/volunteer/sign-up/where")
def signup_where_page(request: Request) -> Response:
    return render(request, "pages/volunteer/step_where.html", step_ctx("where", signup=True, values=read_draft(request)))


@router.post("/volunteer/sign-up/where")
def signup_where(request: Request, session: DbSession, form: Form) -> Response:
    data, errors = parse_where(session, form)
    if errors:
        return render(
            request,
            "pages/volunteer/step_where.html",
            step_ctx("where", signup=True, values=forms.values(form), errors=errors),
            status_code=422,
        )
    response = redirect(request, "/volunteer/sign-up/when")
    write_draft(response, {**read_draft(request), **data})
    return response


@router.get("/volunteer/sign-up/when")
def signup_when_page(request: Request) -> Response:
    draft = read_draft(request)
    if not draft.get("postcode"):
        return RedirectResponse("/volunteer/sign-up/where", status_code=303)
    values = {**draft, "max_hours_per_week": f"{draft['max_hours_per_week']:g}" if draft.get("max_hours_per_week") else ""}
    return render(request, "pages/volunteer/step_when.html", step_ctx("when", signup=True, values=values))


@router.post("/volunteer/sign-up/when")
def signup_when(request: Request, form: Form) -> Response:
    data, errors = parse_when(form)
    if errors:
        values = {**forms.values(form), "availability": forms.many(form, "availability")}
        return render(
            request,
            "pages/volunteer/step_when.html",
            step_ctx("when", signup=True, values=values, errors=errors),
            status_code=422,
        )
    response = redirect(request, "/volunteer/sign-up/account")
    write_draft(response, {**read_draft(request), **data})
    return response


# -- the account ----------------------------------------------------------------------------------------
@router.get("/volunteer/sign-up/account")
def signup_account_page(request: Request) -> Response:
    draft = read_draft(request)
    if not draft.get("postcode") or "preference" not in draft:
        return RedirectResponse("/volunteer/sign-up/where", status_code=303)
    return render(request, "pages/volunteer/step_account.html", step_ctx("account", signup=True, back="/volunteer/sign-up/when"))


def _account_body(form: FormData, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    """What the account form and the draft say, and what is missing or wrong (in the form's order)."""
    errors = []
    dob, dob_error = parse_date_of_birth(form)
    adult = forms.text(form, "adult_confirmed") == "yes"
    if dob_error:
        errors.append(dob_error)
    elif dob is None and not adult:  # roles for adults need one or the other; a child may be signing up
        errors.append({"field": "dob-day", "message": "Enter your date of birth, or tick the box to say you are 18 or over"})
    password = form.get("password") or ""
    if not isinstance(password, str) or len(password) < 10:
        errors.append({"field": "password", "message": "Choose a password of at least 10 characters"})
    body = {
        "first_name": forms.text(form, "first_name") or "",
        "last_name": forms.text(form, "last_name") or "",
        "email": forms.text(form, "email") or "",
        "password": password,
        "postcode": draft["postcode"],
        "travel_radius_miles": draft.get("travel_radius_miles", 5.0),
        "mode": draft.get("mode", "either"),
        "availability": draft.get("availability", []),
        "preference": draft.get("preference", "either"),
        "max_hours_per_week": draft.get("max_hours_per_week"),
        "date_of_birth": dob,
        "adult_confirmed": adult and dob is None,
        "guardian_email": forms.text(form, "guardian_email"),
    }
    for name, message in (
        ("first_name", "Enter your first name"),
        ("last_name", "Enter your last name"),
        ("email", "Enter your email address"),
    ):
        if not body[name]:
            errors.append({"field": name, "message": message})
    errors.sort(key=lambda e: list(ACCOUNT_FIELDS).index(e["field"]) if e["field"] in ACCOUNT_FIELDS else 99)
    return body, errors


@router.post("/volunteer/sign-up/account", dependencies=[throttle.per_address("sign_up")])
def signup_account(request: Request, session: DbSession, form: Form, principal: OptionalPrincipal) -> Response:
    draft = read_draft(request)
    if not draft.get("postcode"):
        return redirect(request, "/volunteer/sign-up/where")
    body, errors = _account_body(form, draft)
    created = None
    if not errors:
        created, errors = forms.attempt(
            session,
            lambda: volunteers_service.create(session, None, VolunteerCreate(**body)),
            fields=ACCOUNT_FIELDS,
            aliases={"date_of_birth": "dob-day"},
            default_field="email",
        )
    if errors or created is None:
        values = {k: v for k, v in forms.values(form).items() if k != "password"}
        return render(
            request,
            "pages/volunteer/step_account.html",
            step_ctx("account", signup=True, values=values, errors=errors, back="/volunteer/sign-up/when"),
            status_code=422,
        )
    _, user = created
    response: Response = sign_in_response(
        request,
        user,
        "/volunteer/sign-up/skills",
        "Your account has been created. A few more questions help us find roles that suit you.",
    )
    response.delete_cookie(DRAFT_COOKIE, path="/")
    return response


# -- the rest of the profile, then done -------------------------------------------------------------------
add_section_routes(
    router, prefix="/volunteer/sign-up", steps=("skills", "causes", "dbs", "contact", "about-you"), signup=True, name="signup"
)


@router.get("/volunteer/sign-up/done")
def signup_done(request: Request, principal: VolunteerUser) -> Response:
    return render(request, "pages/volunteer/sign_up_done.html", {"title": "You have signed up"})
