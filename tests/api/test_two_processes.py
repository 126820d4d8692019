"""Two API processes on one PostgreSQL and Redis: a change made through one reaches the other's
in-memory catalogue (``GET /roles``) and matching index (``GET /search/roles``).

Each process keeps the published roles in memory and catches up from the database about once a
second; this test starts two real uvicorn processes, publishes, edits and pauses a role through the
first and waits (without timing it) for the second to show each change, in its list and its search.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from brokerage.auth.service import issue_api_token
from tests.factories import ASHFORD, Factory

pytestmark = pytest.mark.slow
WAIT_SECONDS = 60  # how long to wait for the other process before calling it a failure (not a target)


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory, pg_database, live_servers):
    with pg_database("two") as db_url:
        engine = create_engine(db_url, pool_size=2)
        var_dir = tmp_path_factory.mktemp("two_processes")
        settings = {"BROKERAGE_PAGES_ENABLED": "false"}
        try:
            with live_servers(2, db_url, var_dir, settings=settings, kind="uvicorn", args=("--log-level", "warning")) as (
                first,
                second,
            ):
                yield first.base_url, second.base_url, engine
        finally:
            engine.dispose()


def _eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"the second process never showed {what}")
        time.sleep(0.1)


def test_a_change_through_one_process_reaches_the_others_catalogue_and_index(two_processes):
    first, second, engine = two_processes
    with Session(engine, expire_on_commit=False) as s:
        f = Factory(s)
        organisation = f.organisation(ASHFORD)
        f.role(organisation, title="Lunch club helper")  # so neither process starts from nothing
        role = f.role(organisation, status="pending_review", title="Towpath clearing volunteer")
        staff = f.user("centre_staff", centre=f.centre(districts=(ASHFORD,), is_lead=True))
        headers = {"Authorization": f"Bearer {issue_api_token(staff)}"}

    with httpx.Client(base_url=second, timeout=30) as other, httpx.Client(base_url=first, timeout=30) as writer:

        def listed(word: str) -> dict[int, str]:
            r = other.get("/roles", params={"q": word})
            assert r.status_code == 200, r.text
            return {item["id"]: item["title"] for item in r.json()["items"]}

        def found(word: str) -> dict[int, str]:
            r = other.get("/search/roles", params={"q": word})
            assert r.status_code == 200, r.text
            return {item["role_id"]: item["title"] for item in r.json()}

        # The second process built its catalogue and index as it started, before these roles were
        # made: it shows the published one once it has caught up, never the role under review.
        _eventually(lambda: "Lunch club helper" in found("lunch").values(), "the role published before the test")
        assert role.id not in listed("towpath") and role.id not in found("towpath")

        # Published through the first process: the second lists it and finds it.
        r = writer.post(f"/roles/{role.id}/status", json={"status": "published"}, headers=headers)
        assert r.status_code == 200, r.text
        _eventually(lambda: role.id in listed("towpath"), "the published role in its list")
        _eventually(lambda: role.id in found("towpath"), "the published role in its search")

        # Edited through the first: the second shows the new title in both and finds it by its new words.
        r = writer.patch(f"/roles/{role.id}", json={"title": "Canal bank clearing volunteer"}, headers=headers)
        assert r.status_code == 200, r.text
        _eventually(lambda: listed("canal").get(role.id) == "Canal bank clearing volunteer", "the new title in its list")
        _eventually(lambda: found("canal").get(role.id) == "Canal bank clearing volunteer", "the new title in its search")
        assert role.id not in listed("towpath")

        # Paused through the first: gone from the second's list and search.
        r = writer.post(f"/roles/{role.id}/status", json={"status": "paused"}, headers=headers)
        assert r.status_code == 200, r.text
        _eventually(lambda: role.id not in listed("canal"), "the paused role gone from its list")
        _eventually(lambda: role.id not in found("canal"), "the paused role gone from its search")
