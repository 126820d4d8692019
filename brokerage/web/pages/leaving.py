"""Leaving well on the pages: the volunteer and the organisation each say why a placement ended; the
volunteer answers how satisfied they are four weeks in."""

from __future__ import annotations

from fastapi import Request

from brokerage import links
from brokerage.deps import DbSession
from brokerage.hours import leaving
from brokerage.hours.service import load_placement
from brokerage.models import Organisation
from brokerage.vocab.placements import EXIT_REASON, SATISFACTION
from brokerage.web import forms
from brokerage.web.deps import Form, SignedIn, VolunteerUser, page_router
from brokerage.web.rendering import redirect, render

router = page_router()


def _leaving_page(request, session, principal, placement_id: int, values=None, errors=(), status_code: int = 200):
    placement, volunteer, role = load_placement(session, principal, placement_id)
    side = leaving.side_of(principal, placement, volunteer, role)
    org = session.get_one(Organisation, placement.organisation_id)
    reason, note = (
        (placement.volunteer_exit_reason, placement.volunteer_exit_note)
        if side == "volunteer"
        else (placement.organisation_exit_reason, placement.organisation_exit_note)
    )
    return render(
        request,
        "pages/hours/leaving.html",
        {
            "title": f"Why {'you' if side == 'volunteer' else volunteer.full_name} stopped: {role.title}",
            "placement": placement,
            "volunteer": volunteer,
            "role": role,
            "organisation": org,
            "side": side,
            "reasons": list(EXIT_REASON.labels.items()),
            "values": values or {"reason": reason or "", "note": note or ""},
            "errors": list(errors),
            "action": request.url.path,
            "back": links.MY_HOURS if side == "volunteer" else links.ORGANISATION_REFERRALS,
        },
        status_code=status_code,
    )


def _save_leaving(request, session, principal, placement_id: int, form):
    result, errors = forms.attempt(
        session,
        lambda: leaving.record_exit(session, principal, placement_id, forms.text(form, "reason"), forms.text(form, "note")),
        fields={"reason": "Reason", "note": "Note"},
        default_field="reason",
    )
    if result is None:
        return _leaving_page(request, session, principal, placement_id, forms.values(form), errors, status_code=422)
    _placement, side = result
    back = links.MY_HOURS if side == "volunteer" else links.ORGANISATION_REFERRALS
    return redirect(request, back, "Thank you for saying why the placement ended.")


@router.get("/my/placements/{placement_id}/leaving")
def volunteer_leaving(placement_id: int, request: Request, session: DbSession, principal: VolunteerUser):
    return _leaving_page(request, session, principal, placement_id)


@router.post("/my/placements/{placement_id}/leaving")
def volunteer_leaving_save(placement_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form):
    return _save_leaving(request, session, principal, placement_id, form)


@router.get("/manage/placements/{placement_id}/leaving")
def organisation_leaving(placement_id: int, request: Request, session: DbSession, principal: SignedIn):
    return _leaving_page(request, session, principal, placement_id)


@router.post("/manage/placements/{placement_id}/leaving")
def organisation_leaving_save(placement_id: int, request: Request, session: DbSession, principal: SignedIn, form: Form):
    return _save_leaving(request, session, principal, placement_id, form)


def _satisfaction_page(request, session, principal, placement_id: int, values=None, errors=(), status_code: int = 200):
    placement, _volunteer, role = load_placement(session, principal, placement_id)
    org = session.get_one(Organisation, placement.organisation_id)
    return render(
        request,
        "pages/hours/satisfaction.html",
        {
            "title": f"How satisfied are you volunteering with {org.name}?",
            "placement": placement,
            "role": role,
            "organisation": org,
            "answers": list(SATISFACTION.labels.items()),
            "values": values or {"satisfaction": placement.satisfaction or ""},
            "errors": list(errors),
        },
        status_code=status_code,
    )


@router.get("/my/placements/{placement_id}/satisfaction")
def satisfaction(placement_id: int, request: Request, session: DbSession, principal: VolunteerUser):
    return _satisfaction_page(request, session, principal, placement_id)


@router.post("/my/placements/{placement_id}/satisfaction")
def satisfaction_save(placement_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form):
    answer = forms.text(form, "satisfaction")
    result, errors = forms.attempt(
        session, lambda: leaving.record_satisfaction(session, principal, placement_id, answer), default_field="satisfaction"
    )
    if result is None:
        return _satisfaction_page(request, session, principal, placement_id, forms.values(form), errors, status_code=422)
    return redirect(request, links.MY_HOURS, "Thank you for your answer.")
