from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from brokerage.schemas import Input, Output
from brokerage.vocab.referrals import ReferralStatus


class ReferralCreate(Input):
    role_id: int
    # Centre staff give the volunteer; a signed-in volunteer expresses interest for themself.
    volunteer_id: int | None = None
    message: Annotated[str, Field(max_length=2000)] | None = None
    share_email: bool = True
    share_phone: bool = False


class ReferralTransition(Input):
    status: ReferralStatus
    note: Annotated[str, Field(max_length=2000)] | None = None


class ReferralEventOut(Output):
    from_status: str | None
    to_status: str
    at: datetime
    actor_user_id: int | None
    note: str | None


class MessageCreate(Input):
    body: Annotated[str, Field(min_length=1, max_length=4000)]
    # centre staff only: a note the volunteer and the organisation never see
    staff_only: bool = False


class ThreadEntryOut(Output):
    at: datetime
    side: str
    author: str
    body: str
    kind: str
    status: str | None
    staff_only: bool


class ReferralOut(Output):
    id: int
    volunteer_id: int
    volunteer_name: str
    role_id: int
    role_title: str
    organisation_id: int
    status: str
    message: str | None
    contact_email: str | None
    contact_phone: str | None
    created_at: datetime
    status_changed_at: datetime
    allowed_next: list[str]
    history: list[ReferralEventOut] = []
    # the conversation on the referral (brokerage/referrals/thread.py), as the reader may see it
    messages: list[ThreadEntryOut] = []
