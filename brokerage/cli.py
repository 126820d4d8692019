"""The app's commands: serve, migrate, seed, geo import-onspd, create-user and each domain's own.

The installed ``brokerage`` command is ``workers/cli.py``: it builds this parser, adds the commands that
start background work (``worker``, ``relay``, ``scheduler``) and hands ``serve`` its in-process worker,
because ``brokerage`` never imports ``workers`` (docs/architecture.md).
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from brokerage import links
from brokerage.config import PROJECT_ROOT, get_settings
from brokerage.interop import cli as interop_cli
from brokerage.matches import cli as matches_cli
from brokerage.reports import cli as reports_cli

logger = logging.getLogger(__name__)


class InProcessWorker(Protocol):
    """Background work that ``serve`` runs beside the web app when no broker is configured."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


# What a module with commands of its own passes to build_parser: it adds them to the subcommands.
Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["configure_logging"] = False
    if url:
        cfg.attributes["url"] = url
    return cfg


def migrate(url: str | None = None) -> None:
    from alembic import command

    # Alembic announces each of its own plugins at INFO; only the migrations it runs are news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    command.upgrade(_alembic_config(url), "head")


def cmd_migrate(args: argparse.Namespace) -> int:
    migrate()
    print(f"Database is up to date ({_safe_url()}).")
    return 0


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().effective_database_url).render_as_string(hide_password=True)


def cmd_seed(args: argparse.Namespace) -> int:
    from brokerage.seed.generate import seed

    if not args.no_migrate:
        migrate()
    result = seed(scale=args.scale, seed=args.seed, progress=not args.quiet, reset=args.reset)
    print(result.summary())
    return 0


def _demo_is_loaded() -> bool:
    from sqlalchemy import func, select

    from brokerage.db import session_scope
    from brokerage.models import Volunteer

    with session_scope() as session:
        return (session.scalar(select(func.count(Volunteer.id))) or 0) > 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _base_url_from_address(args.host, args.port)
    migrate()
    if args.demo and not _demo_is_loaded():
        from brokerage.seed.generate import seed

        print("Loading the demo county (first run only)…", flush=True)
        seed(scale="demo", seed=2026, progress=True)
    embedded: InProcessWorker | None = None
    if not settings.effective_broker_url and not args.no_worker:
        # With no broker configured, background jobs run in this process.
        if args.in_process_worker is None:
            logger.warning("No broker and no in-process worker: background jobs are recorded but not run")
        else:
            embedded = args.in_process_worker()
            embedded.start()
    if args.demo:
        _print_banner_when_listening(args.host, args.port)
    try:
        uvicorn.run(
            "brokerage.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers if args.workers > 1 else None,
            log_level="info" if not args.quiet else "warning",
        )
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def _base_url_from_address(host: str, port: int):
    """With no BROKERAGE_BASE_URL, links in emails and the feed use the address this server listens
    on (set in the environment, so the embedded worker and any worker processes see it too)."""
    if "base_url" not in get_settings().model_fields_set:
        os.environ["BROKERAGE_BASE_URL"] = links.serve_base_url(host, port)
        get_settings.cache_clear()
    return get_settings()


def _print_banner_when_listening(host: str, port: int) -> None:
    """Print the address and demo logins once the server accepts connections (after its own logs)."""
    import socket
    import threading
    import time

    from brokerage.seed.generate import DEMO_LOGINS

    def wait_and_print() -> None:
        for _ in range(600):
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        url = f"http://{host}:{port}"
        lines = [
            "",
            f"Kent Volunteer Brokerage is running at {url}",
            f"  API documentation: {url}/docs",
            f"  Demo logins (password for all: {DEMO_LOGINS['password']}):",
            *(f"    {role:<30} {email}" for role, email in DEMO_LOGINS["accounts"]),
            "  Press Ctrl+C to stop.",
            "",
        ]
        print("\n".join(lines), flush=True)

    threading.Thread(target=wait_and_print, daemon=True, name="banner").start()


def cmd_geo_import(args: argparse.Namespace) -> int:
    from brokerage.geo.onspd_import import import_onspd

    n = import_onspd(Path(args.file), only_kent=not args.all_uk, progress=not args.quiet)
    print(f"Imported {n:,} postcodes.")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    import getpass

    from brokerage.db import session_scope
    from brokerage.users.service import create_account

    password = args.password or os.environ.get("BROKERAGE_NEW_USER_PASSWORD") or getpass.getpass("Password: ")
    with session_scope() as session:
        user = create_account(
            session, email=args.email, full_name=args.name, password=password, role=args.role, centre_id=args.centre_id
        )
        print(f"Created {user.role} {user.email} (id {user.id}).")
    return 0


def build_parser(
    *, in_process_worker: Callable[[], InProcessWorker] | None = None, more: Iterable[Register] = ()
) -> argparse.ArgumentParser:
    """The parser of the app's commands; ``more`` adds other modules' commands, and ``serve`` runs
    ``in_process_worker()`` beside the web app when no broker is configured."""
    parser = argparse.ArgumentParser(prog="brokerage", description="Kent Volunteer Brokerage")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the web app and API (migrates first)")
    p.add_argument("--host", default=os.environ.get("BROKERAGE_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("BROKERAGE_PORT", "8000")))
    p.add_argument("--workers", type=int, default=1, help="API processes")
    p.add_argument("--demo", action="store_true", help="load the demo county on first run and print the logins")
    p.add_argument("--no-worker", action="store_true", help="do not run background jobs in this process")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_serve, in_process_worker=in_process_worker)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="generate a synthetic Kent county")
    p.add_argument("--scale", choices=["tiny", "demo", "county"], default="demo")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--reset", action="store_true", help="delete existing data first")
    p.add_argument("--no-migrate", action="store_true")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_seed)

    geo = sub.add_parser("geo", help="geography data").add_subparsers(dest="geo_command", required=True)
    p = geo.add_parser("import-onspd", help="load exact postcodes from the ONS Postcode Directory CSV")
    p.add_argument("file")
    p.add_argument("--all-uk", action="store_true", help="keep every UK postcode, not only Kent and Medway")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_geo_import)

    p = sub.add_parser("create-user", help="create a staff, pilot lead, manager or admin account")
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["organisation_manager", "centre_staff", "pilot_lead", "admin"])
    p.add_argument("--centre-id", type=int)
    p.add_argument("--password")
    p.set_defaults(func=cmd_create_user)

    # Each domain adds its own subcommands with ``register(subparsers)`` in its cli module.
    for register in (matches_cli.register, reports_cli.register, interop_cli.register, *more):
        register(sub)
    return parser


def run(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command it names; the exit status."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
