"""The demo's guidance library and training: a handful of resources and two training events per
centre (one past, with the places its organisations attended; one to come, with some booked), so
the support pages and the training figures are not empty. Fixed words, a few rows: fast."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

RESOURCES: tuple[dict, ...] = (
    {
        "title": "Writing a volunteer role description",
        "kind": "guide",
        "category": "recruitment",
        "body": "Say what the volunteer will do, when and where, what support they will get and what they will gain. "
        "Keep it short, avoid jargon, and say plainly if the role needs a DBS check.",
    },
    {
        "title": "Safeguarding policy template for small groups",
        "kind": "template",
        "category": "safeguarding",
        "body": "A one-page policy to adapt: who your safeguarding lead is, how to record a concern, and who to call "
        "(Kent's Front Door service for children, the Adult Social Care team for adults).",
        "url": "https://www.kscmp.org.uk/",
    },
    {
        "title": "Volunteer expenses policy",
        "kind": "policy",
        "category": "governance",
        "body": "Pay back what volunteering costs, never more: travel, meals on long shifts, phone calls. "
        "Ask for receipts and pay within a month.",
    },
    {
        "title": "Data protection for volunteer records",
        "kind": "guide",
        "category": "data_protection",
        "body": "Keep only what you need, keep it safe, and tell volunteers what you hold and why. "
        "Delete records you no longer need.",
        "url": "https://ico.org.uk/for-organisations/",
    },
    {
        "title": "Small grants for volunteer-involving groups in Kent",
        "kind": "link",
        "category": "funding",
        "body": "Grants from the Kent Community Foundation for groups that involve volunteers.",
        "url": "https://kentcf.org.uk/",
    },
    {
        "title": "Risk assessment template for events",
        "kind": "template",
        "category": "health_and_safety",
        "body": "List the hazards, who might be harmed, what you do already and what more you will do. Review it before each event.",
    },
    {
        "title": "Inducting and supporting new volunteers",
        "kind": "guide",
        "category": "managing_volunteers",
        "body": "A welcome, a named contact, a first shift alongside someone experienced, and a check-in after four weeks.",
    },
)

EVENTS: tuple[tuple[str, str], ...] = (
    ("Safeguarding basics for small groups", "Two hours on recognising abuse, recording a concern and who to tell."),
    ("Recruiting volunteers online", "Writing roles people answer, and where to share them."),
    ("Trustee essentials", "What trustees are responsible for, and how to run a good meeting."),
    ("Funding bids that work", "Finding funders and writing a clear, honest bid."),
)


def _at(d: date, hour: int) -> datetime:
    return datetime.combine(d, time(hour, 0))


def rows(
    rng: random.Random,
    today: date,
    centres: dict[int, str],
    organisations_by_centre: dict[int, list[dict]],
) -> tuple[list[dict], list[dict], list[dict]]:
    """(resources, events, bookings) for every centre (``centres``: id → name)."""
    resources: list[dict] = []
    events: list[dict] = []
    bookings: list[dict] = []
    for n, (centre_id, name) in enumerate(sorted(centres.items())):
        town = name.replace(" Volunteer Centre", "")
        for i in range(5):
            r = RESOURCES[(n + i) % len(RESOURCES)]
            due = i == 4  # one per centre is past its review date, for the centre's staff to check
            resources.append(
                {
                    "id": len(resources) + 1,
                    "centre_id": centre_id,
                    "title": r["title"],
                    "kind": r["kind"],
                    "category": r["category"],
                    "audience": "organisations",
                    "body": r["body"],
                    "url": r.get("url"),
                    "status": "draft" if i == 3 and n % 3 == 0 else "published",
                    "review_on": today - timedelta(days=10) if due else today + timedelta(days=90 + 30 * i),
                    "checked_on": today - timedelta(days=200 + 10 * i),
                    "checked_by_name": f"{town} centre staff",
                    "created_at": _at(today - timedelta(days=300), 9),
                    "updated_at": _at(today - timedelta(days=200), 9),
                    "published_at": _at(today - timedelta(days=300), 9),
                }
            )
        organisations = organisations_by_centre.get(centre_id, [])
        for past in (True, False):
            title, description = EVENTS[(2 * n + (0 if past else 1)) % len(EVENTS)]
            day = today - timedelta(days=rng.randint(20, 60)) if past else today + timedelta(days=rng.randint(10, 40))
            event_id = len(events) + 1
            capacity = rng.choice((12, 15, 20))
            online = n % 2 == 1
            events.append(
                {
                    "id": event_id,
                    "centre_id": centre_id,
                    "title": title,
                    "description": description,
                    "starts_at": _at(day, 18),
                    "ends_at": _at(day, 20),
                    "place": None if online else f"{name}, {town}",
                    "online_url": f"https://meet.example.org/{town.lower().replace(' ', '-')}-{event_id}" if online else None,
                    "capacity": capacity,
                    "status": "published",
                    "created_at": _at(day - timedelta(days=45), 9),
                    "updated_at": _at(day - timedelta(days=45), 9),
                }
            )
            taken = rng.sample(organisations, min(len(organisations), rng.randint(3, 7) if past else rng.randint(1, 4)))
            for o in taken:
                bookings.append(
                    {
                        "id": len(bookings) + 1,
                        "event_id": event_id,
                        "organisation_id": o["id"],
                        "attendee_name": o["contact_name"],
                        "attendee_email": o["contact_email"],
                        "attendee_email_normalised": o["contact_email"].lower(),
                        "status": "attended" if past else "booked",
                        "created_at": _at(day - timedelta(days=rng.randint(3, 30)), 12),
                    }
                )
    return resources, events, bookings
