"""A volunteer's own data: downloading all of it, and deleting their account (erasure leaves only
anonymous aggregates)."""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import Response

from brokerage.deps import SESSION_COOKIE, DbSession
from brokerage.volunteers import service as volunteers_service
from brokerage.web import forms
from brokerage.web.deps import Form, VolunteerUser, page_router
from brokerage.web.rendering import redirect, render

router = page_router()


@router.get("/my/data")
def my_data_page(request: Request, principal: VolunteerUser) -> Response:
    return render(request, "pages/volunteer/data.html", {"title": "Download your data"})


@router.get("/my/data.json")
def my_data(request: Request, session: DbSession, principal: VolunteerUser) -> Response:
    data = volunteers_service.export(session, principal, principal.volunteer_id or -1)
    return Response(
        json.dumps(data, indent=2, default=str),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-volunteering-data.json"', "Cache-Control": "no-store"},
    )


@router.get("/my/delete")
def delete_page(request: Request, principal: VolunteerUser) -> Response:
    return render(request, "pages/volunteer/delete.html", {"title": "Delete your account"})


@router.post("/my/delete")
def delete(request: Request, session: DbSession, principal: VolunteerUser, form: Form) -> Response:
    if not forms.flag(form, "confirm"):
        errors = [{"field": "confirm", "message": "Tick the box to confirm you want to delete your account"}]
        return render(request, "pages/volunteer/delete.html", {"title": "Delete your account", "errors": errors}, status_code=422)
    volunteers_service.erase(session, principal, principal.volunteer_id or -1)
    request.state.principal = None
    response = redirect(request, "/", "Your account and personal details have been deleted.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
