"""One referral on a page of its own: what a referral email links to. The organisation sees who is
interested, the contact details the volunteer agreed to share and how to move it on; volunteer
centre staff also see how long it has waited. A signed-out recipient signs in and comes straight
back here."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage import links
from brokerage.auth.principal import Principal
from brokerage.config import get_settings
from brokerage.deps import DbSession
from brokerage.models import Organisation, ReferralEvent, User
from brokerage.referrals import service as referrals_service
from brokerage.vocab.referrals import ACTIVE_REFERRAL_STATUSES
from brokerage.web.deps import ManagerOrStaffUser, StaffUser, page_router
from brokerage.web.rendering import render

router = page_router()


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
    here = links.centre_referral_page(ref.id) if audience == "centre" else links.organisation_referral_page(ref.id)
    return render(
        request,
        "pages/referral/referral.html",
        {
            "title": f"{vol.full_name} – {role.title}",
            "r": out,
            "audience": audience,
            "here": here,
            "move_action": f"{links.CENTRE_REFERRALS if audience == 'centre' else links.ORGANISATION_REFERRALS}/{ref.id}/status",
            "list_url": links.CENTRE_REFERRALS if audience == "centre" else links.ORGANISATION_REFERRALS,
            "role_url": links.role_admin_page(role.id),
            "volunteer_url": f"/centre/volunteers/{vol.id}" if audience == "centre" else None,
            "active": ref.status in ACTIVE_REFERRAL_STATUSES,
            "waited": waited,
            "overdue": waited >= settings.follow_up_working_days,
            "escalated": referrals_service.escalated(ref),
            # The centre chases the organisation: who to call there.
            "organisation": session.get(Organisation, role.organisation_id) if audience == "centre" else None,
            "history": history,
        },
    )


@router.get("/manage/referrals/{referral_id}")
def organisation_referral(referral_id: int, request: Request, session: DbSession, principal: ManagerOrStaffUser):
    return _page(request, session, principal, referral_id, "centre" if principal.is_staff else "organisation")


@router.get("/centre/referrals/{referral_id}")
def centre_referral(referral_id: int, request: Request, session: DbSession, principal: StaffUser):
    return _page(request, session, principal, referral_id, "centre")
