"""Report rollups, kept up to date as hours are approved, queried or corrected.

Actors take IDs, open one session per message and recompute the affected rows from the approved
hours (delete then insert, under row locks on the placement, its volunteer and its organisation; the
hours per district and month take the difference the refresh made), so a message delivered twice
changes nothing the second time. Retries are the outbox middleware's business (see ``workers.middleware``).
The refresh after an approval is ``hours.approved``'s (``workers.actors.hours``).
"""

from __future__ import annotations

from brokerage import events
from brokerage.db import session_scope
from brokerage.reports import counts, rollups
from workers.actors._common import actor


@actor(events.RollupRefresh)
def reports_rollup(placement_id: int | None = None, volunteer_id: int | None = None) -> None:
    """Refresh the rollups of one placement (approved hours queried or corrected) or of every
    placement of a volunteer (for example after they moved district)."""
    with session_scope() as session:
        if placement_id is not None:
            rollups.refresh_placement(session, placement_id)
        elif volunteer_id is not None:
            rollups.refresh_volunteer(session, volunteer_id)


@actor(events.CountsRefresh)
def reports_counts(
    district_months: list | None = None,
    volunteer_months: list | None = None,
    volunteers: list | None = None,
    roles: list | None = None,
) -> None:
    """Recompute the report's counts a change touched (idempotent: the rows are computed again from the
    domain tables, under a lock per district and month)."""
    with session_scope() as session:
        counts.refresh(session, district_months or (), volunteer_months or (), volunteers or (), roles or ())
