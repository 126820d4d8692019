"""Milestones and certificates: a volunteer's milestones with their certificates (PDF, drawn by
WeasyPrint), and the page anyone can open to check that a certificate is genuine."""

from __future__ import annotations

from decimal import Decimal

from fastapi import Request
from fastapi.responses import Response
from weasyprint import HTML

from brokerage import links
from brokerage.deps import DbSession
from brokerage.hours import milestones
from brokerage.models import Milestone, Volunteer
from brokerage.web.deps import VolunteerUser, page_router
from brokerage.web.rendering import SECURITY_HEADERS, environment, render

router = page_router()


@router.get("/my/milestones")
def my_milestones(request: Request, session: DbSession, principal: VolunteerUser):
    volunteer_id = int(principal.volunteer_id or 0)
    reached = milestones.of_volunteer(session, volunteer_id)
    now = milestones.figures(session, volunteer_id)
    upcoming = next((t for t in milestones.THRESHOLDS if now.hours < t), None)
    return render(
        request,
        "pages/volunteer/milestones.html",
        {
            "title": "Your milestones and certificates",
            "milestones": reached,
            "hours": now.hours,
            "next_threshold": upcoming,
            "to_go": (Decimal(upcoming) - now.hours) if upcoming else None,
        },
    )


def certificate_pdf(milestone: Milestone, name: str) -> bytes:
    html = (
        environment()
        .get_template("certificates/certificate.html")
        .render(m=milestone, name=name, verify_url=links.absolute(links.certificate_page(milestone.code)))
    )
    return HTML(string=html).write_pdf()


@router.get("/my/certificates/{code}.pdf")
def certificate_file(code: str, request: Request, session: DbSession, principal: VolunteerUser):
    milestone = milestones.own(session, int(principal.volunteer_id or 0), code)
    volunteer = session.get_one(Volunteer, milestone.volunteer_id)
    filename = f"volunteering-certificate-{milestone.threshold}-hours.pdf"
    return Response(
        certificate_pdf(milestone, volunteer.full_name),
        media_type="application/pdf",
        headers={**SECURITY_HEADERS, "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/certificates/{code}")
def verify_certificate(code: str, request: Request, session: DbSession):
    milestone, name = milestones.verify(session, code)
    return render(
        request,
        "pages/certificate.html",
        {"title": "This certificate is genuine", "m": milestone, "name": name},
    )
