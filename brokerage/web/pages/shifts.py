"""Shifts on the pages: volunteers book and cancel places on a role's dated sessions from the role's
page; the organisation adds sessions (once or weekly) on its role page and, on each session's page,
sees who is booked and waiting and records who came."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from fastapi import Request

from brokerage import links
from brokerage.deps import DbSession
from brokerage.shifts import service as shifts_service
from brokerage.web import forms
from brokerage.web.deps import Form, SignedIn, VolunteerUser, page_router
from brokerage.web.rendering import redirect, render

router = page_router()


@router.post("/opportunities/{role_id}/sessions/{session_id}/book")
def book_session(role_id: int, session_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form):
    back = links.role_page(role_id)
    booking, errors = forms.attempt(session, lambda: shifts_service.book(session, principal, session_id))
    if booking is None:
        return redirect(request, back, forms.first_error(errors), kind="error")
    if booking.status == "booked":
        return redirect(request, back, "Your place is booked. We will remind you the day before.")
    position = shifts_service.waiting_position(session, booking)
    return redirect(
        request,
        back,
        f"The session is full: you are number {position} on the waiting list. We will email you if a place comes free.",
    )


@router.post("/opportunities/{role_id}/sessions/{session_id}/cancel")
def cancel_session(role_id: int, session_id: int, request: Request, session: DbSession, principal: VolunteerUser, form: Form):
    back = links.role_page(role_id)
    booking, errors = forms.attempt(session, lambda: shifts_service.cancel(session, principal, session_id))
    if booking is None:
        return redirect(request, back, forms.first_error(errors), kind="error")
    return redirect(request, back, "You have given up your place. Thank you for letting us know.")


def _session_times(form) -> tuple[datetime | None, datetime | None, list[dict[str, str]]]:
    day, start, end = forms.text(form, "session_date"), forms.text(form, "session_start"), forms.text(form, "session_end")
    try:
        d = date.fromisoformat(day or "")
    except ValueError:
        return None, None, [{"field": "session_date", "message": "Enter the date of the session, like 2027-03-27"}]
    try:
        s = datetime.combine(d, datetime.strptime(start or "", "%H:%M").time())
        e = datetime.combine(d, datetime.strptime(end or "", "%H:%M").time())
    except ValueError:
        return None, None, [{"field": "session_start", "message": "Enter the start and end times, like 10:00 and 13:00"}]
    return s, e, []


def _whole(form, name: str, default: int | None = None) -> int | None:
    value = forms.number(form, name)
    if value is None:
        return default
    return int(value) if value.isdigit() and len(value) < 6 else None


@router.post("/manage/roles/{role_id}/sessions")
def add_sessions(role_id: int, request: Request, session: DbSession, principal: SignedIn, form: Form):
    back = links.role_admin_page(role_id) + "#sessions"
    starts_at, ends_at, errors = _session_times(form)
    capacity, weeks = _whole(form, "capacity"), _whole(form, "weeks", 1)
    if capacity is None:
        errors.append({"field": "capacity", "message": "Enter the number of places as a whole number, like 8"})
    if weeks is None:
        errors.append({"field": "weeks", "message": "Enter how many weeks as a whole number, like 6"})
    if not errors and starts_at and ends_at and capacity is not None and weeks is not None:
        added, errors = forms.attempt(
            session,
            lambda: shifts_service.add_sessions(
                session, principal, role_id, starts_at=starts_at, ends_at=ends_at, capacity=capacity, weeks=weeks
            ),
        )
        if added:
            first = shifts_service.describe(added[0].starts_at, added[0].ends_at)
            message = f"Added the session on {first}." if len(added) == 1 else f"Added {len(added)} weekly sessions from {first}."
            return redirect(request, back, message)
    return redirect(request, back, forms.first_error(errors), kind="error")


@router.get("/manage/sessions/{session_id}")
def session_page(session_id: int, request: Request, session: DbSession, principal: SignedIn):
    row, role, org = shifts_service.load_managed(session, principal, session_id)
    booked, waiting = shifts_service.attendees(session, row)
    places = shifts_service.places(session, [row.id])[row.id]
    return render(
        request,
        "pages/organisation/session.html",
        {
            "title": f"{role.title}: {shifts_service.describe(row.starts_at, row.ends_at)}",
            "row": row,
            "role": role,
            "organisation": org,
            "when": shifts_service.describe(row.starts_at, row.ends_at),
            "booked": booked,
            "waiting": waiting,
            "places": places,
            "started": row.starts_at <= datetime.now(),
            "default_hours": shifts_service.session_hours(row),
        },
    )


@router.post("/manage/sessions/{session_id}/attendance")
def record_attendance(session_id: int, request: Request, session: DbSession, principal: SignedIn, form: Form):
    back = f"/manage/sessions/{int(session_id)}"
    came: dict[int, Decimal | None] = {}
    for key in form.keys():
        if not key.startswith("came-"):
            continue
        booking_id = key.removeprefix("came-")
        if not booking_id.isdigit():
            continue
        answer = forms.text(form, key)
        if answer == "yes":
            try:
                hours = Decimal(forms.number(form, f"hours-{booking_id}") or "")
            except InvalidOperation:
                return redirect(request, back, "Enter the hours each volunteer gave as a number, like 2.5", kind="error")
            came[int(booking_id)] = hours
        elif answer == "no":
            came[int(booking_id)] = None
    if not came:
        return redirect(request, back, "Say for at least one volunteer whether they came.", kind="error")
    proposed, errors = forms.attempt(session, lambda: shifts_service.record_attendance(session, principal, session_id, came))
    if proposed is None:
        return redirect(request, back, forms.first_error(errors), kind="error")
    if not proposed:
        return redirect(request, back, "Attendance recorded.")
    people = "volunteer" if len(proposed) == 1 else "volunteers"
    return redirect(request, back, f"Attendance recorded. {len(proposed)} {people} will be asked to confirm their hours.")
