"""The guidance library and training: what kind a resource is, what it is about, who it is for,
where it stands, and where a place on a training event stands."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

ResourceKind = Literal["guide", "template", "policy", "link"]
RESOURCE_KIND = Vocabulary(
    "resource kind", ResourceKind, {"guide": "Guide", "template": "Template", "policy": "Policy", "link": "Link"}
)

ResourceCategory = Literal[
    "safeguarding",
    "recruitment",
    "governance",
    "funding",
    "health_and_safety",
    "data_protection",
    "managing_volunteers",
]
RESOURCE_CATEGORY = Vocabulary(
    "resource category",
    ResourceCategory,
    {
        "safeguarding": "Safeguarding",
        "recruitment": "Recruiting volunteers",
        "governance": "Governance",
        "funding": "Funding",
        "health_and_safety": "Health and safety",
        "data_protection": "Data protection",
        "managing_volunteers": "Managing volunteers",
    },
)

ResourceAudience = Literal["organisations", "volunteers", "all"]
RESOURCE_AUDIENCE = Vocabulary(
    "resource audience",
    ResourceAudience,
    {"organisations": "Organisations", "volunteers": "Volunteers", "all": "Everyone"},
)
# The audiences an organisation's managers see.
FOR_ORGANISATIONS: tuple[str, ...] = ("organisations", "all")

PublishStatus = Literal["draft", "published"]
PUBLISH_STATUS = Vocabulary("publish status", PublishStatus, {"draft": "Draft", "published": "Published"})

BookingStatus = Literal["booked", "attended", "cancelled"]
BOOKING_STATUS = Vocabulary(
    "training booking status", BookingStatus, {"booked": "Booked", "attended": "Attended", "cancelled": "Cancelled"}
)
# A place that counts: it holds one of the event's places, and the organisation was supported.
HELD_PLACE: tuple[str, ...] = ("booked", "attended")
