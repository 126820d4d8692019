"""Dramatiq's Redis broker with what the outbox relay needs from it (see ``workers.broker``)."""

from __future__ import annotations

from dramatiq.brokers.redis import RedisBroker


class OutboxRedisBroker(RedisBroker):
    """Dramatiq's Redis broker, able to say which outbox jobs it still holds and to recover
    a dead worker's jobs on demand. It relies on the layout of Dramatiq's Redis scripts: a
    hash ``<namespace>:<queue>.msgs`` of every message queued or taken and not yet
    acknowledged, and a heartbeat and maintenance pass with every scripted command."""

    def enqueue(self, message, *, delay=None):
        if delay is not None or "outbox_id" not in message.options:
            return super().enqueue(message, delay=delay)
        # The relay names each hand-over (see ``workers.relay.message_id``); kept as the Redis
        # id, it lets the relay ask later whether the broker still holds it.
        message = message.copy(options={"redis_message_id": message.message_id})
        self.emit_before("enqueue", message, delay)
        self.do_enqueue(message.queue_name, message.message_id, message.encode())
        self.emit_after("enqueue", message, delay)
        return message

    def held(self, queue_name: str, message_ids: list[str]) -> set[str]:
        """Which of these messages are queued, or taken by a worker and not yet acknowledged
        (a worker acknowledges a job only after its outcome is in the outbox)."""
        key = f"{self.namespace}:{queue_name}.msgs"
        with self.client.pipeline(transaction=False) as pipe:
            for message_id in message_ids:
                pipe.hexists(key, message_id)
            found = pipe.execute()
        return {message_id for message_id, present in zip(message_ids, found) if present}

    def recover_dead_workers(self) -> None:
        """Put back on their queues the messages taken by worker processes whose heartbeat is
        older than ``heartbeat_timeout``."""
        for queue_name in sorted({*self.queues, *self.delay_queues}):
            self.do_maintenance(queue_name)

    def heartbeat(self) -> None:
        """Tell the others this process is alive (every scripted command does; this one only that)."""
        self.do_heartbeat(min(self.queues, default="default"))  # any queue: only the heartbeat is written

    def _should_do_maintenance(self, command):
        if command == "maintenance":
            return 1
        if command == "heartbeat":
            return 0
        return super()._should_do_maintenance(command)
