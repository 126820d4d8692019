"""Database tables, one module per domain. Import this package to register every table."""

from brokerage.models.audit import AuditLog
from brokerage.models.callout import Callout, CalloutInvitation, EmergencyAvailability
from brokerage.models.centre import Centre, CentreDistrict
from brokerage.models.district import District, Postcode
from brokerage.models.guidance import GuidanceResource, TrainingBooking, TrainingEvent
from brokerage.models.hours import HoursEntry, Milestone, Placement
from brokerage.models.invitation import Invitation
from brokerage.models.interop import DuplicateCandidate, ImportBatch, VolunteerMerge
from brokerage.models.jobs import EmailSuppression, ScheduledRun, SchedulerLease
from brokerage.models.organisation import Organisation, OrganisationCause, OrganisationManager
from brokerage.models.outbox import Delivery, OutboxMessage
from brokerage.models.referral import Referral, ReferralEvent, ReferralMessage
from brokerage.models import reporting  # noqa: F401  (registers every reporting and rollup table)
from brokerage.models.reporting import (
    FrozenReport,
    FrozenReportFile,
    HoursRollup,
    InvestmentEntry,
    PlacementActivity,
    ValuationRate,
    VolunteerActivity,
)
from brokerage.models.safeguarding import SafeguardingConcern, SafeguardingNote
from brokerage.models.role import Activity, Role, RoleCause, RoleSession, RoleSkill, RoleStatusChange, SessionBooking
from brokerage.models.user import User
from brokerage.models.volunteer import Volunteer, VolunteerCause, VolunteerSkill

__all__ = [
    "Activity",
    "AuditLog",
    "Callout",
    "CalloutInvitation",
    "EmergencyAvailability",
    "Centre",
    "CentreDistrict",
    "Delivery",
    "District",
    "DuplicateCandidate",
    "EmailSuppression",
    "FrozenReport",
    "FrozenReportFile",
    "GuidanceResource",
    "HoursRollup",
    "ImportBatch",
    "Invitation",
    "InvestmentEntry",
    "ScheduledRun",
    "SchedulerLease",
    "ValuationRate",
    "VolunteerMerge",
    "HoursEntry",
    "Milestone",
    "Organisation",
    "OrganisationCause",
    "OrganisationManager",
    "OutboxMessage",
    "PlacementActivity",
    "Placement",
    "Postcode",
    "Referral",
    "ReferralEvent",
    "ReferralMessage",
    "Role",
    "RoleCause",
    "RoleSession",
    "RoleSkill",
    "RoleStatusChange",
    "SessionBooking",
    "TrainingBooking",
    "TrainingEvent",
    "SafeguardingConcern",
    "SafeguardingNote",
    "User",
    "Volunteer",
    "VolunteerActivity",
    "VolunteerCause",
    "VolunteerSkill",
]
