"""Fixtures for the background workers: a fresh PostgreSQL database per test (cloned from a migrated
template, because real worker processes need committed data), a real SMTP server (aiosmtpd) that
records what it receives, our own redis-server on a spare port (never the shared one), and helpers
to run ``brokerage worker`` / ``brokerage scheduler`` as real processes."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from tests.support.isolation import free_port

PROJECT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SECRET = "test-secret-key-that-is-long-enough-0123456789"


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, interval: float = 0.05, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout:.0f}s waiting for {what}")


# -- PostgreSQL: one clone of the migrated template per test ----------------------------------
@pytest.fixture
def worker_db(pg_database) -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL database that worker processes can share."""
    with pg_database("w") as url:
        yield url


@pytest.fixture
def worker_engine(worker_db):
    engine = create_engine(worker_db)
    yield engine
    engine.dispose()


@pytest.fixture
def session(worker_engine) -> Iterator[Session]:
    """A plain session on the worker database: what the test commits, the workers see."""
    with Session(worker_engine, expire_on_commit=False) as s:
        yield s


# -- SMTP -------------------------------------------------------------------------------------
@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def to(self) -> str:
        return self.rcpt_tos[0]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def kind(self) -> str:
        return str(self.message["X-Brokerage-Kind"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else ""

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    pipelining: bool = True  # offered by real servers; aiosmtpd takes it but does not say so
    refuse: dict[str, str] = field(default_factory=dict)  # address -> reply to its RCPT
    defer_once: set[str] = field(default_factory=set)  # addresses whose first message gets a 451

    def count(self, kind: str | None = None) -> int:
        with self.lock:
            return sum(1 for m in self.messages if kind is None or m.kind == kind)

    def of_kind(self, kind: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if m.kind == kind]

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address in m.rcpt_tos]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    import asyncio

    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", free_port())

    class Handler:
        async def handle_EHLO(self, _server, session, _envelope, hostname, responses):
            session.host_name = hostname
            return [*responses[:-1], "250-PIPELINING", responses[-1]] if server.pipelining else responses

        async def handle_RCPT(self, _server, _session, envelope, address, _options):
            if address in server.refuse:
                return server.refuse[address]
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, _server, _session, envelope):
            if server.delay:
                await asyncio.sleep(server.delay)
            deferred = server.defer_once.intersection(envelope.rcpt_tos)
            if deferred:
                server.defer_once.difference_update(deferred)
                return "451 Try again later"
            msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
            with server.lock:
                server.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=server.host, port=server.port)
    controller.start()
    yield server
    controller.stop()


# -- Redis: our own server on a spare port ------------------------------------------------------
class RedisServer:
    def __init__(self, directory: Path, port: int):
        self.dir, self.port, self.proc = directory, port, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, empty: bool = False) -> None:
        """Start (again). ``empty``: without the data it had, as a Redis that keeps nothing on
        disk comes back after a crash."""
        if empty:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--protected-mode",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port)
        wait_for(lambda: _ping(client), timeout=10, what="redis-server to start")

    def stop(self) -> None:
        """Kill it hard, as a crash would."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def _ping(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path / "redis", free_port())
    server.start()
    yield server
    server.stop()


# -- environment and processes --------------------------------------------------------------
@pytest.fixture
def worker_env(worker_db, smtp, tmp_path) -> dict[str, str]:
    """Environment for worker processes: this test's database and SMTP server, quick retries."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROKERAGE_")}
    env.update(
        {
            "BROKERAGE_ENVIRONMENT": "test",
            "BROKERAGE_SECRET_KEY": SECRET,
            "BROKERAGE_DATABASE_URL": worker_db,
            "BROKERAGE_VAR_DIR": str(tmp_path / "var"),
            "BROKERAGE_SMTP_HOST": smtp.host,
            "BROKERAGE_SMTP_PORT": str(smtp.port),
            "BROKERAGE_BASE_URL": "https://volunteer.kent.example",
            "BROKERAGE_WORKER_RELAY_POLL_SECONDS": "0.05",
            "BROKERAGE_WORKER_MIN_BACKOFF_SECONDS": "0.2",
            "BROKERAGE_WORKER_MAX_BACKOFF_SECONDS": "1",
            "BROKERAGE_WORKER_REDIS_HEARTBEAT_TIMEOUT_MS": "2000",
            "BROKERAGE_WORKER_REDIS_MAINTENANCE_CHANCE": "200000",
            "BROKERAGE_WORKER_REDISPATCH_AFTER_SECONDS": "20",
            "BROKERAGE_WORKER_SCHEDULER_TICK_SECONDS": "0.2",
            "PYTHONPATH": str(PROJECT),
        }
    )
    return env


