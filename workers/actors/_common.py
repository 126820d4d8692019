"""Actor plumbing: the decorator that registers an actor under its event's name, chunks for
fan-outs, and claiming a fan-out once."""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import Callable, Iterator, Sequence
from functools import wraps
from typing import Any, TypeVar

import dramatiq
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workers.broker import QUEUE, ensure_broker
from workers.middleware import backoff_seconds
from workers.notify import TransientMailFailure

ensure_broker()

from brokerage.db import utcnow  # noqa: E402
from brokerage.events import Event  # noqa: E402
from brokerage.models import Delivery  # noqa: E402

logger = logging.getLogger("workers.actors")
T = TypeVar("T")


def actor(event: type[Event], **options: Any) -> Callable[[Callable[..., None]], dramatiq.Actor[..., None]]:
    """The Dramatiq actor for ``event`` (``brokerage.events``), registered under the event's name.
    Its parameters must be the event's fields. A mail server that is away becomes ``Retry``."""

    def decorate(fn: Callable[..., None]) -> dramatiq.Actor[..., None]:
        fields = {f.name for f in dataclasses.fields(event)}  # type: ignore[arg-type]
        parameters = set(inspect.signature(fn).parameters)
        if parameters != fields:
            raise TypeError(
                f"The actor {fn.__name__} takes {sorted(parameters)} but the event {event.name} carries {sorted(fields)}"
            )

        @wraps(fn)
        def run(*args: Any, **kwargs: Any) -> None:
            try:
                fn(*args, **kwargs)
            except TransientMailFailure as exc:
                raise dramatiq.Retry(str(exc), delay=int(backoff_seconds(1) * 1000)) from exc

        return dramatiq.actor(run, actor_name=event.name, queue_name=QUEUE, **options)

    return decorate


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for i in range(0, len(items), max(1, size)):
        yield list(items[i : i + size])


def claim(session: Session, key: str, kind: str, role_id: int | None = None) -> bool:
    """Claim a key inside the session's transaction (so a fan-out and its jobs commit together).
    True the first time."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    return (
        session.execute(
            insert(Delivery)
            .values(key=key, kind=kind, role_id=role_id, status="done", created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Delivery.id)
        ).first()
        is not None
    )
