"""The ``brokerage`` command as installed: the app's commands and those that start background work.

``brokerage`` never imports ``workers`` (docs/architecture.md), so this is where the two meet: the
app's parser (``brokerage/cli.py``: serve, migrate, seed, create-user and each domain's commands)
gets the ``worker``, ``relay`` and ``scheduler`` commands, and ``serve`` gets the in-process worker
(relay, actors and scheduler as threads) that it runs when no broker is configured.
"""

from __future__ import annotations

import argparse
import sys

from brokerage import cli as app_cli
from workers.embedded import EmbeddedWorker
from workers.main import run_worker
from workers.relay import run_relay
from workers.scheduler import run_scheduler


def cmd_worker(args: argparse.Namespace) -> int:
    return run_worker(processes=args.processes, threads=args.threads)


def cmd_scheduler(args: argparse.Namespace) -> int:
    return run_scheduler()


def cmd_relay(args: argparse.Namespace) -> int:
    return run_relay(once=args.once)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("worker", help="run Dramatiq workers for background jobs")
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.set_defaults(func=cmd_worker)

    p = subparsers.add_parser("scheduler", help="run the periodic-job scheduler (single leader)")
    p.set_defaults(func=cmd_scheduler)

    p = subparsers.add_parser("relay", help="hand recorded jobs (the outbox) to the broker")
    p.add_argument("--once", action="store_true")
    p.set_defaults(func=cmd_relay)


def build_parser() -> argparse.ArgumentParser:
    return app_cli.build_parser(in_process_worker=EmbeddedWorker, more=(register,))


def main(argv: list[str] | None = None) -> int:
    return app_cli.run(build_parser(), argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
