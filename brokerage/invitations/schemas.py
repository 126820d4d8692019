from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from brokerage.schemas import Input, Output


class InvitationCreate(Input):
    role_id: int
    volunteer_id: int
    note: Annotated[str, Field(max_length=2000)] | None = None


class InvitationAnswer(Input):
    answer: Literal["interested", "not_for_me"]
    reason: Annotated[str, Field(max_length=2000)] | None = None


class InvitationOut(Output):
    id: int
    role_id: int
    volunteer_id: int
    sender_kind: str
    note: str | None
    status: str
    decline_reason: str | None
    referral_id: int | None
    created_at: datetime
    answered_at: datetime | None
