"""Every page of the four kinds of user, timed at county scale on PostgreSQL.

    python -m benchmarks.pages [--scale county] [--requests 20] [--seconds 30] [--database-url URL] [--keep]

Seeds the county (50,000 roles, 400,000 volunteers; COPY on PostgreSQL) into a database of its own
(or uses ``--database-url``, already seeded), then:

1. one user at a time: each page ``--requests`` times in this process (p50 and p95), with the
   slowest SQL statements each page ran;
2. 32 users at once against a real uvicorn process, each picking pages at random for ``--seconds``
   (p99 per page and overall);
3. the API process's peak memory (VmHWM) after both.

Targets: p95 ≤ 150 ms for every page alone, p99 ≤ 500 ms under 32 users, API memory ≤ 500 MB.
The baseline in the same run is the sign-in page (a template and no query). Never asserts.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks._common import percentiles, print_table
from benchmarks.api import free_port, server

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
USERS = {
    "volunteer": "volunteer@demo.example.org",
    "organisation manager": "manager@demo.example.org",
    "centre staff": "ashford.staff@demo.example.org",
    "pilot lead": "pilot.lead@demo.example.org",
}


def _pages(ids: dict[str, int | None]) -> dict[str, list[str]]:
    """Each kind of user's pages (anonymous visitors browse as the volunteer does, without signing in)."""
    role, org, vid, mref, cref = (
        ids["role"],
        ids["organisation"],
        ids["volunteer"],
        ids["manager_referral"],
        ids["centre_referral"],
    )
    return {
        "visitor": ["/sign-in", "/", "/opportunities", "/opportunities?q=garden", f"/opportunities/{role}"],
        "volunteer": [
            "/opportunities",
            "/opportunities?q=garden",
            f"/opportunities/{role}",
            "/my/matches",
            "/my/profile",
            "/my/interest",
            "/my/hours",
            "/my/data",
        ],
        "organisation manager": [
            "/manage",
            "/manage/referrals",
            f"/manage/roles/{ids['manager_role']}",
            f"/manage/roles/{ids['manager_role']}/edit",
            f"/manage/organisations/{ids['manager_organisation']}",
            "/manage/hours",
            *([f"/manage/referrals/{mref}"] if mref else []),
        ],
        "centre staff": [
            "/centre",
            "/centre/referrals",
            "/centre/volunteers",
            f"/centre/volunteers/{vid}",
            f"/centre/roles/{role}",
            f"/centre/organisations/{org}",
            "/centre/duplicates",
            *([f"/centre/referrals/{cref}"] if cref else []),
        ],
        "pilot lead": ["/pilot", "/pilot/reports"],
    }


def _ids_and_cookies() -> tuple[dict[str, int | None], dict[str, str]]:
    from sqlalchemy import select

    from brokerage.auth.service import issue_session_cookie
    from brokerage.db import session_scope
    from brokerage.models import OrganisationManager, Referral, Role, User, Volunteer

    with session_scope() as s:
        users = {kind: s.scalars(select(User).where(User.email == email)).one() for kind, email in USERS.items()}
        cookies = {kind: issue_session_cookie(u) for kind, u in users.items()}
        manager_org = s.scalar(
            select(OrganisationManager.organisation_id).where(OrganisationManager.user_id == users["organisation manager"].id)
        )
        manager_role = s.scalar(select(Role.id).where(Role.organisation_id == manager_org).order_by(Role.id).limit(1))
        role = s.scalar(select(Role.id).where(Role.status == "published", Role.district_gss == "E07000105").limit(1))
        org = s.scalar(select(Role.organisation_id).where(Role.id == role))
        vid = s.scalar(select(Volunteer.id).where(Volunteer.district_gss == "E07000105").order_by(Volunteer.id).limit(1))
        mref = s.scalar(
            select(Referral.id).join(Role, Role.id == Referral.role_id).where(Role.organisation_id == manager_org).limit(1)
        )
        cref = s.scalar(
            select(Referral.id).join(Role, Role.id == Referral.role_id).where(Role.district_gss == "E07000105").limit(1)
        )
    ids = {
        "role": role,
        "organisation": org,
        "volunteer": vid,
        "manager_organisation": manager_org,
        "manager_role": manager_role,
        "manager_referral": mref,
        "centre_referral": cref,
    }
    return ids, cookies


class _Statements:
    """Every SQL statement the engine runs, with its time, while ``recording`` is on."""

    def __init__(self) -> None:
        self.recording: list[tuple[str, float]] | None = None

    def attach(self, engine) -> None:
        from sqlalchemy import event

        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany):
            conn.info.setdefault("started", []).append(time.perf_counter())

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn, cursor, statement, parameters, context, executemany):
            started = conn.info["started"].pop()
            if self.recording is not None:
                self.recording.append((" ".join(statement.split())[:160], (time.perf_counter() - started) * 1000))

    @contextmanager
    def record(self) -> Iterator[list[tuple[str, float]]]:
        self.recording = []
        try:
            yield self.recording
        finally:
            self.recording = None


