"""The guidance library and training, by these rules:

- a centre's staff publish resources (guides, templates, policies, links) and run training events
  for their own centre only: another centre's are a 404 to them, and everyone else is refused (403);
- a resource is a draft until it is published; one past its review date is flagged to its centre's
  staff until someone checks it (which records who and when) or moves the date;
- an organisation's managers see the published resources for organisations (or everyone) and the
  published training of the centres that cover their organisations (a 404 for any other);
- a manager books a place on a training event for themselves or a named colleague, for one of
  their organisations, and can cancel it. Every booking on an event happens one at a time (the
  event's row is locked), so an event never has more places held than it has: when it is full the
  next booking is refused (409) with a message that says so;
- a booking is confirmed by email (the outbox, then ``guidance.training_booked``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage import audit, events, locking
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.centres.service import centre_for_district
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.guidance.schemas import BookingIn, EventIn, ResourceIn
from brokerage.models import Centre, GuidanceResource, Organisation, TrainingBooking, TrainingEvent, User
from brokerage.outbox import enqueue
from brokerage.vocab.guidance import FOR_ORGANISATIONS, HELD_PLACE

STAFF_ONLY = "Guidance and training are published by volunteer centre staff."
NO_RESOURCE = "There is no guidance resource with that id."
NO_EVENT = "There is no training event with that id."
NO_BOOKING = "There is no training booking with that id."


# -- whose centre ---------------------------------------------------------------------------------------
def _staff_centre(principal: Principal) -> int:
    if not policy.can_manage_guidance(principal):
        raise Forbidden(STAFF_ONLY)
    return int(principal.centre_id or 0)


def manager_centres(session: Session, principal: Principal) -> dict[int, list[Organisation]]:
    """The centres that cover a manager's organisations, each with those organisations."""
    if not principal.is_manager or not principal.organisation_ids:
        return {}
    out: dict[int, list[Organisation]] = {}
    orgs = session.scalars(
        select(Organisation).where(Organisation.id.in_(principal.organisation_ids)).order_by(Organisation.name)
    )
    for org in orgs:
        centre = centre_for_district(session, org.district_gss)
        if centre is not None:
            out.setdefault(centre.id, []).append(org)
    return out


def review_due(resource: GuidanceResource, today: date | None = None) -> bool:
    return resource.review_on is not None and resource.review_on < (today or date.today())


# -- resources --------------------------------------------------------------------------------------------
def _apply_resource(resource: GuidanceResource, body: ResourceIn) -> None:
    resource.title, resource.kind, resource.category = body.title, body.kind, body.category
    resource.audience, resource.body = body.audience, body.body
    resource.url = str(body.url) if body.url is not None else None
    resource.review_on = body.review_on
    if body.status == "published" and resource.status != "published":
        resource.published_at = utcnow()
    resource.status = body.status


def create_resource(session: Session, principal: Principal, body: ResourceIn) -> GuidanceResource:
    centre_id = _staff_centre(principal)
    resource = GuidanceResource(centre_id=centre_id, created_by_user_id=principal.user_id)
    _apply_resource(resource, body)
    session.add(resource)
    session.flush()
    audit.record(session, principal, "guidance.resource_create", "guidance_resource", resource.id, status=resource.status)
    return resource


def managed_resource(session: Session, principal: Principal, resource_id: int) -> GuidanceResource:
    centre_id = _staff_centre(principal)
    resource = session.get(GuidanceResource, resource_id)
    if resource is None or resource.centre_id != centre_id:
        raise NotFound(NO_RESOURCE)
    return resource


def update_resource(session: Session, principal: Principal, resource_id: int, body: ResourceIn) -> GuidanceResource:
    resource = managed_resource(session, principal, resource_id)
    _apply_resource(resource, body)
    session.flush()
    audit.record(session, principal, "guidance.resource_update", "guidance_resource", resource.id, status=resource.status)
    return resource


