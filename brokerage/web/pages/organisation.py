"""Organisation manager pages: sign up, register an organisation, create and edit roles (with tag
suggestions), see who is interested and move referrals on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from fastapi import Request
from fastapi.responses import RedirectResponse

from brokerage.dates import long_date
from brokerage import links, throttle
from brokerage.deps import DbSession, OptionalPrincipal
from brokerage.errors import Forbidden, NotFound, InvalidInput
from brokerage.vocab import slots, taxonomies
from brokerage.vocab.organisations import CHARITY_TYPES
from brokerage.vocab.referrals import REFERRAL_STATUS
from brokerage.models import Organisation, Placement, Role
from sqlalchemy import select
from brokerage.organisations import service as organisations_service
from brokerage.organisations.schemas import OrganisationCreate
from brokerage.referrals import service as referrals_service
from brokerage.roles import service as roles_service
from brokerage.shifts import service as shifts_service
from brokerage.roles.lifecycle import TRANSITIONS
from brokerage.roles.schemas import RoleCreate, RoleUpdate
from brokerage.users.service import create_account
from brokerage.web import forms, paging
from brokerage.web.choices import cause_options, resolve_skill, skill_suggestions
from brokerage.web.deps import Form, ManagerUser, SignedIn, page_router
from brokerage.web.pages.public import sign_in_response
from brokerage.web.rendering import redirect, render
from brokerage.web.views import matches as match_views

router = page_router()
REFERRALS_PAGE = 50


# -- sign up and organisations ----------------------------------------------------------------------
SIGNUP_FIELDS = {"full_name": "Your full name", "email": "Your email address", "password": "A password"}


@router.get("/manage/sign-up")
def manager_signup_page(request: Request, principal: OptionalPrincipal):
    if principal is not None and principal.is_manager:
        return RedirectResponse("/manage/organisations/new", status_code=303)
    return render(request, "pages/organisation/sign_up.html", {"title": "Register your organisation"})


@router.post("/manage/sign-up", dependencies=[throttle.per_address("sign_up")])
def manager_signup(request: Request, session: DbSession, form: Form):
    full_name, email, password = forms.text(form, "full_name"), forms.text(form, "email"), forms.raw(form, "password")
    errors = []
    if not full_name:
        errors.append({"field": "full_name", "message": "Enter your full name"})
    if not email:
        errors.append({"field": "email", "message": "Enter your email address"})
    elif "@" not in email or "." not in email.split("@")[-1]:
        errors.append({"field": "email", "message": "Enter an email address in the right format, like name@example.com"})
    if len(password) < 10:
        errors.append({"field": "password", "message": "Choose a password of at least 10 characters"})
    user = None
    if full_name and email and not errors:
        user, errors = forms.attempt(
            session,
            lambda: create_account(session, email=email, full_name=full_name, password=password, role="organisation_manager"),
            fields=SIGNUP_FIELDS,
            default_field="email",
        )
    if errors:
        values = {k: v for k, v in forms.values(form).items() if k != "password"}
        return render(
            request,
            "pages/organisation/sign_up.html",
            {"title": "Register your organisation", "errors": errors, "values": values},
            status_code=422,
        )
    return sign_in_response(
        request, user, "/manage/organisations/new", "Your account has been created. Now tell us about your organisation."
    )


@router.get("/manage")
def manage_home(request: Request, session: DbSession, principal: ManagerUser):
    orgs = [org for oid in sorted(principal.organisation_ids) if (org := session.get(Organisation, oid)) is not None]
    roles = {}
    for org in orgs:
        rows, _ = roles_service.list_(session, principal, organisation_id=org.id, page=1, page_size=200)
        roles[org.id] = [r for r, _ in rows]
    referrals, total = referrals_service.list_(
        session, principal, status=None, role_id=None, volunteer_id=None, district=None, overdue_days=None, page=1, page_size=1
    )
    return render(
        request,
        "pages/organisation/home.html",
        {"title": "Your organisations", "orgs": orgs, "roles": roles, "referral_total": total},
    )


ORG_FIELDS = {
    "name": "The organisation’s name",
    "organisation_type": "The type of organisation",
    "registrar": "The charity regulator",
    "registration_number": "The registration number",
    "description": "What the organisation does",
    "website": "Website",
    "address": "Address",
    "postcode": "Postcode",
    "causes": "Causes",
    "contact_name": "Contact name",
    "contact_email": "Contact email",
    "contact_phone": "Contact phone",
}


def _org_body(form) -> dict[str, Any]:
    registrar, number = forms.text(form, "registrar"), forms.text(form, "registration_number")
    body: dict[str, Any] = {
        "name": forms.text(form, "name") or "",
        "organisation_type": forms.text(form, "organisation_type") or "",
        "description": forms.text(form, "description") or "",
        "website": forms.text(form, "website"),
        "address": forms.text(form, "address"),
        "postcode": forms.text(form, "postcode") or "",
        "causes": [c for c in forms.many(form, "causes") if c in taxonomies.causes()],
        "contact": {
            "name": forms.text(form, "contact_name"),
            "email": forms.text(form, "contact_email"),
            "phone": forms.text(form, "contact_phone"),
        },
        "struggling_to_recruit": forms.flag(form, "struggling_to_recruit"),
    }
    if registrar or number:
        body["charity_registration"] = {"registrar": registrar or "", "registration_number": number or ""}
    return body


@router.get("/manage/organisations/new")
def new_organisation_page(request: Request, principal: ManagerUser):
    return render(
        request,
        "pages/organisation/organisation_form.html",
        {
            "title": "Tell us about your organisation",
            "cause_options": cause_options(),
            "values": {"contact_name": principal.full_name, "contact_email": principal.email},
        },
    )


@router.post("/manage/organisations/new")
def new_organisation(request: Request, session: DbSession, principal: ManagerUser, form: Form):
    body = _org_body(form)
    errors = []
    for name, message in (
        ("name", "Enter the organisation’s name"),
        ("organisation_type", "Select the type of organisation"),
        ("postcode", "Enter the organisation’s postcode"),
    ):
        if not body[name]:
            errors.append({"field": name, "message": message})
    if body["organisation_type"] in CHARITY_TYPES:
        reg = body.get("charity_registration") or {}
        if not reg.get("registrar"):
            errors.append({"field": "registrar", "message": "Select who the charity is registered with"})
        if not reg.get("registration_number"):
            errors.append({"field": "registration_number", "message": "Enter the charity’s registration number"})
    org = None
    if not errors:
        org, errors = forms.attempt(
            session,
            lambda: organisations_service.create(session, principal, OrganisationCreate(**body)),
            fields=ORG_FIELDS,
            aliases={
                "charity_registration": "registration_number",
                "contact.email": "contact_email",
                "contact": "contact_email",
                "contact.phone": "contact_phone",
                "contact.name": "contact_name",
            },
            default_field="name",
        )
    if errors or org is None:
        return render(
            request,
            "pages/organisation/organisation_form.html",
            {
                "title": "Tell us about your organisation",
                "errors": errors,
                "values": forms.values(form),
                "cause_options": cause_options(),
            },
            status_code=422,
        )
    return redirect(
        request,
        "/manage",
        f"{org.name} is registered. Your volunteer centre will check it before its roles are published. You can add roles now.",
    )


# -- roles ----------------------------------------------------------------------------------------------
ROLE_FIELDS = {
    "title": "The role’s title",
    "description": "What the volunteer will do",
    "mode": "Where the role happens",
    "location_name": "Name of the place",
    "address": "Address",
    "postcode": "Postcode",
    "one_off": "One-off or regular",
    "slots": "When the role happens",
    "sessions": "The date",
    "hours_per_week": "Hours a week",
    "commitment": "Commitment",
    "causes": "Causes",
    "required_skills": "Skills needed",
    "essential_skills": "Essential skills",
    "desired_skills": "Skills that would help",
    "dbs_level": "DBS check",
    "minimum_age": "Minimum age",
    "maximum_age": "Maximum age",
    "places_available": "Number of places",
}
ROLE_ALIASES = {"slots": "slots", "sessions": "session_date", "one_off": "one_off"}


def _parse_session(form) -> tuple[list[dict[str, datetime]] | None, dict[str, str] | None]:
    day, start, end = forms.text(form, "session_date"), forms.text(form, "session_start"), forms.text(form, "session_end")
    if not (day or start or end):
        return None, None
    try:
        d = date.fromisoformat(day or "")
        s = datetime.combine(d, datetime.strptime(start or "", "%H:%M").time())
        e = datetime.combine(d, datetime.strptime(end or "", "%H:%M").time())
    except ValueError:
        return None, {"field": "session_date", "message": "Enter the date, start time and end time of the session"}
    return [{"starts_at": s, "ends_at": e}], None


def _role_body(form) -> tuple[dict[str, Any], list[dict[str, str]]]:
    errors = []
    one_off_text = forms.text(form, "one_off")
    body: dict[str, Any] = {
        "title": forms.text(form, "title") or "",
        "description": forms.text(form, "description") or "",
        "mode": forms.text(form, "mode") or "in_person",
        "location_name": forms.text(form, "location_name"),
        "address": forms.text(form, "address"),
        "postcode": forms.text(form, "postcode"),
        "one_off": one_off_text == "yes",
        "commitment": forms.text(form, "commitment"),
        "hours_per_week": forms.number(form, "hours_per_week"),
        "causes": [c for c in forms.many(form, "causes") if c in taxonomies.causes()],
        "required_skills": [s for s in forms.many(form, "required_skills") if s in taxonomies.skills()],
        "desired_skills": [s for s in forms.many(form, "desired_skills") if s in taxonomies.skills()],
        "essential_skills": [s for s in forms.many(form, "essential_skills") if s in taxonomies.skills()],
        "dbs_level": forms.text(form, "dbs_level") or "none",
        "minimum_age": forms.number(form, "minimum_age"),
        "maximum_age": forms.number(form, "maximum_age"),
        "suitable_for_under_18s": forms.text(form, "suitable_for_under_18s") == "yes",
        "places_available": forms.number(form, "places_available") or "1",
    }
    closes_on, closing_error = _closing_date(form)
    if closing_error:
        errors.append(closing_error)
    elif closes_on is not None:
        body["publish_end"] = closes_on
    if one_off_text not in ("yes", "no"):
        errors.append({"field": "one_off", "message": "Select whether the role is one-off or regular"})
    if body["one_off"]:
        sessions, err = _parse_session(form)
        if err:
            errors.append(err)
        body["sessions"] = sessions or []
        body["slots"] = []
    else:
        body["slots"] = [s for s in forms.many(form, "slots") if s in slots.SLOT_NAMES]
    if body["mode"] == "remote":
        body["postcode"] = None
    # Skills typed into the suggestion boxes.
    for kind in ("required", "desired"):
        typed = forms.text(form, f"{kind}_skill_search")
        if typed:
            skill = resolve_skill(typed)
            if skill and skill not in body[f"{kind}_skills"]:
                body[f"{kind}_skills"].append(skill)
            elif not skill:
                errors.append(
                    {
                        "field": f"{kind}_skill_search",
                        "message": f"“{typed}” is not in our list of skills. Choose one of the suggestions",
                    }
                )
    if not body["title"]:
        errors.append({"field": "title", "message": "Enter the role’s title"})
    if len(body["description"]) < 10:
        errors.append({"field": "description", "message": "Describe what the volunteer will do, in at least 10 characters"})
    order = ["title", "description", "required_skill_search", "desired_skill_search", "one_off", "session_date"]
    errors.sort(key=lambda e: order.index(e["field"]) if e["field"] in order else len(order))
    for key in ("minimum_age", "maximum_age", "hours_per_week"):
        if body[key] is None:
            body.pop(key)
    return body, errors


def _closing_date(form) -> tuple[date | None, dict[str, str] | None]:
    """The closing date from the form (``publish_end``), checked against the listing rules."""
    typed = forms.text(form, "publish_end")
    if not typed:
        return None, None
    try:
        closes_on = date.fromisoformat(typed)
    except ValueError:
        return None, {"field": "publish_end", "message": "Enter the closing date as a real date, for example 31 March 2027"}
    try:
        roles_service.check_closing_date(closes_on, date.today())
    except InvalidInput as exc:
        return None, {"field": "publish_end", "message": exc.message.rstrip(".")}
    return closes_on, None


def _role_values(role: Role) -> dict[str, Any]:
    s = role.sessions[0] if role.sessions else None
    return {
        "title": role.title,
        "description": role.description,
        "mode": role.mode,
        "location_name": role.location_name or "",
        "address": role.address or "",
        "postcode": role.postcode or "",
        "one_off": "yes" if role.one_off else "no",
        "slots": slots.mask_to_slots(role.slot_mask or 0),
        "commitment": role.commitment or "",
        "hours_per_week": f"{role.hours_per_week:g}" if role.hours_per_week else "",
        "causes": role.causes,
        "required_skills": role.required_skills,
        "desired_skills": role.desired_skills,
        "essential_skills": role.essential_skills,
        "dbs_level": role.dbs_level,
        "minimum_age": role.minimum_age if role.minimum_age is not None else "",
        "maximum_age": role.maximum_age if role.maximum_age is not None else "",
        "suitable_for_under_18s": "yes" if role.suitable_for_under_18s else "",
        "places_available": role.places_available if role.places_available is not None else "",
        "publish_end": role.publish_end.isoformat() if role.publish_end else "",
        "session_date": s.starts_at.date().isoformat() if s else "",
        "session_start": s.starts_at.strftime("%H:%M") if s else "",
        "session_end": s.ends_at.strftime("%H:%M") if s else "",
    }


def _form_values(form, body: dict[str, Any]) -> dict[str, Any]:
    values = forms.values(form)
    values.update({k: body.get(k, []) for k in ("causes", "required_skills", "desired_skills", "essential_skills")})
    values["slots"] = forms.many(form, "slots")
    for kind in ("required", "desired"):
        typed = forms.text(form, f"{kind}_skill_search")
        if typed and resolve_skill(typed):
            values[f"{kind}_skill_search"] = ""
    return values


def _role_form_ctx(org: Organisation, *, role: Role | None, values, errors=(), suggested=((), ())) -> dict[str, Any]:
    return {
        "title": f"Edit {role.title}" if role else "Add a role",
        "organisation": org,
        "role": role,
        "values": values,
        "errors": list(errors),
        "cause_options": cause_options(),
        "skill_suggestions": skill_suggestions(),
        "suggested_skills": list(suggested[0]),
        "suggested_causes": list(suggested[1]),
        "action": f"/manage/roles/{role.id}/edit" if role else f"/manage/roles/new?organisation={org.id}",
    }


def _managed_org(session, principal, organisation_id: int | None) -> Organisation:
    if organisation_id is None:
        if len(principal.organisation_ids) == 1:
            organisation_id = next(iter(principal.organisation_ids))
        else:
            raise NotFound("Choose the organisation to add a role to, from your organisations page.")
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("There is no organisation with that id.")
    if not (principal.manages(org.id) or principal.covers_district(org.district_gss)):
        raise Forbidden("Only the organisation’s managers and its volunteer centre can add roles.")
    return org


@router.get("/manage/roles/new")
def new_role_page(request: Request, session: DbSession, principal: SignedIn, organisation: int | None = None):
    org = _managed_org(session, principal, organisation)
    values = {
        "mode": "in_person",
        "one_off": "",
        "places_available": 1,
        "dbs_level": "none",
        "postcode": org.postcode or "",
        "publish_end": roles_service.default_closing_date(date.today()).isoformat(),
    }
    return render(request, "pages/organisation/role_form.html", _role_form_ctx(org, role=None, values=values))


def _with_schema_errors(body: dict[str, Any], errors: list[dict[str, str]], new_for: int | None) -> list[dict[str, str]]:
    """Every problem with the form at once: the page's own checks and, for the fields they did not
    already fault, the limits of the role's fields (hours a week, ages, places …), in plain words."""
    try:
        RoleCreate(**body, organisation_id=new_for) if new_for is not None else RoleUpdate(**body)
    except ValidationError as exc:
        named = {e["field"] for e in errors}
        more = forms.errors_from(exc, fields=ROLE_FIELDS, aliases=ROLE_ALIASES, default_field="title")
        errors = errors + [e for e in more if e["field"] not in named]
    order = ["title", "description", "required_skill_search", "desired_skill_search", "one_off", "session_date", *ROLE_FIELDS]
    return sorted(errors, key=lambda e: order.index(e["field"]) if e["field"] in order else len(order))


