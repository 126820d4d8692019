"""One in-memory role index per process, built at first use and kept current as roles change.

Any process may change roles (other API processes, workers, imports), so before answering the holder
catches up from the database: roles whose ``updated_at`` moved since the last look are re-read and
upserted (or removed when no longer published), and every few minutes the whole index is rebuilt so
that referral counts (the "need" component) stay fresh.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from brokerage import changes
from brokerage.changes import ChangeWindow
from brokerage.db import utcnow
from brokerage.matches.features import INDEXED_STATUSES, role_features
from brokerage.models import Role
from brokerage.roles.catalogue import ROLE_CHANGE_HOOKS, catalogue
from matching import RoleIndex

logger = logging.getLogger(__name__)

FULL_REFRESH_SECONDS = 300
SYNC_EVERY_SECONDS = 1.0


class IndexHolder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.index: RoleIndex | None = None
        self._bind_key: int | None = None
        self._changed = ChangeWindow()
        self._built_at = 0.0
        self._synced_at = 0.0
        self.stale = False  # set when this process flushes a change to a role
        self.version = 0  # moves whenever the index changes
        self._building = False  # a rebuild is running on a thread of its own
        self._generation = 0  # moves when the index is reset or built in place

    def mark_stale(self, at: datetime) -> None:
        self._changed.reach_back(at)
        self.stale = True

    def due(self, session: Session) -> bool:
        """Whether ``get`` would look at the database (no I/O itself)."""
        return id(session.get_bind()) != self._bind_key or self.settled_version() is None

    def known_version(self) -> int | None:
        """The version of what is held, unless nothing is or this process has changed it since."""
        return None if self.index is None or self.stale else self.version

    def settled_version(self) -> int | None:
        """The index's version when ranking from it needs no look at the database first, else None."""
        if self.known_version() is None:
            return None
        if not self._lock.locked():  # (while another request catches up, the index as it is answers)
            now = time.monotonic()
            if now - self._synced_at >= SYNC_EVERY_SECONDS or now - self._built_at > FULL_REFRESH_SECONDS:
                return None
        return self.version

    def get(self, session: Session) -> RoleIndex:
        bind_key = id(session.get_bind())
        now = time.monotonic()
        if self.index is None or bind_key != self._bind_key:
            with self._lock:
                if self.index is None or bind_key != self._bind_key:
                    self._rebuild(session, bind_key)
                return self._current()
        if self.stale:
            # This process's own change: the writer reads it on its next request.
            with self._lock:
                if self.stale:
                    self._catch_up(session)
            return self._current()
        due_rebuild = now - self._built_at > FULL_REFRESH_SECONDS
        if (due_rebuild or now - self._synced_at >= SYNC_EVERY_SECONDS) and self._lock.acquire(blocking=False):
            # One request catches up (or rebuilds, every few minutes, into a new index that replaces the
            # old one when ready); the others answer from the index as it is instead of queueing.
            try:
                now = time.monotonic()
                if self.index is not None and bind_key == self._bind_key:
                    if now - self._built_at > FULL_REFRESH_SECONDS:
                        self._rebuild_aside(session, bind_key)
                    if now - self._synced_at >= SYNC_EVERY_SECONDS:
                        self._catch_up(session)
            finally:
                self._lock.release()
        return self._current()

    def _current(self) -> RoleIndex:
        if self.index is None:  # get builds one before anyone reads it
            raise RuntimeError("the role index has not been built")
        return self.index

    def _rebuild(self, session: Session, bind_key: int) -> None:
        self._generation += 1
        self.stale = False
        self._changed.restart(utcnow())
        index = RoleIndex(list(role_features(session)))
        if self.index is not None and getattr(self.index, "_text_row_pos", None) is not None:
            index.text_relevance("", np.zeros(0, np.int64))  # searches are in use: build their text model now
        self.index = index
        self.version += 1
        self._bind_key = bind_key
        self._built_at = self._synced_at = time.monotonic()

    def _rebuild_aside(self, session: Session, bind_key: int) -> None:
        """The periodic rebuild, on a thread of its own with a session of its own, while requests rank
        from the current index, which the new one then replaces. (A session bound to one connection,
        as in tests, cannot be shared with a thread: it rebuilds here.)"""
        bind = session.get_bind()
        if not isinstance(bind, Engine):
            self._rebuild(session, bind_key)
            return
        self._built_at = time.monotonic()  # (asked for once: the next is due a full period later)
        if not self._building:
            self._building = True
            args = (bind, bind_key, self._generation)
            threading.Thread(target=self._build_and_swap, args=args, name="role-index-rebuild", daemon=True).start()

    def _build_and_swap(self, engine: Engine, bind_key: int, generation: int) -> None:
        try:
            looked_at = utcnow()
            with Session(engine) as session:
                index = RoleIndex(list(role_features(session)))
            if self.index is not None and getattr(self.index, "_text_row_pos", None) is not None:
                index.text_relevance("", np.zeros(0, np.int64))  # searches are in use: build their text model now
            with self._lock:
                if generation != self._generation or bind_key != self._bind_key:
                    return  # reset or built again meanwhile, or moved to another database
                # What changed since the load began is read again on the next catch-up.
                earlier = self._changed.since
                self._changed.restart(looked_at)
                self._changed.reach_back(earlier + self._changed.skew)
                self.index = index
                self.version += 1
                self._built_at = time.monotonic()
                self._synced_at = 0.0
        except Exception:  # the current index keeps answering; the next period tries again
            logger.exception("rebuilding the role index failed")
        finally:
            self._building = False

    def _catch_up(self, session: Session) -> None:
        self.stale = False
        looked_at = utcnow()
        rows = session.execute(select(Role.id, Role.status, Role.updated_at).where(Role.updated_at >= self._changed.since)).all()
        moved = self._changed.new((rid, at) for rid, _, at in rows)
        changed = [(rid, status) for rid, status, _ in rows if rid in moved]
        if changed:
            index = self._current()
            published = [rid for rid, status in changed if status in INDEXED_STATUSES]
            touched = False
            for rid, status in changed:
                if status not in INDEXED_STATUSES:
                    touched |= index.remove(rid)
            for features in role_features(session, published):
                # The last second's roles come back on every look: only a real change touches the index
                # (each change makes the text model be rebuilt).
                if index.get(features.id) != features:
                    index.upsert(features)
                    touched = True
            if touched:
                self.version += 1
                self._warm_text()
        self._changed.advance(looked_at)
        self._synced_at = time.monotonic()

    def _warm_text(self) -> None:
        """Rebuild the search text model here, once, rather than in every search thread that finds it stale."""
        if self.index is not None and getattr(self.index, "_text_row_pos", None) is not None:
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
            self.version += 1

    def reset(self) -> None:
        with self._lock:
            self.index = None
            self.version += 1
            self._generation += 1
        catalogue.reset()  # the public role catalogue is kept the same way
        changes.forget_all()  # and so are the principals and volunteers remembered for a moment


holder = IndexHolder()


def warm(session: Session) -> None:
    """Build the public catalogue and the role index, with its search text model, before the first
    request needs them (a county's take some seconds, which no request should wait for)."""
    catalogue.current(session)
    holder.get(session).text_relevance("", np.zeros(0, np.int64))


ROLE_CHANGE_HOOKS.append(holder.mark_stale)
