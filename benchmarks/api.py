"""API speed against FastAPI's hello world, timed in the same run on the same machine.

Targets (PRODUCT.md): role search and list ≥ 40% of hello-world's requests/s with p99 ≤ 50 ms
(1 API process, 32 connections); the matches API adds ≤ 25% on top of the in-process ranking time.

    python -m benchmarks.api [--seconds 10] [--scale demo]

Needs PostgreSQL (BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres) and `wrk`.
It creates and drops its own database. Never asserts: prints a table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(app: str, port: int, env: dict, factory: bool = False):
    cmd = [PY, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    if factory:
        cmd.append("--factory")
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        proc.wait(10)


def _search(pattern: str, text: str) -> re.Match[str]:
    m = re.search(pattern, text)
    if m is None:
        raise RuntimeError(f"wrk printed no {pattern!r}:\n{text}")
    return m


def wrk(url: str, seconds: int, connections: int = 32, headers: dict | None = None) -> dict:
    cmd = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for k, v in (headers or {}).items():
        cmd[1:1] = ["-H", f"{k}: {v}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(_search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p: str) -> float:
        m = _search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": pct("50"), "p99": pct("99"), "non2xx": int(errors.group(1)) if errors else 0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--scale", default="demo", choices=["tiny", "demo"])
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    dbname = f"brokerage_bench_api_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{dbname}"'))
    url = make_url(admin_url).set(database=dbname).render_as_string(hide_password=False)
    env = {"BROKERAGE_DATABASE_URL": url, "BROKERAGE_SECRET_KEY": "benchmark-secret-" + "x" * 40, "BROKERAGE_ENVIRONMENT": "test"}
    try:
        print(f"Seeding a {args.scale} county into {dbname} …", flush=True)
        subprocess.run(
            [PY, "-m", "workers.cli", "seed", "--scale", args.scale, "--quiet"], cwd=ROOT, env={**os.environ, **env}, check=True
        )
        os.environ.update(env)
        from brokerage.auth.service import issue_api_token
        from brokerage.db import session_scope
        from brokerage.matches.features import role_features, volunteer_features
        from brokerage.models import User, Volunteer
        from matching import RoleIndex

        with session_scope() as s:
            user = s.query(User).filter_by(email="volunteer@demo.example.org").one()
            token = issue_api_token(user)
            vid = s.query(Volunteer.id).filter_by(user_id=user.id).scalar()
            index = RoleIndex(list(role_features(s)))
            vol = volunteer_features(s, [vid])[0]
        timings = []
        for _ in range(300):
            t = time.perf_counter()
            index.rank(vol, k=10)
            timings.append((time.perf_counter() - t) * 1000)
        in_process = statistics.median(timings)

        rows: list[tuple[str, dict, dict | None]] = []
        hello_port = free_port()
        with server("benchmarks._hello:app", hello_port, {}):
            wrk(f"http://127.0.0.1:{hello_port}/", 2)
            hello = wrk(f"http://127.0.0.1:{hello_port}/", args.seconds)
            hello_one = wrk(f"http://127.0.0.1:{hello_port}/", max(2, args.seconds // 2), connections=1)
        rows.append(("hello world (baseline)", hello, None))
        rows.append(("hello world (1 connection: the HTTP floor)", hello_one, None))
        port = free_port()
        with server("brokerage.app:create_app", port, {**env, "BROKERAGE_PAGES_ENABLED": "false"}, factory=True):
            base = f"http://127.0.0.1:{port}"
            wrk(f"{base}/roles?page_size=20", 2)
            rows.append(("GET /roles (list, 20 a page)", wrk(f"{base}/roles?page_size=20", args.seconds), hello))
            rows.append(
                (
                    "GET /roles?cause=…&district=…",
                    wrk(f"{base}/roles?cause=OlderPeople&district=E07000105&page_size=20", args.seconds),
                    hello,
                )
            )
            rows.append(
                (
                    "GET /search/roles (ranked search)",
                    wrk(f"{base}/search/roles?q=garden&postcode=TN23%201AA&miles=15", args.seconds),
                    hello,
                )
            )
            auth = {"Authorization": f"Bearer {token}"}
            matches = wrk(f"{base}/volunteers/{vid}/matches", args.seconds, connections=1, headers=auth)
            rows.append(("GET /volunteers/{id}/matches (1 connection)", matches, None))
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        admin.dispose()

    print()
    print(f"{'work':<46} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs hello':>9} {'non-2xx':>8}")
    for name, r, ref in rows:
        ratio = f"{r['rps'] / ref['rps']:.0%}" if ref else "—"
        print(f"{name:<46} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} {ratio:>9} {r['non2xx']:>8}")
    overhead = matches["p50"] / in_process - 1
    print()
    print(
        f"matches: in-process ranking p50 {in_process:.2f} ms; over HTTP p50 {matches['p50']:.2f} ms "
        f"(HTTP, auth and database add {overhead:.0%}; target ≤ 25%)"
    )
    print(
        f"         of which FastAPI's own hello world over one connection takes p50 {hello_one['p50']:.2f} ms; "
        f"auth, database and encoding add {matches['p50'] - hello_one['p50'] - in_process:.2f} ms"
    )
    print("targets: list/search ≥ 40% of hello world with p99 ≤ 50 ms")


if __name__ == "__main__":
    main()
