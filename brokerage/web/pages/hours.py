"""Hours: volunteers log the hours they give; organisations (and centres) approve or query them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from fastapi import Request
from sqlalchemy import select

from brokerage.dates import long_date
from brokerage.deps import DbSession
from brokerage.errors import Forbidden, NotFound
from brokerage.hours import service as hours_service
from brokerage.hours.schemas import HoursCreate
from brokerage.hours.service import LIVE_STATUSES
from brokerage.models import Placement
from brokerage.web import forms, paging
from brokerage.web.deps import Form, SignedIn, VolunteerUser, page_router
from brokerage.web.rendering import redirect, render

router = page_router()
HOURS_PAGE = 100


@router.get("/my/hours")
def my_hours(request: Request, session: DbSession, principal: VolunteerUser, page: str | None = None):
    placements, _ = hours_service.list_placements(session, principal, volunteer_id=principal.volunteer_id, page=1, page_size=100)
    number = paging.page_number(page)
    logged = tuple(s for s in LIVE_STATUSES if s != "proposed")
    entries, total = hours_service.list_hours(
        session, principal, page=number, page_size=HOURS_PAGE, volunteer_id=principal.volunteer_id, status=logged
    )
    # Hours an organisation proposed (from a session's attendance) wait above the list for the volunteer.
    proposed, _ = hours_service.list_hours(
        session, principal, page=1, page_size=HOURS_PAGE, volunteer_id=principal.volunteer_id, status="proposed"
    )
    titles = {p.placement.id: p.role.title for p in placements}
    return render(
        request,
        "pages/hours/my_hours.html",
        {
            "title": "Your hours",
            "placements": placements,
            "entries": entries,
            "proposed": proposed,
            "titles": titles,
            **paging.context("/my/hours", {}, number, total, HOURS_PAGE),
        },
    )


@router.post("/my/hours/{entry_id}/confirm")
def confirm_hours(entry_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form):
    entry, errors = forms.attempt(session, lambda: hours_service.confirm(session, principal, entry_id))
    if entry is None:
        return redirect(request, "/my/hours", forms.first_error(errors), kind="error")
    return redirect(
        request, "/my/hours", f"Thank you: {entry.hours.normalize():f} hours on {long_date(entry.worked_on)} now count."
    )


@router.post("/my/hours/{entry_id}/decline")
def decline_hours(entry_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form):
    note = forms.text(form, "note")
    entry, errors = forms.attempt(session, lambda: hours_service.decline(session, principal, entry_id, note))
    if entry is None:
        return redirect(request, "/my/hours", forms.first_error(errors), kind="error")
    return redirect(request, "/my/hours", "Those hours will not count. You can log the hours you gave yourself.")


def _placement_for(session, principal, placement_id: int | None, referral_id: int | None) -> Placement:
    if referral_id and not placement_id:
        placement_id = session.scalar(select(Placement.id).where(Placement.referral_id == referral_id))
    if not placement_id:
        raise NotFound("Choose the role you volunteered for from your hours page.")
    placement, _vol, _role = hours_service.load_placement(session, principal, placement_id)
    return placement


HOURS_FIELDS = {"worked_on": "The date", "hours": "Hours", "activity": "What you did"}


@router.get("/my/hours/new")
def log_hours_page(
    request: Request, session: DbSession, principal: VolunteerUser, placement: int | None = None, referral: int | None = None
):
    p = _placement_for(session, principal, placement, referral)
    _, _vol, role = hours_service.load_placement(session, principal, p.id)
    return render(
        request,
        "pages/hours/log.html",
        {"title": f"Log hours for {role.title}", "placement": p, "role": role, "values": {"worked_on": date.today().isoformat()}},
    )


@router.post("/my/hours/new")
def log_hours(request: Request, session: DbSession, principal: VolunteerUser, form: Form, placement: int | None = None):
    typed_placement = forms.number(form, "placement")
    p = _placement_for(session, principal, placement or (int(typed_placement) if typed_placement else None), None)
    _, _vol, role = hours_service.load_placement(session, principal, p.id)
    errors = []
    worked_on, hours = forms.text(form, "worked_on"), forms.number(form, "hours")
    try:
        day = date.fromisoformat(worked_on or "")
    except ValueError:
        day = None
        errors.append({"field": "worked_on", "message": "Enter the date you volunteered, like 2026-03-27"})
    try:
        amount = Decimal(hours or "")
    except InvalidOperation:
        amount = None
        errors.append({"field": "hours", "message": "Enter the hours as a number, like 2.5"})
    if not errors:
        _, errors = forms.attempt(
            session,
            lambda: hours_service.log_hours(
                session, principal, p.id, HoursCreate(worked_on=day, hours=amount, activity=forms.text(form, "activity"))
            ),
            fields=HOURS_FIELDS,
            default_field="hours",
        )
    if errors or day is None or amount is None:
        return render(
            request,
            "pages/hours/log.html",
            {
                "title": f"Log hours for {role.title}",
                "placement": p,
                "role": role,
                "values": forms.values(form),
                "errors": errors,
            },
            status_code=422,
        )
    return redirect(
        request, "/my/hours", f"{amount.normalize():f} hours on {long_date(day)} sent to the organisation to approve."
    )


@router.get("/manage/hours")
def hours_to_approve(request: Request, session: DbSession, principal: SignedIn, page: str | None = None):
    if not (principal.is_manager or principal.is_staff):
        raise Forbidden("This page is for organisations and volunteer centres.")
    number = paging.page_number(page)
    entries, total = hours_service.list_hours(
        session, principal, page=number, page_size=HOURS_PAGE, status=("submitted", "queried")
    )
    ids = sorted({e.placement_id for e in entries})
    placements, _ = hours_service.list_placements(session, principal, page=1, page_size=max(1, len(ids)), placement_ids=ids)
    by_id = {p.placement.id: p for p in placements}
    return render(
        request,
        "pages/hours/approve.html",
        {
            "title": "Hours to approve",
            "entries": entries,
            "placements": by_id,
            **paging.context("/manage/hours", {}, number, total, HOURS_PAGE),
        },
    )


@router.post("/manage/hours")
def approve_hours(request: Request, session: DbSession, principal: SignedIn, form: Form):
    ids = [int(i) for i in forms.many(form, "ids") if i.isdigit()]
    if not ids:
        return redirect(request, "/manage/hours", "Tick the hours you want to approve.", kind="error")
    result, errors = forms.attempt(session, lambda: hours_service.bulk_approve(session, principal, ids))
    if result is None:
        return redirect(request, "/manage/hours", forms.first_error(errors), kind="error")
    total = sum((Decimal(e.hours) for e in result), Decimal(0))
    return redirect(
        request,
        "/manage/hours",
        f"Approved {len(result)} {'entry' if len(result) == 1 else 'entries'}: {total.normalize():f} hours.",
    )


@router.post("/manage/hours/{entry_id}/query")
def query_hours(entry_id: int, request: Request, session: DbSession, principal: SignedIn, form: Form):
    note = forms.text(form, "note")
    if not note or len(note) < 3:
        return redirect(request, "/manage/hours", "Write what needs checking before you query hours.", kind="error")
    _, errors = forms.attempt(session, lambda: hours_service.query(session, principal, entry_id, note))
    if errors:
        return redirect(request, "/manage/hours", errors[0]["message"], kind="error")
    return redirect(request, "/manage/hours", "We have asked the volunteer to check those hours.")
