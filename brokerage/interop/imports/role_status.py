"""The status an imported role comes in with, the same for every file and feed a centre imports.

A centre expects a role that is live in the system it came from to be live here, but only when the
brokerage would publish it anyway: its organisation is verified and the role says where (or that it is
done remotely) and when. A role whose last day has passed comes in closed. Every other role goes to
the centre's review queue (``pending_review``), where staff complete and publish it; the import
report counts each kind and why roles went to review."""

from __future__ import annotations

from collections import Counter
from datetime import date

NOT_LIVE = "the file does not say the role is live"
NOT_VERIFIED = "its organisation is not verified yet"
NO_PLACE = "the file does not say where it happens"
NO_TIMES = "the file does not give its times"


def imported_status(
    *,
    ends_on: date | None,
    live: bool | None,
    organisation_verified: bool,
    has_place: bool,
    has_times: bool,
    today: date,
    reasons: Counter[str] | None = None,
) -> str:
    """``closed``, ``published`` or ``pending_review``; why a role goes to review is counted in ``reasons``."""
    if ends_on is not None and ends_on < today:
        return "closed"
    why = [
        reason
        for reason, missing in (
            (NOT_LIVE, not live),
            (NOT_VERIFIED, not organisation_verified),
            (NO_PLACE, not has_place),
            (NO_TIMES, not has_times),
        )
        if missing
    ]
    if not why:
        return "published"
    if reasons is not None:
        reasons.update(why)
    return "pending_review"


def counts(statuses: Counter[str], reasons: Counter[str]) -> dict[str, object]:
    return {
        "roles_to_publish": statuses.get("published", 0),
        "roles_for_review": statuses.get("pending_review", 0),
        "roles_closed": statuses.get("closed", 0),
        "why_roles_go_to_review": dict(sorted(reasons.items())),
    }
