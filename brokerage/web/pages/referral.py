"""One referral on a page of its own: what a referral email links to. The organisation sees who is
interested, the contact details the volunteer agreed to share and how to move it on; volunteer
centre staff also see how long it has waited; the volunteer sees where it has got to. All three see
the conversation on it (brokerage/referrals/thread.py) and can write in it; staff notes are shown to
staff alone. A signed-out recipient signs in and comes straight back here."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage import links
from brokerage.auth.principal import Principal
from brokerage.config import get_settings
from brokerage.deps import DbSession
from brokerage.models import Organisation, ReferralEvent, User
from brokerage.referrals import service as referrals_service
from brokerage.referrals import thread
from brokerage.vocab.referrals import ACTIVE_REFERRAL_STATUSES
from brokerage.web import forms
from brokerage.web.deps import Form, ManagerOrStaffUser, StaffUser, VolunteerUser, page_router
from brokerage.web.rendering import redirect, render

router = page_router()
LISTS = {"volunteer": links.MY_INTEREST, "organisation": links.ORGANISATION_REFERRALS, "centre": links.CENTRE_REFERRALS}


def _page(request: Request, session: Session, principal: Principal, referral_id: int, audience: str):
    ref, vol, role = referrals_service.get(session, principal, referral_id)
    out = referrals_service.to_out(session, ref, vol, role, principal)
    waited = (
        referrals_service.working_days_since(ref.status_changed_at) if ref.status in referrals_service.WAITING_STATUSES else 0
    )
    settings = get_settings()
    history = session.execute(
        select(ReferralEvent, User.full_name)
        .outerjoin(User, User.id == ReferralEvent.actor_user_id)
        .where(ReferralEvent.referral_id == ref.id)
        .order_by(ReferralEvent.id)
    ).all()
    here = links.referral_page_for(audience, ref.id)
    org = session.get(Organisation, role.organisation_id)
    return render(
        request,
        "pages/referral/referral.html",
        {
            "title": role.title if audience == "volunteer" else f"{vol.full_name} – {role.title}",
            "r": out,
            "audience": audience,
            "here": here,
            "move_action": f"{LISTS[audience]}/{ref.id}/{'withdraw' if audience == 'volunteer' else 'status'}",
            "list_url": LISTS[audience],
            "role_url": links.role_page(role.id) if audience == "volunteer" else links.role_admin_page(role.id),
            "volunteer_url": f"/centre/volunteers/{vol.id}" if audience == "centre" else None,
            "active": ref.status in ACTIVE_REFERRAL_STATUSES,
            "waited": waited,
            "overdue": waited >= settings.follow_up_working_days,
            "escalated": referrals_service.escalated(ref),
            "history": history,
            "thread": thread.entries(session, principal, ref, vol, role),
            "message_action": f"{here}/messages",
            # The centre chases the organisation: who to call there; the volunteer sees them once in touch.
            "organisation": org,
            "contact_revealed": thread.contact_revealed(ref),
        },
    )


@router.get("/manage/referrals/{referral_id}")
def organisation_referral(referral_id: int, request: Request, session: DbSession, principal: ManagerOrStaffUser):
    return _page(request, session, principal, referral_id, "centre" if principal.is_staff else "organisation")


@router.get("/centre/referrals/{referral_id}")
def centre_referral(referral_id: int, request: Request, session: DbSession, principal: StaffUser):
    return _page(request, session, principal, referral_id, "centre")


@router.get("/my/interest/{referral_id}")
def volunteer_referral(referral_id: int, request: Request, session: DbSession, principal: VolunteerUser):
    return _page(request, session, principal, referral_id, "volunteer")


def _post(request: Request, session: Session, principal: Principal, referral_id: int, form, audience: str) -> Response:
    here = links.referral_page_for(audience, referral_id)
    staff_only = audience == "centre" and forms.flag(form, "staff_only")
    result, errors = forms.attempt(
        session,
        lambda: referrals_service.post_message(session, principal, referral_id, forms.text(form, "body"), staff_only),
        fields={"body": "Your message"},
    )
    if result is None:
        return redirect(request, here + "#message", forms.first_error(errors), kind="error")
    said = "Your note has been saved. Only centre staff can see it." if staff_only else "Your message has been sent."
    return redirect(request, here + "#conversation", said)


@router.post("/my/interest/{referral_id}/messages")
def volunteer_message(referral_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form):
    return _post(request, session, principal, referral_id, form, "volunteer")


@router.post("/manage/referrals/{referral_id}/messages")
def organisation_message(referral_id: int, request: Request, session: DbSession, principal: ManagerOrStaffUser, form: Form):
    return _post(request, session, principal, referral_id, form, "centre" if principal.is_staff else "organisation")


@router.post("/centre/referrals/{referral_id}/messages")
def centre_message(referral_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form):
    return _post(request, session, principal, referral_id, form, "centre")
