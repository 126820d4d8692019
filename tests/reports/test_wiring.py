"""The rollup actors are registered under their event names, and the rebuild command exists."""

from __future__ import annotations


def test_actors_registered_under_event_names():
    import dramatiq

    import workers.actors  # noqa: F401  (sets the broker, then registers every actor)

    broker = dramatiq.get_broker()
    assert broker.get_actor("hours.approved").fn.__name__ == "hours_approved"
    assert broker.get_actor("reports.rollup").fn.__name__ == "reports_rollup"


def test_rebuild_rollups_command_is_registered():
    from workers.cli import build_parser
    from brokerage.reports.cli import cmd_rebuild

    args = build_parser().parse_args(["reports", "rebuild-rollups", "--quiet"])
    assert args.func is cmd_rebuild and args.batch_size == 20_000