def mark_checked(
    session: Session, principal: Principal, resource_id: int, *, next_review: date | None = None
) -> GuidanceResource:
    """Record that the resource was checked today, by whom; a new review date moves the flag on."""
    resource = managed_resource(session, principal, resource_id)
    today = date.today()
    if next_review is not None and next_review <= today:
        raise InvalidInput("The next review date must be after today.", field="review_on")
    resource.checked_on, resource.checked_by_user_id, resource.checked_by_name = today, principal.user_id, principal.full_name
    if next_review is not None:
        resource.review_on = next_review
    session.flush()
    audit.record(session, principal, "guidance.resource_checked", "guidance_resource", resource.id)
    return resource


def centre_resources(session: Session, principal: Principal) -> list[GuidanceResource]:
    """Every resource of the staff member's centre, drafts included: those due for review first."""
    centre_id = _staff_centre(principal)
    rows = list(
        session.scalars(
            select(GuidanceResource)
            .where(GuidanceResource.centre_id == centre_id)
            .order_by(GuidanceResource.category, GuidanceResource.title, GuidanceResource.id)
        )
    )
    return sorted(rows, key=lambda r: not review_due(r))


def visible_resources(session: Session, principal: Principal) -> list[GuidanceResource]:
    """What a manager's centres have published for organisations, by category then title."""
    if not principal.is_manager:
        raise Forbidden("Your centre's guidance is for organisations' managers and the centre's staff.")
    centres = list(manager_centres(session, principal))
    if not centres:
        return []
    return list(
        session.scalars(
            select(GuidanceResource)
            .where(
                GuidanceResource.centre_id.in_(centres),
                GuidanceResource.status == "published",
                GuidanceResource.audience.in_(FOR_ORGANISATIONS),
            )
            .order_by(GuidanceResource.category, GuidanceResource.title, GuidanceResource.id)
        )
    )


def get_resource(session: Session, principal: Principal, resource_id: int) -> GuidanceResource:
    """A resource for its centre's staff (any status) or a manager it is published for."""
    if principal.is_staff:
        return managed_resource(session, principal, resource_id)
    if not principal.is_manager:
        raise Forbidden("Your centre's guidance is for organisations' managers and the centre's staff.")
    resource = session.get(GuidanceResource, resource_id)
    if (
        resource is None
        or resource.status != "published"
        or resource.audience not in FOR_ORGANISATIONS
        or resource.centre_id not in manager_centres(session, principal)
    ):
        raise NotFound(NO_RESOURCE)
    return resource


def resources_due(session: Session, principal: Principal) -> int:
    """How many of the centre's resources are past their review date."""
    if not policy.can_manage_guidance(principal):
        return 0
    return int(
        session.scalar(
            select(func.count(GuidanceResource.id)).where(
                GuidanceResource.centre_id == principal.centre_id,
                GuidanceResource.review_on.is_not(None),
                GuidanceResource.review_on < date.today(),
            )
        )
        or 0
    )


# -- training events ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Places:
    capacity: int
    booked: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def full(self) -> bool:
        return self.booked >= self.capacity


def places(session: Session, events_: list[TrainingEvent]) -> dict[int, Places]:
    ids = [e.id for e in events_]
    held = (
        dict(
            session.execute(
                select(TrainingBooking.event_id, func.count())
                .where(TrainingBooking.event_id.in_(ids), TrainingBooking.status.in_(HELD_PLACE))
                .group_by(TrainingBooking.event_id)
            ).all()
        )
        if ids
        else {}
    )
    return {e.id: Places(e.capacity, int(held.get(e.id, 0))) for e in events_}


def _apply_event(event: TrainingEvent, body: EventIn) -> None:
    event.title, event.description, event.starts_at, event.ends_at = body.title, body.description, body.starts_at, body.ends_at
    event.place = body.place
    event.online_url = str(body.online_url) if body.online_url is not None else None
    event.capacity, event.status = body.capacity, body.status


def create_event(session: Session, principal: Principal, body: EventIn, *, now: datetime | None = None) -> TrainingEvent:
    centre_id = _staff_centre(principal)
    if body.starts_at <= (now or datetime.now()):
        raise InvalidInput("Training can only be added for a time still to come.", field="starts_at")
    event = TrainingEvent(centre_id=centre_id, created_by_user_id=principal.user_id)
    _apply_event(event, body)
    session.add(event)
    session.flush()
    audit.record(session, principal, "guidance.training_create", "training_event", event.id, status=event.status)
    return event


