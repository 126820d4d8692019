"""Guidance and training API: a centre's staff publish resources and training events for their own
centre; organisations' managers read what their centre offers and book places (409 when full)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from brokerage.deps import CurrentPrincipal, DbSession
from brokerage.guidance import service
from brokerage.guidance.schemas import BookingIn, BookingOut, EventIn, EventOut, ResourceIn, ResourceOut
from brokerage.models import GuidanceResource, TrainingEvent
from brokerage.schemas import Input

router = APIRouter(prefix="/guidance", tags=["guidance"])


class CheckedIn(Input):
    review_on: date | None = None


def resource_out(resource: GuidanceResource) -> ResourceOut:
    return ResourceOut.model_validate(
        {
            **{c: getattr(resource, c) for c in ResourceOut.model_fields if c != "review_due"},
            "review_due": service.review_due(resource),
        }
    )


def events_out(session: Session, rows: list[TrainingEvent]) -> list[EventOut]:
    counts = service.places(session, rows)
    names: dict[int, str] = {}
    out = []
    for e in rows:
        if e.centre_id not in names:
            names[e.centre_id] = service.centre_name(session, e.centre_id)
        p = counts[e.id]
        out.append(
            EventOut(
                id=e.id,
                centre_id=e.centre_id,
                centre_name=names[e.centre_id],
                title=e.title,
                description=e.description,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                place=e.place,
                online_url=e.online_url,
                capacity=e.capacity,
                booked=p.booked,
                places_left=p.left,
                status=e.status,
            )
        )
    return out


# -- resources --------------------------------------------------------------------------------------------
@router.get("/resources", response_model=list[ResourceOut], summary="Your centre's resources (staff: all; managers: published)")
def list_resources(session: DbSession, principal: CurrentPrincipal):
    rows = service.centre_resources(session, principal) if principal.is_staff else service.visible_resources(session, principal)
    return [resource_out(r) for r in rows]


@router.post(
    "/resources", response_model=ResourceOut, status_code=status.HTTP_201_CREATED, summary="Add a resource (centre staff)"
)
def create_resource(body: ResourceIn, session: DbSession, principal: CurrentPrincipal):
    return resource_out(service.create_resource(session, principal, body))


@router.get("/resources/{resource_id}", response_model=ResourceOut)
def get_resource(resource_id: int, session: DbSession, principal: CurrentPrincipal):
    return resource_out(service.get_resource(session, principal, resource_id))


@router.put("/resources/{resource_id}", response_model=ResourceOut, summary="Change a resource (its centre's staff)")
def update_resource(resource_id: int, body: ResourceIn, session: DbSession, principal: CurrentPrincipal):
    return resource_out(service.update_resource(session, principal, resource_id, body))


@router.post("/resources/{resource_id}/checked", response_model=ResourceOut, summary="Record that a resource was checked today")
def mark_checked(resource_id: int, body: CheckedIn, session: DbSession, principal: CurrentPrincipal):
    return resource_out(service.mark_checked(session, principal, resource_id, next_review=body.review_on))


# -- training ---------------------------------------------------------------------------------------------
@router.get("/training", response_model=list[EventOut], summary="Training (staff: your centre's; managers: upcoming)")
def list_training(session: DbSession, principal: CurrentPrincipal):
    rows = service.centre_events(session, principal) if principal.is_staff else service.upcoming_events(session, principal)
    return events_out(session, rows)


@router.post(
    "/training", response_model=EventOut, status_code=status.HTTP_201_CREATED, summary="Add a training event (centre staff)"
)
def create_training(body: EventIn, session: DbSession, principal: CurrentPrincipal):
    return events_out(session, [service.create_event(session, principal, body)])[0]


@router.get("/training/{event_id}", response_model=EventOut)
def get_training(event_id: int, session: DbSession, principal: CurrentPrincipal):
    return events_out(session, [service.get_event(session, principal, event_id)])[0]


@router.put("/training/{event_id}", response_model=EventOut, summary="Change a training event (its centre's staff)")
def update_training(event_id: int, body: EventIn, session: DbSession, principal: CurrentPrincipal):
    return events_out(session, [service.update_event(session, principal, event_id, body)])[0]


@router.post(
    "/training/{event_id}/bookings",
    response_model=BookingOut,
    status_code=status.HTTP_201_CREATED,
    summary="Book a place (organisation managers; 409 when the training is full)",
)
def book(event_id: int, body: BookingIn, session: DbSession, principal: CurrentPrincipal):
    return BookingOut.model_validate(service.book(session, principal, event_id, body))


@router.post("/bookings/{booking_id}/cancel", response_model=BookingOut, summary="Cancel a place")
def cancel(booking_id: int, session: DbSession, principal: CurrentPrincipal):
    return BookingOut.model_validate(service.cancel(session, principal, booking_id))
