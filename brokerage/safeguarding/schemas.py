from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints, model_validator

from brokerage.schemas import Input, Output
from brokerage.vocab.safeguarding import ConcernOutcome, ConcernStatus, ConcernSubject

ConcernText = Annotated[str, StringConstraints(min_length=10, max_length=10_000, strip_whitespace=True)]
NoteText = Annotated[str, StringConstraints(min_length=1, max_length=10_000, strip_whitespace=True)]


class ConcernCreate(Input):
    """A concern about a volunteer (organisations and centres) or a role (anyone who can see it)."""

    volunteer_id: int | None = None
    role_id: int | None = None
    concern: ConcernText

    @model_validator(mode="after")
    def _one_subject(self) -> ConcernCreate:
        if (self.volunteer_id is None) == (self.role_id is None):
            raise ValueError("Say what the concern is about: a volunteer_id or a role_id (one of them).")
        return self


class ConcernReceipt(Output):
    """What the person who raised a concern is told: its reference, not the case."""

    id: int
    centre_name: str
    message: str


class NoteCreate(Input):
    body: NoteText


class OutcomeCreate(Input):
    outcome: ConcernOutcome
    note: Annotated[str, StringConstraints(max_length=10_000, strip_whitespace=True)] | None = None


class NoteOut(Output):
    id: int
    author_name: str | None
    body: str
    created_at: datetime


class ConcernSummary(Output):
    id: int
    subject_type: ConcernSubject
    volunteer_id: int | None
    role_id: int | None
    subject_label: str | None
    raised_by_role: str
    status: ConcernStatus
    outcome: ConcernOutcome | None
    created_at: datetime
    closed_at: datetime | None


class ConcernOut(ConcernSummary):
    concern: str
    raised_by_name: str | None
    outcome_note: str | None
    notes: list[NoteOut]


class ConcernCount(Output):
    """Counts only, with small numbers shown as "<5"."""

    centre_id: int
    centre_name: str
    open: int | str
    closed: int | str