def _role_submit(request, session, principal, form, org: Organisation, role: Role | None):
    body, errors = _role_body(form)
    given = body.get("sessions")
    if (
        role is not None
        and given
        and role.sessions
        and (given[0]["starts_at"], given[0]["ends_at"])
        == (
            role.sessions[0].starts_at,
            role.sessions[0].ends_at,
        )
    ):
        body.pop("sessions")  # the form shows the first session: unchanged, every session stays as it is
    action = form.get("action") or "save"
    if action == "suggest" or action.startswith("add_"):
        suggested = match_views.suggested_tags(body["title"], body["description"]) if action == "suggest" else ((), ())
        errors = [e for e in errors if e["field"].endswith("_skill_search")] if action.startswith("add_") else []
        if action == "suggest" and not (suggested[0] or suggested[1]):
            errors = [
                {
                    "field": "description",
                    "message": "We could not suggest any tags from the title and description. Add more detail, or choose tags yourself",
                }
            ]
        return render(
            request,
            "pages/organisation/role_form.html",
            _role_form_ctx(org, role=role, values=_form_values(form, body), errors=errors, suggested=suggested),
            status_code=422 if errors else 200,
        )
    if errors:
        errors = _with_schema_errors(body, errors, org.id if role is None else None)
    if not errors:
        if role is None:
            body["organisation_id"] = org.id
            body["submit_for_review"] = forms.flag(form, "submit_for_review")
            result, errors = forms.attempt(
                session,
                lambda: roles_service.create(session, principal, RoleCreate(**body)),
                fields=ROLE_FIELDS,
                aliases=ROLE_ALIASES,
                default_field="title",
            )
        else:
            result, errors = forms.attempt(
                session,
                lambda: roles_service.update(session, principal, role.id, RoleUpdate(**body)),
                fields=ROLE_FIELDS,
                aliases=ROLE_ALIASES,
                default_field="title",
            )
    if errors or result is None:
        return render(
            request,
            "pages/organisation/role_form.html",
            _role_form_ctx(org, role=role, values=_form_values(form, body), errors=errors),
            status_code=422,
        )
    saved, _org = result
    if role is None and forms.flag(form, "submit_for_review"):
        message = f"“{saved.title}” has been sent to your volunteer centre to check. We will email you when it is published."
    elif role is None:
        message = f"“{saved.title}” has been saved as a draft."
    else:
        message = "Your changes have been saved."
    return redirect(request, f"/manage/roles/{saved.id}", message)


