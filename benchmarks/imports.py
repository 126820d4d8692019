"""File imports and the duplicates scan at county scale: time and peak memory, each in its own process.

    .venv/bin/python benchmarks/imports.py [--mb 50] [--people 200000] [--roles 10000]
        [--skip-import] [--skip-duplicates] [--skip-feed]

1. A TeamKinetic-shaped volunteers CSV of about 50 MB (the 44 columns of the real export, a duplicated
   VOLID column, mobiles without their leading 0) is written to a scratch directory, and a scratch
   PostgreSQL database is migrated. Timed, each in a fresh process so that its peak resident memory is
   its own:

   * baseline: reading the file with the standard ``csv`` module (every row, nothing kept);
   * the dry run: ``imports.service.start`` (upload, read, check every row; nothing written);
   * the commit: ``imports.service.confirm`` of that batch (the file is checked again, then written).

2. The duplicates scan (``brokerage.interop.dedup.find_duplicates``) over a synthetic county of 200,000
   volunteer records with planted duplicates (``tests/interop/synthetic_county.py``), against a baseline
   of preparing the records and building the blocking keys only.

3. A data-standard feed of 10,000 roles in the publishing guide's nested shape (``--roles``): its dry
   run and commit (``kind="feed"``), against a baseline of ``json.loads`` of the same file.

Targets: peak memory at most 300 MB for the import, at most 2 minutes and 1 GB for the scan. Prints
figures and ratios; asserts nothing. The scratch database and file are removed afterwards.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks._common import maxrss_mib, print_table  # noqa: E402

ADMIN_URL = os.environ.get("BROKERAGE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IMPORT_TARGET_MIB = 300
SCAN_TARGET_S, SCAN_TARGET_MIB = 120, 1024

HEADER = (
    "VOLID,VOLLONGID,FIRSTNAME,SURNAME,DOB,GENDER,TEAMLEADER,ETHNICITY,ADDRESS,ADDRESS2,CITY,COUNTY_STATE_REGION,COUNTRY,"
    "POSTCODE,MOBILE,LANDLINE,EMAIL,EMNAME,EMMOBILE,AGE,DATEREGISTERED,CRIMINALCHECK,CRIMINALCHECKENHANCED,CHECKEXPIRES,"
    "CRIMINALCHECKNUMBER,INDUCTED,SUPPORTREQUIRED,DISABLED,DISABILITYDESCRIPTION,SENDEMAILS,NEWVOLUNTEER,TOTALVOLHOURS,"
    "TOTALPROHOURS,STATUS,IDENTIFICATIONCHECKED,LASTLOGINDATE,VOLID,Date_of_Volunteer_Inductio,Test_custom_profile_field_,"
    "thischeckbox,yesno,profile_question,question,sdfsdf"
).split(",")
FIRST = "Oliver George Harry Amelia Isla Ava Priya Aisha Mohammed Fatima Chidi Ngozi Siobhan Declan Rhys Zoë Chloé".split()
LAST = "Smith Jones Williams Taylor Brown Davies Evans Wilson Patel Khan Okafor Nowak Begum Singh O'Brien".split()
ETHNICITY = ["British", "Bangladeshi", "Somali", "Chinese", "Irish", "Caribbean", "Other African", "", "Prefer not to say"]
STATUS = ["", "Access Granted", "New", "Access Denied"]
OUTCODES = "TN23 TN24 CT1 CT2 DA1 CT16 CT19 ME14 ME15 TN13 CT21 ME10 CT9 TN9 TN1 ME4 ME7".split()


def log(msg: str) -> None:
    print(msg, flush=True)


def write_volunteers(path: Path, megabytes: int) -> int:
    rng = random.Random(12)
    target = megabytes * 1024 * 1024 - 2048  # just under the upload limit
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(HEADER)
        while fh.tell() < target:
            rows += 1
            first, last = rng.choice(FIRST), rng.choice(LAST)
            volid = str(rows)
            pc = f"{rng.choice(OUTCODES)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            w.writerow(
                [
                    volid,
                    str(uuid.UUID(int=rng.getrandbits(128))).upper(),
                    first,
                    last,
                    f"{rng.randint(1945, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(["Male", "Female", ""]),
                    "False",
                    rng.choice(ETHNICITY),
                    f"{rng.randint(1, 200)} High Street",
                    "",
                    "Ashford",
                    "Kent",
                    "GB",
                    pc,
                    f"7{rng.randint(100000000, 999999999)}",
                    f"1{rng.randint(10000000, 99999999)}",
                    f"{first.lower()}.{last.lower().replace(chr(39), '')}{rows}@example.net",
                    "",
                    "",
                    str(rng.randint(18, 80)),
                    f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(["True", "False"]),
                    "False",
                    "01/01/2049",
                    f"{rng.getrandbits(32):08X}-9",
                    "False",
                    "False",
                    "False",
                    "",
                    "True",
                    "False",
                    rng.choice(["", "", "12.5", "3"]),
                    rng.choice(["", "", "12", "3"]),
                    rng.choice(STATUS),
                    "False",
                    "21/10/2025 10:35:00",
                    volid,
                    "",
                    "",
                    "",
                    "",
                    "yes",
                    "",
                    "",
                ]
            )
    return rows


# -- phases, each run in a fresh process --------------------------------------------------------------
def write_feed(path: Path, roles: int) -> int:
    """A feed in the publishing guide's nested shape: organisations of five activities with two roles
    each, every role with a session in a Kent town, weekly slots or dated times, and concepts as IRIs."""
    rng = random.Random(7)
    ns = "https://ns.volunteeringdata.io/"
    slots = [
        f"{d}{p}"
        for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        for p in ("Morning", "Afternoon", "Evening")
    ]
    causes = ["AntiPoverty", "Care", "Environment", "OlderPeople", "YouthAndChildren", "Health", "Heritage"]
    skills = ["ActiveListening", "EmpathyAndCompassion", "BasicFirstAid", "Driving", "DataEntryAndReporting"]
    graph, made, o = [], 0, 0
    while made < roles:
        o += 1
        activities = []
        for a in range(5):
            role_nodes = []
            for r in range(2):
                made += 1
                role_nodes.append(
                    {
                        "id": f"https://feeds.example.org/roles/{made}",
                        "title": f"Volunteer role {made}",
                        "description": "Help out in the community with a friendly team. " * 3,
                        "commitment": "Two hours a week",
                        "minimumAge": str(rng.choice([14, 16, 18])),
                        "allowsRemoteParticipation": rng.random() < 0.1,
                        "skill": [ns + rng.choice(skills)],
                        "requirement": [ns + "DBSCheck"] if rng.random() < 0.3 else [],
                        "cause": [ns + rng.choice(causes)],
                    }
                )
            pc = f"{rng.choice(OUTCODES)} {rng.randint(1, 9)}AA"
            time_values: list[Any] = [ns + s for s in rng.sample(slots, 3)]
            if rng.random() < 0.2:
                time_values = [{"beginning": "2026-05-16T10:00:00+01:00", "end": "2026-05-16T13:00:00+01:00"}]
            activities.append(
                {
                    "id": f"https://feeds.example.org/activities/{o}-{a}",
                    "title": f"Activity {o}-{a}",
                    "description": "An activity of the organisation.",
                    "role": role_nodes,
                    "session": [{"location": {"name": "Hall", "address": f"1 High Street, {pc}"}, "time": time_values}],
                }
            )
        graph.append(
            {
                "type": "Organisation",
                "id": f"https://feeds.example.org/organisations/{o}",
                "name": f"Organisation {o}",
                "description": "A community group.",
                "cause": [ns + rng.choice(causes)],
                "activity": activities,
            }
        )
    path.write_text(json.dumps({"@context": "https://api.volunteeringdata.io/context/v1", "graph": graph}), encoding="utf-8")
    return made


def phase_feed_baseline(path: str) -> dict:
    t = time.perf_counter()
    doc = json.loads(Path(path).read_bytes())
    n = sum(len(r["role"]) for o in doc["graph"] for r in o["activity"])
    return {"seconds": time.perf_counter() - t, "rows": n}


def phase_baseline(path: str) -> dict:
    t = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as fh:
        n = sum(1 for _ in csv.reader(fh)) - 1
    return {"seconds": time.perf_counter() - t, "rows": n}


def _engine(url: str):
    from brokerage.db import make_engine, set_engine

    engine = make_engine(url=url)
    set_engine(engine)
    return engine


def _timed_dry_run(url: str, path: str, centre_id: int, kind: str, format: str, filename: str) -> tuple[Any, dict]:
    """``imports.service.start`` of the file, timed; the batch and the figures every dry run reports."""
    from brokerage.db import session_scope
    from brokerage.interop.imports import service

    _engine(url)
    content = Path(path).read_bytes()
    t = time.perf_counter()
    with session_scope() as session:
        batch = service.start(session, None, kind=kind, format=format, filename=filename, content=content, centre_id=centre_id)
        out: dict[str, Any] = {"batch": batch.id, "rows": batch.total_rows, "errors": batch.error_count}
        out["warnings"] = batch.warning_count
        summary = dict(batch.summary or {})
    out["seconds"] = time.perf_counter() - t
    return summary, out


def _timed_commit(url: str, batch_id: int, **options: Any) -> tuple[Any, dict]:
    """``imports.service.confirm`` of a dry-run batch, timed; the result summary and the seconds."""
    from brokerage.db import session_scope
    from brokerage.interop.imports import service

    _engine(url)
    t = time.perf_counter()
    with session_scope() as session:
        batch = service.confirm(session, None, batch_id, **options)
        result, rejected = dict(batch.summary["result"]), batch.rejected_count
    return result, {"seconds": time.perf_counter() - t, "rejected": rejected}


def phase_dry_run(url: str, path: str, centre_id: int) -> dict:
    summary, out = _timed_dry_run(url, path, centre_id, "volunteers", "teamkinetic", "volunteers.csv")
    return {**out, "to_create": summary.get("volunteers_to_create")}


def phase_commit(url: str, batch_id: int) -> dict:
    result, out = _timed_commit(url, batch_id, take_good_rows=True)
    return {**out, "created": result["volunteers_created"]}


def phase_feed_dry_run(url: str, path: str, centre_id: int) -> dict:
    summary, out = _timed_dry_run(url, path, centre_id, "feed", "data_standard", "feed.jsonld")
    return {**out, "to_create": summary.get("roles_to_create")}


def phase_feed_commit(url: str, batch_id: int) -> dict:
    result, out = _timed_commit(url, batch_id)
    return {"seconds": out["seconds"], "created": result["roles_created"], "organisations": result["organisations_created"]}


def _people(n: int):
    from tests.interop.synthetic_county import generate

    people, truth = generate(n=n, duplicates=n // 100, seed=11)
    return people, truth


def phase_blocking(n: int) -> dict:
    from brokerage.interop.dedup import _keys, _prepare

    people, _ = _people(n)
    t = time.perf_counter()
    keys = sum(len(_keys(_prepare(p))) for p in people)
    return {"seconds": time.perf_counter() - t, "records": len(people), "keys": keys}


def phase_scan(n: int) -> dict:
    from brokerage.interop.dedup import ScanStats, find_duplicates
    from tests.interop.synthetic_county import precision_recall

    people, truth = _people(n)
    stats = ScanStats()
    t = time.perf_counter()
    matches = find_duplicates(people, stats=stats)
    seconds = time.perf_counter() - t
    precision, recall = precision_recall({(m.a, m.b) for m in matches}, truth)
    return {
        "seconds": seconds,
        "records": len(people),
        "pairs_compared": stats.pairs_compared,
        "blocks": stats.blocks,
        "capped_blocks": stats.capped_blocks,
        "largest_block": stats.largest_block,
        "found": len(matches),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
    }


PHASES = {
    "baseline": lambda a: phase_baseline(a.path),
    "dry-run": lambda a: phase_dry_run(a.url, a.path, a.centre),
    "commit": lambda a: phase_commit(a.url, a.batch),
    "blocking": lambda a: phase_blocking(a.people),
    "scan": lambda a: phase_scan(a.people),
    "feed-baseline": lambda a: phase_feed_baseline(a.path),
    "feed-dry-run": lambda a: phase_feed_dry_run(a.url, a.path, a.centre),
    "feed-commit": lambda a: phase_feed_commit(a.url, a.batch),
}


def run_phase(name: str, *args: str) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"The {name} phase failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the scratch database -------------------------------------------------------------------------------
def create_db(name: str) -> str:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_db(name: str) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def bench_import(megabytes: int) -> None:
    name = f"bench_imports_{os.getpid()}"
    url = create_db(name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "volunteers.csv"
        try:
            os.environ["BROKERAGE_DATABASE_URL"] = url
            from brokerage.cli import migrate

            migrate(url)
            engine = create_engine(url)
            with engine.begin() as c:
                centre = c.execute(
                    text("INSERT INTO centres (name, is_lead, created_at) VALUES ('Bench Centre', true, now()) RETURNING id")
                ).scalar_one()
            engine.dispose()
            t = time.perf_counter()
            rows = write_volunteers(path, megabytes)
            size = path.stat().st_size / 1024 / 1024
            log(f"Wrote {rows:,} volunteer rows ({size:.1f} MB) in {time.perf_counter() - t:.1f} s")
            base = run_phase("baseline", "--path", str(path))
            dry = run_phase("dry-run", "--url", url, "--path", str(path), "--centre", str(centre))
            commit = run_phase("commit", "--url", url, "--batch", str(dry["batch"]))
        finally:
            drop_db(name)
    print_table(
        f"Volunteers CSV, {size:.1f} MB, {rows:,} rows (peak memory target {IMPORT_TARGET_MIB} MB)",
        ["phase", "time (s)", "x baseline", "rows/s", "peak RSS (MiB)", "notes"],
        [
            ["baseline: csv.reader", f"{base['seconds']:.1f}", "1.0", f"{rows / base['seconds']:,.0f}", f"{base['rss']:.0f}", ""],
            [
                "dry run (start)",
                f"{dry['seconds']:.1f}",
                f"{dry['seconds'] / base['seconds']:.1f}",
                f"{rows / dry['seconds']:,.0f}",
                f"{dry['rss']:.0f}",
                f"to create {dry['to_create']:,}, problems {dry['errors']:,}, warnings {dry['warnings']:,}",
            ],
            [
                "commit (confirm)",
                f"{commit['seconds']:.1f}",
                f"{commit['seconds'] / base['seconds']:.1f}",
                f"{rows / commit['seconds']:,.0f}",
                f"{commit['rss']:.0f}",
                f"created {commit['created']:,}, rejected {commit['rejected']:,}",
            ],
        ],
    )


def bench_feed(roles: int) -> None:
    name = f"bench_feed_{os.getpid()}"
    url = create_db(name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.jsonld"
        try:
            from brokerage.cli import migrate

            migrate(url)
            engine = create_engine(url)
            with engine.begin() as c:
                centre = c.execute(
                    text("INSERT INTO centres (name, is_lead, created_at) VALUES ('Bench Centre', true, now()) RETURNING id")
                ).scalar_one()
            engine.dispose()
            made = write_feed(path, roles)
            size = path.stat().st_size / 1024 / 1024
            base = run_phase("feed-baseline", "--path", str(path))
            dry = run_phase("feed-dry-run", "--url", url, "--path", str(path), "--centre", str(centre))
            commit = run_phase("feed-commit", "--url", url, "--batch", str(dry["batch"]))
        finally:
            drop_db(name)
    print_table(
        f"Data-standard feed, {made:,} roles ({size:.1f} MB; peak memory target {IMPORT_TARGET_MIB} MB)",
        ["phase", "time (s)", "x baseline", "peak RSS (MiB)", "notes"],
        [
            ["baseline: json.loads", f"{base['seconds']:.2f}", "1.0", f"{base['rss']:.0f}", ""],
            [
                "dry run (start)",
                f"{dry['seconds']:.1f}",
                f"{dry['seconds'] / base['seconds']:.0f}",
                f"{dry['rss']:.0f}",
                f"rows {dry['rows']:,}, to create {dry['to_create']:,}, problems {dry['errors']:,}",
            ],
            [
                "commit (confirm)",
                f"{commit['seconds']:.1f}",
                f"{commit['seconds'] / base['seconds']:.0f}",
                f"{commit['rss']:.0f}",
                f"created {commit['created']:,} roles, {commit['organisations']:,} organisations",
            ],
        ],
    )


def bench_scan(people: int) -> None:
    base = run_phase("blocking", "--people", str(people))
    scan = run_phase("scan", "--people", str(people))
    print_table(
        f"Duplicates scan over {scan['records']:,} records (targets {SCAN_TARGET_S} s, {SCAN_TARGET_MIB} MiB)",
        ["phase", "time (s)", "x baseline", "peak RSS (MiB)", "notes"],
        [
            ["baseline: blocking keys only", f"{base['seconds']:.1f}", "1.0", f"{base['rss']:.0f}", f"{base['keys']:,} keys"],
            [
                "find_duplicates",
                f"{scan['seconds']:.1f}",
                f"{scan['seconds'] / base['seconds']:.1f}",
                f"{scan['rss']:.0f}",
                f"{scan['pairs_compared']:,} pairs in {scan['blocks']:,} blocks ({scan['capped_blocks']:,} capped, "
                f"largest {scan['largest_block']:,}); found {scan['found']:,}, precision {scan['precision']}, "
                f"recall {scan['recall']}",
            ],
        ],
    )
    log("(peak RSS includes generating the synthetic county in the same process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-duplicates", action="store_true")
    parser.add_argument("--roles", type=int, default=10_000, help="roles in the data-standard feed")
    parser.add_argument("--skip-feed", action="store_true")
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--url")
    parser.add_argument("--path")
    parser.add_argument("--centre", type=int)
    parser.add_argument("--batch", type=int)
    args = parser.parse_args()
    if args.phase:
        out = PHASES[args.phase](args)
        out["rss"] = maxrss_mib()
        print(json.dumps(out))
        return
    if not args.skip_import:
        bench_import(args.mb)
    if not args.skip_feed:
        bench_feed(args.roles)
    if not args.skip_duplicates:
        bench_scan(args.people)


if __name__ == "__main__":
    main()
