"""What one test process owns, so that pytest-xdist workers (and other people's runs on the same
machine) never share a database, a port, a Redis database or a directory.

``WORKER`` is pytest-xdist's worker id (``gw0``, ``gw1``, …) or ``main`` in a run without workers;
every name a test makes for something outside its process includes it and the process id."""

from __future__ import annotations

import os
import socket
import uuid
from urllib.parse import urlsplit, urlunsplit

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def unique_name(label: str) -> str:
    """A name for a database (or anything else shared on the machine) that no other worker or run uses."""
    return f"brokerage_{label}_{WORKER}_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_redis_url(url: str) -> str:
    """The test Redis URL with a database number of this worker's own: ``gw0`` takes the one below
    the configured database, ``gw1`` the one below that, and so on (a run without workers keeps it),
    so a test that resets its counters never touches another worker's."""
    if not WORKER.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = (base - 1 - int(WORKER[2:])) % 16
    return urlunsplit(parts._replace(path=f"/{number}"))