@router.post("/manage/roles/new")
def new_role(request: Request, session: DbSession, principal: SignedIn, form: Form, organisation: int | None = None):
    org = _managed_org(session, principal, organisation)
    return _role_submit(request, session, principal, form, org, None)


def _editable_role(session, principal, role_id: int) -> tuple[Role, Organisation]:
    role, org = roles_service.get_with_org(session, principal, role_id)
    if not (
        principal.manages(role.organisation_id)
        or principal.covers_district(role.district_gss)
        or principal.covers_district(org.district_gss)
    ):
        raise Forbidden("Only the organisation’s managers and its volunteer centre can change this role.")
    return role, org


@router.get("/manage/roles/{role_id}/edit")
def edit_role_page(role_id: int, request: Request, session: DbSession, principal: SignedIn):
    role, org = _editable_role(session, principal, role_id)
    return render(request, "pages/organisation/role_form.html", _role_form_ctx(org, role=role, values=_role_values(role)))


@router.post("/manage/roles/{role_id}/edit")
def edit_role(role_id: int, request: Request, session: DbSession, principal: SignedIn, form: Form):
    role, org = _editable_role(session, principal, role_id)
    return _role_submit(request, session, principal, form, org, role)


STATUS_ACTIONS = {
    "pending_review": "Send to the volunteer centre to publish",
    "draft": "Move back to draft",
    "paused": "Pause – stop new applications for now",
    "published": "Publish",
    "filled": "Mark as filled",
    "closed": "Close the role",
}


