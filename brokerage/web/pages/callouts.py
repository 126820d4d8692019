"""Emergency call-out pages. The answer page is opened from the call-out email without signing in
(the signed, expiring link is the recipient's credential): it shows the call-out and asks yes or no,
and only the button records the answer (opening the link changes nothing)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from brokerage.callouts import service
from brokerage.deps import DbSession
from brokerage.geo import default_gazetteer
from brokerage.models import Callout, CalloutInvitation
from brokerage.vocab.taxonomies import skill_label
from brokerage.web import forms
from brokerage.web.deps import Form, page_router
from brokerage.web.rendering import render

router = page_router()

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
