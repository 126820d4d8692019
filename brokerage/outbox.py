"""Record background work in the same transaction as the change that causes it.

``brokerage`` never imports an actor: it writes a row naming the actor and its arguments (IDs,
never objects), and the relay in ``workers`` hands committed rows to Dramatiq.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from brokerage.models import OutboxMessage


def enqueue(session: Session, actor: str, **payload: Any) -> OutboxMessage:
    message = OutboxMessage(actor=actor, payload=payload, status="pending", attempts=0)
    session.add(message)
    return message