@router.get("/manage/roles/{role_id}")
def role_admin(role_id: int, request: Request, session: DbSession, principal: SignedIn, page: str | None = None):
    role, org = _editable_role(session, principal, role_id)
    kinds = {"manager"} if principal.manages(role.organisation_id) else set()
    if principal.covers_district(role.district_gss) or principal.covers_district(org.district_gss):
        kinds.add("staff")
    actions = [(to, STATUS_ACTIONS.get(to, to)) for (frm, to), who in TRANSITIONS.items() if frm == role.status and who & kinds]
    number = paging.page_number(page)
    rows, total = (
        referrals_service.list_(
            session,
            principal,
            status=None,
            role_id=role.id,
            volunteer_id=None,
            district=None,
            overdue_days=None,
            page=number,
            page_size=REFERRALS_PAGE,
        )
        if (principal.is_manager or principal.is_staff)
        else ([], 0)
    )
    referrals = [referrals_service.to_out(session, ref, vol, r, principal) for ref, vol, r in rows]
    history = roles_service.history(session, principal, role.id)
    candidates = match_views.candidates(session, principal, role) if role.status == "published" else None
    return render(
        request,
        "pages/organisation/role_admin.html",
        {
            "title": role.title,
            "role": role,
            "organisation": org,
            "actions": actions,
            "referrals": referrals,
            **paging.context(f"/manage/roles/{role.id}", {}, number, total, REFERRALS_PAGE),
            "history": history,
            "slots": slots.mask_to_slots(role.slot_mask or 0),
            "candidates": candidates,
            "sessions": shifts_service.with_places(session, role),
            "refresh_until": roles_service.default_closing_date(date.today()).isoformat(),
            "latest_closing": roles_service.latest_closing_date(date.today()),
        },
    )


