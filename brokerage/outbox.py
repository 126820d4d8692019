"""Record background work in the same transaction as the change that causes it.

``brokerage`` never imports an actor: it writes a row naming the event (``brokerage.events``) and
its payload (IDs, never objects), and the relay in ``workers`` hands committed rows to Dramatiq.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from brokerage.events import Event
from brokerage.models import OutboxMessage


def enqueue(session: Session, event: Event) -> OutboxMessage:
    message = OutboxMessage(actor=event.name, payload=event.payload(), status="pending", attempts=0)
    session.add(message)
    return message
