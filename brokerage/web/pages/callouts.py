"""Emergency call-out pages. The answer page is opened from the call-out email without signing in
(the signed, expiring link is the recipient's credential): it shows the call-out and asks yes or no,
and only the button records the answer (opening the link changes nothing)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from brokerage import links
from brokerage.auth.principal import Principal
from brokerage.callouts import service
from brokerage.callouts.schemas import AvailabilityIn, CalloutCreate
from brokerage.config import get_settings
from brokerage.deps import DbSession
from brokerage.geo import default_gazetteer
from brokerage.models import Callout, CalloutInvitation
from brokerage.vocab import slots, taxonomies
from brokerage.vocab.taxonomies import skill_label
from brokerage.web import forms, paging
from brokerage.web.deps import Form, VolunteerUser, page_router, role_required
from brokerage.web.rendering import redirect, render

router = page_router()
LIST_PAGE = 20
STATUS_LABELS = {
    "open": "Open: asking volunteers",
    "filled": "Filled",
    "exhausted": "No one left to ask",
    "closed": "Closed",
}
STATUS_TAGS = {"open": "yellow", "filled": "green", "exhausted": "red", "closed": "grey"}
ANSWER_LABELS = {"emailed": "Not answered yet", "accepted": "Yes", "declined": "No", "too_late": "Yes, once it was full"}
LABELS = {"STATUS_LABELS": STATUS_LABELS, "STATUS_TAGS": STATUS_TAGS, "ANSWER_LABELS": ANSWER_LABELS}

EXPIRED = (
    "This link has expired or is not complete. If you still want to help, contact your volunteer centre: "
    "they can tell you whether help is still needed."
)
TITLES = {
    None: "Can you help?",
    "accepted": "Thank you: you are down to help",
    "already_accepted": "You have already said you can help",
    "declined": "Thank you for letting us know",
    "full": "Enough people have said yes",
    "over": "This call-out is over",
}


def _district(callout: Callout) -> str | None:
    return default_gazetteer().district_name(callout.district_gss) if callout.district_gss else None


def _answer_page(
    request: Request,
    session,
    invitation: CalloutInvitation | None,
    token: str,
    *,
    answer: str = "accept",
    outcome: str | None = None,
    status_code: int = 200,
) -> Response:
    if invitation is None:
        context: dict[str, Any] = {"title": "This link does not work", "invitation": None, "expired": EXPIRED if token else None}
        return render(request, "pages/callouts/answer.html", context, status_code=status_code)
    callout = session.get(Callout, invitation.callout_id)
    over = callout.status in (service.CLOSED, service.EXHAUSTED) or callout.ends_at <= service.local_now()
    full = invitation.status != service.ACCEPTED and callout.status == service.FILLED
    context = {
        "title": TITLES[outcome],
        "invitation": invitation,
        "callout": callout,
        "token": token,
        "answer": answer,
        "outcome": outcome,
        "outcome_message": service.OUTCOMES.get(outcome or "", ""),
        "district": _district(callout),
        "skills": ", ".join(skill_label(s) for s in callout.skills or []),
        "centre_name": service.centre_name(session, callout),
        "full": full,
        "over": over,
    }
    return render(request, "pages/callouts/answer.html", context, status_code=status_code)


@router.get("/callouts/answer")
def answer_page(request: Request, session: DbSession, token: str = "", answer: str = "accept") -> Response:
    invitation = service.from_token(session, token) if token else None
    choice = "decline" if answer == "decline" else "accept"
    return _answer_page(
        request, session, invitation, token, answer=choice, status_code=400 if token and invitation is None else 200
    )


@router.post("/callouts/answer")
def answer(request: Request, session: DbSession, form: Form) -> Response:
    token = forms.text(form, "token") or ""
    invitation = service.from_token(session, token)
    if invitation is None:
        return _answer_page(request, session, None, token or "x", status_code=400)
    accept = forms.text(form, "answer") != "decline"
    outcome = service.answer(session, invitation.id, accept)
    return _answer_page(request, session, invitation, token, answer="accept" if accept else "decline", outcome=outcome)


# -- a volunteer's opt-in ---------------------------------------------------------------------------------
EMERGENCY_GROUPS = ("Safety & emergency awareness", "Transport", "Care & support", "Practical & operational")
AVAILABILITY_FIELDS = {"district_codes": "Districts", "radius_miles": "Distance", "slots": "When you could respond"}
CALLOUT_FIELDS = {
    "title": "What the call-out is for",
    "postcode": "Postcode of the place",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "needed": "How many people are needed",
    "skills": "Skills that would help",
    "message": "Message to volunteers",
}
CalloutUser = Annotated[
    Principal,
    role_required(
        "centre_staff", "pilot_lead", message="Emergency call-outs are raised by volunteer centre staff and pilot leads."
    ),
]


def _district_options() -> list[tuple[str, str]]:
    return [(d.gss, d.name) for d in default_gazetteer().districts() if d.lat is not None]


def _availability_page(request: Request, v, row, values=None, errors=(), status_code: int = 200) -> Response:
    if values is None:
        values = {
            "opt_in": "yes" if row is not None else "",
            "district_codes": list(row.district_codes or []) if row is not None else [],
            "radius_miles": f"{row.radius_miles:g}" if row is not None and row.radius_miles is not None else "",
            "slots": slots.mask_to_slots(row.slot_mask) if row is not None else [],
        }
    context = {
        "title": "Emergency call-outs",
        "v": v,
        "row": row,
        "values": values,
        "errors": list(errors),
        "district_options": _district_options(),
    }
    return render(request, "pages/callouts/availability.html", context, status_code=status_code)


@router.get("/my/emergency")
def availability_page(request: Request, session: DbSession, principal: VolunteerUser) -> Response:
    v, row = service.availability_for(session, principal)
    return _availability_page(request, v, row)


@router.post("/my/emergency")
def save_availability(request: Request, session: DbSession, principal: VolunteerUser, form: Form) -> Response:
    v, row = service.availability_for(session, principal)
    values = {
        "opt_in": forms.text(form, "opt_in") or "",
        "district_codes": forms.many(form, "district_codes"),
        "radius_miles": forms.text(form, "radius_miles") or "",
        "slots": forms.many(form, "slots"),
    }
    if values["opt_in"] not in ("yes", "no"):
        errors = [{"field": "opt_in", "message": "Say whether we may ask you to help in an emergency"}]
        return _availability_page(request, v, row, values, errors, 422)
    if values["opt_in"] == "no":
        service.opt_out(session, principal)
        return redirect(request, links.PROFILE, "We will not ask you to help in emergencies.")
    result, errors = forms.attempt(
        session,
        lambda: service.opt_in(session, principal, **_availability_input(values)),
        fields=AVAILABILITY_FIELDS,
    )
    if errors or result is None:
        return _availability_page(request, v, row, values, errors, 422)
    return redirect(request, links.PROFILE, "Thank you: we may ask you to help in an emergency, where and when you said.")


def _availability_input(values: dict) -> dict:
    body = AvailabilityIn.model_validate(
        {
            "district_codes": values["district_codes"],
            "radius_miles": values["radius_miles"] or None,
            "slots": values["slots"],
        }
    )
    return {"district_codes": body.district_codes, "radius_miles": body.radius_miles, "slots": body.slots}


# -- centre staff and pilot leads: call-outs --------------------------------------------------------------
def _skill_options() -> list[tuple[str, str]]:
    return [(t.id, t.label) for t in taxonomies.skills().values() if t.group in EMERGENCY_GROUPS]


@router.get("/centre/callouts")
def callouts_list(request: Request, session: DbSession, principal: CalloutUser, page: str | None = None) -> Response:
    number = paging.page_number(page)
    rows, total = service.list_(session, principal, page=number, page_size=LIST_PAGE)
    items = [(c, service.counts(session, c)) for c in rows]
    return render(
        request,
        "pages/callouts/list.html",
        {
            "title": "Emergency call-outs",
            "items": items,
            **LABELS,
            **paging.context(links.CENTRE_CALLOUTS, {}, number, total, LIST_PAGE),
        },
    )


def _new_page(request: Request, values=None, errors=(), status_code: int = 200) -> Response:
    context = {
        "title": "Raise a call-out",
        "values": values or {"needed": "", "skills": []},
        "errors": list(errors),
        "skill_options": _skill_options(),
    }
    return render(request, "pages/callouts/new.html", context, status_code=status_code)


@router.get("/centre/callouts/new")
def new_callout_page(request: Request, principal: CalloutUser) -> Response:
    return _new_page(request)


def _when(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.post("/centre/callouts/new")
def raise_callout(request: Request, session: DbSession, principal: CalloutUser, form: Form) -> Response:
    values = forms.values(form, ("title", "postcode", "starts_at", "ends_at", "needed", "message"))
    values["skills"] = forms.many(form, "skills")
    problems = [
        {"field": name, "message": message}
        for name, message in (
            ("starts_at", "Enter when the call-out starts, as a date and time"),
            ("ends_at", "Enter when the call-out ends, as a date and time"),
        )
        if _when(values.get(name)) is None
    ]
    if problems:
        return _new_page(request, values, problems, 422)
    result, errors = forms.attempt(
        session,
        lambda: _raise(session, principal, values),
        fields=CALLOUT_FIELDS,
    )
    if errors or result is None:
        limited = any("call-outs in the last hour" in e["message"] for e in errors)
        return _new_page(request, values, errors, 429 if limited else 422)
    return redirect(request, links.callout_page(result.id), "Call-out raised: the first volunteers are being emailed now.")


def _raise(session, principal, values: dict):
    body = CalloutCreate.model_validate(
        {
            "title": values.get("title") or "",
            "postcode": values.get("postcode") or "",
            "starts_at": _when(values.get("starts_at")),
            "ends_at": _when(values.get("ends_at")),
            "needed": values.get("needed") or None,
            "skills": values["skills"],
            "message": values.get("message") or None,
        }
    )
    return service.raise_callout(session, principal, **body.model_dump())


def _live_context(session, callout) -> dict:
    counts = service.counts(session, callout)
    return {"counts": counts, "status_label": STATUS_LABELS.get(counts.status, counts.status)}


@router.get("/centre/callouts/{callout_id}")
def callout_page(request: Request, session: DbSession, principal: CalloutUser, callout_id: int) -> Response:
    callout = service.get(session, principal, callout_id)
    asked = service.asked(session, callout.id)
    return render(
        request,
        "pages/callouts/live.html",
        {
            "title": callout.title,
            "callout": callout,
            "asked": asked,
            "district": _district(callout),
            "skills": ", ".join(skill_label(s) for s in callout.skills or []),
            "refresh_seconds": get_settings().callout_refresh_seconds,
            **LABELS,
            **_live_context(session, callout),
        },
    )


@router.get("/centre/callouts/{callout_id}/counts.json")
def callout_counts(session: DbSession, principal: CalloutUser, callout_id: int) -> Response:
    """The counts for the live page's script to redraw (JSON, never cached)."""
    callout = service.get(session, principal, callout_id)
    live = _live_context(session, callout)
    body = {**vars(live["counts"]), "status_label": live["status_label"]}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/centre/callouts/{callout_id}/close")
def close_callout(request: Request, session: DbSession, principal: CalloutUser, callout_id: int) -> Response:
    callout = service.close(session, principal, callout_id)
    return redirect(request, links.callout_page(callout.id), "Call-out closed: no more volunteers will be emailed.")
