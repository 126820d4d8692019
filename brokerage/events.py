"""Every background event, declared once: its name and its typed payload.

A service records an event with ``brokerage.outbox.enqueue(session, RolePublished(role_id=...))`` in
the transaction of the change that caused it; the relay hands it to the actor registered under the
same name (``workers.actors``, whose decorator takes the event class). A misspelt event or field is
then a type error, and ``tests/workers/test_events.py`` fails for an event without an actor.

Payloads carry IDs and small values, never objects: they are stored as JSON in the outbox.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar


class Event:
    """Base of every event: a frozen dataclass with a ``name`` (``domain.event``)."""

    __slots__ = ()
    name: ClassVar[str]

    def payload(self) -> dict[str, Any]:
        """The keyword arguments the actor is called with, as plain JSON values."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


# -- accounts -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PasswordResetRequested(Event):
    name: ClassVar[str] = "account.password_reset"
    user_id: int
    token: str


# -- organisations ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EmailChangeRequested(Event):
    """A confirmation link for a new sign-in email address, sent to that address."""

    name: ClassVar[str] = "account.email_change"
    user_id: int
    new_email: str
    token: str


@dataclass(frozen=True, slots=True)
class OrganisationRegistered(Event):
    name: ClassVar[str] = "organisation.registered"
    organisation_id: int


@dataclass(frozen=True, slots=True)
class OrganisationVerificationDecided(Event):
    name: ClassVar[str] = "organisation.verification_decided"
    organisation_id: int


# -- roles --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RolePublished(Event):
    name: ClassVar[str] = "role.published"
    role_id: int


@dataclass(frozen=True, slots=True)
class RoleChanged(Event):
    name: ClassVar[str] = "role.changed"
    role_id: int


@dataclass(frozen=True, slots=True)
class RoleMatchEmails(Event):
    """Email these volunteers about a newly published role (a chunk of ``role.published``'s fan-out)."""

    name: ClassVar[str] = "notification.role_match"
    role_id: int
    volunteer_ids: tuple[int, ...]
    reasons: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class RoleExpiryDue(Event):
    """Daily: close listings past their end, ask posters to refresh those closing soon."""

    name: ClassVar[str] = "role.expire_due"
    day: str


# -- volunteers ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VolunteerRegistered(Event):
    name: ClassVar[str] = "volunteer.registered"
    volunteer_id: int


@dataclass(frozen=True, slots=True)
class VolunteerUpdated(Event):
    name: ClassVar[str] = "volunteer.updated"
    volunteer_id: int


@dataclass(frozen=True, slots=True)
class VolunteerErased(Event):
    name: ClassVar[str] = "volunteer.erased"
    volunteer_id: int


@dataclass(frozen=True, slots=True)
class RetentionDue(Event):
    """Daily: the retention schedule (reminders, erasure of inactive accounts, old files)."""

    name: ClassVar[str] = "volunteer.retention"
    day: str


@dataclass(frozen=True, slots=True)
class VolunteerRetentionReminder(Event):
    """An inactive volunteer is told their account will be deleted unless they sign in."""

    name: ClassVar[str] = "volunteer.retention_reminder"
    volunteer_id: int
    erase_on: str


@dataclass(frozen=True, slots=True)
class GuardianConsentRequested(Event):
    """Email a volunteer's parent or guardian the links to give (and later withdraw) consent."""

    name: ClassVar[str] = "volunteer.guardian_consent"
    volunteer_id: int


@dataclass(frozen=True, slots=True)
class DbsRemindersDue(Event):
    """Daily: remind volunteers whose DBS certificate is nearly due for renewal."""

    name: ClassVar[str] = "volunteer.dbs_reminders"
    day: str


# -- referrals ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReferralCreated(Event):
    name: ClassVar[str] = "referral.created"
    referral_id: int


@dataclass(frozen=True, slots=True)
class ReferralStatusChanged(Event):
    name: ClassVar[str] = "referral.status_changed"
    referral_id: int
    from_status: str | None = None
    to_status: str | None = None


@dataclass(frozen=True, slots=True)
class ReferralFollowUpDue(Event):
    """Daily: chase organisations that have not acted on a referral; escalate to the centre."""

    name: ClassVar[str] = "referral.follow_up"
    day: str


@dataclass(frozen=True, slots=True)
class ReferralMessagePosted(Event):
    """A message in a referral's conversation: the other sides are told by email."""

    name: ClassVar[str] = "referral.message_posted"
    message_id: int


# -- invitations --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class InvitationSent(Event):
    """A volunteer is invited to a role: they get an email linking to the invitation."""

    name: ClassVar[str] = "invitation.sent"
    invitation_id: int


@dataclass(frozen=True, slots=True)
class QuietVolunteersDue(Event):
    """Daily: one email of fresh roles to each volunteer who has gone quiet (once per quiet spell)."""

    name: ClassVar[str] = "volunteer.reengage"
    day: str


# -- hours --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class HoursSubmitted(Event):
    name: ClassVar[str] = "hours.submitted"
    hours_entry_id: int


