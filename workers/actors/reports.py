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
from brokerage.reports import rollups
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
