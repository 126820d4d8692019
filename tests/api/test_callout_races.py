"""Answers to a call-out arriving at the same moment, on PostgreSQL through a real server: eight
people say yes at once for the last place and exactly one gets it, the others are told it is full;
a centre raising call-outs at once is held to its hourly limit. No request is a server error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select

from brokerage.auth.service import build_principal
from brokerage.callouts import service
from brokerage.models import Callout, CalloutInvitation, User
from brokerage.vocab.slots import SLOT_NAMES
from tests.api.test_races import Races, _bearer, _no_server_errors
from tests.factories import ASHFORD, Factory

pytestmark = pytest.mark.slow
PER_HOUR = 3


@pytest.fixture(scope="module")
def live(tmp_path_factory, pg_database, live_server):
    settings = {"BROKERAGE_PAGES_ENABLED": "false", "BROKERAGE_CALLOUT_MAX_PER_HOUR": str(PER_HOUR)}
    with pg_database("callout_races") as db_url:
        engine = create_engine(db_url, pool_size=5)
        try:
            var_dir = tmp_path_factory.mktemp("callout_races")
            with live_server(db_url, var_dir, settings=settings, args=("--quiet", "--no-worker")) as server:
                yield Races(server.base_url, engine)
        finally:
            engine.dispose()


def _window():
    start = (service.local_now() + timedelta(days=1)).replace(hour=19, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=3)


def test_eight_yeses_at_once_for_the_last_place_give_it_to_exactly_one(live):
    with live.session() as s:
        f = Factory(s)
        staff = f.user("centre_staff", centre=f.centre(districts=(ASHFORD,)))
        people = [f.volunteer(ASHFORD) for _ in range(10)]
        for v in people:
            service.opt_in(
                s, build_principal(s, s.get(User, v.user_id)), district_codes=[ASHFORD], radius_miles=None, slots=list(SLOT_NAMES)
            )
        start, end = _window()
        callout = service.raise_callout(
            s, build_principal(s, staff), title="Rest centre", postcode="TN23 1AA", starts_at=start, ends_at=end, needed=3
        )
        s.commit()
        assert service.next_batch(s, callout.id, reason="raised") == 1
        s.commit()
        rows = s.scalars(
            select(CalloutInvitation).where(CalloutInvitation.callout_id == callout.id).order_by(CalloutInvitation.id)
        ).all()
        assert len(rows) == 10
        for r in rows[:2]:  # two places taken already: one left
            assert service.answer(s, r.id, accept=True) == "accepted"
        s.commit()
        tokens = [service.answer_token(r) for r in rows[2:]]
        callout_id = callout.id
    responses = live.all_at_once(
        len(tokens), lambda c, i: c.post("/emergency/answers", json={"token": tokens[i], "answer": "accept"})
    )
    assert _no_server_errors(responses) == {200: 8}
    outcomes = sorted(r.json()["outcome"] for r in responses)
    assert outcomes == ["accepted"] + ["full"] * 7, outcomes
    with live.session() as s:
        callout = s.get(Callout, callout_id)
        assert (callout.accepted, callout.status) == (3, "filled")
        accepted = s.scalar(
            select(func.count()).where(CalloutInvitation.callout_id == callout_id, CalloutInvitation.status == "accepted")
        )
        assert accepted == 3


def test_a_centre_raising_six_call_outs_at_once_is_held_to_its_hourly_limit(live):
    with live.session() as s:
        f = Factory(s)
        centre = f.centre(districts=(ASHFORD,))
        staff = [f.user("centre_staff", centre=centre) for _ in range(6)]
        headers = [_bearer(u) for u in staff]
    start, end = _window()
    body = {
        "title": "Flood help",
        "postcode": "TN23 1AA",
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "needed": 2,
    }
    responses = live.all_at_once(6, lambda c, i: c.post("/emergency/callouts", json=body, headers=headers[i]))
    statuses = _no_server_errors(responses)
    assert statuses == {201: PER_HOUR, 429: 6 - PER_HOUR}, statuses
    refused = [r for r in responses if r.status_code == 429]
    assert all(r.headers.get("retry-after") and "call-outs in the last hour" in r.json()["error"]["message"] for r in refused)
