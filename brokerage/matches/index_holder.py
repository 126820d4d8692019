"""One in-memory role index per process, built at first use and kept current as roles change.

Any process may change roles (other API processes, workers, imports), so before answering the holder
catches up from the database: roles whose ``updated_at`` moved since the last look are re-read and
upserted (or removed when no longer published), and every few minutes the whole index is rebuilt so
that referral counts (the "need" component) stay fresh.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage.matches.features import INDEXED_STATUSES, role_features
from brokerage.models import Role
from matching import RoleIndex

FULL_REFRESH_SECONDS = 300
SYNC_EVERY_SECONDS = 1.0


class IndexHolder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.index: RoleIndex | None = None
        self._bind_key: int | None = None
        self._high_water: datetime | None = None
        self._built_at = 0.0
        self._synced_at = 0.0

    def get(self, session: Session) -> RoleIndex:
        bind_key = id(session.get_bind())
        now = time.monotonic()
        with self._lock:
            if self.index is None or bind_key != self._bind_key or now - self._built_at > FULL_REFRESH_SECONDS:
                self._rebuild(session, bind_key)
            elif now - self._synced_at >= SYNC_EVERY_SECONDS:
                self._catch_up(session)
            return self.index

    def _rebuild(self, session: Session, bind_key: int) -> None:
        self._high_water = session.scalar(select(func.max(Role.updated_at)))
        self.index = RoleIndex(list(role_features(session)))
        self._bind_key = bind_key
        self._built_at = self._synced_at = time.monotonic()

    def _catch_up(self, session: Session) -> None:
        since = (self._high_water or datetime(1970, 1, 1)) - timedelta(seconds=2)  # clock skew between writers
        changed = session.execute(select(Role.id, Role.status, Role.updated_at).where(Role.updated_at >= since)).all()
        if changed:
            published = [rid for rid, status, _ in changed if status in INDEXED_STATUSES]
            for rid, status, _ in changed:
                if status not in INDEXED_STATUSES:
                    self.index.remove(rid)
            for features in role_features(session, published):
                self.index.upsert(features)
            self._high_water = max(u for _, _, u in changed)
        self._synced_at = time.monotonic()

    def refresh_roles(self, session: Session, role_ids: list[int]) -> None:
        """Bring named roles up to date at once (after a change in this process)."""
        with self._lock:
            if self.index is None:
                return
            present = {f.id: f for f in role_features(session, role_ids)}
            for rid in role_ids:
                if rid in present:
                    self.index.upsert(present[rid])
                else:
                    self.index.remove(rid)

    def reset(self) -> None:
        with self._lock:
            self.index = None


holder = IndexHolder()
