"""Volunteer centre pages: moderation queues (organisations and roles, reasons required on
rejection), the referral pipeline with overdue ones flagged, volunteers in the centre's districts,
and duplicates to review."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from brokerage import links
from brokerage.config import get_settings
from brokerage.deps import DbSession
from brokerage.centres import today
from brokerage.models import Organisation, Role
from brokerage.vocab import slots
from brokerage.vocab.referrals import REFERRAL_STATUS
from brokerage.organisations import service as organisations_service
from brokerage.referrals import service as referrals_service
from brokerage.roles import service as roles_service
from brokerage.volunteers import quiet
from brokerage.volunteers import service as volunteers_service
from brokerage.web import forms, paging
from brokerage.web.deps import Form, StaffUser, page_router
from brokerage.web.pages import duplicates as duplicate_pages
from brokerage.web.rendering import kent_districts, redirect, render

router = page_router()


REFERRALS_PAGE = 50
VOLUNTEERS_PAGE = 25
VOLUNTEERS_COUNTED = 10_000  # a longer list says "More than 10,000 volunteers" rather than count the county
MODERATION_PAGE = 50


@router.get("/centre")
def home(request: Request, session: DbSession, principal: StaffUser, org_page: str | None = None, role_page: str | None = None):
    """The centre's day at a glance: each count links to the list of exactly those rows. The two
    moderation queues follow, each a page at a time with its true total; each keeps the other's page."""
    org_number, role_number = paging.page_number(org_page), paging.page_number(role_page)
    orgs, org_total = today.page(
        session,
        today.organisations_to_verify(principal),
        Organisation.id,
        (Organisation.created_at, Organisation.id),
        page=org_number,
        page_size=MODERATION_PAGE,
    )
    roles, role_total = today.page(
        session,
        today.listings_to_review(principal),
        Role.id,
        (Role.created_at, Role.id),
        page=role_number,
        page_size=MODERATION_PAGE,
    )
    return render(
        request,
        "pages/centre/home.html",
        {
            "title": "Your centre today",
            "counts": today.counts(session, principal),
            "orgs": [r[0] for r in orgs],
            "roles": roles,
            "org_pages": paging.context("/centre", {"role_page": role_page or ""}, org_number, org_total, MODERATION_PAGE),
            "role_pages": paging.context("/centre", {"org_page": org_page or ""}, role_number, role_total, MODERATION_PAGE),
        },
    )


@router.get("/centre/volunteers/quiet")
def gone_quiet(request: Request, session: DbSession, principal: StaffUser, page: str | None = None):
    number = paging.page_number(page)
    rows, total = quiet.list_quiet(session, principal, page=number, page_size=VOLUNTEERS_PAGE)
    return render(
        request,
        "pages/centre/quiet.html",
        {
            "title": "Volunteers gone quiet",
            "rows": rows,
            "days": get_settings().quiet_after_days,
            "started_again": quiet.started_again(session, principal),
            **paging.context(links.CENTRE_QUIET, {}, number, total, VOLUNTEERS_PAGE),
        },
    )


@router.get("/centre/organisations/{organisation_id}")
def organisation_review_page(organisation_id: int, request: Request, session: DbSession, principal: StaffUser):
    org = organisations_service.get(session, principal, organisation_id)
    return render(request, "pages/centre/organisation_review.html", {"title": f"Check {org.name}", "org": org})


@router.post("/centre/organisations/{organisation_id}")
def organisation_review(organisation_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form):
    org = organisations_service.get(session, principal, organisation_id)
    decision, note = forms.text(form, "decision"), forms.text(form, "note")
    errors = []
    if decision not in ("verified", "rejected"):
        errors.append({"field": "decision", "message": "Select whether to verify the organisation"})
    elif decision == "rejected" and not note:
        errors.append({"field": "note", "message": "Give a reason, so the organisation knows what to fix"})
    if decision and not errors:
        _, errors = forms.attempt(
            session,
            lambda: organisations_service.verify(session, principal, org.id, decision, note),
            fields={"decision": "Decision", "note": "Reason"},
        )
    if errors:
        return render(
            request,
            "pages/centre/organisation_review.html",
            {"title": f"Check {org.name}", "org": org, "errors": errors, "values": forms.values(form)},
            status_code=422,
        )
    word = "verified" if decision == "verified" else "not verified"
    return redirect(request, "/centre", f"{org.name} is {word}. We have emailed them.")


@router.get("/centre/roles/{role_id}")
def role_review_page(role_id: int, request: Request, session: DbSession, principal: StaffUser):
    role, org = roles_service.get_with_org(session, principal, role_id)
    return render(
        request,
        "pages/centre/role_review.html",
        {"title": f"Check {role.title}", "role": role, "organisation": org, "slots": slots.mask_to_slots(role.slot_mask or 0)},
    )


@router.post("/centre/roles/{role_id}")
def role_review(role_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form):
    role, org = roles_service.get_with_org(session, principal, role_id)
    decision, reason = forms.text(form, "decision"), forms.text(form, "reason")
    errors = []
    if decision not in ("published", "draft"):
        errors.append({"field": "decision", "message": "Select whether to publish the role"})
    elif decision == "draft" and not reason:
        errors.append({"field": "reason", "message": "Give a reason, so the organisation knows what to change"})
    if decision and not errors:
        _, errors = forms.attempt(
            session,
            lambda: roles_service.change_status(session, principal, role.id, decision, reason),
            fields={"decision": "Decision", "reason": "Reason"},
            default_field="decision",
        )
    if errors:
        return render(
            request,
            "pages/centre/role_review.html",
            {
                "title": f"Check {role.title}",
                "role": role,
                "organisation": org,
                "slots": slots.mask_to_slots(role.slot_mask or 0),
                "errors": errors,
                "values": forms.values(form),
            },
            status_code=422,
        )
    message = f"“{role.title}” is published." if decision == "published" else f"“{role.title}” has been sent back to {org.name}."
    return redirect(request, "/centre", message)


