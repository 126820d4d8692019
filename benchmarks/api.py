"""API speed against FastAPI's hello world, timed in the same run on the same machine.

Targets: the role list ≥ 60% and ranked search ≥ 50% of hello world's requests/s, both with p99 ≤ 50 ms
(1 API process, 32 connections); the matches API p50 ≤ 1.5 ms over one connection; two API processes
on the same database serve ranked search at ≥ 1.7× one process.

    python -m benchmarks.api [--seconds 10] [--scale demo] [--runs 3]

Ranked search is timed twice: the same query again and again (an anonymous answer is then sent again
from memory while the catalogue and the index stand still) and every query different (each one is
ranked afresh: the worst case).

Needs PostgreSQL (BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres) and `wrk`.
It creates and drops its own database. Never asserts: prints a table per run.
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
import tempfile
import urllib.error
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
def server(app: str, port: int, env: dict, factory: bool = False, workers: int = 1):
    cmd = [PY, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    if factory:
        cmd.append("--factory")
    if workers > 1:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 300  # a busy shared machine can take minutes to start two workers
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # it answers (a 404 for the app's root)
            except OSError:
                time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:  # still busy with requests a timed-out client gave up on
            proc.kill()
            proc.wait()


# Every request a different search: a term, a postcode and a radius that no earlier request used.
UNIQUE_SEARCHES = """
local terms = {"garden", "driver", "befriending", "library", "shop", "youth", "museum", "walk", "food", "", "care", "sport"}
local postcodes = {"TN23%201AA", "CT1%201AA", "ME14%201AA", "DA1%201AA", "CT20%201AA", "TN1%201AA", "ME4%204AA", "CT9%201AA"}
local n = 0
request = function()
  n = n + 1
  local miles = 5 + (n % 2000) / 100 + math.random()
  local path = "/search/roles?q=" .. terms[n % #terms + 1] .. "&postcode=" .. postcodes[n % #postcodes + 1] .. "&miles=" .. string.format("%.4f", miles)
  return wrk.format("GET", path)
end
"""


_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (uvicorn's workers)."""
    total = 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / _TICK
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except (OSError, ValueError, IndexError):
        return total
    return total + sum(tree_cpu(c) for c in children)


def _search(pattern: str, text: str) -> re.Match[str]:
    m = re.search(pattern, text)
    if m is None:
        raise RuntimeError(f"wrk printed no {pattern!r}:\n{text}")
    return m


def wrk(
    url: str, seconds: int, connections: int = 32, headers: dict | None = None, script: str | None = None, pid: int | None = None
) -> dict:
    """wrk's figures, and (given the server's ``pid``) the server's CPU time per request: what the other
    work on a shared machine adds least to, and what says how many requests a free core would serve."""
    cmd = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script is not None:
        cmd[1:1] = ["-s", script]
    for k, v in (headers or {}).items():
        cmd[1:1] = ["-H", f"{k}: {v}"]
    cpu0 = tree_cpu(pid) if pid is not None else 0.0
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu = tree_cpu(pid) - cpu0 if pid is not None else float("nan")
    rps = float(_search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(_search(r"(\d+) requests in", out).group(1))

    def pct(p: str) -> float:
        m = _search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": pct("50"),
        "p99": pct("99"),
        "non2xx": int(errors.group(1)) if errors else 0,
        "cpu_us": cpu / max(1, requests) * 1e6,
    }


def _in_process_ranking(env: dict) -> tuple[str, int, float]:
    """A volunteer's token and id, and the median time of their top 10 ranked in this process."""
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
    return token, vid, statistics.median(timings)


SEARCH = "/search/roles?q=garden&postcode=TN23%201AA&miles=15"


def _app_rows(base: str, seconds: int, script: str, token: str, vid: int, one: bool, pid: int) -> dict[str, dict]:
    out = {}
    # Warm: the catalogue, the index and the text model are built. A new connection for every request,
    # so that every process behind the port gets some (a process's first requests build its own).
    fresh = {"Connection": "close"}
    wrk(f"{base}/roles?page_size=20", 2, headers=fresh)
    wrk(f"{base}{SEARCH}", 2, headers=fresh)
    wrk(f"{base}/search/roles", 2, script=script, headers=fresh)
    out["roles"] = wrk(f"{base}/roles?page_size=20", seconds, pid=pid)
    if one:
        out["roles_filtered"] = wrk(f"{base}/roles?cause=OlderPeople&district=E07000105&page_size=20", seconds, pid=pid)
    out["search"] = wrk(f"{base}{SEARCH}", seconds, pid=pid)
    out["search_unique"] = wrk(f"{base}/search/roles", seconds, script=script, pid=pid)
    if one:
        auth = {"Authorization": f"Bearer {token}"}
        wrk(f"{base}/volunteers/{vid}/matches", 2, connections=1, headers=auth)
        out["matches"] = wrk(f"{base}/volunteers/{vid}/matches", seconds, connections=1, headers=auth, pid=pid)
    return out


def _print_run(run: int, hello: dict, hello_one: dict, one: dict, two: dict, in_process: float, seen: dict[str, float]) -> None:
    rows: list[tuple[str, dict, dict | None, str]] = [
        ("hello world (baseline)", hello, None, ""),
        ("hello world (1 connection: the HTTP floor)", hello_one, None, ""),
        ("GET /roles (list, 20 a page)", one["roles"], hello, "≥ 60%, p99 ≤ 50"),
        ("GET /roles?cause=…&district=…", one["roles_filtered"], hello, "≥ 60%, p99 ≤ 50"),
        ("GET /search/roles, same query", one["search"], hello, "≥ 50%, p99 ≤ 50"),
        ("GET /search/roles, every query new", one["search_unique"], hello, "(worst case)"),
        ("GET /volunteers/{id}/matches (1 conn)", one["matches"], None, "p50 ≤ 1.5"),
        ("2 processes: GET /roles", two["roles"], one["roles"], "vs 1 process"),
        ("2 processes: search, same query", two["search"], one["search"], "≥ 1.7× 1 process"),
        ("2 processes: search, every query new", two["search_unique"], one["search_unique"], "≥ 1.7× 1 process"),
    ]
    print()
    print(f"run {run}")
    print(
        f"{'work':<42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} {'non-2xx':>8} {'CPU us/req':>10} {'by CPU':>7}  target"
    )
    for name, r, ref, target in rows:
        if ref is None:
            ratio = by_cpu = "—"
        elif ref is hello:
            ratio = f"{r['rps'] / ref['rps']:.0%}"
            by_cpu = f"{ref['cpu_us'] / r['cpu_us']:.0%}"
        else:
            # Two processes on two free cores serve 2 × (one process's CPU per request / theirs) as much.
            ratio = f"{r['rps'] / ref['rps']:.2f}×"
            by_cpu = f"{2 * ref['cpu_us'] / r['cpu_us']:.2f}×"
        print(
            f"{name:<42} {r['rps']:>8.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} {ratio:>7} {r['non2xx']:>8} "
            f"{r['cpu_us']:>10.0f} {by_cpu:>7}  {target}"
        )
    m = one["matches"]
    print(
        f"matches: in-process ranking p50 {in_process:.2f} ms; over HTTP p50 {m['p50']:.2f} ms; "
        f"hello world over one connection p50 {hello_one['p50']:.2f} ms"
    )
    print(
        "'by CPU': the same ratio from the servers' CPU time per request (the load generator and the other "
        f"work on this {os.cpu_count()}-core machine take cores from the servers, not CPU time per request)"
    )
    if seen:
        print(
            "a change through one process, seen by the other (list and search): "
            + ", ".join(f"{what} {secs:.2f} s" for what, secs in seen.items())
            + " (target ≤ 2 s)"
        )


def _change_seen_elsewhere(port_a: int, port_b: int, env: dict) -> dict[str, float]:
    """Seconds from a change made through process A until process B's list and search show it."""
    import httpx
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from brokerage.auth.service import issue_api_token
    from tests.factories import ASHFORD, Factory

    os.environ.update(env)
    engine = create_engine(env["BROKERAGE_DATABASE_URL"])
    word = f"zq{os.getpid()}x{port_a}"
    with Session(engine, expire_on_commit=False) as s:
        f = Factory(s)
        organisation = f.organisation(ASHFORD)
        role = f.role(organisation, status="pending_review", title=f"Towpath {word} volunteer")
        staff = f.user("centre_staff", centre=f.centre(districts=(ASHFORD,), is_lead=True))
        headers = {"Authorization": f"Bearer {issue_api_token(staff)}"}
    engine.dispose()
    out: dict[str, float] = {}
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{port_b}", timeout=30) as b,
        httpx.Client(base_url=f"http://127.0.0.1:{port_a}", timeout=30) as a,
    ):

        def listed(q: str) -> dict[int, str]:
            return {i["id"]: i["title"] for i in b.get("/roles", params={"q": q}).json()["items"]}

        def found(q: str) -> dict[int, str]:
            return {i["role_id"]: i["title"] for i in b.get("/search/roles", params={"q": q}).json()}

        def until(what: str, check, since: float) -> None:
            while not check():
                if time.perf_counter() - since > 60:
                    out[what] = float("inf")
                    return
                time.sleep(0.01)
            out[what] = time.perf_counter() - since

        listed(word), found(word)  # both built
        a.post(f"/roles/{role.id}/status", json={"status": "published"}, headers=headers).raise_for_status()
        since = time.perf_counter()
        until("published: list", lambda: role.id in listed(word), since)
        until("search", lambda: role.id in found(word), since)
        a.patch(f"/roles/{role.id}", json={"title": f"Canal {word} helper"}, headers=headers).raise_for_status()
        since = time.perf_counter()
        until("edited: list", lambda: listed(word).get(role.id) == f"Canal {word} helper", since)
        until("search ", lambda: found(word).get(role.id) == f"Canal {word} helper", since)
        a.post(f"/roles/{role.id}/status", json={"status": "paused"}, headers=headers).raise_for_status()
        since = time.perf_counter()
        until("paused: list", lambda: role.id not in listed(word), since)
        until("search  ", lambda: role.id not in found(word), since)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--scale", default="demo", choices=["tiny", "demo"])
    ap.add_argument("--runs", type=int, default=3)
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
    app_env = {**env, "BROKERAGE_PAGES_ENABLED": "false"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(UNIQUE_SEARCHES)
        script = f.name
    try:
        print(f"Seeding a {args.scale} county into {dbname} …", flush=True)
        subprocess.run(
            [PY, "-m", "workers.cli", "seed", "--scale", args.scale, "--quiet"], cwd=ROOT, env={**os.environ, **env}, check=True
        )
        token, vid, in_process = _in_process_ranking(env)
        for run in range(1, args.runs + 1):
            hello_port = free_port()
            with server("benchmarks._hello:app", hello_port, {}) as proc:
                wrk(f"http://127.0.0.1:{hello_port}/", 2)
                hello = wrk(f"http://127.0.0.1:{hello_port}/", args.seconds, pid=proc.pid)
                hello_one = wrk(f"http://127.0.0.1:{hello_port}/", max(2, args.seconds // 2), connections=1, pid=proc.pid)
            port = free_port()
            with server("brokerage.app:create_app", port, app_env, factory=True) as proc:
                one = _app_rows(f"http://127.0.0.1:{port}", args.seconds, script, token, vid, one=True, pid=proc.pid)
            port = free_port()
            with server("brokerage.app:create_app", port, app_env, factory=True, workers=2) as proc:
                # Both processes must have built their catalogue and index before timing.
                two = _app_rows(f"http://127.0.0.1:{port}", args.seconds, script, token, vid, one=False, pid=proc.pid)
            port_a, port_b = free_port(), free_port()
            with (
                server("brokerage.app:create_app", port_a, app_env, factory=True),
                server("brokerage.app:create_app", port_b, app_env, factory=True),
            ):
                seen = _change_seen_elsewhere(port_a, port_b, env)
            _print_run(run, hello, hello_one, one, two, in_process, seen)
    finally:
        os.unlink(script)
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
