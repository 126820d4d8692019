"""Where a role stands in its lifecycle (the moves between them are ``brokerage.roles.lifecycle``)."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

RoleStatus = Literal["draft", "pending_review", "published", "paused", "filled", "closed", "expired"]
ROLE_STATUS = Vocabulary(
    "role status",
    RoleStatus,
    {
        "draft": "Draft",
        "pending_review": "Waiting for review",
        "published": "Open",
        "paused": "Paused",
        "filled": "Filled",
        "closed": "Closed",
        "expired": "Expired",
    },
)
# The statuses in which anyone, signed in or not, may see a role.
PUBLIC_ROLE_STATUSES: tuple[RoleStatus, ...] = ("published",)
