"""The public role list is answered from an in-process catalogue; it must say exactly what the database
says, in the same order, and keep up with changes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import TypeAdapter
from sqlalchemy import update

from brokerage.schemas import Page
from brokerage.models import Role, RoleSession, User
from brokerage.roles import service
from brokerage.roles.schemas import RoleOut
from tests.factories import ASHFORD, CANTERBURY, THANET

PAGE = TypeAdapter(Page[RoleOut])


@pytest.fixture
def county(factory, db):
    """A small county: several organisations and districts, all statuses, ties in publication time,
    one-off roles with sessions, remote roles, skills and causes, mixed-case text."""
    ashford = factory.organisation(ASHFORD, name="Ashford Food Bank")
    canterbury = factory.organisation(CANTERBURY, name="Canterbury Cathedral Friends")
    thanet = factory.organisation(THANET, name="Thanet Beach Care")
    noon = datetime(2026, 11, 1, 12, 0, 0)
    specs = [
        (ashford, dict(title="Warehouse Helper", causes=("Poverty",), required_skills=("driving",))),
        (ashford, dict(title="Befriending older people", causes=("OlderPeople", "Health"), desired_skills=("listening",))),
        (ashford, dict(title="Draft gardening role", status="draft", causes=("Environment",))),
        (ashford, dict(title="Paused GARDEN helper", status="paused", causes=("Environment",))),
        (canterbury, dict(title="Cathedral guide", causes=("ArtsAndCulture",), desired_skills=("public-speaking",))),
        (canterbury, dict(title="Online tutor", mode="remote", causes=("Education",), desired_skills=("teaching",))),
        (canterbury, dict(title="Garden volunteer", causes=("Environment", "OlderPeople"), desired_skills=("gardening",))),
        (thanet, dict(title="Beach clean leader", causes=("Environment",), required_skills=("gardening",))),
        (thanet, dict(title="Hybrid admin help", mode="hybrid", causes=("Poverty",))),
        (thanet, dict(title="Pending review role", status="pending_review")),
    ]
    roles = [factory.role(org, **kw) for org, kw in specs]
    # Ties and gaps in publication time (the order is published_at DESC NULLS LAST, id DESC).
    for i, role in enumerate(roles):
        if role.status == "published":
            role.published_at = noon - timedelta(hours=i // 3)
    roles[0].published_at = None
    roles[0].description = "Sort donations at 100% effort; a_b and C:\\ paths; Ünïcode welcome."
    one_off = roles[7]
    one_off.one_off = True
    one_off.sessions = [
        RoleSession(starts_at=noon + timedelta(days=3), ends_at=noon + timedelta(days=3, hours=3)),
        RoleSession(starts_at=noon + timedelta(days=1), ends_at=noon + timedelta(days=1, hours=2)),
    ]
    roles[4].requirements = ["Smart clothing"]
    roles[4].hours_per_week = 2.5
    db.commit()
    return roles


QUERIES = [
    {},
    {"page_size": 3},
    {"page_size": 3, "page": 2},
    {"page_size": 3, "page": 9},
    {"district": CANTERBURY},
    {"district": "E99999999"},
    {"cause": "Environment"},
    {"cause": "OlderPeople", "district": ASHFORD},
    {"skill": "gardening"},
    {"skill": "driving"},
    {"status": "published"},
    {"status": "draft"},
    {"mode": "remote"},
    {"mode": "in_person", "cause": "Environment"},
    {"one_off": "true"},
    {"one_off": "false", "page_size": 2},
    {"q": "garden"},
    {"q": "GARDEN"},
    {"q": "good role"},
    {"q": "nothing like this"},
    {"q": "100%"},
    {"q": "a_b"},
    {"q": "c:\\"},
    {"q": "ünï"},
    {"q": "helping", "district": THANET, "page_size": 1},
    {"district": "", "cause": ""},
]


def _database_answer(db, principal, params) -> bytes:
    db.expire_all()  # read the rows afresh, as a request's own session would
    filters = {k: v for k, v in params.items() if k not in ("page", "page_size")}
    if "one_off" in filters:
        filters["one_off"] = filters["one_off"] == "true"
    page = service.list_page(db, principal, page=params.get("page", 1), page_size=params.get("page_size", 20), **filters)
    return PAGE.dump_json(page)


def test_the_catalogue_answers_exactly_as_the_database_does(client, county, org_ids, db, factory, as_user):
    volunteer = factory.volunteer(ASHFORD)
    headers = as_user(db.get(User, volunteer.user_id))
    for params in QUERIES + [{"organisation_id": oid} for oid in org_ids]:
        expected = _database_answer(db, None, params)
        anonymous = client.get("/roles", params=params)
        assert anonymous.status_code == 200, anonymous.text
        assert anonymous.headers["content-type"] == "application/json"
        assert anonymous.content == expected, params
        assert client.get("/roles", params=params, headers=headers).content == expected, params
    # Sanity: the dataset does exercise the filters.
    everything = client.get("/roles").json()
    assert everything["total"] == 7 and everything["items"][-1]["id"] == county[0].id  # no publication time: last
    assert {r["status"] for r in everything["items"]} == {"published"}


@pytest.fixture
def org_ids(county):
    return sorted({r.organisation_id for r in county}) + [999_999]


def test_an_organisation_id_no_row_can_have_is_a_404(client, county):
    for bad in (0, -1, 2**31, 10**20):
        r = client.get("/roles", params={"organisation_id": bad})
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (bad, r.text)


def test_staff_still_see_drafts_from_the_database(client, county, factory, as_user):
    lead = factory.centre(districts=(ASHFORD,), is_lead=True)
    staff = factory.user("centre_staff", centre=lead)
    body = client.get("/roles", params={"page_size": 50}, headers=as_user(staff)).json()
    assert {r["status"] for r in body["items"]} == {"published", "draft", "paused", "pending_review"}
    assert client.get("/roles", params={"page_size": 50}).json()["total"] == 7


def test_changes_show_at_once_in_this_process(client, county, factory, as_user, db):
    centre = factory.centre(districts=(THANET,))
    staff = factory.user("centre_staff", centre=centre)
    pending = county[9]
    assert pending.id not in [r["id"] for r in client.get("/roles").json()["items"]]
    assert client.post(f"/roles/{pending.id}/status", json={"status": "published"}, headers=as_user(staff)).status_code == 200
    items = client.get("/roles").json()["items"]
    assert items[0]["id"] == pending.id  # newest first
    assert (
        client.patch(
            f"/roles/{pending.id}", json={"title": "Seafront litter pick", "causes": ["Environment"]}, headers=as_user(staff)
        ).status_code
        == 200
    )
    found = client.get("/roles", params={"cause": "Environment", "q": "litter"}).json()["items"]
    assert [(r["id"], r["title"]) for r in found] == [(pending.id, "Seafront litter pick")]
    assert client.post(f"/roles/{pending.id}/status", json={"status": "paused"}, headers=as_user(staff)).status_code == 200
    assert pending.id not in [r["id"] for r in client.get("/roles").json()["items"]]


def test_changes_made_elsewhere_show_within_a_second(client, county, db, time_passes):
    # A write that bypasses this process's ORM (as another API process or a worker would).
    client.get("/roles")
    role = county[1]
    db.execute(update(Role).where(Role.id == role.id).values(title="Befriending by telephone", updated_at=datetime.utcnow()))
    from brokerage.roles.catalogue import catalogue

    catalogue.stale = False
    time_passes(1.1)
    titles = [r["title"] for r in client.get("/roles", params={"q": "telephone"}).json()["items"]]
    assert titles == ["Befriending by telephone"]
    assert client.get("/roles", params={"q": "telephone"}).content == _database_answer(db, None, {"q": "telephone"})
