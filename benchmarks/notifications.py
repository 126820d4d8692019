"""Match emails end to end: outbox → relay → Redis → Dramatiq workers → SMTP (aiosmtpd).

Publishes enough roles that their best-fit volunteers receive at least 10,000 match emails, and
times from the commit that records the jobs to the last message accepted by the SMTP server. In the
same run, with the same worker processes, a no-op Dramatiq actor is timed draining as many messages
straight from Redis: the broker's own ceiling on this machine.

Everything is real and private to the run: a fresh PostgreSQL database, our own redis-server on a
spare port, ``brokerage worker`` processes, and an aiosmtpd server in this process. The server
offers PIPELINING, as production servers do (aiosmtpd handles pipelined commands but does not
announce it); its own CPU use is printed, to show whether it, rather than our side, sets the pace.

    .venv/bin/python benchmarks/notifications.py                 # 10,000 emails, 2 processes × 4 threads
    .venv/bin/python benchmarks/notifications.py --roles 50      # 20,000
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import print_table  # noqa: E402

PG_ADMIN = os.environ.get("BROKERAGE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Counter:
    def __init__(self):
        self.n = 0
        self.first: float | None = None  # when the first and the latest email arrived
        self.last: float | None = None
        self.lock = threading.Lock()


def start_smtp(port: int, counter: Counter):
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            # aiosmtpd reads commands one after another from a buffered stream, so it takes
            # pipelined commands correctly; it just does not say so. Real servers do.
            session.host_name = hostname
            return [*responses[:-1], "250-PIPELINING", responses[-1]]

        async def handle_DATA(self, server, session, envelope):
            now = time.perf_counter()
            with counter.lock:
                counter.n += 1
                counter.first = counter.first or now
                counter.last = now
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def wait(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.01)
    raise SystemExit(f"Timed out waiting for {what}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--volunteers", type=int, default=400)
    ap.add_argument("--roles", type=int, default=25)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--noop", type=int, default=10_000, help="messages for the no-op baseline")
    args = ap.parse_args()
    expected = args.volunteers * args.roles

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import Session

    tmp = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    db_name = f"bench_notify_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{db_name}"'))
    db_url = make_url(PG_ADMIN).set(database=db_name).render_as_string(hide_password=False)
    redis_port, smtp_port = free_port(), free_port()
    redis_proc = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
    )
    counter = Counter()
    smtp = start_smtp(smtp_port, counter)
    worker = None
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROKERAGE_")}
    env.update(
        {
            "BROKERAGE_ENVIRONMENT": "test",
            "BROKERAGE_SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghij",
            "BROKERAGE_DATABASE_URL": db_url,
            "BROKERAGE_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "BROKERAGE_SMTP_HOST": "127.0.0.1",
            "BROKERAGE_SMTP_PORT": str(smtp_port),
            "BROKERAGE_VAR_DIR": str(tmp / "var"),
            "BROKERAGE_WEEKLY_ROLE_EMAIL_CAP": str(args.roles + 1),
            "BROKERAGE_WORKER_ROLE_CANDIDATES": str(args.volunteers),
            "BROKERAGE_WORKER_RELAY_POLL_SECONDS": "0.02",
            "PYTHONPATH": str(ROOT),
        }
    )
    try:
        # -- a county to notify ---------------------------------------------------------------
        os.environ.update({k: v for k, v in env.items() if k.startswith("BROKERAGE_")})
        from brokerage.cli import migrate

        migrate()
        engine = create_engine(db_url)
        from tests.factories import ASHFORD, Factory

        t = time.perf_counter()
        with Session(engine) as s:
            f = Factory(s)
            org = f.organisation(ASHFORD, name="Benchmark Trust")
            for _ in range(args.volunteers):
                f.volunteer(ASHFORD, with_user=False)
            role_ids = [f.role(org, status="draft", title=f"Benchmark role {i}").id for i in range(args.roles)]
            s.commit()
        print(f"Seeded {args.volunteers} volunteers and {args.roles} roles in {time.perf_counter() - t:.1f}s", flush=True)

        # -- workers --------------------------------------------------------------------------
        log = open(tmp / "worker.log", "wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "workers.cli", "worker", "--processes", str(args.processes), "--threads", str(args.threads)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        import dramatiq
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=env["BROKERAGE_REDIS_URL"], middleware=[])

        def queue_empty() -> bool:
            # A message's body stays in this hash until a worker acknowledges it.
            return broker.client.hlen("dramatiq:default.msgs") == 0

        def noop(n):
            return dramatiq.Message(queue_name="default", actor_name="system.noop", args=(), kwargs={"n": n}, options={})

        broker.enqueue(noop(-1))  # warm-up: wait until the workers have booted
        wait(queue_empty, 300, "the workers to start")
        time.sleep(0.5)

        # -- baseline: a no-op actor, straight from Redis -------------------------------------
        messages = [noop(i) for i in range(args.noop)]
        t0 = time.perf_counter()
        for m in messages:
            broker.enqueue(m)
        t_enqueued = time.perf_counter()
        wait(queue_empty, 300, "the no-op messages to drain")
        noop_elapsed = time.perf_counter() - t0
        noop_rate = args.noop / noop_elapsed

        # -- match emails, end to end ---------------------------------------------------------
        from brokerage import events
        from brokerage.outbox import enqueue

        with Session(engine) as s:
            now = datetime.utcnow()
            s.execute(
                text("UPDATE roles SET status = 'published', published_at = :now WHERE id = ANY(:ids)"),
                {"now": now, "ids": role_ids},
            )
            for rid in role_ids:
                enqueue(s, events.RolePublished(role_id=rid))
            t1 = time.perf_counter()
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            s.commit()
        wait(lambda: counter.n >= expected, 600, f"{expected} emails")
        assert counter.first is not None and counter.last is not None
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        email_elapsed = counter.last - t1
        sink_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
        email_rate = expected / email_elapsed
        time.sleep(1.0)
        with engine.connect() as c:
            deliveries = c.scalar(text("SELECT count(*) FROM deliveries WHERE kind = 'role_match' AND status = 'sent'"))
            duplicates = counter.n - expected

        print_table(
            f"Match emails end to end ({args.processes} worker processes × {args.threads} threads, {os.cpu_count()} CPUs)",
            ["work", "messages", "seconds", "per second", "vs no-op"],
            [
                ["no-op Dramatiq actor (Redis → worker)", f"{args.noop:,}", f"{noop_elapsed:.2f}", f"{noop_rate:,.0f}", "1.00"],
                [
                    "match emails (outbox → Redis → worker → SMTP)",
                    f"{expected:,}",
                    f"{email_elapsed:.2f}",
                    f"{email_rate:,.0f}",
                    f"{email_rate / noop_rate:.2f}",
                ],
            ],
        )
        print(f"  enqueueing the no-op messages alone took {t_enqueued - t0:.2f}s")
        print(
            f"  first email {counter.first - t1:.2f}s after the jobs were committed; "
            f"{deliveries:,} delivery records, {counter.n:,} emails received ({duplicates} extra)"
        )
        print(
            f"  the SMTP sink (one aiosmtpd thread in this process) used {sink_cpu:.1f}s of CPU in those "
            f"{email_elapsed:.1f}s: {sink_cpu / email_elapsed:.0%} of one core, {sink_cpu / expected * 1e6:.0f} us an email"
        )
        met = email_rate >= 0.5 * noop_rate and counter.n == expected and not duplicates
        print(f"  target: >= 0.5x the no-op actor, none lost and none extra -> {'met' if met else 'NOT met'}")
        return 0
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        smtp.stop()
        redis_proc.kill()
        redis_proc.wait()
        from sqlalchemy import text as _t

        with admin.connect() as c:
            c.execute(_t(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
