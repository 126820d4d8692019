"""Invitations sent at the same moment, on PostgreSQL through a real server: the weekly cap on role
emails holds for one volunteer invited to many roles by many people at once, and one sender's
rate limit holds when they send many invitations at once. No request is a server error."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select

from brokerage.models import Invitation
from tests.api.test_races import Races, _bearer, _no_server_errors
from tests.factories import ASHFORD, Factory

pytestmark = pytest.mark.slow
PER_SENDER = 5
CAP = 3


@pytest.fixture(scope="module")
def live(tmp_path_factory, pg_database, live_server):
    settings = {
        "BROKERAGE_PAGES_ENABLED": "false",
        "BROKERAGE_THROTTLE_INVITATION_PER_ACCOUNT": f"{PER_SENDER} per hour",
        "BROKERAGE_WEEKLY_ROLE_EMAIL_CAP": str(CAP),
    }
    with pg_database("invitation_races") as db_url:
        engine = create_engine(db_url, pool_size=5)
        try:
            var_dir = tmp_path_factory.mktemp("invitation_races")
            with live_server(db_url, var_dir, settings=settings, args=("--quiet", "--no-worker")) as server:
                yield Races(server.base_url, engine)
        finally:
            engine.dispose()


def test_ten_invitations_at_once_to_one_volunteer_stop_at_the_weekly_cap(live):
    with live.session() as s:
        f = Factory(s)
        org = f.organisation(ASHFORD)
        managers = [f.user("organisation_manager", organisations=(org,)) for _ in range(10)]
        roles = [f.role(org, title=f"Role {i}") for i in range(10)]
        v = f.volunteer(ASHFORD, with_user=False)
        headers = [_bearer(m) for m in managers]
    responses = live.all_at_once(
        10, lambda c, i: c.post("/invitations", json={"role_id": roles[i].id, "volunteer_id": v.id}, headers=headers[i])
    )
    statuses = _no_server_errors(responses)
    assert statuses == {201: CAP, 409: 10 - CAP}, statuses
    with live.session() as s:
        assert s.scalar(select(func.count(Invitation.id)).where(Invitation.volunteer_id == v.id)) == CAP


def test_one_sender_sending_twelve_at_once_is_held_to_the_rate_limit(live):
    with live.session() as s:
        f = Factory(s)
        org = f.organisation(ASHFORD)
        manager = f.user("organisation_manager", organisations=(org,))
        role = f.role(org, title="Busy role")
        volunteers = [f.volunteer(ASHFORD, with_user=False) for _ in range(12)]
        headers = _bearer(manager)
    responses = live.all_at_once(
        12, lambda c, i: c.post("/invitations", json={"role_id": role.id, "volunteer_id": volunteers[i].id}, headers=headers)
    )
    statuses = _no_server_errors(responses)
    assert statuses == {201: PER_SENDER, 429: 12 - PER_SENDER}, statuses
    assert all(r.headers.get("retry-after") for r in responses if r.status_code == 429)
    with live.session() as s:
        assert s.scalar(select(func.count(Invitation.id)).where(Invitation.role_id == role.id)) == PER_SENDER
