"""The sections of a volunteer's profile (where, when, skills, causes, contact, about you, details):
reading each from a form, and the page and the post that ask it, during sign-up (one step after
another) and from the profile page (one section changed at a time)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from brokerage.auth.principal import Principal
from brokerage.deps import DbSession
from brokerage.errors import InvalidInput
from brokerage.geo.lookup import locate
from brokerage.vocab import slots, taxonomies
from brokerage.vocab.dbs import DBS_LEVEL
from brokerage.vocab.volunteers import PREFERENCE
from brokerage.models import Volunteer
from brokerage.volunteers import service as volunteers_service
from brokerage.volunteers.schemas import VolunteerUpdate
from brokerage.web import forms
from brokerage.web.choices import cause_options, resolve_skill, skill_suggestions
from brokerage.web.deps import Form, VolunteerUser
from brokerage.web.rendering import redirect, render

Errors = list[dict[str, str]]

SIGNUP_STEPS = ("where", "when", "account", "skills", "causes", "dbs", "contact", "about-you")
STEP_TITLES = {
    "where": "Where can you volunteer?",
    "when": "When can you volunteer?",
    "account": "Create your account",
    "skills": "What are you good at?",
    "causes": "What causes do you care about?",
    "dbs": "DBS checks",
    "contact": "How should we contact you?",
    "about-you": "About you (optional)",
    "details": "Your name and contact details",
}
# The first field of each section, where an error that names no field is shown.
FIRST_FIELDS = {
    "where": "postcode",
    "when": "availability",
    "skills": "skill_search",
    "causes": "causes",
    "dbs": "dbs_level",
    "contact": "contact_consent",
    "about-you": "gender",
    "details": "first_name",
}
DETAILS_FIELDS = {
    "first_name": "Your first name",
    "last_name": "Your last name",
    "email": "Your email address",
    "phone": "Your phone number",
    "guardian_email": "Your parent or guardian's email address",
}


# -- reading each section from a form ---------------------------------------------------------------
def parse_where(session: Session, form: FormData) -> tuple[dict[str, Any], Errors]:
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


def parse_when(form: FormData) -> tuple[dict[str, Any], Errors]:
    errors = []
    chosen = [s for s in forms.many(form, "availability") if s in slots.SLOT_NAMES]
    preference = forms.text(form, "preference")
    hours = forms.number(form, "max_hours_per_week")
    data: dict[str, Any] = {"availability": chosen}
    if not chosen:
        errors.append({"field": "availability", "message": "Select at least one time you could volunteer"})
    if preference not in PREFERENCE:
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


def parse_skills(form: FormData) -> tuple[dict[str, Any], Errors, bool]:
    """Returns (data, errors, finished): "Add" keeps the person on the page."""
    chosen = [s for s in forms.many(form, "skills") if s in taxonomies.skills()]
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


def parse_causes(form: FormData) -> tuple[dict[str, Any], Errors]:
    return {"causes": [c for c in forms.many(form, "causes") if c in taxonomies.causes()]}, []


def parse_contact(form: FormData) -> tuple[dict[str, Any], Errors]:
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


def parse_dbs(form: FormData) -> tuple[dict[str, Any], Errors]:
    """The DBS check the volunteer holds (level, certificate date, update service) and whether they
    would get one if a role needed it."""
    errors = []
    level = forms.text(form, "dbs_level")
    willing = forms.text(form, "dbs_willing")
    data: dict[str, Any] = {}
    if level not in DBS_LEVEL.labels:
        errors.append({"field": "dbs_level", "message": "Select the DBS check you hold, or that you do not hold one"})
    if willing not in ("yes", "no"):
        errors.append({"field": "dbs_willing", "message": "Select yes if you would get a DBS check for a role that needs one"})
    else:
        data["dbs_willing"] = willing == "yes"
    certificate: date | None = None
    if level and level != "none":
        text = forms.text(form, "dbs_certificate_date")
        if text:
            try:
                certificate = date.fromisoformat(text)
                if certificate > date.today():
                    errors.append({"field": "dbs_certificate_date", "message": "The certificate date cannot be in the future"})
            except ValueError:
                errors.append({"field": "dbs_certificate_date", "message": "The certificate date must be a real date"})
    if level in DBS_LEVEL.labels:
        data["dbs"] = {
            "level": level,
            "certificate_date": certificate if level != "none" else None,
            "update_service": level != "none" and forms.flag(form, "dbs_update_service"),
        }
    return data, errors


def parse_about_you(form: FormData) -> tuple[dict[str, Any], Errors]:
    demo = {}
    for key in ("gender", "ethnicity", "disability", "employment_status"):
        value = forms.text(form, key)
        if value:
            demo[key] = value
    return ({"demographics": demo} if demo else {}), []


def parse_details(form: FormData) -> tuple[dict[str, Any], Errors]:
    return {
        "first_name": forms.text(form, "first_name") or "",
        "last_name": forms.text(form, "last_name") or "",
        "email": forms.text(form, "email") or "",
        "phone": forms.text(form, "phone"),
        "guardian_email": forms.text(form, "guardian_email"),
        # asked only of a volunteer with no date of birth (imported, or who gave none)
        **({"adult_confirmed": forms.text(form, "adult_confirmed") == "yes"} if form.get("age_asked") else {}),
    }, []


def parse_date_of_birth(form: FormData) -> tuple[date | None, dict[str, str] | None]:
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


def parse_section(session: Session, form: FormData, step: str) -> tuple[dict[str, Any], Errors, bool]:
    """The answers of one section, the problems with them, and whether the person has finished
    the section (adding a skill keeps them on it)."""
    if step == "skills":
        return parse_skills(form)
    if step == "where":
        data, errors = parse_where(session, form)
    else:
        data, errors = FORM_PARSERS[step](form)
    return data, errors, True


FORM_PARSERS: dict[str, Callable[[FormData], tuple[dict[str, Any], Errors]]] = {
    "when": parse_when,
    "causes": parse_causes,
    "dbs": parse_dbs,
    "contact": parse_contact,
    "about-you": parse_about_you,
    "details": parse_details,
}


# -- the pages ----------------------------------------------------------------------------------------
def profile_values(v: Volunteer) -> dict[str, Any]:
    return {
        "first_name": v.first_name,
        "last_name": v.last_name,
        "email": v.email or "",
        "phone": v.phone or "",
        "guardian_email": v.guardian_email or "",
        "guardian_consent": "given" if v.guardian_consent_at else "",
        "date_of_birth_known": v.date_of_birth is not None,
        "adult_confirmed": bool(v.adult_confirmed),
        "postcode": v.postcode or "",
        "travel_radius_miles": f"{v.travel_radius_miles:g}",
        "mode": v.mode,
        "availability": slots.mask_to_slots(v.availability_mask or 0),
        "preference": v.preference,
        "max_hours_per_week": f"{v.max_hours_per_week:g}" if v.max_hours_per_week else "",
        "skills": v.skills,
        "skills_text": v.skills_text or "",
        "causes": v.causes,
        "dbs_level": v.dbs_level,
        "dbs_certificate_date": v.dbs_certificate_date.isoformat() if v.dbs_certificate_date else "",
        "dbs_update_service": v.dbs_update_service,
        "dbs_willing": "yes" if v.dbs_willing else "no",
        "contact_consent": "yes" if v.contact_consent else "no",
        "notification_preference": v.notification_preference,
        "gender": v.gender,
        "ethnicity": v.ethnicity,
        "disability": v.disability,
        "employment_status": v.employment_status,
    }


def step_ctx(step: str, *, signup: bool, **extra: Any) -> dict[str, Any]:
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


def next_step(step: str) -> str:
    i = SIGNUP_STEPS.index(step)
    return f"/volunteer/sign-up/{SIGNUP_STEPS[i + 1]}" if i + 1 < len(SIGNUP_STEPS) else "/volunteer/sign-up/done"


def my_volunteer(session: Session, principal: Principal) -> Volunteer:
    return volunteers_service.get(session, principal, principal.volunteer_id or -1)


def _template(step: str) -> str:
    return f"pages/volunteer/step_{step.replace('-', '_')}.html"


def section_page(request: Request, session: Session, principal: Principal, step: str, signup: bool) -> Response:
    v = my_volunteer(session, principal)
    values = profile_values(v)
    if signup and step == "contact":
        values["contact_consent"] = None  # a question they have not answered yet
    if signup and step == "dbs":
        values["dbs_willing"] = None  # never assumed: they say whether they would get a check
    return render(request, _template(step), step_ctx(step, signup=signup, values=values))


def _save(session: Session, principal: Principal, v: Volunteer, step: str, data: dict[str, Any]) -> Errors:
    fields = DETAILS_FIELDS if step == "details" else {}
    _, errors = forms.attempt(
        session,
        lambda: volunteers_service.update(session, principal, v.id, VolunteerUpdate(**data)),
        fields=fields,
        default_field=next(iter(fields), None) or FIRST_FIELDS[step],
    )
    return errors


def section_post(request: Request, session: Session, principal: Principal, form: FormData, step: str, signup: bool) -> Response:
    v = my_volunteer(session, principal)
    data, errors, finished = parse_section(session, form, step)
    if not errors and finished:
        errors = _save(session, principal, v, step, data)
        if not errors:
            if signup:
                return redirect(request, next_step(step))
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
    return render(
        request,
        _template(step),
        step_ctx(step, signup=signup, values=values, errors=errors, skill_added=(step == "skills" and not errors)),
        status_code=422 if errors else 200,
    )


def add_section_routes(router: APIRouter, *, prefix: str, steps: tuple[str, ...], signup: bool, name: str) -> None:
    """A page and a post for each section, at ``{prefix}/{step}``."""
    for step in steps:
        page, post = _section_endpoints(step, signup)
        router.add_api_route(f"{prefix}/{step}", page, methods=["GET"], name=f"{name}_{step}_page")
        router.add_api_route(f"{prefix}/{step}", post, methods=["POST"], name=f"{name}_{step}")


def _section_endpoints(step: str, signup: bool) -> tuple[Callable[..., Response], Callable[..., Response]]:
    def page(request: Request, session: DbSession, principal: VolunteerUser) -> Response:
        return section_page(request, session, principal, step, signup)

    def post(request: Request, session: DbSession, principal: VolunteerUser, form: Form) -> Response:
        return section_post(request, session, principal, form, step, signup)

    return page, post
