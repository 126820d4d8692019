"""Two (or a hundred) at once, on PostgreSQL: a real server (``brokerage serve`` in a subprocess)
and real concurrent requests from threads, released together by a barrier.

What counts or caps must hold: places on a role, hours in a day, one approval per entry, one
account per email address; and no request ever gets a server error, however many arrive at once.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from brokerage.auth.service import issue_api_token
from brokerage.models import HoursEntry, OutboxMessage, Placement, Referral, Role, User, Volunteer
from tests.factories import ASHFORD, Factory

pytestmark = pytest.mark.slow


class Races:
    def __init__(self, base_url: str, engine):
        self.base_url = base_url
        self.engine = engine

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def all_at_once(self, count: int, send: Callable[[httpx.Client, int], httpx.Response]) -> list[httpx.Response]:
        """``count`` requests from ``count`` threads, released at the same instant."""
        barrier = threading.Barrier(count)
        limits = httpx.Limits(max_connections=count + 10, max_keepalive_connections=count + 10)
        with httpx.Client(base_url=self.base_url, timeout=120, limits=limits) as client:

            def _one(i: int) -> httpx.Response:
                barrier.wait(timeout=60)
                return send(client, i)

            with ThreadPoolExecutor(max_workers=count) as pool:
                return list(pool.map(_one, range(count)))


@pytest.fixture(scope="module")
def live(tmp_path_factory, pg_database, live_server):
    settings = {
        "BROKERAGE_PAGES_ENABLED": "false",
        # This suite signs up from one address many times; the limits have tests of their own.
        "BROKERAGE_THROTTLE_ENABLED": "false",
    }
    with pg_database("races") as db_url:
        engine = create_engine(db_url, pool_size=5)
        try:
            var_dir = tmp_path_factory.mktemp("races")
            with live_server(db_url, var_dir, settings=settings, args=("--quiet", "--no-worker")) as server:
                yield Races(server.base_url, engine)
        finally:
            engine.dispose()


def _bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


def _no_server_errors(responses: list[httpx.Response]) -> Counter:
    statuses = Counter(r.status_code for r in responses)
    errors = [r for r in responses if r.status_code >= 500]
    assert not errors, f"{len(errors)} server errors, e.g. {errors[0].status_code} {errors[0].text[:300]}"
    for r in responses:
        if r.status_code >= 400:
            body = r.json()["error"]
            assert body["status"] == r.status_code and body["message"]
    return statuses


def _started_placement(f: Factory, s: Session, role: Role, volunteer: Volunteer, days_ago: int = 30) -> Placement:
    ref = Referral(volunteer_id=volunteer.id, role_id=role.id, status="started")
    s.add(ref)
    s.flush()
    placement = Placement(
        referral_id=ref.id,
        volunteer_id=volunteer.id,
        role_id=role.id,
        organisation_id=role.organisation_id,
        started_on=date.today() - timedelta(days=days_ago),
    )
    s.add(placement)
    s.commit()
    return placement


def test_a_hundred_concurrent_starts_on_a_one_place_role_make_one_placement_and_fill_it(live):
    with live.session() as s:
        f = Factory(s)
        org = f.organisation(ASHFORD)
        manager = f.user("organisation_manager", organisations=(org,))
        role = f.role(org, places=1)
        referral_ids = []
        for _ in range(100):
            v = f.volunteer(ASHFORD, with_user=False)
            ref = Referral(volunteer_id=v.id, role_id=role.id, status="contacted")
            s.add(ref)
            s.flush()
            referral_ids.append(ref.id)
        s.commit()
        headers = _bearer(manager)

    responses = live.all_at_once(
        100, lambda c, i: c.post(f"/referrals/{referral_ids[i]}/status", json={"status": "started"}, headers=headers)
    )
    statuses = _no_server_errors(responses)
    print(f"\n100 concurrent starts on a 1-place role: {dict(statuses)}")
    assert statuses == {200: 1, 409: 99}
    with live.session() as s:
        assert s.scalar(select(func.count(Placement.id)).where(Placement.role_id == role.id)) == 1
        fresh = s.get(Role, role.id)
        assert (fresh.status, fresh.places_available) == ("filled", 0)
        started = s.scalars(select(Referral).where(Referral.role_id == role.id, Referral.status == "started")).all()
        assert len(started) == 1

    # The placement ends: the place is free again and the role is open again.
    winner = started[0].id
    r = httpx.post(f"{live.base_url}/referrals/{winner}/status", json={"status": "completed"}, headers=headers)
    assert r.status_code == 200, r.text
    with live.session() as s:
        fresh = s.get(Role, role.id)
        assert (fresh.status, fresh.places_available) == ("published", 1)


def test_the_same_start_sent_ten_times_at_once_is_one_placement_and_nine_409s(live):
    with live.session() as s:
        f = Factory(s)
        org = f.organisation(ASHFORD)
        manager = f.user("organisation_manager", organisations=(org,))
        role = f.role(org, places=5)
        v = f.volunteer(ASHFORD, with_user=False)
        ref = Referral(volunteer_id=v.id, role_id=role.id, status="contacted")
        s.add(ref)
        s.commit()
        headers = _bearer(manager)
    responses = live.all_at_once(
        10, lambda c, i: c.post(f"/referrals/{ref.id}/status", json={"status": "started"}, headers=headers)
    )
    statuses = _no_server_errors(responses)
    print(f"\n10 concurrent starts of one referral: {dict(statuses)}")
    assert statuses == {200: 1, 409: 9}
    with live.session() as s:
        assert s.scalar(select(func.count(Placement.id)).where(Placement.referral_id == ref.id)) == 1
        assert s.get(Role, role.id).places_available == 4


def test_ten_concurrent_ten_hour_entries_on_one_day_stay_within_24_hours(live):
    with live.session() as s:
        f = Factory(s)
        org = f.organisation(ASHFORD)
        role = f.role(org, places=5)
        v = f.volunteer(ASHFORD)
        placement = _started_placement(f, s, role, v)
        headers = _bearer(s.get(User, v.user_id))
    day = (date.today() - timedelta(days=1)).isoformat()
    responses = live.all_at_once(
        10,
        lambda c, i: c.post(
            f"/placements/{placement.id}/hours", json={"worked_on": day, "hours": "10", "activity": f"Shift {i}"}, headers=headers
        ),
    )
    statuses = _no_server_errors(responses)
    with live.session() as s:
        total = s.scalar(
            select(func.coalesce(func.sum(HoursEntry.hours), 0)).where(
                HoursEntry.volunteer_id == v.id, HoursEntry.worked_on == date.fromisoformat(day)
            )
        )
    print(f"\n10 concurrent 10-hour entries on one day: {dict(statuses)}, {total} hours logged")
    assert Decimal(total) <= 24
    assert statuses == {201: 2, 422: 8}


def test_ten_concurrent_approvals_approve_once_and_queue_one_job(live):
    with live.session() as s:
        f = Factory(s)
        org = f.organisation(ASHFORD)
        manager = f.user("organisation_manager", organisations=(org,))
        role = f.role(org, places=5)
        v = f.volunteer(ASHFORD, with_user=False)
        placement = _started_placement(f, s, role, v)
        entry = HoursEntry(
            placement_id=placement.id,
            volunteer_id=v.id,
            worked_on=date.today() - timedelta(days=2),
            hours=Decimal("3"),
            status="submitted",
            reminder_count=0,
        )
        s.add(entry)
        s.commit()
        headers = _bearer(manager)
    responses = live.all_at_once(10, lambda c, i: c.post(f"/hours/{entry.id}/approve", headers=headers))
    statuses = _no_server_errors(responses)
    with live.session() as s:
        jobs = [
            m
            for m in s.scalars(select(OutboxMessage).where(OutboxMessage.actor == "hours.approved"))
            if m.payload.get("hours_entry_id") == entry.id
        ]
        assert s.get(HoursEntry, entry.id).status == "approved"
    print(f"\n10 concurrent approvals of one entry: {dict(statuses)}, {len(jobs)} job(s) queued")
    assert statuses == {200: 1, 409: 9}
    assert len(jobs) == 1


@pytest.mark.parametrize("path", ["/volunteers", "/auth/signup/organisation-manager"])
def test_ten_concurrent_sign_ups_with_one_email_make_one_account_and_nine_409s(live, path):
    email = f"same.person.{uuid.uuid4().hex[:8]}@example.org"
    if path == "/volunteers":
        body = {
            "first_name": "Sam",
            "last_name": "Same",
            "email": email,
            "password": "a long enough password",
            "postcode": "TN23 1AA",
        }
    else:
        body = {"full_name": "Sam Same", "email": email, "password": "a long enough password"}
    responses = live.all_at_once(10, lambda c, i: c.post(path, json=body))
    statuses = _no_server_errors(responses)
    print(f"\n10 concurrent sign-ups at {path} with one email: {dict(statuses)}")
    assert statuses == {201: 1, 409: 9}
    with live.session() as s:
        assert s.scalar(select(func.count(User.id)).where(User.email_normalised == email)) == 1


def test_a_hundred_concurrent_requests_are_served_without_server_errors(live):
    """More requests at once than connections in the pool or threads in the server: they queue,
    and none of them fails."""
    with live.session() as s:
        f = Factory(s)
        centre = f.centre(districts=(ASHFORD,))
        staff = f.user("centre_staff", centre=centre)
        org = f.organisation(ASHFORD)
        f.role(org)
        headers = _bearer(staff)
    paths = ["/hours", "/referrals", "/volunteers", "/roles?page_size=50", "/placements", "/auth/me", "/organisations"]
    responses = live.all_at_once(100, lambda c, i: c.get(paths[i % len(paths)], headers=headers))
    statuses = _no_server_errors(responses)
    print(f"\n100 concurrent signed-in reads: {dict(statuses)}")
    assert statuses == {200: 100}