@router.post("/manage/roles/{role_id}/refresh")
def refresh_listing(role_id: int, request: Request, session: DbSession, principal: SignedIn, form: Form):
    """Keep a listing open until a new closing date (and reopen it if it has expired): what the
    'closing soon' email links to."""
    closes_on, error = _closing_date(form)
    if error is not None or closes_on is None:
        message = error["message"] if error is not None else "Enter the new closing date"
        return redirect(request, links.role_admin_page(role_id), message + ".", kind="error")
    result, errors = forms.attempt(session, lambda: roles_service.refresh_listing(session, principal, role_id, closes_on))
    if result is None:
        return redirect(request, links.role_admin_page(role_id), forms.first_error(errors), kind="error")
    role, _org = result
    return redirect(request, links.role_admin_page(role_id), f"“{role.title}” is open until {long_date(closes_on)}.")


@router.post("/manage/roles/{role_id}/status")
def role_status(role_id: int, request: Request, session: DbSession, principal: SignedIn, form: Form):
    to = forms.text(form, "status") or ""
    reason = forms.text(form, "reason")
    _, errors = forms.attempt(
        session, lambda: roles_service.change_status(session, principal, role_id, to, reason), fields={"status": "Status"}
    )
    if errors:
        return redirect(request, f"/manage/roles/{role_id}", errors[0]["message"], kind="error")
    return redirect(request, f"/manage/roles/{role_id}", f"The role is now: {STATUS_ACTIONS.get(to, to).split(' –')[0].lower()}.")


