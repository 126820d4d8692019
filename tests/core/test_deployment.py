"""docker-compose.yml cannot be run here (no Docker engine), so check what can be checked: every
service the deployment needs is there with a healthcheck where it serves, and every command it
runs exists in the ``brokerage`` CLI."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from workers.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _subcommands(parser) -> dict:
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            return action.choices
    return {}


def test_compose_has_the_production_services_with_healthchecks():
    services = _compose()["services"]
    assert {"postgres", "redis", "api", "worker", "scheduler"} <= set(services)
    for name in ("postgres", "redis", "api"):
        assert "healthcheck" in services[name], name
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_every_compose_command_exists_in_the_cli():
    parser = build_parser()
    top = _subcommands(parser)
    for name, service in _compose()["services"].items():
        command = service.get("command")
        if not command or command[0] != "brokerage":
            continue
        args = command[1:]
        assert args[0] in top, f"{name}: brokerage {args[0]} is not a command"
        parsed = parser.parse_args(args)  # exits (fails the test) on an unknown option
        assert parsed.func is not None


def test_compose_refuses_to_start_without_secrets():
    env = _compose()["x-brokerage"]["environment"]
    assert ":?" in env["BROKERAGE_SECRET_KEY"] and env["BROKERAGE_ENVIRONMENT"] == "production"


def test_dockerfile_copies_what_the_app_needs():
    text = (ROOT / "Dockerfile").read_text()
    for part in ("brokerage", "workers", "matching", "alembic", "alembic.ini"):
        assert f"COPY {part}" in text


def test_the_installed_command_starts_background_work():
    """``brokerage`` is the workers' command line: the app's commands, the worker, relay and scheduler,
    and ``serve`` with its in-process worker for when no broker is configured."""
    from workers.embedded import EmbeddedWorker

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["brokerage"] == "workers.cli:main"
    parser = build_parser()
    assert {"serve", "migrate", "seed", "worker", "relay", "scheduler", "import", "reports"} <= set(_subcommands(parser))
    assert parser.parse_args(["serve"]).in_process_worker is EmbeddedWorker