def managed_event(session: Session, principal: Principal, event_id: int) -> TrainingEvent:
    centre_id = _staff_centre(principal)
    event = session.get(TrainingEvent, event_id)
    if event is None or event.centre_id != centre_id:
        raise NotFound(NO_EVENT)
    return event


def update_event(session: Session, principal: Principal, event_id: int, body: EventIn) -> TrainingEvent:
    event = managed_event(session, principal, event_id)
    event = locking.lock(session, TrainingEvent, event.id)  # not below the places already held
    held = places(session, [event])[event.id].booked
    if body.capacity < held:
        raise Conflict(f"{held} places are booked already: the training needs at least {held} places.")
    _apply_event(event, body)
    session.flush()
    audit.record(session, principal, "guidance.training_update", "training_event", event.id, status=event.status)
    return event


def centre_events(session: Session, principal: Principal) -> list[TrainingEvent]:
    """Every training event of the staff member's centre, soonest first (those past last)."""
    centre_id = _staff_centre(principal)
    rows = list(
        session.scalars(
            select(TrainingEvent).where(TrainingEvent.centre_id == centre_id).order_by(TrainingEvent.starts_at, TrainingEvent.id)
        )
    )
    now = datetime.now()
    return [e for e in rows if e.starts_at > now] + [e for e in rows if e.starts_at <= now]


def upcoming_events(session: Session, principal: Principal, *, now: datetime | None = None) -> list[TrainingEvent]:
    """Published training still to start at a manager's centres, soonest first."""
    if not principal.is_manager:
        raise Forbidden("Your centre's training is booked by organisations' managers.")
    centres = list(manager_centres(session, principal))
    if not centres:
        return []
    return list(
        session.scalars(
            select(TrainingEvent)
            .where(
                TrainingEvent.centre_id.in_(centres),
                TrainingEvent.status == "published",
                TrainingEvent.starts_at > (now or datetime.now()),
            )
            .order_by(TrainingEvent.starts_at, TrainingEvent.id)
        )
    )


def get_event(session: Session, principal: Principal, event_id: int) -> TrainingEvent:
    if principal.is_staff:
        return managed_event(session, principal, event_id)
    if not principal.is_manager:
        raise Forbidden("Your centre's training is booked by organisations' managers.")
    event = session.get(TrainingEvent, event_id)
    if event is None or event.status != "published" or event.centre_id not in manager_centres(session, principal):
        raise NotFound(NO_EVENT)
    return event


def centre_name(session: Session, centre_id: int) -> str:
    centre = session.get(Centre, centre_id)
    return centre.name if centre else ""


# -- booking ----------------------------------------------------------------------------------------------
def _booking_organisation(
    session: Session, principal: Principal, event: TrainingEvent, organisation_id: int | None
) -> Organisation:
    orgs = manager_centres(session, principal).get(event.centre_id, [])
    if organisation_id is None:
        if len(orgs) == 1:
            return orgs[0]
        raise InvalidInput("Say which of your organisations the place is for.", field="organisation_id")
    for org in orgs:
        if org.id == organisation_id:
            return org
    if principal.manages(organisation_id):
        raise InvalidInput("This training is for organisations that its centre supports.", field="organisation_id")
    raise NotFound("There is no organisation with that id that you manage.")


def book(
    session: Session, principal: Principal, event_id: int, body: BookingIn, *, now: datetime | None = None
) -> TrainingBooking:
    """A place on the event for the manager or the colleague they name (409 when it is full, or
    when that person has a place already)."""
    if not principal.is_manager:
        raise Forbidden("Places on training are booked by organisations' managers.")
    event = get_event(session, principal, event_id)
    org = _booking_organisation(session, principal, event, body.organisation_id)
    if event.starts_at <= (now or datetime.now()):
        raise Conflict("This training has already started, so it can no longer be booked.")
    name = body.attendee_name or principal.full_name
    email = str(body.attendee_email or principal.email)
    event = locking.lock(session, TrainingEvent, event.id)  # one booking at a time per event
    if event.status != "published":
        raise Conflict("This training is not taking bookings at the moment.")
    normalised = email.strip().lower()
    already = session.scalar(
        select(TrainingBooking.id).where(
            TrainingBooking.event_id == event.id,
            TrainingBooking.attendee_email_normalised == normalised,
            TrainingBooking.status.in_(HELD_PLACE),
        )
    )
    if already is not None:
        raise Conflict(f"{name} has a place on this training already.")
    if places(session, [event])[event.id].full:
        taken = "its one place is booked" if event.capacity == 1 else f"all {event.capacity} places are booked"
        raise Conflict(f"Sorry, this training is full: {taken}. Look out for the next date, or contact your volunteer centre.")
    booking = TrainingBooking(
        event_id=event.id,
        organisation_id=org.id,
        booked_by_user_id=principal.user_id,
        attendee_name=name,
        attendee_email=email,
        attendee_email_normalised=normalised,
        status="booked",
    )
    session.add(booking)
    session.flush()
    enqueue(session, events.TrainingPlaceBooked(booking_id=booking.id))
    return booking


