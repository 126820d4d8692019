"""Safeguarding pages: anyone signed in raises a concern about a role or a volunteer they work
with; the centre's designated safeguarding leads read their cases (every opening audited), add
notes and record the outcome; pilot leads see counts per centre, small numbers hidden."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from brokerage import links
from brokerage.deps import DbSession
from brokerage.errors import InvalidInput, NotFound
from brokerage.models import Role, Volunteer
from brokerage.safeguarding import service
from brokerage.safeguarding.schemas import ConcernCreate, NoteCreate, OutcomeCreate
from brokerage.vocab.safeguarding import CONCERN_OUTCOME, CONCERN_STATUS
from brokerage.web import forms, paging
from brokerage.web.deps import Form, PilotUser, SignedIn, StaffUser, page_router
from brokerage.web.rendering import redirect, render

router = page_router()

CASES_PAGE = 25
CONCERN_FIELDS = {"concern": "What worries you"}


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 and int(value) > 0 else None


def _subject(session, principal, volunteer_id: int | None, role_id: int | None) -> dict:
    """What the form says the concern is about (a 404 page when the person cannot raise one about it)."""
    if volunteer_id is not None:
        volunteer, _ = service.about_volunteer(session, principal, volunteer_id)
        return {"volunteer_id": volunteer.id, "label": volunteer.full_name, "kind": "volunteer"}
    if role_id is not None:
        role, organisation, _ = service.about_role(session, principal, role_id)
        return {"role_id": role.id, "label": f"{role.title} at {organisation.name}", "kind": "role"}
    return {}


def _form(request: Request, subject: dict, values=None, errors=(), status_code: int = 200) -> Response:
    title = f"Raise a safeguarding concern about {subject['label']}" if subject else "Raise a safeguarding concern"
    context = {"title": title, "subject": subject, "values": values or {}, "errors": list(errors)}
    return render(request, "pages/safeguarding/raise.html", context, status_code=status_code)


@router.get("/concerns/new")
def raise_page(
    request: Request, session: DbSession, principal: SignedIn, volunteer_id: str | None = None, role_id: str | None = None
) -> Response:
    return _form(request, _subject(session, principal, _id(volunteer_id), _id(role_id)))


@router.post("/concerns/new")
def raise_concern(request: Request, session: DbSession, principal: SignedIn, form: Form) -> Response:
    volunteer_id, role_id = _id(forms.text(form, "volunteer_id")), _id(forms.text(form, "role_id"))
    subject = _subject(session, principal, volunteer_id, role_id)
    if not subject:
        raise NotFound("Raise a concern from the page of the role or volunteer it is about.")
    text = forms.raw(form, "concern").strip()
    if not text:
        return _form(request, subject, forms.values(form), [{"field": "concern", "message": "Tell us what worries you"}], 422)
    result, errors = forms.attempt(
        session,
        lambda: service.raise_concern(
            session, principal, ConcernCreate(volunteer_id=volunteer_id, role_id=role_id, concern=text)
        ),
        fields=CONCERN_FIELDS,
    )
    if errors or result is None:
        return _form(request, subject, forms.values(form), errors, 422)
    concern, centre = result
    return render(
        request,
        "pages/safeguarding/raised.html",
        {"title": "Your concern has been sent", "centre_name": centre.name, "reference": concern.id, "subject": subject},
    )


# -- the safeguarding leads' cases ------------------------------------------------------------------------
@router.get("/centre/safeguarding")
def cases(request: Request, session: DbSession, principal: StaffUser, status: str | None = None, page: str | None = None):
    status = status if status in CONCERN_STATUS else None
    number = paging.page_number(page)
    rows, total = service.list_(session, principal, status=status, page=number, page_size=CASES_PAGE)
    filters = {"status": status or ""}
    return render(
        request,
        "pages/safeguarding/cases.html",
        {
            "title": "Safeguarding concerns",
            "rows": rows,
            "filters": filters,
            "status_options": list(CONCERN_STATUS.labels.items()),
            "outcome_labels": CONCERN_OUTCOME.labels,
            **paging.context("/centre/safeguarding", filters, number, total, CASES_PAGE),
        },
    )


def _case_page(request: Request, session, principal, concern_id: int, values=None, errors=(), status_code: int = 200):
    case = service.get(session, principal, concern_id)
    subject_url = None
    c = case.concern
    if c.role_id is not None and session.get(Role, c.role_id) is not None:
        subject_url = links.role_page(c.role_id)
    elif c.volunteer_id is not None:
        v = session.get(Volunteer, c.volunteer_id)
        if v is not None and v.status != "erased":
            subject_url = f"/centre/volunteers/{v.id}"
    return render(
        request,
        "pages/safeguarding/case.html",
        {
            "title": f"Safeguarding concern {c.id}",
            "case": case,
            "c": c,
            "subject_url": subject_url,
            "outcome_options": list(CONCERN_OUTCOME.labels.items()),
            "outcome_labels": CONCERN_OUTCOME.labels,
            "values": values or {},
            "errors": list(errors),
        },
        status_code=status_code,
    )


@router.get("/centre/safeguarding/{concern_id}")
def case(concern_id: int, request: Request, session: DbSession, principal: StaffUser) -> Response:
    return _case_page(request, session, principal, concern_id)


@router.post("/centre/safeguarding/{concern_id}/notes")
def add_note(concern_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form) -> Response:
    body = forms.raw(form, "body").strip()
    _, errors = forms.attempt(
        session,
        lambda: service.add_note(session, principal, concern_id, NoteCreate(body=body)),
        fields={"body": "Note"},
    )
    if errors:
        return _case_page(request, session, principal, concern_id, forms.values(form), errors, 422)
    return redirect(request, links.safeguarding_case_page(concern_id), "Your note has been added to the case.")


def _outcome(session, principal, concern_id: int, outcome: str | None, note: str | None):
    try:
        body = OutcomeCreate.model_validate({"outcome": outcome, "note": note})
    except ValidationError:
        raise InvalidInput("Select the outcome", field="outcome") from None
    return service.record_outcome(session, principal, concern_id, body)


@router.post("/centre/safeguarding/{concern_id}/outcome")
def record_outcome(concern_id: int, request: Request, session: DbSession, principal: StaffUser, form: Form) -> Response:
    outcome, note = forms.text(form, "outcome"), forms.text(form, "outcome_note")
    _, errors = forms.attempt(
        session,
        lambda: _outcome(session, principal, concern_id, outcome, note),
        fields={"outcome": "Outcome", "outcome_note": "What happened"},
        aliases={"note": "outcome_note"},
        choices=("outcome",),
    )
    if errors:
        return _case_page(request, session, principal, concern_id, forms.values(form), errors, 422)
    return redirect(request, links.safeguarding_case_page(concern_id), "The outcome is recorded and the case is closed.")


# -- pilot leads: counts only ---------------------------------------------------------------------------
@router.get("/pilot/safeguarding")
def counts(request: Request, session: DbSession, principal: PilotUser) -> Response:
    return render(
        request,
        "pages/safeguarding/counts.html",
        {"title": "Safeguarding concerns by centre", "rows": service.counts(session, principal)},
    )
