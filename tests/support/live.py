"""The one way a test starts a real server process (``brokerage serve``, or uvicorn on the app) on a
free port and waits for its ``/healthz``. Fixtures reach it through ``live_server`` in tests/conftest.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.isolation import free_port

ROOT = Path(__file__).resolve().parents[2]
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PORT_TRIES = 3  # another process may take the free port between our choosing and the server's binding


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    log_path: Path
    process: subprocess.Popen


def server_env(database_url: str, var_dir: Path, settings: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a server process: this machine's, without any ``BROKERAGE_`` setting of the
    test process (so it keeps its jobs in process and has no Redis unless ``settings`` give one), in
    test mode on ``database_url`` with files under ``var_dir``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BROKERAGE_")}
    env.update(
        {
            "BROKERAGE_ENVIRONMENT": "test",
            "BROKERAGE_SECRET_KEY": os.environ.get("BROKERAGE_SECRET_KEY", TEST_SECRET),
            "BROKERAGE_DATABASE_URL": database_url,
            "BROKERAGE_VAR_DIR": str(var_dir),
            **(settings or {}),
        }
    )
    return env


def _command(kind: str, port: int, args: Sequence[str]) -> list[str]:
    address = ["--host", "127.0.0.1", "--port", str(port)]
    if kind == "serve":
        return [sys.executable, "-m", "workers.cli", "serve", *address, *args]
    if kind == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "brokerage.app:create_app", "--factory", *address, *args]
    raise ValueError(f"unknown server kind {kind!r}")


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _spawn(kind: str, args: Sequence[str], env: Mapping[str, str], log_path: Path) -> tuple[str, subprocess.Popen]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            _command(kind, port, args),
            cwd=ROOT,
            env={"BROKERAGE_BASE_URL": base_url, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return base_url, proc


def _came_up(kind: str, base_url: str, proc: subprocess.Popen, log_path: Path, deadline: float, last_try: bool) -> bool:
    """Poll the real separate process until it answers ``/healthz`` (True), or it has stopped because
    another process took its port first (False: try another); fails if it does not start at all."""
    while not _healthy(base_url):
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            output = log_path.read_text(errors="replace")
            if "address already in use" in output.lower() and not last_try:
                return False
            raise RuntimeError(f"The server ({kind}) did not start:\n" + output[-4000:])
        time.sleep(0.1)
    return True


@contextmanager
def live_servers(
    env: Mapping[str, str],
    log_paths: Sequence[Path],
    *,
    kind: str = "serve",
    args: Sequence[str] = ("--quiet",),
    timeout: float = 180,  # not a target: seconds on a quiet machine, a minute or more on a busy one
) -> Iterator[list[LiveServer]]:
    """One server process per log path, on free ports of 127.0.0.1, all started at once (``kind``:
    ``serve`` is ``brokerage serve`` with ``args`` such as ``--no-worker``; ``uvicorn`` is the bare
    app), each healthy before they are yielded and all stopped afterwards. ``BROKERAGE_BASE_URL``
    is each one's own address unless ``env`` says otherwise."""
    for path in log_paths:
        path.parent.mkdir(parents=True, exist_ok=True)
    started = [_spawn(kind, args, env, path) for path in log_paths]
    deadline = time.monotonic() + timeout
    try:
        for i, path in enumerate(log_paths):
            for attempt in range(1, PORT_TRIES + 1):
                if _came_up(kind, *started[i], path, deadline, last_try=attempt == PORT_TRIES):
                    break
                started[i] = _spawn(kind, args, env, path)
        yield [LiveServer(base_url, path, proc) for (base_url, proc), path in zip(started, log_paths)]
    finally:
        for _base_url, proc in started:
            if proc.poll() is None:
                _stop(proc)


@contextmanager
def live_server(env: Mapping[str, str], log_path: Path, **options) -> Iterator[LiveServer]:
    """One server process, as ``live_servers`` starts them; its output goes to ``log_path``."""
    with live_servers(env, [log_path], **options) as (server,):
        yield server
