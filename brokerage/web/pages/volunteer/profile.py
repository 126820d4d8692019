"""A volunteer's profile: what they told us, and a page to change each section of it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from brokerage.callouts import service as callouts_service
from brokerage.deps import DbSession
from brokerage.models import EmergencyAvailability
from brokerage.vocab import slots
from brokerage.web.deps import VolunteerUser, page_router
from brokerage.web.pages.volunteer.sections import add_section_routes, my_volunteer
from brokerage.vocab.taxonomies import cause_label
from brokerage.web.rendering import render

router = page_router()

add_section_routes(
    router,
    prefix="/my/profile",
    steps=("details", "where", "when", "skills", "causes", "dbs", "contact", "about-you"),
    signup=False,
    name="profile",
)


@router.get("/my/profile")
def my_profile(request: Request, session: DbSession, principal: VolunteerUser) -> Response:
    v = my_volunteer(session, principal)
    return render(
        request,
        "pages/volunteer/profile.html",
        {
            "title": "Your profile",
            "v": v,
            "slots": slots.mask_to_slots(v.availability_mask or 0),
            "causes": [cause_label(c) for c in v.causes],
            "emergency": callouts_service.describe(session.get(EmergencyAvailability, v.id)),
        },
    )