class Process:
    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        self.handle = open(log, "ab")
        self.proc = subprocess.Popen(
            args, env=env, cwd=PROJECT, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.kill(signal.SIGTERM)
        self.handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def processes(tmp_path) -> Iterator[Callable[..., Process]]:
    started: list[Process] = []

    def start(command: list[str], env: dict[str, str], name: str = "proc") -> Process:
        p = Process([PYTHON, "-m", "workers.cli", *command], env, tmp_path / f"{name}-{len(started)}.log")
        started.append(p)
        return p

    yield start
    for p in started:
        try:
            p.stop()
        except Exception:
            p.kill()


# -- in-process worker (the embedded mode's machinery) on this test's database ----------------
def _reset_process_state() -> None:
    from brokerage.config import get_settings
    from workers.mail import reset_mailer
    from workers.settings import get_worker_settings

    get_settings.cache_clear()
    get_worker_settings.cache_clear()
    reset_mailer()
    try:
        from brokerage.matches.index_holder import holder

        holder.index = None
    except ImportError:  # pragma: no cover
        pass


@pytest.fixture
def configure(monkeypatch):
    """Point this process's settings at an environment (a dict like ``worker_env``)."""
    from brokerage import db

    engines = []

    def apply(env: dict[str, str], **extra: str):
        for key in list(os.environ):
            if key.startswith("BROKERAGE_") and key not in env:
                monkeypatch.delenv(key)
        for key, value in {**env, **extra}.items():
            if key.startswith("BROKERAGE_"):
                monkeypatch.setenv(key, value)
        monkeypatch.delenv("BROKERAGE_REDIS_URL", raising=False)  # this process keeps the in-process broker
        _reset_process_state()
        engine = db.make_engine()
        engines.append(engine)
        db.set_engine(engine)
        return engine

    yield apply
    db.set_engine(None)
    for engine in engines:
        engine.dispose()
    monkeypatch.undo()
    _reset_process_state()


@pytest.fixture
def inproc(worker_env, configure):
    """Relay and a real Dramatiq worker (4 threads) in this process, on the test's PostgreSQL
    database and SMTP server — the embedded mode's machinery."""
    configure(worker_env)
    from workers.broker import ensure_broker
    from workers.embedded import EmbeddedWorker

    broker = ensure_broker()
    broker.flush_all()
    worker = EmbeddedWorker(threads=4, scheduler=False)
    worker.start()
    yield worker
    worker.stop()
    broker.flush_all()


def outbox_idle(engine) -> bool:
    with engine.connect() as conn:
        return not conn.execute(text("SELECT 1 FROM outbox WHERE status IN ('pending', 'dispatched') LIMIT 1")).first()


def outbox_report(engine) -> str:
    """What the outbox holds, for a failure message: counts by actor and status, and the last errors."""
    with engine.connect() as conn:
        counts = conn.execute(
            text("SELECT actor, status, count(*), max(attempts) FROM outbox GROUP BY actor, status ORDER BY 1, 2")
        ).all()
        errors = conn.execute(
            text("SELECT actor, last_error FROM outbox WHERE last_error IS NOT NULL ORDER BY id DESC LIMIT 3")
        ).all()
    return f"outbox {[tuple(c) for c in counts]}; last errors {[tuple(e) for e in errors]}"


def settle(engine, timeout: float = 30.0) -> None:
    """Wait until every job has finished (done or failed)."""
    wait_for(lambda: outbox_idle(engine), timeout=timeout, what="the outbox to drain")


# -- data helpers ----------------------------------------------------------------------------
def staff_principal(session, factory):
    from brokerage.auth.service import build_principal

    from tests.factories import ASHFORD

    centre = factory.centre(districts=(ASHFORD,), is_lead=True)
    centre.email = "ashford-centre@example.org"
    user = factory.user("centre_staff", centre=centre)
    return build_principal(session, user)


def publish(session, principal, role) -> None:
    """Publish through the roles service (which records the role.published job) and commit."""
    from brokerage.roles import service as roles_service

    roles_service.change_status(session, principal, role.id, "published", None)
    session.commit()


@pytest.fixture
def client_for(worker_engine):
    """``client_for(user=None)`` → a TestClient on the app, backed by the test's database."""
    from fastapi.testclient import TestClient

    from brokerage.app import create_app

    def make(user=None):
        client = TestClient(create_app(), raise_server_exceptions=False)
        if user is not None:
            from brokerage.auth.service import issue_api_token

            client.headers["Authorization"] = f"Bearer {issue_api_token(user)}"
        return client

    return make
