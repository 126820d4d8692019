"""Saying you are interested in a role (the organisation is told), your applications, and
withdrawing one."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from brokerage.auth.principal import Principal
from brokerage.deps import DbSession
from brokerage.models import Role, Volunteer
from brokerage.referrals import service as referrals_service
from brokerage.referrals.schemas import ReferralCreate
from brokerage.roles import service as roles_service
from brokerage.web import forms, paging
from brokerage.web.deps import Form, VolunteerUser, page_router
from brokerage.web.rendering import redirect, render
from brokerage.web.views import matches as match_views

router = page_router()
APPLICATIONS_PAGE = 50


def _eligibility(session: DbSession, principal: Principal, role: Role) -> match_views.Eligibility | None:
    volunteer = session.get(Volunteer, principal.volunteer_id) if principal.volunteer_id else None
    return match_views.eligibility(session, principal, volunteer, role) if volunteer is not None else None


def _form(request: Request, session: DbSession, principal: Principal, role: Role, org, **extra) -> Response:
    status_code = extra.pop("status_code", 200)
    context = {
        "title": f"Say you are interested in {role.title}",
        "role": role,
        "organisation": org,
        "eligibility": _eligibility(session, principal, role),
        **extra,
    }
    return render(request, "pages/volunteer/interest.html", context, status_code=status_code)


@router.get("/opportunities/{role_id}/interest")
def interest_page(role_id: int, request: Request, session: DbSession, principal: VolunteerUser) -> Response:
    role, org = roles_service.get_with_org(session, principal, role_id)
    return _form(request, session, principal, role, org, values={"share_email": "yes"})


@router.post("/opportunities/{role_id}/interest")
def interest(role_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form) -> Response:
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
        return _form(request, session, principal, role, org, values=forms.values(form), errors=errors, status_code=422)
    return redirect(
        request, "/my/interest", f"We have told {org.name} you are interested in “{role.title}”. They will be in touch."
    )


@router.get("/my/interest")
def my_interest(request: Request, session: DbSession, principal: VolunteerUser, page: str | None = None) -> Response:
    number = paging.page_number(page)
    rows, total = referrals_service.list_(
        session,
        principal,
        status=None,
        role_id=None,
        volunteer_id=None,
        district=None,
        overdue_days=None,
        page=number,
        page_size=APPLICATIONS_PAGE,
    )
    items = [referrals_service.to_out(session, ref, vol, role, principal) for ref, vol, role in rows]
    return render(
        request,
        "pages/volunteer/interest_list.html",
        {"title": "Your applications", "items": items, **paging.context("/my/interest", {}, number, total, APPLICATIONS_PAGE)},
    )


@router.post("/my/interest/{referral_id}/withdraw")
def withdraw(referral_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form) -> Response:
    ref, _vol, role = referrals_service.transition(session, principal, referral_id, "withdrawn", forms.text(form, "note"))
    return redirect(request, "/my/interest", f"You have withdrawn your interest in “{role.title}”.")
