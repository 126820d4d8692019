"""Keeping in-process views current: which rows changed since the last look (``ChangeWindow``) and
answers remembered for a moment (``Memo``).

Which rows changed since the last look is read from their ``updated_at``, each change seen once.

The in-process views of roles (the public catalogue and the matching index) catch up from the
database every second. They ask for rows whose ``updated_at`` is at or after the time of their last
look, less a margin for clocks that differ between writers and for a transaction that commits a
moment after it set the time. A row comes back on a few looks in a row while it is inside that
margin; it counts as changed only the first time (by its id and its ``updated_at``), so a look after
a bulk load or a busy second re-reads only what really changed.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

SKEW = timedelta(seconds=2)


class ChangeWindow:
    def __init__(self, skew: timedelta = SKEW) -> None:
        self.skew = skew
        self._since = datetime(1970, 1, 1)
        self._seen: dict[int, datetime] = {}

    def restart(self, at: datetime) -> None:
        """Everything up to ``at`` is known (a full load that started at ``at``)."""
        self._since = at - self.skew
        self._seen = {}

    def reach_back(self, at: datetime) -> None:
        """Look again from ``at`` (a change this process flushed then, perhaps committed later)."""
        self._since = min(self._since, at - self.skew)

    @property
    def since(self) -> datetime:
        return self._since

    def new(self, rows: Iterable[tuple[int, datetime]]) -> set[int]:
        """The ids among ``(id, updated_at)`` rows not already seen with that ``updated_at``."""
        out = set()
        for rid, updated_at in rows:
            if self._seen.get(rid) != updated_at:
                self._seen[rid] = updated_at
                out.add(rid)
        return out

    def advance(self, looked_at: datetime) -> None:
        """The look that started at ``looked_at`` is done: the next one starts from there."""
        self._since = max(self._since, looked_at - self.skew)
        self._seen = {rid: at for rid, at in self._seen.items() if at >= self._since}


_MISSING = object()


class Memo:
    """Answers remembered for a moment (``ttl`` seconds) in this process, for reads on every request
    (who a token belongs to, a volunteer's features). Forgotten at once when this process flushes or
    commits a change to one of the ``watched`` models, or runs a bulk UPDATE or DELETE through the
    ORM; a change made by another process shows once ``ttl`` has passed."""

    def __init__(self, name: str, watched: tuple[type, ...], ttl: float = 2.0, max_size: int = 50_000) -> None:
        self.name = name
        self.watched = watched
        self.ttl = ttl
        self.max_size = max_size
        self._items: dict[Hashable, tuple[float, object]] = {}
        _MEMOS.append(self)

    def get(self, key: Hashable) -> object:
        """The remembered value, or ``MISSING``."""
        hit = self._items.get(key)
        if hit is None or time.monotonic() >= hit[0]:
            return _MISSING
        return hit[1]

    def put(self, key: Hashable, value: object) -> None:
        if len(self._items) >= self.max_size:
            self._items = {}
        self._items[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        self._items = {}


MISSING = _MISSING
_MEMOS: list[Memo] = []


def forget_all() -> None:
    for memo in _MEMOS:
        memo.clear()


def _forget(objects: Iterable[object]) -> None:
    for memo in _MEMOS:
        if memo._items and any(isinstance(obj, memo.watched) for obj in objects):
            memo.clear()


@event.listens_for(Session, "after_flush")
def _forget_flushed(session: Session, _context) -> None:
    touched = [*session.new, *session.dirty, *session.deleted]
    _forget(touched)
    session.info.setdefault("memo_touched", []).extend(obj for obj in touched if any(isinstance(obj, m.watched) for m in _MEMOS))


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    # Again once committed, in case another request remembered the old value between flush and commit.
    _forget(session.info.pop("memo_touched", ()))


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("memo_touched", None)


@event.listens_for(Session, "do_orm_execute")
def _forget_bulk(state) -> None:
    if state.is_update or state.is_delete:
        for memo in _MEMOS:
            memo.clear()