def single_user(pages: dict[str, list[str]], cookies: dict[str, str], requests: int) -> list[tuple]:
    from fastapi.testclient import TestClient

    from brokerage.app import create_app
    from brokerage.db import get_engine
    from brokerage.deps import SESSION_COOKIE

    statements = _Statements()
    statements.attach(get_engine())
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    rows = []
    slow: dict[str, list[tuple[float, str]]] = {}
    for kind, urls in pages.items():
        client.cookies.clear()
        if kind in cookies:
            client.cookies.set(SESSION_COOKIE, cookies[kind])
        for url in urls:
            status = client.get(url).status_code  # warm: catalogue, index, templates
            client.get(url)
            times = []
            with statements.record() as seen:
                for _ in range(requests):
                    t = time.perf_counter()
                    status = client.get(url).status_code
                    times.append((time.perf_counter() - t) * 1000)
            p = percentiles(times)
            per_statement: dict[str, float] = defaultdict(float)
            for sql, ms in seen:
                per_statement[sql] = max(per_statement[sql], ms)
            slow[f"{kind} {url}"] = sorted(((ms, sql) for sql, ms in per_statement.items()), reverse=True)[:3]
            flag = "" if _p95(times) <= 150 else "  ← over 150 ms"
            rows.append((kind, url, status, f"{p['p50']:.1f}", f"{_p95(times):.1f}", f"{len(seen) / requests:.0f}", flag))
    print_table("One user at a time (ms; target p95 ≤ 150)", ["user", "page", "status", "p50", "p95", "queries", ""], rows)
    print()
    print("Slowest statements of the slowest pages (longest single run, ms):")
    worst = sorted(rows, key=lambda r: -float(r[4]))[:8]
    for kind, url, *_ in worst:
        print(f"  {kind} {url}")
        for ms, sql in slow[f"{kind} {url}"]:
            print(f"    {ms:8.1f}  {sql}")
    return rows


def _p95(times: list[float]) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def many_users(base: str, pages: dict[str, list[str]], cookies: dict[str, str], seconds: int, users: int = 32) -> None:
    import httpx

    from brokerage.deps import SESSION_COOKIE

    choices = [(kind, url) for kind, urls in pages.items() for url in urls]
    latencies: dict[tuple[str, str], list[float]] = defaultdict(list)
    errors: dict[int, int] = defaultdict(int)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def one_user(n: int) -> None:
        rng = random.Random(n)
        clients = {
            kind: httpx.Client(base_url=base, timeout=60, cookies={SESSION_COOKIE: cookies[kind]} if kind in cookies else {})
            for kind in pages
        }
        try:
            while time.monotonic() < stop:
                kind, url = rng.choice(choices)
                t = time.perf_counter()
                try:
                    status = clients[kind].get(url).status_code
                except httpx.TimeoutException:
                    status = 0  # no answer within the client's timeout: counted, timed as that long
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    latencies[(kind, url)].append(ms)
                    if status >= 400 or status == 0:
                        errors[status] += 1
        finally:
            for c in clients.values():
                c.close()

    threads = [threading.Thread(target=one_user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [ms for v in latencies.values() for ms in v]
    rows = []
    for (kind, url), v in sorted(latencies.items(), key=lambda kv: -percentiles(kv[1])["p99"]):
        p = percentiles(v)
        rows.append((kind, url, p["n"], f"{p['p50']:.0f}", f"{p['p99']:.0f}", "" if p["p99"] <= 500 else "  ← over 500 ms"))
    total = percentiles(everything)
    rows.append(("all", "", total["n"], f"{total['p50']:.0f}", f"{total['p99']:.0f}", ""))
    print_table(
        f"{users} users at once for {seconds} s ({total['n'] / seconds:.0f} pages/s; target p99 ≤ 500 ms)",
        ["user", "page", "n", "p50", "p99", ""],
        rows,
    )
    if errors:
        print(f"error statuses (0: no answer within 60 s): {dict(errors)}")


def _server_memory_mib(port: int) -> tuple[float, float] | None:
    """(VmRSS, VmHWM) of the process listening on ``port``."""
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    if "pid=" not in out:
        return None
    pid = out.split("pid=")[1].split(",")[0]
    status = Path(f"/proc/{pid}/status").read_text()
    fields = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if line.startswith(("VmRSS", "VmHWM"))}
    return int(fields["VmRSS"]) / 1024, int(fields["VmHWM"]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="county", choices=["tiny", "demo", "county"])
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--database-url", help="an already seeded database (not dropped)")
    ap.add_argument("--keep", action="store_true", help="keep the database this run seeds")
    args = ap.parse_args()
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    dbname = None
    if args.database_url:
        url = args.database_url
    else:
        dbname = f"brokerage_bench_pages_{os.getpid()}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{dbname}"'))
        url = make_url(admin_url).set(database=dbname).render_as_string(hide_password=False)
    env = {"BROKERAGE_DATABASE_URL": url, "BROKERAGE_SECRET_KEY": "benchmark-secret-" + "x" * 40, "BROKERAGE_ENVIRONMENT": "test"}
    env["BROKERAGE_THROTTLE_ENABLED"] = "false"
    try:
        if dbname is not None:
            print(f"Seeding a {args.scale} county into {dbname} …", flush=True)
            t = time.perf_counter()
            subprocess.run(
                [PY, "-m", "workers.cli", "seed", "--scale", args.scale, "--quiet"],
                cwd=ROOT,
                env={**os.environ, **env},
                check=True,
            )
            print(f"seeded in {time.perf_counter() - t:.0f} s", flush=True)
        os.environ.update(env)
        ids, cookies = _ids_and_cookies()
        pages = _pages(ids)
        single_user(pages, cookies, args.requests)
        port = free_port()
        with server("brokerage.app:create_app", port, env, factory=True):
            base = f"http://127.0.0.1:{port}"
            many_users(base, pages, cookies, seconds=min(5, args.seconds), users=4)  # warm every page
            many_users(base, pages, cookies, seconds=args.seconds)
            memory = _server_memory_mib(port)
        if memory:
            print(f"\nAPI process memory after the run: RSS {memory[0]:.0f} MiB, peak {memory[1]:.0f} MiB (target ≤ 500 MB)")
    finally:
        if dbname is not None and not args.keep:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        elif dbname is not None:
            print(f"kept {url}")
        admin.dispose()


if __name__ == "__main__":
    main()
