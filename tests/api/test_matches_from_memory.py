"""A volunteer's matches answered from memory (``brokerage.matches.fast``): the same answer as the
route, the same access rules, and a change to the volunteer or a role in the next answer."""

from __future__ import annotations

import pytest

from brokerage.matches.fast import MatchesFromMemory
from brokerage.models import User
from tests.factories import ASHFORD, CANTERBURY

SAT_MORNING = 1 << 15


@pytest.fixture
def fast(app, client) -> MatchesFromMemory:
    client.get("/roles")  # builds the middleware stack
    layer = app.middleware_stack
    while not isinstance(layer, MatchesFromMemory):
        layer = layer.app
    return layer


def _headers(as_user, db, v):
    return as_user(db.get(User, v.user_id))


def test_the_answer_from_memory_is_the_routes_answer(client, factory, as_user, db, fast):
    org = factory.organisation(ASHFORD)
    factory.role(org, title="Saturday garden helper", slot_mask=SAT_MORNING, desired_skills=("gardening",))
    factory.role(org, title="Saturday shop helper", slot_mask=SAT_MORNING)
    v = factory.volunteer(ASHFORD, availability=SAT_MORNING, skills=("gardening",), radius=5)
    headers = _headers(as_user, db, v)
    first = client.get(f"/volunteers/{v.id}/matches", headers=headers)  # the route: remembers the volunteer
    assert first.status_code == 200 and fast.answered == 0
    again = client.get(f"/volunteers/{v.id}/matches", headers=headers)
    kept = client.get(f"/volunteers/{v.id}/matches", headers=headers)
    assert fast.answered == 2
    for r in (again, kept):
        assert r.status_code == 200
        assert r.content == first.content
        assert r.headers["content-type"] == first.headers["content-type"]
        assert r.headers["content-security-policy"] == first.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"
    one = client.get(f"/volunteers/{v.id}/matches", params={"limit": 1}, headers=headers)
    assert one.status_code == 200 and len(one.json()) == 1 and fast.answered == 3
    # Anything the route would refuse or check more closely goes to the route.
    assert client.get(f"/volunteers/{v.id}/matches", params={"limit": 51}, headers=headers).status_code == 422
    assert client.get(f"/volunteers/{v.id}/matches", params={"limit": 0}, headers=headers).status_code == 422
    assert client.get(f"/volunteers/{v.id}/matches", params={"limit": 2, "x": 1}, headers=headers).status_code == 200
    assert client.get(f"/volunteers/{v.id}/matches", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert client.get(f"/volunteers/{v.id}/matches").status_code == 401
    assert client.get("/volunteers/99999999999/matches", headers=headers).status_code == 404
    assert fast.answered == 3


def test_least_privilege_holds_for_answers_from_memory(client, factory, as_user, db, fast):
    centre = factory.centre(districts=(ASHFORD,))
    other = factory.centre(districts=(CANTERBURY,))
    v = factory.volunteer(ASHFORD, availability=SAT_MORNING)
    someone_else = factory.volunteer(ASHFORD, availability=SAT_MORNING)
    factory.role(factory.organisation(ASHFORD), title="Saturday garden helper", slot_mask=SAT_MORNING)
    own = _headers(as_user, db, v)
    staff = as_user(factory.user("centre_staff", centre=centre))
    outsider = as_user(factory.user("centre_staff", centre=other))
    lead = as_user(factory.user("pilot_lead"))
    neighbour = _headers(as_user, db, someone_else)
    for _ in range(3):  # the first through the route, then from memory (and the kept answer)
        assert client.get(f"/volunteers/{v.id}/matches", headers=own).status_code == 200
        assert client.get(f"/volunteers/{v.id}/matches", headers=staff).status_code == 200
        assert client.get(f"/volunteers/{v.id}/matches", headers=outsider).status_code == 404
        assert client.get(f"/volunteers/{v.id}/matches", headers=neighbour).status_code == 404
        assert client.get(f"/volunteers/{v.id}/matches", headers=lead).status_code == 403
    assert fast.answered >= 4


def test_a_change_to_the_volunteer_or_a_role_is_in_the_next_answer(client, factory, as_user, db, fast, time_passes):
    centre = factory.centre(districts=(ASHFORD,))
    staff = as_user(factory.user("centre_staff", centre=centre))
    org = factory.organisation(ASHFORD)
    saturday = factory.role(org, title="Saturday garden helper", slot_mask=SAT_MORNING)
    v = factory.volunteer(ASHFORD, availability=SAT_MORNING, radius=10)
    headers = _headers(as_user, db, v)

    def full_matches() -> list[tuple[int, str]]:
        return [
            (m["role_id"], m["title"])
            for m in client.get(f"/volunteers/{v.id}/matches", headers=headers).json()
            if m["close_match"] is None
        ]

    assert full_matches() == [(saturday.id, "Saturday garden helper")]
    assert full_matches() == [(saturday.id, "Saturday garden helper")]
    answered = fast.answered
    assert answered >= 1

    # The volunteer is free on Monday mornings instead: the Saturday role is no longer a full match.
    r = client.patch(f"/volunteers/{v.id}", json={"availability": ["MondayMorning"]}, headers=headers)
    assert r.status_code == 200, r.text
    assert full_matches() == []
    r = client.patch(f"/volunteers/{v.id}", json={"availability": ["SaturdayMorning"]}, headers=headers)
    assert r.status_code == 200, r.text
    assert full_matches() == [(saturday.id, "Saturday garden helper")]
    assert full_matches() == [(saturday.id, "Saturday garden helper")]

    # The role is renamed, and a new one is published: both in the next answer.
    r = client.patch(f"/roles/{saturday.id}", json={"title": "Saturday allotment helper"}, headers=staff)
    assert r.status_code == 200, r.text
    assert full_matches() == [(saturday.id, "Saturday allotment helper")]
    new = factory.role(org, title="Saturday café helper", status="pending_review", slot_mask=SAT_MORNING)
    assert client.post(f"/roles/{new.id}/status", json={"status": "published"}, headers=staff).status_code == 200
    time_passes(1.1)  # the index catches up from the database at most once a second
    assert {rid for rid, _ in full_matches()} == {saturday.id, new.id}
    assert {rid for rid, _ in full_matches()} == {saturday.id, new.id}
    assert fast.answered > answered
