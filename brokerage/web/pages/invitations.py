"""Invitations and brokered referrals on the pages: a role's managers and volunteer centre staff
invite a volunteer from the role's candidate list; centre staff can also refer them directly; the
volunteer sees their invitations, the role and why it was suggested, and answers; centre staff see
the invitations still waiting for an answer."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from brokerage import links
from brokerage.deps import DbSession
from brokerage.errors import InvalidInput
from brokerage.invitations import service as invitations_service
from brokerage.models import Volunteer
from brokerage.referrals import service as referrals_service
from brokerage.referrals.schemas import ReferralCreate
from brokerage.web import forms, paging
from brokerage.web.deps import Form, ManagerOrStaffUser, StaffUser, VolunteerUser, page_router
from brokerage.web.rendering import redirect, render
from brokerage.web.views import matches as match_views

router = page_router()
INVITATIONS_PAGE = 25


def _volunteer_id(form) -> int:
    try:
        return int(forms.text(form, "volunteer_id") or "")
    except ValueError:
        raise InvalidInput("Choose a volunteer.", field="volunteer_id") from None


@router.post("/manage/roles/{role_id}/invite")
def invite(role_id: int, request: Request, session: DbSession, principal: ManagerOrStaffUser, form: Form) -> Response:
    back = links.role_admin_page(role_id)
    result, errors = forms.attempt(
        session,
        lambda: invitations_service.create(session, principal, role_id, _volunteer_id(form), forms.text(form, "note")),
    )
    if result is None:
        return redirect(request, back, forms.first_error(errors), kind="error")
    v = session.get(Volunteer, result.volunteer_id)
    name = f"{v.first_name} {v.last_name[:1]}." if v is not None else "The volunteer"
    return redirect(request, back, f"{name} has been invited. They will see the invitation when they sign in.")


@router.post("/manage/roles/{role_id}/refer")
def refer(role_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form) -> Response:
    """Centre staff put a volunteer forward for a role: the organisation and the volunteer are emailed."""
    back = links.role_admin_page(role_id)
    result, errors = forms.attempt(
        session,
        lambda: referrals_service.create(
            session,
            principal,
            ReferralCreate(role_id=role_id, volunteer_id=_volunteer_id(form), message=forms.text(form, "note")),
        ),
    )
    if result is None:
        return redirect(request, back, forms.first_error(errors), kind="error")
    ref, v, role = result
    return redirect(
        request,
        links.centre_referral_page(ref.id),
        f"{v.full_name} has been referred to “{role.title}”. We have emailed them and the organisation.",
    )


@router.get("/my/invitations")
def my_invitations(request: Request, session: DbSession, principal: VolunteerUser, page: str | None = None) -> Response:
    number = paging.page_number(page)
    rows, total = invitations_service.list_own(session, principal, page=number, page_size=INVITATIONS_PAGE)
    return render(
        request,
        "pages/volunteer/invitations.html",
        {"title": "Invitations", "rows": rows, **paging.context(links.MY_INVITATIONS, {}, number, total, INVITATIONS_PAGE)},
    )


def _invitation(request: Request, session: DbSession, principal, invitation_id: int, **extra) -> Response:
    invitation, role, org = invitations_service.get_own(session, principal, invitation_id)
    volunteer = session.get(Volunteer, principal.volunteer_id)
    eligibility = match_views.eligibility(session, principal, volunteer, role) if volunteer is not None else None
    status_code = extra.pop("status_code", 200)
    return render(
        request,
        "pages/volunteer/invitation.html",
        {
            "title": f"Invitation: {role.title}",
            "invitation": invitation,
            "role": role,
            "organisation": org,
            "sender": org.name if invitation.sender_kind == "organisation" else "Your volunteer centre",
            "eligibility": eligibility,
            **extra,
        },
        status_code=status_code,
    )


@router.get("/my/invitations/{invitation_id}")
def invitation_page(invitation_id: int, request: Request, session: DbSession, principal: VolunteerUser) -> Response:
    return _invitation(request, session, principal, invitation_id)


@router.post("/my/invitations/{invitation_id}")
def answer(invitation_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form) -> Response:
    choice = forms.text(form, "answer")
    if choice not in ("interested", "not_for_me"):
        return _invitation(
            request,
            session,
            principal,
            invitation_id,
            errors=[{"field": "answer", "message": "Say whether you are interested"}],
            status_code=422,
        )
    result, errors = forms.attempt(
        session,
        lambda: invitations_service.answer(session, principal, invitation_id, choice == "interested", forms.text(form, "reason")),
        fields={"reason": "Your reason"},
    )
    if result is None:
        return _invitation(request, session, principal, invitation_id, errors=errors, values=forms.values(form), status_code=422)
    invitation, ref = result
    if ref is not None:
        return redirect(
            request, links.volunteer_referral_page(ref.id), "Thank you. We have told the organisation you are interested."
        )
    return redirect(request, links.MY_INVITATIONS, "Thank you for letting us know. We will not ask you about this role again.")


@router.get("/centre/invitations")
def unanswered(request: Request, session: DbSession, principal: StaffUser, page: str | None = None) -> Response:
    number = paging.page_number(page)
    rows, total = invitations_service.list_unanswered(session, principal, page=number, page_size=INVITATIONS_PAGE)
    return render(
        request,
        "pages/centre/invitations.html",
        {
            "title": "Invitations waiting for an answer",
            "rows": rows,
            **paging.context(links.CENTRE_INVITATIONS, {}, number, total, INVITATIONS_PAGE),
        },
    )