@dataclass(frozen=True, slots=True)
class HoursApproved(Event):
    name: ClassVar[str] = "hours.approved"
    hours_entry_id: int


@dataclass(frozen=True, slots=True)
class HoursRemindersDue(Event):
    """Daily: remind organisations about hours waiting more than a week for approval."""

    name: ClassVar[str] = "hours.reminders"
    day: str


@dataclass(frozen=True, slots=True)
class HoursProposed(Event):
    """An organisation recorded a volunteer at a session: ask them to confirm the hours."""

    name: ClassVar[str] = "hours.proposed"
    hours_entry_id: int


@dataclass(frozen=True, slots=True)
class MilestoneReached(Event):
    """A volunteer's approved hours reached a milestone: congratulate them (if they want emails)."""

    name: ClassVar[str] = "hours.milestone"
    milestone_id: int


@dataclass(frozen=True, slots=True)
class SatisfactionQuestionsDue(Event):
    """Daily: ask volunteers four weeks into a placement how satisfied they are (once each)."""

    name: ClassVar[str] = "hours.satisfaction_questions"
    day: str


# -- shifts (dated sessions of a role) ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SessionPlaceOffered(Event):
    """A place on a full session came free and went to the first on its waiting list."""

    name: ClassVar[str] = "shifts.place_offered"
    booking_id: int


@dataclass(frozen=True, slots=True)
class SessionRemindersDue(Event):
    """Daily: remind every volunteer booked on a session that starts the next day."""

    name: ClassVar[str] = "shifts.reminders"
    day: str


# -- reports ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RollupRefresh(Event):
    """Refresh the report rollups of one placement, or of every placement of a volunteer."""

    name: ClassVar[str] = "reports.rollup"
    placement_id: int | None = None
    volunteer_id: int | None = None


@dataclass(frozen=True, slots=True)
class CountsRefresh(Event):
    """Recompute the report's counts (registrations, referrals, placements, roles filled) that a change
    touched: (district, month) pairs, (volunteer, month) pairs read under the volunteer's district,
    every month of some volunteers (who moved district or were merged) and some roles' years."""

    name: ClassVar[str] = "reports.counts"
    district_months: tuple[tuple[str, str], ...] = ()
    volunteer_months: tuple[tuple[int, str], ...] = ()
    volunteers: tuple[int, ...] = ()
    roles: tuple[int, ...] = ()


# -- digests ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WeeklyDigestDue(Event):
    """Weekly: split the week's digest into jobs of a few volunteers each."""

    name: ClassVar[str] = "digest.weekly"
    week: str


@dataclass(frozen=True, slots=True)
class DigestEmails(Event):
    name: ClassVar[str] = "digest.send"
    volunteer_ids: tuple[int, ...]
    week: str


# -- the broker itself --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Noop(Event):
    """Does nothing: the benchmark's baseline for the broker's own speed."""

    name: ClassVar[str] = "system.noop"
    n: int = 0


# -- safeguarding -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SafeguardingConcernRaised(Event):
    """Tell the centre's safeguarding leads a concern is waiting (the email holds no detail of it)."""

    name: ClassVar[str] = "safeguarding.concern_raised"
    concern_id: int


# -- guidance and training ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TrainingPlaceBooked(Event):
    """A place on a centre's training event was booked: confirm it to the person it is for (and to
    the manager who booked it, when that is someone else)."""

    name: ClassVar[str] = "guidance.training_booked"
    booking_id: int


# -- emergency call-outs ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CalloutRaised(Event):
    """A call-out was raised: choose its first batch of volunteers (nearest first) and email them."""

    name: ClassVar[str] = "callout.raised"
    callout_id: int


@dataclass(frozen=True, slots=True)
class CalloutAnswered(Event):
    """A volunteer answered a call-out: if those still to answer cannot fill it, ask the next batch."""

    name: ClassVar[str] = "callout.answered"
    callout_id: int


@dataclass(frozen=True, slots=True)
class CalloutBatchDue(Event):
    """A batch has had its time to answer (the outbox row waits until then): ask the next batch if
    the call-out is still short and no later batch has gone."""

    name: ClassVar[str] = "callout.batch_due"
    callout_id: int
    after_batch: int


@dataclass(frozen=True, slots=True)
class CalloutEmails(Event):
    """Email one batch of a call-out's chosen volunteers (each once, by its delivery key)."""

    name: ClassVar[str] = "callout.emails"
    callout_id: int
    batch: int


def _declared() -> dict[str, type[Event]]:
    """The events declared in this module, by name (each name once)."""
    found: dict[str, type[Event]] = {}
    for cls in list(globals().values()):
        if isinstance(cls, type) and issubclass(cls, Event) and cls is not Event:
            if cls.name in found:
                raise TypeError(f"Two events are named {cls.name!r}: {found[cls.name].__name__} and {cls.__name__}")
            found[cls.name] = cls
    return dict(sorted(found.items()))


# Every event by name.
EVENTS: dict[str, type[Event]] = _declared()


def event_named(name: str, payload: Mapping[str, Any]) -> Event:
    """The event ``name`` with ``payload`` (a stored outbox row, read back)."""
    return EVENTS[name](**payload)