# -- referrals --------------------------------------------------------------------------------------------
@router.get("/manage/referrals")
def manager_referrals(
    request: Request, session: DbSession, principal: ManagerUser, status: str | None = None, page: str | None = None
):
    status = status if status in REFERRAL_STATUS.labels else None
    number = paging.page_number(page)
    rows, total = referrals_service.list_(
        session,
        principal,
        status=status,
        role_id=None,
        volunteer_id=None,
        district=None,
        overdue_days=None,
        page=number,
        page_size=REFERRALS_PAGE,
    )
    items = [referrals_service.to_out(session, ref, vol, role, principal) for ref, vol, role in rows]
    return render(
        request,
        "pages/organisation/referrals.html",
        {
            "title": "Interested volunteers",
            "items": items,
            "status": status or "",
            **paging.context("/manage/referrals", {"status": status or ""}, number, total, REFERRALS_PAGE),
        },
    )


@router.post("/manage/referrals/{referral_id}/status")
def move_referral(referral_id: int, request: Request, session: DbSession, principal: SignedIn, form: Form):
    to = forms.text(form, "status") or ""
    back = links.local_path(forms.text(form, "back")) or links.ORGANISATION_REFERRALS
    result, errors = forms.attempt(
        session, lambda: referrals_service.transition(session, principal, referral_id, to, forms.text(form, "note"))
    )
    if result is None:
        return redirect(request, back, forms.first_error(errors), kind="error")
    ref, vol, role = result
    said = f"{vol.full_name} – {role.title}: {REFERRAL_STATUS.label(to).lower()}."
    ended = session.scalar(select(Placement).where(Placement.referral_id == ref.id, Placement.ended_on.is_not(None)))
    if ended is not None and to in ("completed", "withdrawn"):
        return redirect(request, links.organisation_leaving_page(ended.id), said + " Please say why the placement ended.")
    return redirect(request, back, said)


@router.get("/manage/organisations/{organisation_id}")
def organisation_page(organisation_id: int, request: Request, session: DbSession, principal: SignedIn):
    org = organisations_service.get(session, principal, organisation_id)
    # Through the role rules: the public sees this organisation's published roles, its managers and centre all of them.
    rows, _total = roles_service.list_(session, principal, organisation_id=org.id, page=1, page_size=200)
    roles = [role for role, _name in rows]
    return render(request, "pages/organisation/organisation.html", {"title": org.name, "org": org, "roles": roles})
