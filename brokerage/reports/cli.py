"""``brokerage reports rebuild-rollups`` and ``brokerage reports export``."""

from __future__ import annotations

import argparse
import sys


def cmd_rebuild(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select
    from tqdm import tqdm

    from brokerage.db import session_scope
    from brokerage.models import Placement
    from brokerage.reports.rollups import rebuild_all

    with session_scope() as session:
        lo, hi = session.execute(select(func.min(Placement.id), func.max(Placement.id))).one()
    total = (hi - lo + 1) if lo is not None else 0
    with tqdm(total=total, unit="placement ids", disable=args.quiet) as bar:

        def advance(placement_ids: int) -> None:
            bar.update(placement_ids)

        rebuild_all(session_scope, batch_size=args.batch_size, progress=advance)
    print(f"Rebuilt the hours rollups for placement ids {lo}–{hi}." if total else "No placements: nothing to roll up.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Print a county report (as a pilot lead would see it) to stdout or a file."""
    from brokerage.auth.principal import Principal
    from brokerage.db import session_scope
    from brokerage.reports import exports, service
    from brokerage.reports.schemas import ReportParams

    principal = Principal(user_id=0, role="pilot_lead", email="cli@localhost", full_name="Command line")
    params = ReportParams(
        period=args.period, districts=args.district or None, dimensions=args.dimension or ["district", "quarter"]
    )
    with session_scope() as session:
        report = service.build_report(session, principal, params)
    if args.format == "json":
        data = service.report_json_bytes(report)
    elif args.format == "csv":
        data = b"".join(c.encode() for c in exports.csv_chunks(report))
    elif args.format == "xlsx":
        data = exports.xlsx_bytes(report)
    else:
        data = exports.html_report(report).encode()
    if args.output:
        with open(args.output, "wb") as fh:
            fh.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def register(subparsers) -> None:
    reports = subparsers.add_parser("reports", help="value-of-volunteering reports").add_subparsers(
        dest="reports_command", required=True
    )
    p = reports.add_parser("rebuild-rollups", help="rebuild the hours rollups from approved hours (with progress)")
    p.add_argument("--batch-size", type=int, default=20_000, help="placements per transaction")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_rebuild)
    p = reports.add_parser("export", help="write a county report (json, csv, xlsx or html)")
    p.add_argument("--period", required=True, help="2025, 2025-26, 2025-Q2 or 2025-04")
    p.add_argument("--district", action="append")
    p.add_argument("--dimension", action="append")
    p.add_argument("--format", choices=["json", "csv", "xlsx", "html"], default="json")
    p.add_argument("--output", "-o")
    p.set_defaults(func=cmd_export)
