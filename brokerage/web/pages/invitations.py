"""Invitations and brokered referrals on the pages: a role's managers and volunteer centre staff
invite a volunteer from the role's candidate list; centre staff can also refer them directly; the
volunteer sees their invitations, the role and why it was suggested, and answers; centre staff see
the invitations still waiting for an answer. A volunteer without an account opens the invitation from
its email's signed link (``/invited/{token}``), answers it there and may set up an account."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from brokerage import links
from brokerage.deps import DbSession, OptionalPrincipal
from brokerage.errors import InvalidInput
from brokerage.invitations import service as invitations_service
from brokerage.models import Volunteer
from brokerage.referrals import service as referrals_service
from brokerage.referrals.schemas import ReferralCreate
from brokerage.volunteers import service as volunteers_service
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
    if v is not None and v.user_id is None:
        return redirect(request, back, f"{name} has been invited. We will email them a link to answer (they have no account).")
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


# -- the signed link from the email, for a volunteer without an account ----------------------------------
def _no_referrer(response: Response) -> Response:
    """The link's token is in the address: no page it leads to is told it."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _linked_page(request: Request, session: DbSession, token: str, linked, **extra) -> Response:
    volunteer, role = linked.volunteer, linked.role
    principal = linked.principal
    eligibility = match_views.eligibility(session, principal, volunteer, role)
    status_code = extra.pop("status_code", 200)
    can_claim = volunteer.user_id is None and not volunteers_service.email_has_account(session, volunteer.email)
    context = {
        "title": f"Invitation: {role.title}",
        "invitation": linked.invitation,
        "role": role,
        "organisation": linked.organisation,
        "sender": linked.sender,
        "eligibility": eligibility,
        "by_link": True,
        "answer_action": links.invitation_link_page(token),
        "account_action": links.invitation_link_account_page(token),
        "can_claim": can_claim,
        "email": volunteer.email,
        "sign_in_url": links.sign_in_page(links.invitation_page(linked.invitation.id)),
        **extra,
    }
    return _no_referrer(render(request, "pages/volunteer/invitation.html", context, status_code=status_code))


def _link_not_working(request: Request, session: DbSession, token: str) -> Response:
    """A readable page for a link that has expired or was changed, with what to do instead."""
    role = invitations_service.role_of_expired_link(session, token)
    expired = role is not None or invitations_service.link_is_genuine(token)
    context = {
        "title": "This link has expired" if expired else "This link does not work",
        "expired": expired,
        "role": role,
        "sign_in_url": links.sign_in_page(links.MY_INVITATIONS),
    }
    page = render(request, "pages/volunteer/invitation_link.html", context, status_code=410 if expired else 400)
    return _no_referrer(page)


@router.get("/invited/{token}")
def invitation_by_link(token: str, request: Request, session: DbSession, principal: OptionalPrincipal) -> Response:
    linked = invitations_service.from_link(session, token)
    if linked is None:
        return _link_not_working(request, session, token)
    if principal is not None and principal.volunteer_id == linked.volunteer.id:
        return redirect(request, links.invitation_page(linked.invitation.id))
    return _linked_page(request, session, token, linked)


@router.post("/invited/{token}")
def answer_by_link(token: str, request: Request, session: DbSession, form: Form) -> Response:
    linked = invitations_service.from_link(session, token)
    if linked is None:
        return _link_not_working(request, session, token)
    choice = forms.text(form, "answer")
    if choice not in ("interested", "not_for_me"):
        errors = [{"field": "answer", "message": "Say whether you are interested"}]
        return _linked_page(request, session, token, linked, errors=errors, status_code=422)
    result, errors = forms.attempt(
        session,
        lambda: invitations_service.answer_by_link(session, linked, choice == "interested", forms.text(form, "reason")),
        fields={"reason": "Your reason"},
    )
    if result is None:
        return _linked_page(request, session, token, linked, errors=errors, values=forms.values(form), status_code=422)
    _invitation_row, ref = result
    said = (
        "Thank you. We have told the organisation you are interested: they will contact you by email."
        if ref is not None
        else "Thank you for letting us know. We will not ask you about this role again."
    )
    return redirect(request, links.invitation_link_page(token), said)


@router.post("/invited/{token}/account")
def account_by_link(token: str, request: Request, session: DbSession, form: Form) -> Response:
    """Set up an account for the volunteer record the link was sent to (its email address signs in)."""
    linked = invitations_service.from_link(session, token)
    if linked is None:
        return _link_not_working(request, session, token)
    password, confirm = forms.raw(form, "password"), forms.raw(form, "confirm_password")
    if password and password != confirm and len(password) >= 10:
        errors = [{"field": "confirm_password", "message": "The two passwords do not match"}]
        return _linked_page(request, session, token, linked, errors=errors, status_code=422)
    user, errors = forms.attempt(
        session, lambda: volunteers_service.claim_account(session, linked.volunteer, password), fields={"password": "Password"}
    )
    if user is None:
        return _linked_page(request, session, token, linked, errors=errors, status_code=422)
    return redirect(
        request,
        links.sign_in_page(links.invitation_page(linked.invitation.id)),
        f"Your account is ready. Sign in with {user.email} and your new password.",
    )
