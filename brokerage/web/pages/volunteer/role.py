"""A role's page: what it is, when and where, and for a signed-in volunteer whether it suits them
and why (or why not), and their application if they have one."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from brokerage.deps import DbSession, OptionalPrincipal
from brokerage.vocab import slots
from brokerage.models import SessionBooking, Volunteer
from brokerage.referrals import service as referrals_service
from brokerage.roles import service as roles_service
from brokerage.shifts import service as shifts_service
from brokerage.web.deps import page_router
from brokerage.web.rendering import render
from brokerage.web.views import matches as match_views

router = page_router()


@router.get("/opportunities/{role_id}")
def role_page(role_id: int, request: Request, session: DbSession, principal: OptionalPrincipal) -> Response:
    role, org = roles_service.get_with_org(session, principal, role_id)
    referral = None
    eligibility = None
    sessions = shifts_service.with_places(session, role, upcoming_only=True)
    bookings: dict[int, SessionBooking] = {}
    if principal is not None and principal.is_volunteer and principal.volunteer_id:
        referral = referrals_service.active_referral(session, principal.volunteer_id, role.id)
        v = session.get(Volunteer, principal.volunteer_id)
        eligibility = match_views.eligibility(session, principal, v, role) if v is not None else None
        bookings = shifts_service.bookings_of(session, principal.volunteer_id, [s.id for s, _ in sessions])
    positions = {sid: shifts_service.waiting_position(session, b) for sid, b in bookings.items() if b.status == "waiting"}
    return render(
        request,
        "pages/volunteer/role.html",
        {
            "title": role.title,
            "role": role,
            "organisation": org,
            "referral": referral,
            "eligibility": eligibility,
            "slots": slots.mask_to_slots(role.slot_mask or 0),
            "sessions": sessions,
            "bookings": bookings,
            "positions": positions,
        },
    )