def cancel(session: Session, principal: Principal, booking_id: int, *, now: datetime | None = None) -> TrainingBooking:
    """Give up a place, before the training starts (the manager of the booking's organisation)."""
    if not principal.is_manager:
        raise Forbidden("Places on training are cancelled by the organisation that booked them.")
    booking = session.get(TrainingBooking, booking_id)
    if booking is None or not principal.manages(booking.organisation_id):
        raise NotFound(NO_BOOKING)
    event = locking.lock(session, TrainingEvent, booking.event_id)
    session.refresh(booking)
    if booking.status != "booked":
        raise Conflict("This place is not booked, so there is nothing to cancel.")
    if event.starts_at <= (now or datetime.now()):
        raise Conflict("This training has already started: tell your volunteer centre if you could not come.")
    booking.status, booking.cancelled_at = "cancelled", utcnow()
    session.flush()
    return booking


def bookings_of_manager(session: Session, principal: Principal, event_ids: list[int]) -> dict[int, list[TrainingBooking]]:
    """The held places of the manager's organisations on these events, by event."""
    if not event_ids or not principal.organisation_ids:
        return {}
    out: dict[int, list[TrainingBooking]] = {}
    for b in session.scalars(
        select(TrainingBooking)
        .where(
            TrainingBooking.event_id.in_(event_ids),
            TrainingBooking.organisation_id.in_(principal.organisation_ids),
            TrainingBooking.status.in_(HELD_PLACE),
        )
        .order_by(TrainingBooking.created_at, TrainingBooking.id)
    ):
        out.setdefault(b.event_id, []).append(b)
    return out


def attendees(session: Session, event: TrainingEvent) -> list[tuple[TrainingBooking, str]]:
    """Who holds a place on the event, with their organisation's name (the centre's staff)."""
    return [
        (b, name)
        for b, name in session.execute(
            select(TrainingBooking, Organisation.name)
            .join(Organisation, Organisation.id == TrainingBooking.organisation_id)
            .where(TrainingBooking.event_id == event.id, TrainingBooking.status.in_(HELD_PLACE))
            .order_by(TrainingBooking.created_at, TrainingBooking.id)
        ).all()
    ]


@dataclass(frozen=True, slots=True)
class Confirmation:
    to: str
    to_name: str
    booked_by: tuple[str, str] | None  # the manager who booked for a colleague: (email, name)
    organisation_name: str
    centre_name: str
    event_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    online_url: str | None


def confirmation(session: Session, booking_id: int) -> Confirmation | None:
    """What the booking's confirmation says, and who it goes to (None once it is cancelled)."""
    booking = session.get(TrainingBooking, booking_id)
    if booking is None or booking.status != "booked":
        return None
    event = session.get_one(TrainingEvent, booking.event_id)
    org = session.get_one(Organisation, booking.organisation_id)
    booker = None
    if booking.booked_by_user_id is not None:
        user = session.get(User, booking.booked_by_user_id)
        if user is not None and user.is_active and user.email.strip().lower() != booking.attendee_email_normalised:
            booker = (user.email, user.full_name)
    return Confirmation(
        to=booking.attendee_email,
        to_name=booking.attendee_name,
        booked_by=booker,
        organisation_name=org.name,
        centre_name=centre_name(session, event.centre_id),
        event_id=event.id,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place=event.place,
        online_url=event.online_url,
    )
