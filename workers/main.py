"""``brokerage worker``: Dramatiq worker processes for the actors in ``workers.actors``.

The command runs ``dramatiq workers.actors`` (which forks the worker processes and restarts any
that die) and, beside it in this process, an outbox relay, so that one command is enough on a
small deployment. More relays are safe: rows are claimed with ``SKIP LOCKED``.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading

from workers.settings import get_worker_settings

logger = logging.getLogger(__name__)


def dramatiq_command(processes: int, threads: int) -> list[str]:
    return [sys.executable, "-m", "dramatiq", "workers.actors", "--processes", str(processes), "--threads", str(threads)]


def run_worker(processes: int = 2, threads: int = 4, relay: bool | None = None) -> int:
    from brokerage.config import get_settings

    if not get_settings().effective_broker_url:
        print(
            "No broker is configured (BROKERAGE_REDIS_URL or BROKERAGE_BROKER_URL). Without one, background jobs "
            "run inside 'brokerage serve'.",
            file=sys.stderr,
        )
        return 2
    relay = get_worker_settings().worker_runs_relay if relay is None else relay
    child = subprocess.Popen(dramatiq_command(processes, threads))
    stop = threading.Event()

    def forward(signum, _frame):
        stop.set()
        if child.poll() is None:
            child.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)

    thread = None
    if relay:
        from workers.relay import Relay
        from workers.broker import ensure_broker

        broker = ensure_broker()
        import workers.actors  # noqa: F401

        r = Relay(broker)
        thread = threading.Thread(target=r.run, args=(stop,), name="outbox-relay", daemon=True)
        thread.start()
    code = child.wait()
    stop.set()
    if thread is not None:
        thread.join(timeout=5)
    return code
