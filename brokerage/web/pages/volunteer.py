"""Volunteer pages: sign up in steps, find roles, a role's page, say you are interested, your
applications, your profile, download your data and delete your account."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from brokerage.auth import tokens
from brokerage.deps import SESSION_COOKIE, DbSession, OptionalPrincipal
from brokerage.errors import InvalidInput
from brokerage.geography import locate
from brokerage.kit import taxonomy
from brokerage.models import Volunteer
from brokerage.referrals import service as referrals_service
from brokerage.referrals.schemas import ReferralCreate
from brokerage.roles import service as roles_service
from brokerage.volunteers import service as volunteers_service
from brokerage.volunteers.schemas import VolunteerCreate, VolunteerUpdate
from brokerage.web import csrf, forms, matching_bridge
from brokerage.web.deps import Form, VolunteerUser, page_router
from brokerage.web.pages.public import sign_in_response
from brokerage.web.rendering import cause_label, redirect, render

router = page_router()

DRAFT_COOKIE = "brokerage_signup"
DRAFT_SALT = "brokerage.signup-draft"

SIGNUP_STEPS = ("where", "when", "account", "skills", "causes", "contact", "about-you")
STEP_TITLES = {
    "where": "Where can you volunteer?",
    "when": "When can you volunteer?",
    "account": "Create your account",
    "skills": "What are you good at?",
    "causes": "What causes do you care about?",
    "contact": "How should we contact you?",
    "about-you": "About you (optional)",
    "details": "Your name and contact details",
}


def cause_options() -> list[tuple[str, str]]:
    return sorted(((c.id, c.label) for c in taxonomy.causes().values()), key=lambda kv: kv[1])


def skill_suggestions() -> list[tuple[str, str]]:
    return sorted(((s.id, s.label) for s in taxonomy.skills().values()), key=lambda kv: kv[1].lower())


def resolve_skill(text: str) -> str | None:
    """A skill id for what someone typed: the label, the id or one of its other names."""
    key = text.strip().lower()
    if not key:
        return None
    for term in taxonomy.skills().values():
        if key in (term.id.lower(), term.label.lower()) or key in (s.lower() for s in term.synonyms):
            return term.id
    return None


# -- the sign-up draft (steps before the account exists; nothing sensitive) ------------------------
def read_draft(request: Request) -> dict[str, Any]:
    value = request.cookies.get(DRAFT_COOKIE)
    data = tokens.unsign(DRAFT_SALT, value, 60 * 60 * 24) if value else None
    return data if isinstance(data, dict) else {}


def write_draft(response: Response, draft: dict[str, Any]) -> None:
    response.set_cookie(
        DRAFT_COOKIE,
        tokens.sign(DRAFT_SALT, draft),
        httponly=True,
        samesite="lax",
        secure=csrf.secure_cookies(),
        path="/",
        max_age=60 * 60 * 24,
    )


# -- parsing each section of the profile ----------------------------------------------------------
WHERE_FIELDS = {"postcode": "Your postcode", "travel_radius_miles": "How far you can travel", "mode": "How you want to volunteer"}


def parse_where(session, form) -> tuple[dict[str, Any], list[dict[str, str]]]:
    errors = []
    postcode = forms.text(form, "postcode")
    radius_text = forms.number(form, "travel_radius_miles")
    mode = forms.text(form, "mode")
    data: dict[str, Any] = {}
    if not postcode:
        errors.append({"field": "postcode", "message": "Enter your postcode"})
    else:
        try:
            data["postcode"] = locate(session, postcode).postcode
        except InvalidInput as exc:
            errors.append({"field": "postcode", "message": exc.message})
    if radius_text is None:
        if mode != "remote":
            errors.append({"field": "travel_radius_miles", "message": "Enter how many miles you can travel"})
        else:
            data["travel_radius_miles"] = 0.0
    else:
        try:
            radius = float(radius_text)
            if not math.isfinite(radius) or radius < 0 or radius > 100:
                raise ValueError
            data["travel_radius_miles"] = radius
        except ValueError:
            errors.append({"field": "travel_radius_miles", "message": "Enter a number of miles between 0 and 100, like 5"})
    if mode not in ("in_person", "remote", "either"):
        errors.append({"field": "mode", "message": "Select how you want to volunteer"})
    else:
        data["mode"] = mode
    return data, errors


def parse_when(form) -> tuple[dict[str, Any], list[dict[str, str]]]:
    errors = []
    slots = [s for s in forms.many(form, "availability") if s in taxonomy.SLOT_NAMES]
    preference = forms.text(form, "preference")
    hours = forms.number(form, "max_hours_per_week")
    data: dict[str, Any] = {"availability": slots}
    if not slots:
        errors.append({"field": "availability", "message": "Select at least one time you could volunteer"})
    if preference not in ("one_off", "regular", "either"):
        errors.append({"field": "preference", "message": "Select whether you want one-off or regular volunteering"})
    else:
        data["preference"] = preference
    if hours is not None:
        try:
            value = float(hours)
            if not math.isfinite(value) or value <= 0 or value > 80:
                raise ValueError
            data["max_hours_per_week"] = value
        except ValueError:
            errors.append({"field": "max_hours_per_week", "message": "Enter hours a week as a number between 1 and 80, like 3"})
    else:
        data["max_hours_per_week"] = None
    return data, errors


def parse_skills(form, current: list[str]) -> tuple[dict[str, Any], list[dict[str, str]], bool]:
    """Returns (data, errors, finished): "Add" keeps the person on the page."""
    chosen = [s for s in forms.many(form, "skills") if s in taxonomy.skills()]
    typed = forms.text(form, "skill_search")
    skills_text = forms.text(form, "skills_text")
    errors = []
    adding = form.get("action") == "add"
    if typed:
        skill = resolve_skill(typed)
        if skill:
            if skill not in chosen:
                chosen.append(skill)
        elif adding:
            errors.append(
                {
                    "field": "skill_search",
                    "message": f"“{typed}” is not in our list. Choose one of the suggestions, or describe it in your own words in the box below",
                }
            )
        else:
            skills_text = f"{skills_text}; {typed}" if skills_text else typed
    elif adding and not chosen:
        errors.append({"field": "skill_search", "message": "Type a skill, then choose it from the suggestions"})
    return {"skills": chosen, "skills_text": skills_text}, errors, not adding


def parse_contact(form) -> tuple[dict[str, Any], list[dict[str, str]]]:
    errors = []
    consent = forms.text(form, "contact_consent")
    pref = forms.text(form, "notification_preference")
    data: dict[str, Any] = {}
    if consent not in ("yes", "no"):
        errors.append(
            {"field": "contact_consent", "message": "Select yes if organisations and your volunteer centre may contact you"}
        )
    else:
        data["contact_consent"] = consent == "yes"
    if pref not in ("instant", "weekly_digest", "none"):
        errors.append({"field": "notification_preference", "message": "Select how often we should email you about new roles"})
    else:
        data["notification_preference"] = pref
    return data, errors


def parse_about_you(form) -> dict[str, Any]:
    demo = {}
    for key in ("gender", "ethnicity", "disability", "employment_status"):
        value = forms.text(form, key)
        if value:
            demo[key] = value
    return {"demographics": demo} if demo else {}


def _dob(form) -> tuple[date | None, dict[str, str] | None]:
    parts = [forms.text(form, f"dob-{p}") for p in ("day", "month", "year")]
    if not any(parts):
        return None, None
    try:
        d, m, y = (int(p or "") for p in parts)
        if y < 1900:
            raise ValueError
        return date(y, m, d), None
    except ValueError:
        return None, {"field": "dob-day", "message": "Date of birth must be a real date, like 27 3 1990"}


def profile_values(v: Volunteer) -> dict[str, Any]:
    return {
        "first_name": v.first_name,
        "last_name": v.last_name,
        "email": v.email or "",
        "phone": v.phone or "",
        "postcode": v.postcode or "",
        "travel_radius_miles": f"{v.travel_radius_miles:g}",
        "mode": v.mode,
        "availability": taxonomy.mask_to_slots(v.availability_mask or 0),
        "preference": v.preference,
        "max_hours_per_week": f"{v.max_hours_per_week:g}" if v.max_hours_per_week else "",
        "skills": v.skills,
        "skills_text": v.skills_text or "",
        "causes": v.causes,
        "contact_consent": "yes" if v.contact_consent else "no",
        "notification_preference": v.notification_preference,
        "gender": v.gender,
        "ethnicity": v.ethnicity,
        "disability": v.disability,
        "employment_status": v.employment_status,
    }


def _step_ctx(step: str, *, signup: bool, **extra) -> dict[str, Any]:
    index = SIGNUP_STEPS.index(step) if step in SIGNUP_STEPS else None
    back = None
    if signup and index:
        back = f"/volunteer/sign-up/{SIGNUP_STEPS[index - 1]}" if SIGNUP_STEPS[index - 1] != "account" else None
    elif not signup:
        back = "/my/profile"
    ctx = {
        "title": STEP_TITLES[step],
        "step": step,
        "signup": signup,
        "step_number": (index + 1) if signup and index is not None else None,
        "step_count": len(SIGNUP_STEPS),
        "action": f"/volunteer/sign-up/{step}" if signup else f"/my/profile/{step}",
        "submit_text": "Continue" if signup else "Save changes",
        "back": back,
        "cause_options": cause_options(),
        "skill_suggestions": skill_suggestions(),
    }
    ctx.update(extra)
    return ctx


def _next_step(step: str) -> str:
    i = SIGNUP_STEPS.index(step)
    return f"/volunteer/sign-up/{SIGNUP_STEPS[i + 1]}" if i + 1 < len(SIGNUP_STEPS) else "/volunteer/sign-up/done"


def _my_volunteer(session, principal) -> Volunteer:
    return volunteers_service.get(session, principal, principal.volunteer_id or -1)


# -- sign up ------------------------------------------------------------------------------------------
@router.get("/volunteer/sign-up")
def signup_start(request: Request, principal: OptionalPrincipal):
    if principal is not None and principal.is_volunteer:
        return RedirectResponse("/my/matches", status_code=303)
    return render(request, "pages/volunteer/sign_up_start.html", {"title": "Sign up to volunteer"})


@router.get("/volunteer/sign-up/where")
def signup_where_page(request: Request):
    return render(request, "pages/volunteer/step_where.html", _step_ctx("where", signup=True, values=read_draft(request)))


@router.post("/volunteer/sign-up/where")
def signup_where(request: Request, session: DbSession, form: Form):
    data, errors = parse_where(session, form)
    if errors:
        return render(
            request,
            "pages/volunteer/step_where.html",
            _step_ctx("where", signup=True, values=forms.values(form), errors=errors),
            status_code=422,
        )
    response = redirect(request, "/volunteer/sign-up/when")
    write_draft(response, {**read_draft(request), **data})
    return response


@router.get("/volunteer/sign-up/when")
def signup_when_page(request: Request):
    draft = read_draft(request)
    if not draft.get("postcode"):
        return RedirectResponse("/volunteer/sign-up/where", status_code=303)
    values = {**draft, "max_hours_per_week": f"{draft['max_hours_per_week']:g}" if draft.get("max_hours_per_week") else ""}
    return render(request, "pages/volunteer/step_when.html", _step_ctx("when", signup=True, values=values))


@router.post("/volunteer/sign-up/when")
def signup_when(request: Request, form: Form):
    data, errors = parse_when(form)
    if errors:
        values = {**forms.values(form), "availability": forms.many(form, "availability")}
        return render(
            request,
            "pages/volunteer/step_when.html",
            _step_ctx("when", signup=True, values=values, errors=errors),
            status_code=422,
        )
    response = redirect(request, "/volunteer/sign-up/account")
    write_draft(response, {**read_draft(request), **data})
    return response


ACCOUNT_FIELDS = {
    "first_name": "Your first name",
    "last_name": "Your last name",
    "email": "Your email address",
    "password": "A password",
    "dob-day": "Date of birth",
}


@router.get("/volunteer/sign-up/account")
def signup_account_page(request: Request):
    draft = read_draft(request)
    if not draft.get("postcode") or "preference" not in draft:
        return RedirectResponse("/volunteer/sign-up/where", status_code=303)
    return render(request, "pages/volunteer/step_account.html", _step_ctx("account", signup=True, back="/volunteer/sign-up/when"))


@router.post("/volunteer/sign-up/account")
def signup_account(request: Request, session: DbSession, form: Form, principal: OptionalPrincipal):
    draft = read_draft(request)
    if not draft.get("postcode"):
        return redirect(request, "/volunteer/sign-up/where")
    errors = []
    dob, dob_error = _dob(form)
    if dob_error:
        errors.append(dob_error)
    password = form.get("password") or ""
    if len(password) < 10:
        errors.append({"field": "password", "message": "Choose a password of at least 10 characters"})
    body_data = {
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
    }
    for name, message in (
        ("first_name", "Enter your first name"),
        ("last_name", "Enter your last name"),
        ("email", "Enter your email address"),
    ):
        if not body_data[name]:
            errors.append({"field": name, "message": message})
    errors.sort(key=lambda e: list(ACCOUNT_FIELDS).index(e["field"]) if e["field"] in ACCOUNT_FIELDS else 99)
    created = None
    if not errors:
        created, errors = forms.attempt(
            session,
            lambda: volunteers_service.create(session, None, VolunteerCreate(**body_data)),
            fields=ACCOUNT_FIELDS,
            aliases={"date_of_birth": "dob-day"},
            default_field="email",
        )
    if errors:
        values = {k: v for k, v in forms.values(form).items() if k != "password"}
        return render(
            request,
            "pages/volunteer/step_account.html",
            _step_ctx("account", signup=True, values=values, errors=errors, back="/volunteer/sign-up/when"),
            status_code=422,
        )
    _, user = created
    response = sign_in_response(
        request,
        user,
        "/volunteer/sign-up/skills",
        "Your account has been created. A few more questions help us find roles that suit you.",
    )
    response.delete_cookie(DRAFT_COOKIE, path="/")
    return response


def _section_page(request, session, principal, step: str, signup: bool):
    v = _my_volunteer(session, principal)
    values = profile_values(v)
    if signup and step == "contact":
        values["contact_consent"] = None  # a question they have not answered yet
    return render(request, f"pages/volunteer/step_{step.replace('-', '_')}.html", _step_ctx(step, signup=signup, values=values))


def _section_post(request, session, principal, form, step: str, signup: bool):
    v = _my_volunteer(session, principal)
    template = f"pages/volunteer/step_{step.replace('-', '_')}.html"
    finished = True
    if step == "where":
        data, errors = parse_where(session, form)
    elif step == "when":
        data, errors = parse_when(form)
    elif step == "skills":
        data, errors, finished = parse_skills(form, v.skills)
    elif step == "causes":
        data, errors = {"causes": [c for c in forms.many(form, "causes") if c in taxonomy.causes()]}, []
    elif step == "contact":
        data, errors = parse_contact(form)
    elif step == "about-you":
        data, errors = parse_about_you(form), []
    elif step == "details":
        data, errors = (
            {
                "first_name": forms.text(form, "first_name") or "",
                "last_name": forms.text(form, "last_name") or "",
                "email": forms.text(form, "email") or "",
                "phone": forms.text(form, "phone"),
            },
            [],
        )
    else:  # pragma: no cover - routes only pass the steps above
        raise InvalidInput("Unknown step")
    if not errors and finished:
        fields = {
            "details": {
                "first_name": "Your first name",
                "last_name": "Your last name",
                "email": "Your email address",
                "phone": "Your phone number",
            }
        }.get(step, {})
        _, errors = forms.attempt(
            session,
            lambda: volunteers_service.update(session, principal, v.id, VolunteerUpdate(**data)),
            fields=fields,
            default_field=next(iter(fields), None) or _first_field(step),
        )
        if not errors:
            if signup:
                return redirect(request, _next_step(step))
            return redirect(request, "/my/profile", "Your profile has been updated.")
    values = {
        **profile_values(v),
        **forms.values(form),
        **{k: val for k, val in data.items() if k in ("skills", "skills_text", "availability", "causes")},
    }
    if step == "skills" and not errors:
        values["skill_search"] = ""
    if step == "when":
        values["availability"] = forms.many(form, "availability")
    status = 422 if errors else 200
    return render(
        request,
        template,
        _step_ctx(step, signup=signup, values=values, errors=errors, skill_added=(step == "skills" and not errors)),
        status_code=status,
    )


def _first_field(step: str) -> str:
    return {
        "where": "postcode",
        "when": "availability",
        "skills": "skill_search",
        "causes": "causes",
        "contact": "contact_consent",
        "about-you": "gender",
        "details": "first_name",
    }[step]


for _step in ("skills", "causes", "contact", "about-you"):

    def _make(step: str):
        def page(request: Request, session: DbSession, principal: VolunteerUser):
            return _section_page(request, session, principal, step, True)

        def post(request: Request, session: DbSession, principal: VolunteerUser, form: Form):
            return _section_post(request, session, principal, form, step, True)

        router.add_api_route(f"/volunteer/sign-up/{step}", page, methods=["GET"], name=f"signup_{step}_page")
        router.add_api_route(f"/volunteer/sign-up/{step}", post, methods=["POST"], name=f"signup_{step}")

    _make(_step)

for _step in ("details", "where", "when", "skills", "causes", "contact", "about-you"):

    def _make_profile(step: str):
        def page(request: Request, session: DbSession, principal: VolunteerUser):
            return _section_page(request, session, principal, step, False)

        def post(request: Request, session: DbSession, principal: VolunteerUser, form: Form):
            return _section_post(request, session, principal, form, step, False)

        router.add_api_route(f"/my/profile/{step}", page, methods=["GET"], name=f"profile_{step}_page")
        router.add_api_route(f"/my/profile/{step}", post, methods=["POST"], name=f"profile_{step}")

    _make_profile(_step)


@router.get("/volunteer/sign-up/done")
def signup_done(request: Request, principal: VolunteerUser):
    return render(request, "pages/volunteer/sign_up_done.html", {"title": "You have signed up"})


# -- matches, search and roles ----------------------------------------------------------------------
@router.get("/my/matches")
def my_matches(request: Request, session: DbSession, principal: VolunteerUser):
    v = _my_volunteer(session, principal)
    matches = matching_bridge.recommend(session, principal, v)
    return render(
        request,
        "pages/volunteer/matches.html",
        {"title": "Roles that suit you", "volunteer": v, "matches": matches, "matching_ready": matches is not None},
    )


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


@router.get("/opportunities")
def search(request: Request, session: DbSession, principal: OptionalPrincipal):
    q = request.query_params
    filters = {
        "q": (q.get("q") or "").strip()[:200],
        "postcode": (q.get("postcode") or "").strip()[:10],
        "miles": (q.get("miles") or "").strip()[:5],
        "cause": q.get("cause") or "",
        "day": q.get("day") or "",
        "time": q.get("time") or "",
        "remote": q.get("remote") == "yes",
        "kind": q.get("kind") or "",
    }
    if principal is not None and principal.is_volunteer and "postcode" not in q:
        v = session.get(Volunteer, principal.volunteer_id) if principal.volunteer_id else None
        if v is not None and v.postcode:
            filters["postcode"], filters["miles"] = v.postcode, f"{v.travel_radius_miles:g}"
    page = max(1, _int(q.get("page"), 1) or 1)
    errors = []
    origin = None
    if filters["postcode"]:
        try:
            origin = locate(session, filters["postcode"])
        except InvalidInput as exc:
            errors.append({"field": "postcode", "message": exc.message})
    miles = None
    if filters["miles"]:
        try:
            miles = float(filters["miles"])
            if not math.isfinite(miles) or miles <= 0 or miles > 200:
                raise ValueError
        except ValueError:
            errors.append({"field": "miles", "message": "Enter a distance in miles, like 10"})
            miles = None
    results, total = matching_bridge.search_roles(
        session,
        principal,
        q=filters["q"] or None,
        cause=filters["cause"] if filters["cause"] in taxonomy.causes() else None,
        origin=origin,
        miles=miles if origin else None,
        day=filters["day"] if filters["day"] in taxonomy.DAYS else None,
        part=filters["time"] if filters["time"] in taxonomy.PARTS else None,
        remote=filters["remote"],
        one_off={"one_off": True, "regular": False}.get(filters["kind"]),
        page=page,
        page_size=20,
    )
    pages = max(1, math.ceil(total / 20))
    query = "&".join(
        f"{k}={v}"
        for k, v in (
            ("q", filters["q"]),
            ("postcode", filters["postcode"]),
            ("miles", filters["miles"]),
            ("cause", filters["cause"]),
            ("day", filters["day"]),
            ("time", filters["time"]),
            ("remote", "yes" if filters["remote"] else ""),
            ("kind", filters["kind"]),
        )
        if v
    )
    from urllib.parse import quote_plus

    query = "&".join(f"{part.split('=', 1)[0]}={quote_plus(part.split('=', 1)[1])}" for part in query.split("&") if part)
    return render(
        request,
        "pages/volunteer/search.html",
        {
            "title": "Find volunteering roles",
            "filters": filters,
            "results": results,
            "total": total,
            "page": page,
            "pages": pages,
            "base": f"/opportunities?{query}&" if query else "/opportunities?",
            "errors": errors,
            "values": filters,
            "cause_options": cause_options(),
        },
    )


@router.get("/opportunities/{role_id}")
def role_page(role_id: int, request: Request, session: DbSession, principal: OptionalPrincipal):
    role, org = roles_service.get_with_org(session, principal, role_id)
    referral = None
    eligibility = None
    if principal is not None and principal.is_volunteer and principal.volunteer_id:
        referral = matching_bridge.active_referral(session, principal.volunteer_id, role.id)
        v = session.get(Volunteer, principal.volunteer_id)
        eligibility = matching_bridge.eligibility(session, principal, v, role)
    return render(
        request,
        "pages/volunteer/role.html",
        {
            "title": role.title,
            "role": role,
            "organisation": org,
            "referral": referral,
            "eligibility": eligibility,
            "slots": taxonomy.mask_to_slots(role.slot_mask or 0),
        },
    )


@router.get("/opportunities/{role_id}/interest")
def interest_page(role_id: int, request: Request, session: DbSession, principal: VolunteerUser):
    role, org = roles_service.get_with_org(session, principal, role_id)
    return render(
        request,
        "pages/volunteer/interest.html",
        {"title": f"Say you are interested in {role.title}", "role": role, "organisation": org, "values": {"share_email": "yes"}},
    )


@router.post("/opportunities/{role_id}/interest")
def interest(role_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form):
    role, org = roles_service.get_with_org(session, principal, role_id)
    body = {
        "role_id": role.id,
        "message": forms.text(form, "message"),
        "share_email": forms.flag(form, "share_email"),
        "share_phone": forms.flag(form, "share_phone"),
    }
    _, errors = forms.attempt(
        session,
        lambda: referrals_service.create(session, principal, ReferralCreate(**body)),
        fields={"message": "Your message"},
        aliases={"role_id": "message"},
    )
    if errors:
        return render(
            request,
            "pages/volunteer/interest.html",
            {
                "title": f"Say you are interested in {role.title}",
                "role": role,
                "organisation": org,
                "values": forms.values(form),
                "errors": errors,
            },
            status_code=422,
        )
    return redirect(
        request, "/my/interest", f"We have told {org.name} you are interested in “{role.title}”. They will be in touch."
    )


@router.get("/my/interest")
def my_interest(request: Request, session: DbSession, principal: VolunteerUser):
    rows, total = referrals_service.list_(
        session, principal, status=None, role_id=None, volunteer_id=None, district=None, overdue_days=None, page=1, page_size=200
    )
    items = [referrals_service.to_out(session, ref, vol, role, principal) for ref, vol, role in rows]
    return render(request, "pages/volunteer/interest_list.html", {"title": "Your applications", "items": items})


@router.post("/my/interest/{referral_id}/withdraw")
def withdraw(referral_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form):
    ref, _vol, role = referrals_service.transition(session, principal, referral_id, "withdrawn", forms.text(form, "note"))
    return redirect(request, "/my/interest", f"You have withdrawn your interest in “{role.title}”.")


# -- profile, data and deletion -----------------------------------------------------------------------
@router.get("/my/profile")
def my_profile(request: Request, session: DbSession, principal: VolunteerUser):
    v = _my_volunteer(session, principal)
    return render(
        request,
        "pages/volunteer/profile.html",
        {
            "title": "Your profile",
            "v": v,
            "slots": taxonomy.mask_to_slots(v.availability_mask or 0),
            "causes": [cause_label(c) for c in v.causes],
        },
    )


@router.get("/my/data")
def my_data_page(request: Request, principal: VolunteerUser):
    return render(request, "pages/volunteer/data.html", {"title": "Download your data"})


@router.get("/my/data.json")
def my_data(request: Request, session: DbSession, principal: VolunteerUser):
    data = volunteers_service.export(session, principal, principal.volunteer_id or -1)
    return Response(
        json.dumps(data, indent=2, default=str),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-volunteering-data.json"', "Cache-Control": "no-store"},
    )


@router.get("/my/delete")
def delete_page(request: Request, principal: VolunteerUser):
    return render(request, "pages/volunteer/delete.html", {"title": "Delete your account"})


@router.post("/my/delete")
def delete(request: Request, session: DbSession, principal: VolunteerUser, form: Form):
    if not forms.flag(form, "confirm"):
        errors = [{"field": "confirm", "message": "Tick the box to confirm you want to delete your account"}]
        return render(request, "pages/volunteer/delete.html", {"title": "Delete your account", "errors": errors}, status_code=422)
    volunteers_service.erase(session, principal, principal.volunteer_id or -1)
    request.state.principal = None
    response = redirect(request, "/", "Your account and personal details have been deleted.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
