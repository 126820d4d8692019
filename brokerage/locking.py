"""Row locks for changes that must happen one at a time per row: places on a role, a volunteer's
hours on a day, an approval, a status transition.

``lock(session, Model, id)`` holds the row until the transaction ends and returns it read afresh,
so the check that follows (is there a place left? is it still submitted?) sees what any concurrent
request committed and no other request can act on the row until this one has finished.

- PostgreSQL: ``SELECT … FOR UPDATE``. A second request waits for the first to commit, then reads
  the row as the first left it.
- SQLite: one writer at a time for the whole database. A no-op write to the row takes the write
  lock at once (the driver opens the transaction at the first write), so the read that follows is
  already inside the serialised section.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

from brokerage.errors import NotFound

T = TypeVar("T")


def lock(session: Session, model: type[T], pk: int) -> T:
    """The row with this id, locked for the rest of the transaction and read afresh (a 404 if it
    was deleted meanwhile)."""
    if session.get_bind().dialect.name == "postgresql":
        row = session.get(model, pk, with_for_update=True, populate_existing=True)
    else:
        session.flush()
        table = model.__table__.name  # type: ignore[attr-defined]
        session.execute(text(f'UPDATE "{table}" SET id = id WHERE id = :pk'), {"pk": pk})
        row = session.get(model, pk, populate_existing=True)
    if row is None:
        raise NotFound("That was removed a moment ago.")
    return row
