"""Row-level access rules, in one place. Each ``*_scope`` narrows a SELECT to what the
principal may see; each ``can_*`` answers for one row. Routes never decide access themselves."""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from brokerage.auth.principal import Principal
from brokerage.errors import Forbidden, NotFound
from brokerage.models import Organisation, Referral, Role, Volunteer
from brokerage.vocab.roles import PUBLIC_ROLE_STATUSES


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
def sees_only_public_roles(principal: Principal | None) -> bool:
    """Visitors and volunteers see published roles only (and so may be answered from the public catalogue)."""
    return principal is None or principal.is_volunteer


def role_scope(stmt: Select, principal: Principal | None) -> Select:
    public = Role.status.in_(PUBLIC_ROLE_STATUSES)
    if principal is None or sees_only_public_roles(principal):
        return stmt.where(public)
    if principal.is_manager:
        return stmt.where(or_(public, Role.organisation_id.in_(principal.organisation_ids or {-1})))
    if principal.is_staff:
        if principal.district_codes is None:
            return stmt
        org_in_district = select(Organisation.id).where(Organisation.district_gss.in_(principal.district_codes))
        return stmt.where(or_(public, Role.district_gss.in_(principal.district_codes), Role.organisation_id.in_(org_in_district)))
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
    return (
        principal.manages(role.organisation_id)
        or principal.covers_district(role.district_gss)
        or principal.covers_district(organisation.district_gss)
    )


def can_moderate_role(principal: Principal, role: Role, organisation: Organisation) -> bool:
    return principal.covers_district(role.district_gss) or principal.covers_district(organisation.district_gss)


# -- referrals ------------------------------------------------------------------------------
def _people_and_roles_scope(stmt: Select, principal: Principal, volunteer_column, organisation_column, refusal: str) -> Select:
    """Referrals, placements and hours: the volunteer's own; an organisation's managers theirs; centre
    staff those whose volunteer or role is in their districts (or whom their centre registered)."""
    if principal.is_volunteer:
        return stmt.where(volunteer_column == (principal.volunteer_id or -1))
    if principal.is_manager:
        return stmt.where(organisation_column.in_(principal.organisation_ids or {-1}))
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
    raise Forbidden(refusal)


def _staff_sees(principal: Principal, volunteer: Volunteer, role: Role) -> bool:
    return (
        principal.covers_district(volunteer.district_gss)
        or principal.covers_district(role.district_gss)
        or (volunteer.registering_centre_id is not None and volunteer.registering_centre_id == principal.centre_id)
    )


def referral_scope(stmt: Select, principal: Principal) -> Select:
    """``stmt`` must already join Volunteer and Role."""
    return _people_and_roles_scope(
        stmt,
        principal,
        Referral.volunteer_id,
        Role.organisation_id,
        "Referrals hold personal data: pilot leads see them in reports, in aggregate.",
    )


def can_see_referral(principal: Principal, referral: Referral, volunteer: Volunteer, role: Role) -> bool:
    if principal.is_volunteer:
        return principal.volunteer_id == referral.volunteer_id
    if principal.is_manager:
        return principal.manages(role.organisation_id)
    if principal.is_staff:
        return _staff_sees(principal, volunteer, role)
    return False


# -- imports and duplicate review -------------------------------------------------------------
def can_import_for_centre(principal: Principal, centre_id: int | None) -> bool:
    """Least privilege: centre staff import into their own centre only (pilot leads and admins do not)."""
    return principal.is_staff and principal.centre_id is not None and principal.centre_id == centre_id


def can_review_duplicates(principal: Principal, first: Volunteer, second: Volunteer) -> bool:
    """Staff see (and merge) a pair of records only when they may see both volunteers."""
    return principal.is_staff and can_see_volunteer(principal, first) and can_see_volunteer(principal, second)


def nothing(stmt: Select) -> Select:
    return stmt.where(false())


# -- placements and hours (issue 5) -----------------------------------------------------------
def placement_scope(stmt: Select, principal: Principal) -> Select:
    """``stmt`` must already join Volunteer and Role (placements and hours entries alike)."""
    from brokerage.models import Placement

    return _people_and_roles_scope(
        stmt,
        principal,
        Placement.volunteer_id,
        Placement.organisation_id,
        "Hours are personal data: pilot leads see them in reports, in aggregate.",
    )


def can_see_placement(principal: Principal, placement, volunteer: Volunteer, role: Role) -> bool:
    if principal.is_volunteer:
        return principal.volunteer_id == placement.volunteer_id
    if principal.is_manager:
        return principal.manages(placement.organisation_id)
    if principal.is_staff:
        return _staff_sees(principal, volunteer, role)
    return False


def can_log_hours(principal: Principal, placement, volunteer: Volunteer, role: Role) -> bool:
    """The volunteer for themself, or their volunteer centre on their behalf."""
    return (principal.is_volunteer or principal.is_staff) and can_see_placement(principal, placement, volunteer, role)


def can_review_hours(principal: Principal, placement, volunteer: Volunteer, role: Role) -> bool:
    """The organisation's managers or the volunteer centre approve or query hours."""
    return (principal.is_manager or principal.is_staff) and can_see_placement(principal, placement, volunteer, role)


# -- reports, investment and rates -------------------------------------------------------------
def report_districts(principal: Principal, requested: frozenset[str] | None) -> frozenset[str] | None:
    """The districts a report may cover (None = the whole county). Pilot leads: any; centre staff:
    their own districts only (403 for any other); everyone else: 403."""
    if principal.is_pilot_lead:
        return requested
    if principal.is_staff:
        if principal.district_codes is None:
            return requested
        if requested is None:
            return frozenset(principal.district_codes)
        outside = sorted(set(requested) - set(principal.district_codes))
        if outside:
            raise Forbidden("You can only report on your own centre's districts.")
        return requested
    raise Forbidden("Reports are for volunteer centre staff and pilot leads.")


def can_enter_investment(principal: Principal, centre_id: int) -> bool:
    return principal.is_pilot_lead or (principal.is_staff and principal.centre_id == centre_id)


def can_see_investment(principal: Principal, centre_id: int) -> bool:
    return principal.is_pilot_lead or (principal.is_staff and (principal.county_wide or principal.centre_id == centre_id))


def can_manage_rates(principal: Principal) -> bool:
    return principal.is_pilot_lead


def can_see_frozen_report(principal: Principal, district_codes: list[str] | None) -> bool:
    if principal.is_pilot_lead or principal.county_wide:
        return True
    if principal.is_staff:
        return district_codes is not None and set(district_codes) <= set(principal.district_codes or ())
    return False


# -- safeguarding concerns ---------------------------------------------------------------------
def is_safeguarding_lead(principal: Principal) -> bool:
    return principal.is_staff and principal.safeguarding_lead and principal.centre_id is not None


def can_see_concern(principal: Principal, centre_id: int) -> bool:
    """A concern is seen by its centre's designated safeguarding leads and by no one else (not the
    person who raised it, not other staff, pilot leads or administrators)."""
    return is_safeguarding_lead(principal) and principal.centre_id == centre_id


# -- guidance and training ----------------------------------------------------------------------
def can_manage_guidance(principal: Principal) -> bool:
    """A centre's staff publish their own centre's guidance and training (and no one else's)."""
    return principal.is_staff and principal.centre_id is not None
