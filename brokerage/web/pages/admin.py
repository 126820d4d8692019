"""Running the service: volunteer centres (the districts each covers, the lead centre), staff and
manager accounts (invite, deactivate), the audit log, failed background jobs (send again), valuation
rates and investment in volunteers. Each page calls the same service as the API and asks for the
same kind of account: administrators for centres, accounts, the audit log and jobs; pilot leads for
rates; centre staff (their own centre) and pilot leads (any centre) for investment."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import EmailStr
from sqlalchemy import select

from brokerage.dates import long_date
from brokerage import audit
from brokerage.auth import service as auth_service
from brokerage.auth.principal import Principal
from brokerage.centres import service as centres_service
from brokerage.centres.endpoints import CentreIn
from brokerage.deps import DbSession
from brokerage.errors import Forbidden, InvalidInput, NotFound
from brokerage.jobs import service as jobs_service
from brokerage.models import AuditLog, Centre, User
from brokerage.reports import service as reports_service
from brokerage.reports.schemas import InvestmentCreate, RateCreate
from brokerage.schemas import Input, Name
from brokerage.users import service as users_service
from brokerage.vocab.users import USER_ROLE, StaffRole
from brokerage.web import forms, paging
from brokerage.web.deps import AdminUser, Form, InvestmentUser, PilotUser, page_router
from brokerage.web.rendering import kent_districts, redirect, render

router = page_router()
PAGE_SIZE = 50

INVITABLE = [(k, USER_ROLE.label(k)) for k in ("organisation_manager", "centre_staff", "pilot_lead", "admin")]
RATE_KINDS = {
    "replacement_cost": "Replacement cost (what the work would cost to buy)",
    "proxy": "Proxy value",
    "wellbeing": "Wellbeing value",
    "benchmark": "Benchmark",
}
RATE_UNITS = {"hour": "per hour", "volunteer_year": "per volunteer a year"}
INVESTMENT_CATEGORIES = {
    "coordinator_time": "Coordinator time",
    "expenses": "Volunteers’ expenses",
    "training": "Training",
    "dbs_checks": "DBS checks",
    "recruitment": "Recruitment",
    "overheads": "Overheads",
}


class Invite(Input):
    email: EmailStr
    full_name: Name
    role: StaffRole
    centre_id: int | None = None


def _present(data: dict[str, Any]) -> dict[str, Any]:
    """The answers given (an empty answer is a missing one, so it reads "Enter …")."""
    return {k: v for k, v in data.items() if v is not None and v != ""}


def _centres(session: DbSession) -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in centres_service.list_centres(session)]


@router.get("/admin")
def admin_home(request: Request, session: DbSession, principal: AdminUser) -> Response:
    _, failed = jobs_service.list_failed(session, actor=None, page=1, page_size=1)
    return render(request, "pages/admin/home.html", {"title": "Run the service", "failed": failed})


# -- centres --------------------------------------------------------------------------------------------
@router.get("/admin/centres")
def centres(request: Request, session: DbSession, principal: AdminUser) -> Response:
    rows = centres_service.list_centres(session)
    return render(request, "pages/admin/centres.html", {"title": "Volunteer centres", "centres": rows})


CENTRE_FIELDS = {"name": "The centre’s name", "email": "Email address", "phone": "Phone number", "districts": "Districts"}


def _centre_form(request: Request, centre: Centre | None, values: dict[str, Any], errors=(), status_code: int = 200):
    title = f"Change {centre.name}" if centre else "Add a volunteer centre"
    context = {"title": title, "centre": centre, "values": values, "errors": list(errors), "districts": kent_districts()}
    return render(request, "pages/admin/centre_form.html", context, status_code=status_code)


def _centre_values(centre: Centre) -> dict[str, Any]:
    return {
        "name": centre.name,
        "email": centre.email or "",
        "phone": centre.phone or "",
        "districts": centre.district_codes,
        "is_lead": centre.is_lead,
    }


@router.get("/admin/centres/new")
def centre_new(request: Request, session: DbSession, principal: AdminUser) -> Response:
    return _centre_form(request, None, {"districts": []})


@router.get("/admin/centres/{centre_id}")
def centre_edit(centre_id: int, request: Request, session: DbSession, principal: AdminUser) -> Response:
    centre = session.get(Centre, centre_id)
    if centre is None:
        raise NotFound("There is no volunteer centre with that id.")
    return _centre_form(request, centre, _centre_values(centre))


def _save_centre(request: Request, session: DbSession, principal: Principal, form, centre: Centre | None) -> Response:
    values = {
        "name": forms.text(form, "name"),
        "email": forms.text(form, "email"),
        "phone": forms.text(form, "phone"),
        "districts": forms.many(form, "districts"),
        "is_lead": forms.flag(form, "is_lead"),
    }
    saved, errors = forms.attempt(
        session,
        lambda: centres_service.save_centre(
            session, principal, CentreIn(**_present(values)).model_dump(), centre.id if centre else None
        ),
        fields=CENTRE_FIELDS,
    )
    if errors:
        for e in errors:
            if e["field"] == "districts" and "at least 1" in e["message"]:
                e["message"] = "Select at least one district the centre covers"
        return _centre_form(request, centre, values, errors, status_code=422)
    assert saved is not None
    return redirect(request, "/admin/centres", f"{saved.name} has been saved.")


@router.post("/admin/centres/new")
def centre_create(request: Request, session: DbSession, principal: AdminUser, form: Form) -> Response:
    return _save_centre(request, session, principal, form, None)


@router.post("/admin/centres/{centre_id}")
def centre_update(centre_id: int, request: Request, session: DbSession, principal: AdminUser, form: Form) -> Response:
    centre = session.get(Centre, centre_id)
    if centre is None:
        raise NotFound("There is no volunteer centre with that id.")
    return _save_centre(request, session, principal, form, centre)


# -- accounts -------------------------------------------------------------------------------------------
@router.get("/admin/users")
def users(
    request: Request,
    session: DbSession,
    principal: AdminUser,
    role: str | None = None,
    q: str | None = None,
    page: str | None = None,
) -> Response:
    role = role if role in USER_ROLE.labels else None
    q = (q or "").strip()[:200] or None
    number = paging.page_number(page)
    rows, total = users_service.list_(session, role=role, centre_id=None, q=q, page=number, page_size=PAGE_SIZE)
    filters = {"role": role or "", "q": q or ""}
    return render(
        request,
        "pages/admin/users.html",
        {
            "title": "Accounts",
            "rows": rows,
            "filters": filters,
            "centres": dict(_centres(session)),
            "role_options": list(USER_ROLE.labels.items()),
            "role_labels": USER_ROLE.labels,
            **paging.context("/admin/users", filters, number, total, PAGE_SIZE),
        },
    )


INVITE_FIELDS = {"email": "Email address", "full_name": "Full name", "role": "Kind of account", "centre_id": "Volunteer centre"}


def _invite_form(request: Request, session: DbSession, values: dict[str, Any], errors=(), status_code: int = 200):
    context = {
        "title": "Invite someone",
        "values": values,
        "errors": list(errors),
        "roles": INVITABLE,
        "centres": _centres(session),
    }
    return render(request, "pages/admin/invite.html", context, status_code=status_code)


@router.get("/admin/users/new")
def invite_page(request: Request, session: DbSession, principal: AdminUser) -> Response:
    return _invite_form(request, session, {})


def _invite(session: DbSession, principal: Principal, body: Invite) -> User:
    user = users_service.create_account(
        session, email=body.email, full_name=body.full_name, password=None, role=body.role, centre_id=body.centre_id
    )
    audit.record(session, principal, "user.invite", "user", user.id, role=user.role)
    # the email to choose a password is the password reset email: the account has none yet
    auth_service.request_password_reset(session, user.email)
    return user


@router.post("/admin/users/new")
def invite(request: Request, session: DbSession, principal: AdminUser, form: Form) -> Response:
    values = forms.values(form, INVITE_FIELDS)
    centre = forms.text(form, "centre_id")
    body = {
        "email": forms.text(form, "email"),
        "full_name": forms.text(form, "full_name"),
        "role": forms.text(form, "role"),
        "centre_id": int(centre) if centre and centre.isdigit() and len(centre) < 10 else None,
    }
    if body["role"] == "centre_staff" and body["centre_id"] is None:
        errors = [{"field": "centre_id", "message": "Select the volunteer centre they work for"}]
        return _invite_form(request, session, values, errors, status_code=422)
    if body["role"] != "centre_staff":
        body["centre_id"] = None
    user, errors = forms.attempt(
        session,
        lambda: _invite(session, principal, Invite(**_present(body))),
        fields=INVITE_FIELDS,
        choices=("role", "centre_id"),
    )
    if errors:
        for e in errors:
            if e["field"] == "role":
                e["message"] = "Select the kind of account"
        return _invite_form(request, session, values, errors, status_code=422)
    assert user is not None
    return redirect(request, "/admin/users", f"We have emailed {user.email} a link to choose a password.")


@router.post("/admin/users/{user_id}/active")
def set_active(user_id: int, request: Request, session: DbSession, principal: AdminUser, form: Form) -> Response:
    active = forms.text(form, "active") == "yes"
    if user_id == principal.user_id and not active:
        return redirect(request, "/admin/users", "You cannot deactivate your own account.", kind="error")
    user = users_service.update(session, principal, user_id, {"is_active": active})
    done = "can sign in again" if active else "has been deactivated and signed out everywhere"
    return redirect(request, "/admin/users", f"{user.full_name} {done}.")


@router.post("/admin/users/{user_id}/safeguarding")
def set_safeguarding_lead(user_id: int, request: Request, session: DbSession, principal: AdminUser, form: Form) -> Response:
    lead = forms.text(form, "lead") == "yes"
    user, errors = forms.attempt(
        session, lambda: users_service.update(session, principal, user_id, {"safeguarding_lead": lead}), fields={"lead": "Lead"}
    )
    if errors or user is None:
        return redirect(request, "/admin/users", forms.first_error(errors), kind="error")
    done = "is now a designated safeguarding lead for their centre" if lead else "is no longer a safeguarding lead"
    return redirect(request, "/admin/users", f"{user.full_name} {done}.")


# -- the audit log --------------------------------------------------------------------------------------
@router.get("/admin/audit")
def audit_log(
    request: Request,
    session: DbSession,
    principal: AdminUser,
    subject_type: str | None = None,
    subject_id: str | None = None,
    actor: str | None = None,
    page: str | None = None,
) -> Response:
    types = sorted(set(session.scalars(select(AuditLog.subject_type).distinct())))
    subject_type = subject_type if subject_type in types else None
    sid = int(subject_id) if subject_id and subject_id.isdigit() and len(subject_id) < 10 else None
    actor = (actor or "").strip()[:254] or None
    actor_user = auth_service.get_user_by_email(session, actor) if actor else None
    number = paging.page_number(page)
    errors = []
    if actor and actor_user is None:
        errors.append({"field": "actor", "message": "There is no account with that email address"})
        rows, total = [], 0
    else:
        rows, total = users_service.audit_log(
            session,
            subject_type=subject_type,
            subject_id=sid,
            actor_user_id=actor_user.id if actor_user else None,
            page=number,
            page_size=PAGE_SIZE,
        )
    ids = {r.actor_user_id for r in rows if r.actor_user_id}
    names = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    filters = {"subject_type": subject_type or "", "subject_id": sid or "", "actor": actor or ""}
    return render(
        request,
        "pages/admin/audit.html",
        {
            "title": "Audit log",
            "rows": rows,
            "actors": names,
            "type_options": [(t, t.replace("_", " ").capitalize()) for t in types],
            "filters": filters,
            "values": filters,
            "errors": errors,
            **paging.context("/admin/audit", filters, number, total, PAGE_SIZE),
        },
    )


# -- failed jobs ----------------------------------------------------------------------------------------
@router.get("/admin/jobs")
def failed_jobs(
    request: Request, session: DbSession, principal: AdminUser, actor: str | None = None, page: str | None = None
) -> Response:
    actor = (actor or "").strip()[:100] or None
    number = paging.page_number(page)
    rows, total = jobs_service.list_failed(session, actor=actor, page=number, page_size=PAGE_SIZE)
    jobs = [jobs_service.to_out(r) for r in rows]
    filters = {"actor": actor or ""}
    return render(
        request,
        "pages/admin/jobs.html",
        {
            "title": "Failed background jobs",
            "jobs": jobs,
            "filters": filters,
            **paging.context("/admin/jobs", filters, number, total, PAGE_SIZE),
        },
    )


@router.post("/admin/jobs/{job_id}/redrive")
def redrive(job_id: int, request: Request, session: DbSession, principal: AdminUser, form: Form) -> Response:
    _, errors = forms.attempt(session, lambda: jobs_service.redrive(session, principal, job_id))
    if errors:
        return redirect(request, "/admin/jobs", errors[0]["message"], kind="error")
    return redirect(request, "/admin/jobs", f"Job {job_id} will be run again.")


# -- valuation rates ------------------------------------------------------------------------------------
RATE_FIELDS = {
    "series": "Series",
    "name": "Name",
    "kind": "Kind of value",
    "unit": "Unit",
    "amount": "Amount in pounds",
    "valid_from": "Valid from",
    "valid_to": "Valid to",
    "price_year": "Price year",
    "source": "Source",
    "licence_note": "Licence",
}


def _rates_page(request: Request, session: DbSession, values: dict[str, Any], errors=(), status_code: int = 200):
    rates = reports_service.list_rates(session)
    series: dict[str, list[Any]] = {}
    for r in rates:
        series.setdefault(r.series, []).append(r)
    context = {
        "title": "Valuation rates",
        "series": series,
        "values": values,
        "errors": list(errors),
        "kinds": list(RATE_KINDS.items()),
        "units": list(RATE_UNITS.items()),
        "kind_labels": RATE_KINDS,
        "unit_labels": RATE_UNITS,
        "today": date.today(),
    }
    return render(request, "pages/admin/rates.html", context, status_code=status_code)


@router.get("/admin/rates")
def rates(request: Request, session: DbSession, principal: PilotUser, series: str | None = None) -> Response:
    known = {r.series: r for r in reports_service.list_rates(session)}
    values: dict[str, Any] = {"unit": "hour"}
    if series in known:  # "add the missing rate" for a series: start from what it already says
        r = known[series]
        values.update(series=r.series, name=r.name, kind=r.kind, unit=r.unit, source=r.source, licence_note=r.licence_note or "")
    return _rates_page(request, session, values)


@router.post("/admin/rates")
def add_rate(request: Request, session: DbSession, principal: PilotUser, form: Form) -> Response:
    values = forms.values(form, RATE_FIELDS)
    body = {k: forms.text(form, k) for k in RATE_FIELDS}
    body["amount"] = forms.number(form, "amount")
    if body.get("amount"):
        body["amount"] = str(body["amount"]).lstrip("£")
    body = {k: v for k, v in body.items() if v is not None}
    rate, errors = forms.attempt(
        session,
        lambda: reports_service.add_rate(session, principal, RateCreate(**body)),
        fields=RATE_FIELDS,
        choices=("kind", "unit"),
    )
    if errors:
        return _rates_page(request, session, values, errors, status_code=422)
    assert rate is not None
    return redirect(request, "/admin/rates", f"The rate for {rate.name} from {long_date(rate.valid_from)} has been added.")


# -- investment -----------------------------------------------------------------------------------------
INVESTMENT_FIELDS = {
    "centre_id": "Volunteer centre",
    "period_start": "Start of the period",
    "period_end": "End of the period",
    "category": "What the money was spent on",
    "amount": "Amount in pounds",
    "note": "Note",
}


def _investment_page(
    request: Request, session: DbSession, principal: Principal, values: dict[str, Any], errors=(), status_code: int = 200
):
    entries = reports_service.list_investments(session, principal)
    centres = _centres(session)
    mine = centres if principal.is_pilot_lead else [(i, n) for i, n in centres if i == principal.centre_id]
    context = {
        "title": "Investment in volunteers",
        "entries": entries,
        "centre_names": dict(centres),
        "centres": mine,
        "categories": list(INVESTMENT_CATEGORIES.items()),
        "category_labels": INVESTMENT_CATEGORIES,
        "values": values,
        "errors": list(errors),
        "may_remove": {e.id for e in entries if principal.is_pilot_lead or e.centre_id == principal.centre_id},
    }
    return render(request, "pages/admin/investment.html", context, status_code=status_code)


@router.get("/admin/investment")
def investment(request: Request, session: DbSession, principal: InvestmentUser) -> Response:
    return _investment_page(request, session, principal, {"centre_id": principal.centre_id or ""})


@router.post("/admin/investment")
def add_investment(request: Request, session: DbSession, principal: InvestmentUser, form: Form) -> Response:
    values = forms.values(form, INVESTMENT_FIELDS)
    centre = forms.text(form, "centre_id")
    body: dict[str, Any] = {k: forms.text(form, k) for k in ("period_start", "period_end", "category", "note")}
    body["amount"] = (forms.number(form, "amount") or "").lstrip("£") or None
    body["centre_id"] = int(centre) if centre and centre.isdigit() and len(centre) < 10 else principal.centre_id
    body = {k: v for k, v in body.items() if v is not None}

    def add():
        if principal.is_staff and body.get("centre_id") != principal.centre_id:
            raise InvalidInput("Centre staff record investment for their own centre.", field="centre_id")
        return reports_service.add_investment(session, principal, InvestmentCreate(**body))

    entry, errors = forms.attempt(session, add, fields=INVESTMENT_FIELDS, choices=("centre_id", "category"))
    if errors:
        return _investment_page(request, session, principal, values, errors, status_code=422)
    assert entry is not None
    return redirect(
        request,
        "/admin/investment",
        f"£{entry.amount:,.2f} for {INVESTMENT_CATEGORIES[entry.category].lower()} has been recorded.",
    )


@router.post("/admin/investment/{entry_id}/remove")
def remove_investment(entry_id: int, request: Request, session: DbSession, principal: InvestmentUser, form: Form) -> Response:
    try:
        reports_service.delete_investment(session, principal, entry_id)
    except Forbidden as exc:
        return redirect(request, "/admin/investment", exc.message, kind="error")
    return redirect(request, "/admin/investment", "The entry has been removed.")