@router.get("/centre/referrals")
def pipeline(
    request: Request,
    session: DbSession,
    principal: StaffUser,
    status: str | None = None,
    overdue: str | None = None,
    escalated: str | None = None,
    page: str | None = None,
):
    settings = get_settings()
    page_number = paging.page_number(page)
    status = status if status in REFERRAL_STATUS.labels else None
    rows, total = referrals_service.list_(
        session,
        principal,
        status=status,
        role_id=None,
        volunteer_id=None,
        district=None,
        overdue_days=None,
        page=page_number,
        page_size=REFERRALS_PAGE,
        overdue_working_days=settings.follow_up_working_days,
        overdue_only=overdue == "yes",
        escalated_only=escalated == "yes",
    )
    items: list[Any] = []
    for ref, vol, role in rows:
        out = referrals_service.to_out(session, ref, vol, role, principal)
        days = (
            referrals_service.working_days_since(ref.status_changed_at) if ref.status in referrals_service.WAITING_STATUSES else 0
        )
        item = out.model_dump()
        item.update(
            overdue=days >= settings.follow_up_working_days, overdue_days=days, escalate=days >= settings.escalate_working_days
        )
        items.append(item)
    overdue_count = referrals_service.count_overdue(session, principal, settings.follow_up_working_days, status)
    filters = {
        "status": status or "",
        "overdue": "yes" if overdue == "yes" else "",
        "escalated": "yes" if escalated == "yes" else "",
    }
    return render(
        request,
        "pages/centre/referrals.html",
        {
            "title": "Referrals",
            "items": items,
            "total": total,
            "overdue_count": overdue_count,
            "status": status or "",
            "overdue": overdue == "yes",
            "escalated": escalated == "yes",
            **paging.context("/centre/referrals", filters, page_number, total, REFERRALS_PAGE),
            "follow_up_days": settings.follow_up_working_days,
        },
    )


@router.post("/centre/referrals/{referral_id}/status")
def pipeline_move(referral_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form):
    to = forms.text(form, "status") or ""
    result, errors = forms.attempt(
        session, lambda: referrals_service.transition(session, principal, referral_id, to, forms.text(form, "note"))
    )
    back = links.local_path(forms.text(form, "back")) or links.CENTRE_REFERRALS
    if errors:
        return redirect(request, back, errors[0]["message"], kind="error")
    return redirect(request, back, "The referral has been updated.")


@router.get("/centre/volunteers")
def volunteers(
    request: Request,
    session: DbSession,
    principal: StaffUser,
    q: str | None = None,
    district: str | None = None,
    dbs: str | None = None,
    page: str | None = None,
):
    page_number = paging.page_number(page)
    q = (q or "").strip()[:200] or None
    dbs = "expiring" if dbs in ("expiring", "yes") else None
    district = district if district in dict(kent_districts()) else None
    rows, total = volunteers_service.list_(
        session,
        principal,
        district=district,
        status=None,
        cause=None,
        skill=None,
        q=q,
        page=page_number,
        page_size=VOLUNTEERS_PAGE,
        dbs_expiring=dbs is not None,
        count_up_to=VOLUNTEERS_COUNTED,
    )
    total, more = paging.counted_up_to(total, page_number, VOLUNTEERS_PAGE, VOLUNTEERS_COUNTED)
    districts = (
        kent_districts()
        if principal.district_codes is None
        else [(c, n) for c, n in kent_districts() if c in principal.district_codes]
    )
    filters = {"q": q or "", "district": district or "", "dbs": dbs or ""}
    return render(
        request,
        "pages/centre/volunteers.html",
        {
            "title": "Volunteers",
            "rows": rows,
            **paging.context("/centre/volunteers", filters, page_number, total, VOLUNTEERS_PAGE, more=more),
            "filters": filters,
            "districts": districts,
        },
    )


@router.get("/centre/volunteers/{volunteer_id}")
def volunteer_page(volunteer_id: int, request: Request, session: DbSession, principal: StaffUser):
    v = volunteers_service.get(session, principal, volunteer_id)
    rows, _ = referrals_service.list_(
        session, principal, status=None, role_id=None, volunteer_id=v.id, district=None, overdue_days=None, page=1, page_size=100
    )
    referrals = [referrals_service.to_out(session, ref, vol, role, principal) for ref, vol, role in rows]
    return render(
        request,
        "pages/centre/volunteer.html",
        {"title": v.full_name, "v": v, "referrals": referrals, "slots": slots.mask_to_slots(v.availability_mask or 0)},
    )


# -- duplicates ---------------------------------------------------------------------------------------------
@router.get("/centre/duplicates")
def duplicates(request: Request, session: DbSession, principal: StaffUser, page: str | None = None):
    return duplicate_pages.duplicates_page(request, session, principal, page)


@router.post("/centre/duplicates/{pair_id}")
def duplicate_decision(pair_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form):
    return duplicate_pages.decide(request, session, principal, pair_id, form)


@router.post("/centre/merges/{merge_id}")
def merge_decision(merge_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form):
    """Confirm a merge (final) or reverse it (the two records come apart again)."""
    return duplicate_pages.decide(request, session, principal, merge_id, form)
