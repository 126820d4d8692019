"""Row-level access rules, in one place. Each ``*_scope`` narrows a SELECT to what the
principal may see; each ``can_*`` answers for one row. Routes never decide access themselves."""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from brokerage.auth.principal import Principal
from brokerage.errors import Forbidden, NotFound
from brokerage.models import Organisation, Referral, Role, Volunteer

PUBLIC_ROLE_STATUSES = ("published",)


# -- volunteers: personal data ------------------------------------------------------------
def volunteer_scope(stmt: Select, principal: Principal) -> Select:
    if principal.is_volunteer:
        return stmt.where(Volunteer.id == (principal.volunteer_id or -1))
    if principal.is_staff:
        if principal.district_codes is None:
            return stmt
        return stmt.where(
            or_(
                Volunteer.district_gss.in_(principal.district_codes),
                Volunteer.registering_centre_id == principal.centre_id,
            )
        )
    raise Forbidden("Only the volunteer and their volunteer centre can see volunteer records.")


def can_see_volunteer(principal: Principal, volunteer: Volunteer) -> bool:
    if principal.is_volunteer:
        return principal.volunteer_id == volunteer.id
    if principal.is_staff:
        return principal.covers_district(volunteer.district_gss) or (
            volunteer.registering_centre_id is not None and volunteer.registering_centre_id == principal.centre_id
        )
    return False


def require_volunteer(principal: Principal, volunteer: Volunteer | None) -> Volunteer:
    if volunteer is None or volunteer.status == "erased":
        raise NotFound("There is no volunteer with that id.")
    if not can_see_volunteer(principal, volunteer):
        if principal.is_volunteer or principal.is_staff:
            raise NotFound("There is no volunteer with that id.")
        raise Forbidden("Only the volunteer and their volunteer centre can see volunteer records.")
    return volunteer


# -- organisations ------------------------------------------------------------------------
def organisation_scope(stmt: Select, principal: Principal | None) -> Select:
    public = Organisation.verification_status == "verified"
    if principal is None or principal.is_volunteer:
        return stmt.where(public)
    if principal.is_manager:
        return stmt.where(or_(public, Organisation.id.in_(principal.organisation_ids or {-1})))
    if principal.is_staff:
        if principal.district_codes is None:
            return stmt
        return stmt.where(or_(public, Organisation.district_gss.in_(principal.district_codes)))
    return stmt  # pilot leads and admins: organisations are not personal data


def can_see_organisation_private(principal: Principal | None, organisation: Organisation) -> bool:
    if principal is None:
        return False
    if principal.is_pilot_lead or principal.is_admin:
        return True
    return principal.manages(organisation.id) or principal.covers_district(organisation.district_gss)


def can_edit_organisation(principal: Principal, organisation: Organisation) -> bool:
    return principal.manages(organisation.id) or principal.covers_district(organisation.district_gss)


def can_verify_organisation(principal: Principal, organisation: Organisation) -> bool:
    return principal.covers_district(organisation.district_gss)


# -- roles ----------------------------------------------------------------------------------
def role_scope(stmt: Select, principal: Principal | None) -> Select:
    public = Role.status.in_(PUBLIC_ROLE_STATUSES)
    if principal is None or principal.is_volunteer:
        return stmt.where(public)
    if principal.is_manager:
        return stmt.where(or_(public, Role.organisation_id.in_(principal.organisation_ids or {-1})))
    if principal.is_staff:
        if principal.district_codes is None:
            return stmt
        org_in_district = select(Organisation.id).where(Organisation.district_gss.in_(principal.district_codes))
        return stmt.where(
            or_(public, Role.district_gss.in_(principal.district_codes), Role.organisation_id.in_(org_in_district))
        )
    return stmt


def can_see_role(principal: Principal | None, role: Role, organisation: Organisation) -> bool:
    if role.status in PUBLIC_ROLE_STATUSES:
        return True
    if principal is None:
        return False
    if principal.is_pilot_lead or principal.is_admin:
        return True
    return can_edit_role(principal, role, organisation)


def can_edit_role(principal: Principal, role: Role, organisation: Organisation) -> bool:
    return principal.manages(role.organisation_id) or principal.covers_district(role.district_gss) or principal.covers_district(organisation.district_gss)


def can_moderate_role(principal: Principal, role: Role, organisation: Organisation) -> bool:
    return principal.covers_district(role.district_gss) or principal.covers_district(organisation.district_gss)


# -- referrals ------------------------------------------------------------------------------
def referral_scope(stmt: Select, principal: Principal) -> Select:
    """``stmt`` must already join Volunteer and Role."""
    if principal.is_volunteer:
        return stmt.where(Referral.volunteer_id == (principal.volunteer_id or -1))
    if principal.is_manager:
        return stmt.where(Role.organisation_id.in_(principal.organisation_ids or {-1}))
    if principal.is_staff:
        if principal.district_codes is None:
            return stmt
        return stmt.where(
            or_(
                Volunteer.district_gss.in_(principal.district_codes),
                Role.district_gss.in_(principal.district_codes),
                Volunteer.registering_centre_id == principal.centre_id,
            )
        )
    raise Forbidden("Referrals hold personal data: pilot leads see them in reports, in aggregate.")


def can_see_referral(principal: Principal, referral: Referral, volunteer: Volunteer, role: Role) -> bool:
    if principal.is_volunteer:
        return principal.volunteer_id == referral.volunteer_id
    if principal.is_manager:
        return principal.manages(role.organisation_id)
    if principal.is_staff:
        return (
            principal.covers_district(volunteer.district_gss)
            or principal.covers_district(role.district_gss)
            or (volunteer.registering_centre_id is not None and volunteer.registering_centre_id == principal.centre_id)
        )
    return False


def nothing(stmt: Select) -> Select:
    return stmt.where(false())
