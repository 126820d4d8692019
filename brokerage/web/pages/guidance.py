"""Guidance and training on the pages: a centre's staff keep their centre's library of resources
(drafts, publishing, review dates, "last checked") and its training events with who is booked; an
organisation's managers read what their centre offers under "Support from your centre", book places
for themselves or a colleague, and cancel them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from brokerage import links
from brokerage.deps import DbSession
from brokerage.errors import Conflict, InvalidInput
from brokerage.guidance import service
from brokerage.guidance.schemas import BookingIn, EventIn, ResourceIn
from brokerage.models import GuidanceResource, TrainingEvent
from brokerage.reports import training as training_figures
from brokerage.shifts.service import describe
from brokerage.vocab.guidance import PUBLISH_STATUS, RESOURCE_AUDIENCE, RESOURCE_CATEGORY, RESOURCE_KIND
from brokerage.web import forms
from brokerage.web.deps import Form, ManagerUser, StaffUser, page_router
from brokerage.web.rendering import redirect, render

router = page_router()

RESOURCE_FIELDS = {
    "title": "Title",
    "kind": "Kind of resource",
    "category": "Category",
    "audience": "Who it is for",
    "body": "Text",
    "url": "Web address",
    "review_on": "Review date",
    "status": "Publish",
}
RESOURCE_CHOICES = ("kind", "category", "audience", "status")
EVENT_FIELDS = {
    "title": "Title",
    "description": "Description",
    "event_date": "Date",
    "start_time": "Starts at",
    "end_time": "Ends at",
    "place": "Place",
    "online_url": "Online link",
    "capacity": "Places",
    "status": "Publish",
}
EVENT_ALIASES = {"starts_at": "event_date", "ends_at": "end_time"}
BOOKING_FIELDS = {"organisation_id": "Organisation", "attendee_name": "Colleague's name", "attendee_email": "Colleague's email"}


def _choices(vocab) -> list[tuple[str, str]]:
    return list(vocab.labels.items())


def _vocab_context() -> dict[str, Any]:
    return {
        "kind_options": _choices(RESOURCE_KIND),
        "category_options": _choices(RESOURCE_CATEGORY),
        "audience_options": _choices(RESOURCE_AUDIENCE),
        "status_options": [("draft", "Keep as a draft"), ("published", "Publish it now")],
        "kind_labels": RESOURCE_KIND.labels,
        "category_labels": RESOURCE_CATEGORY.labels,
        "audience_labels": RESOURCE_AUDIENCE.labels,
        "status_labels": PUBLISH_STATUS.labels,
    }


def _when(event: TrainingEvent) -> str:
    return describe(event.starts_at, event.ends_at)


# -- the centre's library and training --------------------------------------------------------------
@router.get("/centre/guidance")
def centre_guidance(request: Request, session: DbSession, principal: StaffUser) -> Response:
    resources = service.centre_resources(session, principal)
    events_ = service.centre_events(session, principal)
    return render(
        request,
        "pages/guidance/centre.html",
        {
            "title": "Guidance and training",
            "resources": resources,
            "due": {r.id for r in resources if service.review_due(r)},
            "events": events_,
            "places": service.places(session, events_),
            "when": {e.id: _when(e) for e in events_},
            "now": datetime.now(),
            "figures": training_figures.centre_figures(session, principal),
            **_vocab_context(),
        },
    )


def _resource_form(request: Request, resource: GuidanceResource | None, values=None, errors=(), status_code: int = 200):
    title = f"Change “{resource.title}”" if resource else "Add a guidance resource"
    return render(
        request,
        "pages/guidance/resource_form.html",
        {
            "title": title,
            "resource": resource,
            "review_due": bool(resource and service.review_due(resource)),
            "values": values or {},
            "errors": list(errors),
            **_vocab_context(),
        },
        status_code=status_code,
    )


def _resource_values(resource: GuidanceResource) -> dict[str, Any]:
    return {
        "title": resource.title,
        "kind": resource.kind,
        "category": resource.category,
        "audience": resource.audience,
        "body": resource.body or "",
        "url": resource.url or "",
        "review_on": resource.review_on.isoformat() if resource.review_on else "",
        "status": resource.status,
    }


def _resource_body(form) -> ResourceIn:
    return ResourceIn.model_validate(
        {
            "title": forms.text(form, "title") or "",
            "kind": forms.text(form, "kind"),
            "category": forms.text(form, "category"),
            "audience": forms.text(form, "audience") or "organisations",
            "body": forms.raw(form, "body").strip() or None,
            "url": forms.text(form, "url"),
            "review_on": forms.text(form, "review_on"),
            "status": forms.text(form, "status") or "draft",
        }
    )


def _saved(resource: GuidanceResource) -> str:
    return f"“{resource.title}” is published." if resource.status == "published" else f"“{resource.title}” is saved as a draft."


@router.get("/centre/guidance/resources/new")
def new_resource_page(request: Request, principal: StaffUser) -> Response:
    return _resource_form(request, None, {"audience": "organisations", "status": "draft"})


@router.post("/centre/guidance/resources/new")
def new_resource(request: Request, session: DbSession, principal: StaffUser, form: Form) -> Response:
    resource, errors = forms.attempt(
        session,
        lambda: service.create_resource(session, principal, _resource_body(form)),
        fields=RESOURCE_FIELDS,
        choices=RESOURCE_CHOICES,
    )
    if resource is None:
        return _resource_form(request, None, forms.values(form), errors, 422)
    return redirect(request, links.CENTRE_GUIDANCE, _saved(resource))


@router.get("/centre/guidance/resources/{resource_id}")
def resource_page(resource_id: int, request: Request, session: DbSession, principal: StaffUser) -> Response:
    resource = service.managed_resource(session, principal, resource_id)
    return _resource_form(request, resource, _resource_values(resource))


@router.post("/centre/guidance/resources/{resource_id}")
def change_resource(resource_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form) -> Response:
    existing = service.managed_resource(session, principal, resource_id)
    resource, errors = forms.attempt(
        session,
        lambda: service.update_resource(session, principal, resource_id, _resource_body(form)),
        fields=RESOURCE_FIELDS,
        choices=RESOURCE_CHOICES,
    )
    if resource is None:
        return _resource_form(request, service.managed_resource(session, principal, existing.id), forms.values(form), errors, 422)
    return redirect(request, links.CENTRE_GUIDANCE, _saved(resource))


def _next_review(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("Enter the next review date as a real date, like 2027-06-30", field="next_review") from None


@router.post("/centre/guidance/resources/{resource_id}/checked")
def checked(resource_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form) -> Response:
    back = links.centre_resource_page(resource_id)
    value = forms.text(form, "next_review")
    resource, errors = forms.attempt(
        session, lambda: service.mark_checked(session, principal, resource_id, next_review=_next_review(value))
    )
    if resource is None:
        return redirect(request, back, forms.first_error(errors), kind="error")
    return redirect(request, back, f"Recorded that you checked “{resource.title}” today.")


# -- the centre's training events ----------------------------------------------------------------------
def _event_body(form) -> EventIn:
    day, start, end = forms.text(form, "event_date"), forms.text(form, "start_time"), forms.text(form, "end_time")
    try:
        d = date.fromisoformat(day or "")
    except ValueError:
        raise InvalidInput("Enter the date of the training, like 2027-03-27", field="event_date") from None
    try:
        starts = datetime.combine(d, datetime.strptime(start or "", "%H:%M").time())
        ends = datetime.combine(d, datetime.strptime(end or "", "%H:%M").time())
    except ValueError:
        raise InvalidInput("Enter the start and end times, like 10:00 and 12:30", field="start_time") from None
    capacity = forms.number(form, "capacity")
    try:
        return EventIn.model_validate(
            {
                "title": forms.text(form, "title") or "",
                "description": forms.raw(form, "description").strip(),
                "starts_at": starts,
                "ends_at": ends,
                "place": forms.text(form, "place"),
                "online_url": forms.text(form, "online_url"),
                "capacity": capacity if capacity and len(capacity) < 8 else (capacity or None),
                "status": forms.text(form, "status") or "draft",
            }
        )
    except ValidationError as exc:
        messages = [e.get("msg", "") for e in exc.errors()]
        if any("end after it starts" in m for m in messages):
            raise InvalidInput("The training must end after it starts.", field="end_time") from None
        if any("Say where the training is" in m for m in messages):
            raise InvalidInput("Say where the training is: a place, an online link, or both.", field="place") from None
        raise


def _event_form(request: Request, session, event: TrainingEvent | None, values=None, errors=(), status_code: int = 200):
    context: dict[str, Any] = {
        "title": f"{event.title}: {_when(event)}" if event else "Add a training event",
        "event": event,
        "values": values or {},
        "errors": list(errors),
        "status_options": [("draft", "Keep as a draft"), ("published", "Publish it now")],
    }
    if event is not None:
        context["places"] = service.places(session, [event])[event.id]
        context["attendees"] = service.attendees(session, event)
    return render(request, "pages/guidance/event_form.html", context, status_code=status_code)


def _event_values(event: TrainingEvent) -> dict[str, Any]:
    return {
        "title": event.title,
        "description": event.description,
        "event_date": event.starts_at.date().isoformat(),
        "start_time": f"{event.starts_at:%H:%M}",
        "end_time": f"{event.ends_at:%H:%M}",
        "place": event.place or "",
        "online_url": event.online_url or "",
        "capacity": event.capacity,
        "status": event.status,
    }


@router.get("/centre/guidance/training/new")
def new_event_page(request: Request, session: DbSession, principal: StaffUser) -> Response:
    return _event_form(request, session, None, {"status": "draft"})


@router.post("/centre/guidance/training/new")
def new_event(request: Request, session: DbSession, principal: StaffUser, form: Form) -> Response:
    event, errors = forms.attempt(
        session,
        lambda: service.create_event(session, principal, _event_body(form)),
        fields=EVENT_FIELDS,
        aliases=EVENT_ALIASES,
        choices=("status",),
    )
    if event is None:
        return _event_form(request, session, None, forms.values(form), errors, 422)
    state = "published" if event.status == "published" else "saved as a draft"
    return redirect(request, links.CENTRE_GUIDANCE, f"“{event.title}” on {_when(event)} is {state}.")


@router.get("/centre/guidance/training/{event_id}")
def event_page(event_id: int, request: Request, session: DbSession, principal: StaffUser) -> Response:
    event = service.managed_event(session, principal, event_id)
    return _event_form(request, session, event, _event_values(event))


@router.post("/centre/guidance/training/{event_id}")
def change_event(event_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form) -> Response:
    existing = service.managed_event(session, principal, event_id)
    event, errors = forms.attempt(
        session,
        lambda: service.update_event(session, principal, event_id, _event_body(form)),
        fields=EVENT_FIELDS,
        aliases=EVENT_ALIASES,
        choices=("status",),
    )
    if event is None:
        fresh = service.managed_event(session, principal, existing.id)
        return _event_form(request, session, fresh, forms.values(form), errors, 422)
    return redirect(request, links.centre_training_page(event.id), "The training is saved.")


# -- support from your centre (organisations) ---------------------------------------------------------
def _support_context(session, principal) -> dict[str, Any]:
    resources = service.visible_resources(session, principal)
    by_category: dict[str, list[GuidanceResource]] = {}
    for r in resources:
        by_category.setdefault(r.category, []).append(r)
    events_ = service.upcoming_events(session, principal)
    centres = service.manager_centres(session, principal)
    return {
        "by_category": [
            (RESOURCE_CATEGORY.label(c), rows)
            for c, rows in sorted(by_category.items(), key=lambda kv: RESOURCE_CATEGORY.label(kv[0]))
        ],
        "events": events_,
        "places": service.places(session, events_),
        "when": {e.id: _when(e) for e in events_},
        "mine": service.bookings_of_manager(session, principal, [e.id for e in events_]),
        "centre_orgs": centres,
        "centre_names": {cid: service.centre_name(session, cid) for cid in centres},
        "kind_labels": RESOURCE_KIND.labels,
    }


@router.get("/manage/support")
def support(request: Request, session: DbSession, principal: ManagerUser) -> Response:
    return render(
        request, "pages/guidance/support.html", {"title": "Support from your centre", **_support_context(session, principal)}
    )


@router.get("/manage/support/resources/{resource_id}")
def support_resource(resource_id: int, request: Request, session: DbSession, principal: ManagerUser) -> Response:
    resource = service.get_resource(session, principal, resource_id)
    return render(
        request,
        "pages/guidance/resource.html",
        {
            "title": resource.title,
            "resource": resource,
            "centre_name": service.centre_name(session, resource.centre_id),
            "kind_labels": RESOURCE_KIND.labels,
            "category_labels": RESOURCE_CATEGORY.labels,
        },
    )


def _training_page(request: Request, session, principal, event: TrainingEvent, values=None, errors=(), status_code: int = 200):
    orgs = service.manager_centres(session, principal).get(event.centre_id, [])
    return render(
        request,
        "pages/guidance/training.html",
        {
            "title": event.title,
            "event": event,
            "when": _when(event),
            "places": service.places(session, [event])[event.id],
            "mine": service.bookings_of_manager(session, principal, [event.id]).get(event.id, []),
            "orgs": orgs,
            "centre_name": service.centre_name(session, event.centre_id),
            "started": event.starts_at <= datetime.now(),
            "values": values or {},
            "errors": list(errors),
        },
        status_code=status_code,
    )


@router.get("/manage/support/training/{event_id}")
def support_training(event_id: int, request: Request, session: DbSession, principal: ManagerUser) -> Response:
    return _training_page(request, session, principal, service.get_event(session, principal, event_id))


def _booking_body(form) -> BookingIn:
    org = forms.text(form, "organisation_id")
    for_colleague = forms.text(form, "for") == "colleague"
    return BookingIn.model_validate(
        {
            "organisation_id": org if org and org.isdigit() and len(org) < 10 else (org or None),
            "attendee_name": forms.text(form, "attendee_name") if for_colleague else None,
            "attendee_email": forms.text(form, "attendee_email") if for_colleague else None,
        }
    )


@router.post("/manage/support/training/{event_id}/book")
def book(event_id: int, request: Request, session: DbSession, principal: ManagerUser, form: Form) -> Response:
    event = service.get_event(session, principal, event_id)
    if forms.text(form, "for") == "colleague" and not (forms.text(form, "attendee_name") and forms.text(form, "attendee_email")):
        errors = [{"field": "attendee_name", "message": "Enter your colleague's name and email address"}]
        return _training_page(request, session, principal, event, forms.values(form), errors, 422)
    try:
        booking = service.book(session, principal, event_id, _booking_body(form))
    except Conflict as exc:  # full, started, or booked already: said at the top of the page
        session.rollback()
        event = service.get_event(session, principal, event_id)
        return _training_page(
            request, session, principal, event, forms.values(form), [{"field": "", "message": exc.message}], 409
        )
    except (ValidationError, InvalidInput) as exc:
        session.rollback()
        errors = forms.errors_from(exc, fields=BOOKING_FIELDS, choices=("organisation_id",))
        event = service.get_event(session, principal, event_id)
        return _training_page(request, session, principal, event, forms.values(form), errors, 422)
    who = (
        "Your place is" if booking.attendee_email_normalised == principal.email.lower() else f"{booking.attendee_name}'s place is"
    )
    return redirect(
        request, links.support_training_page(event_id), f"{who} booked on “{event.title}”. We have emailed a confirmation."
    )


@router.post("/manage/support/bookings/{booking_id}/cancel")
def cancel(booking_id: int, request: Request, session: DbSession, principal: ManagerUser, form: Form) -> Response:
    back = links.local_path(forms.text(form, "back"))
    if back is None or not back.startswith(links.ORGANISATION_SUPPORT):
        back = links.ORGANISATION_SUPPORT
    booking, errors = forms.attempt(session, lambda: service.cancel(session, principal, booking_id))
    if booking is None:
        return redirect(request, back, forms.first_error(errors), kind="error")
    return redirect(request, back, f"The place for {booking.attendee_name} is cancelled. Thank you for letting the centre know.")
