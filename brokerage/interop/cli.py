"""Command line: ``brokerage import …``, ``brokerage feed export`` and ``brokerage duplicates scan``.

Examples::

    brokerage import volunteers tk_volunteers.csv --format teamkinetic --centre-id 3            # dry run
    brokerage import volunteers tk_volunteers.csv --format teamkinetic --centre-id 3 --commit   # import
    brokerage import sessions tk_sessions.csv --centre-id 3 --commit
    brokerage import volunteers people.xlsx --format generic --map first_name=Forename --map last_name=Surname --centre-id 3
    brokerage import feed https://example.org/feed.jsonld --centre-id 3 --commit
    brokerage import confirm 42
    brokerage feed export --out kent.jsonld
    brokerage duplicates scan
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path


def _print_report(batch, limit: int = 200) -> None:
    print(f"Import {batch.id}: {batch.kind} from {batch.filename} ({batch.format}) — {batch.status}")
    if batch.status == "needs_mapping":
        print("Columns in the file: " + ", ".join(batch.columns or []))
        print("Suggested mapping (give yours with --map FIELD=COLUMN):")
        for field, column in (batch.mapping or {}).items():
            print(f"  --map {field}={column!r}")
        return
    print(f"Rows: {batch.total_rows}  problems: {batch.error_count}  warnings: {batch.warning_count}")
    for p in batch.problems[:limit]:
        where = "file" if p["row"] == 0 else f"row {p['row']}"
        field = f" [{p['field']}]" if p["field"] else ""
        print(f"  {p['severity']:<7} {where}{field}: {p['problem']}")
    if len(batch.problems) > limit:
        print(f"  … and {len(batch.problems) - limit} more (see GET /imports/{batch.id}).")
    for key, value in (batch.summary or {}).items():
        print(f"  {key.replace('_', ' ')}: {value}")


class _Bar:
    def __init__(self, total: int | None, desc: str, quiet: bool):
        self.bar = None
        if not quiet:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="row", file=sys.stderr, leave=False)

    def __call__(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _content(source: str) -> tuple[bytes, str]:
    if source.startswith(("http://", "https://")):
        from brokerage.interop.fetch import fetch

        return fetch(source), source
    path = Path(source)
    if not path.is_file():
        raise SystemExit(f"There is no file at {source}.")
    return path.read_bytes(), path.name


def cmd_import(args: argparse.Namespace) -> int:
    from brokerage.db import session_scope
    from brokerage.errors import BrokerageError
    from brokerage.interop.imports import service

    content, name = _content(args.file)
    mapping = None
    if getattr(args, "map", None):
        mapping = dict(item.split("=", 1) for item in args.map)
    kind = args.import_kind
    fmt = "data_standard" if kind == "feed" else args.format
    try:
        with session_scope() as session:
            bar = _Bar(None, "Checking", args.quiet)
            batch = service.start(
                session,
                None,
                kind=kind,
                format=fmt,
                filename=name,
                content=content,
                mapping=mapping,
                area=getattr(args, "area", None),
                centre_id=args.centre_id,
                progress=bar,
            )
            bar.close()
            batch_id = batch.id
            _print_report(batch)
        if batch.status == "needs_mapping" or batch.error_count:
            print("Nothing was imported." + (" Correct the file and run the command again." if batch.error_count else ""))
            return 1
        if not args.commit:
            print(f"Dry run only: nothing was imported. Run again with --commit, or: brokerage import confirm {batch_id}")
            return 0
        return _confirm(batch_id, args.quiet)
    except BrokerageError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        for d in exc.details[:50]:
            print(f"  {d.get('field')}: {d.get('message')}", file=sys.stderr)
        return 1


def _confirm(batch_id: int, quiet: bool) -> int:
    from brokerage.db import session_scope
    from brokerage.interop.imports import service

    with session_scope() as session:
        batch = service.get(session, None, batch_id)
        bar = _Bar(batch.total_rows or None, "Importing", quiet)
        batch = service.confirm(session, None, batch_id, progress=bar)
        bar.close()
        result = (batch.summary or {}).get("result", {})
    print("Imported: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result.items()))
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    from brokerage.errors import BrokerageError

    try:
        return _confirm(args.batch_id, args.quiet)
    except BrokerageError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        for d in exc.details[:50]:
            print(f"  {d.get('field')}: {d.get('message')}", file=sys.stderr)
        return 1


def cmd_export_feed(args: argparse.Namespace) -> int:
    from brokerage import links
    from brokerage.db import session_scope
    from brokerage.interop.feed_export import whole_feed

    since = datetime.fromisoformat(args.modified_since) if args.modified_since else None
    with session_scope() as session:
        doc = whole_feed(session, base_url=links.base_url(), modified_since=since)
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Wrote {len(doc['@graph'])} organisations and their published roles to {args.out}.")
    else:
        print(text)
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    from brokerage.db import session_scope
    from brokerage.interop.dedup import scan

    with session_scope() as session:
        result = scan(session, None)
    print(f"Compared {result.compared:,} volunteers: {result.found:,} likely duplicate pairs, {result.new:,} new for review.")
    return 0


def register(subparsers) -> None:
    imp = subparsers.add_parser("import", help="import volunteers, sessions/hours or a data-standard feed (dry run first)")
    isub = imp.add_subparsers(dest="import_kind", required=True)
    for kind, help_text in (
        ("volunteers", "volunteers from TeamKinetic or a spreadsheet"),
        ("sessions", "sessions and hours from TeamKinetic or a spreadsheet"),
        ("feed", "roles from a UK Volunteering Data Standard feed (file or URL)"),
    ):
        p = isub.add_parser(kind, help=help_text)
        p.add_argument("file", help="CSV or .xlsx file" if kind != "feed" else "JSON-LD file or https:// address")
        if kind != "feed":
            p.add_argument("--format", choices=["teamkinetic", "generic"], default="teamkinetic")
            p.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="column mapping for a generic spreadsheet")
        else:
            p.add_argument("--area", choices=["kent_medway"], help="keep only roles in Kent and Medway and remote roles")
        p.add_argument("--centre-id", type=int, required=True, help="the volunteer centre importing the records")
        p.add_argument("--commit", action="store_true", help="import if the dry run finds no problems")
        p.add_argument("--quiet", action="store_true")
        p.set_defaults(func=cmd_import)
    p = isub.add_parser("confirm", help="import a file already checked (by its import id)")
    p.add_argument("batch_id", type=int)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_confirm)

    fd = subparsers.add_parser("feed", help="the UK Volunteering Data Standard feed").add_subparsers(
        dest="feed_command", required=True
    )
    p = fd.add_parser("export", help="write published roles as a JSON-LD feed")
    p.add_argument("--out", help="file to write (default: print)")
    p.add_argument("--modified-since", help="only roles changed after this time (ISO 8601)")
    p.set_defaults(func=cmd_export_feed)

    dup = subparsers.add_parser("duplicates", help="duplicate volunteers").add_subparsers(
        dest="duplicates_command", required=True
    )
    p = dup.add_parser("scan", help="look for likely duplicate volunteers across the county")
    p.set_defaults(func=cmd_scan)
