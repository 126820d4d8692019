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

import numpy as np
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

    def due(self, session: Session) -> bool:
        """Whether ``get`` would look at the database (no I/O itself)."""
        if self.index is None or id(session.get_bind()) != self._bind_key:
            return True
        now = time.monotonic()
        return now - self._synced_at >= SYNC_EVERY_SECONDS or now - self._built_at > FULL_REFRESH_SECONDS

    def get(self, session: Session) -> RoleIndex:
        bind_key = id(session.get_bind())
        now = time.monotonic()
        if self.index is None or bind_key != self._bind_key:
            with self._lock:
                if self.index is None or bind_key != self._bind_key:
                    self._rebuild(session, bind_key)
                return self.index
        due_rebuild = now - self._built_at > FULL_REFRESH_SECONDS
        if (due_rebuild or now - self._synced_at >= SYNC_EVERY_SECONDS) and self._lock.acquire(blocking=False):
            # One request catches up (or rebuilds, every few minutes, into a new index that replaces the
            # old one when ready); the others answer from the index as it is instead of queueing.
            try:
                now = time.monotonic()
                if self.index is not None and bind_key == self._bind_key:
                    if now - self._built_at > FULL_REFRESH_SECONDS:
                        self._rebuild(session, bind_key)
                    elif now - self._synced_at >= SYNC_EVERY_SECONDS:
                        self._catch_up(session)
            finally:
                self._lock.release()
        return self.index

    def _rebuild(self, session: Session, bind_key: int) -> None:
        self._high_water = session.scalar(select(func.max(Role.updated_at)))
        index = RoleIndex(list(role_features(session)))
        if self.index is not None and getattr(self.index, "_text_row_pos", None) is not None:
            index.text_relevance("", np.zeros(0, np.int64))  # searches are in use: build their text model now
        self.index = index
        self._bind_key = bind_key
        self._built_at = self._synced_at = time.monotonic()

    def _catch_up(self, session: Session) -> None:
        since = (self._high_water or datetime(1970, 1, 1)) - timedelta(seconds=2)  # clock skew between writers
        changed = session.execute(select(Role.id, Role.status, Role.updated_at).where(Role.updated_at >= since)).all()
        if changed:
            published = [rid for rid, status, _ in changed if status in INDEXED_STATUSES]
            touched = False
            for rid, status, _ in changed:
                if status not in INDEXED_STATUSES:
                    touched |= self.index.remove(rid)
            for features in role_features(session, published):
                # The last second's roles come back on every look: only a real change touches the index
                # (each change makes the text model be rebuilt).
                if self.index.get(features.id) != features:
                    self.index.upsert(features)
                    touched = True
            self._high_water = max(u for _, _, u in changed)
            if touched:
                self._warm_text()
        self._synced_at = time.monotonic()

    def _warm_text(self) -> None:
        """Rebuild the search text model here, once, rather than in every search thread that finds it stale."""
        if getattr(self.index, "_text_row_pos", None) is not None:
            self.index.text_relevance("", np.zeros(0, np.int64))

    def refresh_roles(self, session: Session, role_ids: list[int]) -> None:
        """Bring named roles up to date at once (after a change in this process)."""
        with self._lock:
            if self.index is None:
                return
            present = {f.id: f for f in role_features(session, role_ids)}
            for rid in role_ids:
                if rid in present:
                    if self.index.get(rid) != present[rid]:
                        self.index.upsert(present[rid])
                else:
                    self.index.remove(rid)

    def reset(self) -> None:
        with self._lock:
            self.index = None
        from brokerage.roles.catalogue import catalogue  # the public role catalogue is kept the same way

        catalogue.reset()


holder = IndexHolder()
