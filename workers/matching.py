"""The matching service as the actors call it: one call at a time per process.

The in-memory role index (``brokerage.matches.index_holder``) updates derived state lazily on
first use (compaction, today's date, text features); two worker threads ranking at once on a cold
index have been seen to get an empty list. Ranking is CPU-bound under the GIL anyway, so a lock
costs no throughput.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()


def recommend_for_volunteer(session, volunteer_id: int, limit: int = 10):
    from brokerage.matches.service import recommend_for_volunteer as recommend

    with _lock:
        return recommend(session, volunteer_id, limit=limit)


def candidates_for_role(session, role_id: int, limit: int = 50):
    from brokerage.matches.service import candidates_for_role as candidates

    with _lock:
        return candidates(session, role_id, limit=limit)
