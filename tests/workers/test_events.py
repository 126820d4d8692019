"""Every event the code queues has an actor: by the declarations in ``brokerage.events`` and by
reading every ``enqueue`` call in the product code."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import dramatiq
import pytest

from brokerage import events

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("brokerage", "workers")


def _registry() -> dramatiq.Broker:
    import workers.actors  # noqa: F401  (sets the broker, then registers every actor)

    return dramatiq.get_broker()


def _is_outbox_enqueue(func: ast.expr) -> bool:
    """``enqueue(...)`` or ``outbox.enqueue(...)`` (not a broker's ``enqueue(message)``)."""
    if isinstance(func, ast.Name):
        return func.id == "enqueue"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "enqueue"
        and isinstance(func.value, ast.Name)
        and func.value.id == "outbox"
    )


def _enqueued() -> tuple[dict[str, list[str]], list[str]]:
    """The events named by every ``enqueue(session, Event(...))`` in the product code (event name →
    where), and the calls whose event could not be read from the source."""
    found: dict[str, list[str]] = {}
    unread: list[str] = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and _is_outbox_enqueue(node.func)) or path.name == "outbox.py":
                    continue
                where = f"{path.relative_to(ROOT).as_posix()}:{node.lineno}"
                event = node.args[1] if len(node.args) > 1 else None
                target = event.func if isinstance(event, ast.Call) else None
                name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else None
                cls = getattr(events, name, None) if name else None
                if isinstance(cls, type) and issubclass(cls, events.Event) and cls is not events.Event:
                    found.setdefault(cls.name, []).append(where)
                else:
                    unread.append(where)
    return found, unread


def test_every_declared_event_has_an_actor_and_every_actor_an_event():
    broker = _registry()
    missing = [name for name in events.EVENTS if name not in broker.get_declared_actors()]
    assert not missing, f"Events without an actor: {missing}"
    assert set(broker.get_declared_actors()) == set(events.EVENTS)


def test_every_event_the_code_enqueues_has_an_actor():
    from workers.scheduler import JOBS

    broker = _registry()
    found, unread = _enqueued()
    # The scheduler enqueues its periodic jobs' events by the job: those are read from the jobs.
    unread = [where for where in unread if not where.startswith("workers/scheduler.py:")]
    for job in JOBS:
        found.setdefault(job.name, []).append("workers/scheduler.py")
    assert not unread, f"enqueue calls whose event is not a declared event: {unread}"
    assert {"hours.submitted", "role.published", "referral.created"} <= set(found)  # the scan reads the services
    for name, where in sorted(found.items()):
        try:
            broker.get_actor(name)
        except dramatiq.ActorNotFound:
            pytest.fail(f"{name} is enqueued at {', '.join(where)} but no actor handles it")


def test_an_actor_must_take_what_its_event_carries():
    from workers.actors._common import actor

    @dataclasses.dataclass(frozen=True)
    class Example(events.Event):
        name = "example.happened"  # type: ignore[misc]
        thing_id: int

    with pytest.raises(TypeError, match="thing_id"):

        @actor(Example)
        def example(other_id: int) -> None: ...


def test_an_event_is_stored_as_its_name_and_plain_payload(db):
    from brokerage.outbox import enqueue

    message = enqueue(db, events.RoleMatchEmails(role_id=7, volunteer_ids=(1, 2), reasons={"1": "Near you"}))
    db.flush()
    assert (message.actor, message.payload) == (
        "notification.role_match",
        {"role_id": 7, "volunteer_ids": [1, 2], "reasons": {"1": "Near you"}},
    )
    assert events.event_named(message.actor, message.payload).payload() == message.payload
