"""The UK Volunteering Data Standard feed: publish, page, filter by change, and import it into an
empty instance so that every role compares equal field by field."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage.interop import feed
from brokerage.interop.imports import service as imports
from brokerage.models import Activity, Centre, Organisation, OrganisationCause, Role, RoleSession
from tests.factories import ASHFORD, CANTERBURY, MEDWAY


@pytest.fixture
def empty_instance(tmp_path):
    """A second, empty brokerage database (SQLite, migrated) to import the feed into."""
    from tests.conftest import migrate_engine, sqlite_engine_for_tests

    engine = sqlite_engine_for_tests(str(tmp_path / "other-instance.sqlite3"))
    migrate_engine(engine)
    with Session(engine, expire_on_commit=False) as s:
        centre = Centre(name="Elsewhere Volunteer Centre", is_lead=False)
        s.add(centre)
        s.commit()
        yield s, centre.id
    engine.dispose()


def _county(factory, db):
    charity = factory.organisation(ASHFORD, name="Ashford Befrienders")
    charity.charity_registrar, charity.charity_number, charity.organisation_type = "ccew", "1123456", "registered_charity"
    charity.website = "https://befrienders.example.org"
    charity.cause_links = [OrganisationCause(cause_id="Care"), OrganisationCause(cause_id="AntiPoverty")]
    group = factory.organisation(CANTERBURY, name="Canterbury Community Garden")
    roles = []
    r = factory.role(
        charity,
        title="Telephone befriender",
        slot_mask=0b101 << 3,
        causes=("Care",),
        required_skills=("active-listening",),
        desired_skills=("first-aid", "befriending"),
        dbs_level="enhanced",
        commitment="Two hours a week",
        hours_per_week=2.0,
        minimum_age=18,
        maximum_age=85,
        places=4,
        apply_link="https://befrienders.example.org/apply",
        publish_start=date(2025, 9, 1),
        publish_end=date(2026, 12, 31),
        location_name="Befrienders' office",
        address="1 High Street, Ashford",
    )
    r.requirements, r.accessibility, r.rewards = (
        ["DBS Check", "ID Check"],
        ["Step-free access"],
        ["Training provided", "Expenses paid"],
    )
    roles.append(r)
    second = factory.role(charity, title="Befriending coordinator", slot_mask=1, causes=("Care",), dbs_level="basic", places=1)
    second.activity_id = r.activity_id  # two roles in one activity
    roles.append(second)
    roles.append(
        factory.role(
            group,
            title="Online newsletter writer",
            mode="remote",
            slot_mask=(1 << 21) - 1,
            causes=("ArtsAndCulture",),
            desired_skills=("writing-editing",),
        )
    )
    one_off = factory.role(
        group, title="Spring planting day", mode="hybrid", slot_mask=0, postcode="ME4 4AA", causes=("Environment",)
    )
    one_off.one_off = True
    one_off.sessions = [RoleSession(starts_at=datetime(2026, 4, 18, 10, 0), ends_at=datetime(2026, 4, 18, 15, 30))]
    roles.append(one_off)
    factory.role(group, title="Draft role nobody should see", status="draft")
    db.flush()
    return roles


def _pages(client, **params):
    docs, url = [], "/data-standard/feed"
    r = client.get(url, params=params)
    while True:
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/ld+json")
        docs.append(r.json())
        nxt = r.json()["kvb:next"]
        if not nxt:
            return docs
        r = client.get(nxt.split("8000", 1)[-1])


def test_round_trip_into_an_empty_instance_compares_equal_field_by_field(client, factory, db, empty_instance):
    roles = _county(factory, db)
    docs = _pages(client, page_size=2)
    assert len(docs) == 2 and docs[0]["kvb:total"] == 4
    doc = docs[0]
    assert doc["@context"][0] == feed.STANDARD_CONTEXT and doc["conformsTo"] == feed.STANDARD_NS
    orgs = [o for d in docs for o in d["graph"]]
    assert all(o["type"] == "Organisation" for o in orgs)
    role_nodes = {r["title"]: (r, a) for o in orgs for a in o["activity"] for r in a["role"]}
    assert "Draft role nobody should see" not in role_nodes
    node, activity = role_nodes["Telephone befriender"]
    assert "https://ns.volunteeringdata.io/DBSCheck" in node["requirement"]
    assert "https://ns.volunteeringdata.io/BasicFirstAidKnowledge" in node["skill"]  # a standard skill
    assert feed.KVB_SKILL + "befriending" in node["skill"]  # one of ours, in our namespace
    assert activity["session"][0]["time"] == [
        "https://ns.volunteeringdata.io/TuesdayMorning",
        "https://ns.volunteeringdata.io/TuesdayEvening",
    ]
    assert activity["session"][0]["location"]["kvb:postcode"] == "TN23 1AA"

    target, centre_id = empty_instance
    for d in docs:
        batch = imports.start(
            target,
            None,
            kind="feed",
            format="data_standard",
            filename="feed.jsonld",
            content=json.dumps(d).encode(),
            centre_id=centre_id,
        )
        assert batch.error_count == 0 and batch.warning_count == 0, batch.problems
        imports.confirm(target, None, batch.id)
    target.commit()

    base = "http://127.0.0.1:8000"
    assert target.scalar(select(func.count()).select_from(Role)) == len(roles)
    for role in roles:
        copy = target.scalar(select(Role).where(Role.source == "data_standard", Role.source_id == f"{base}/roles/{role.id}"))
        assert copy is not None, role.title
        mine, theirs = feed.role_record(db, role), feed.role_record(target, copy)
        for key in mine:
            assert theirs[key] == mine[key], f"{role.title}: {key} differs"
    # the two roles of one activity still share it
    first, second = (
        target.scalar(select(Role).where(Role.title == t)) for t in ("Telephone befriender", "Befriending coordinator")
    )
    assert first.activity_id == second.activity_id
    assert target.scalar(select(func.count()).select_from(Activity)) == 3

    # importing the same feed again changes nothing
    counts = [target.scalar(select(func.count()).select_from(m)) for m in (Organisation, Activity, Role)]
    for d in docs:
        batch = imports.start(
            target,
            None,
            kind="feed",
            format="data_standard",
            filename="feed.jsonld",
            content=json.dumps(d).encode(),
            centre_id=centre_id,
        )
        assert batch.summary["roles_to_create"] == 0 and batch.summary["roles_to_update"] == 0
        imports.confirm(target, None, batch.id)
    target.commit()
    assert [target.scalar(select(func.count()).select_from(m)) for m in (Organisation, Activity, Role)] == counts


def test_modified_since_returns_only_roles_changed_later(client, factory, db):
    org = factory.organisation(MEDWAY)
    old, new = factory.role(org, title="Old listing"), factory.role(org, title="New listing")
    old.updated_at = datetime(2025, 1, 1)
    new.updated_at = datetime(2025, 6, 1)
    db.flush()
    titles = lambda doc: [r["title"] for o in doc["graph"] for a in o["activity"] for r in a["role"]]  # noqa: E731
    everything = client.get("/data-standard/feed").json()
    assert {"Old listing", "New listing"} <= set(titles(everything))
    since = client.get("/data-standard/feed", params={"modified_since": "2025-03-01T00:00:00Z"}).json()
    assert "New listing" in titles(since) and "Old listing" not in titles(since)
    assert client.get("/data-standard/feed", params={"page_size": 0}).status_code == 422


STANDARD_EXAMPLE = {
    "@context": "https://api.volunteeringdata.io/context/v1",
    "graph": [
        {
            "type": "Organisation",
            "id": "https://id.volunteeringdata.io/org-1",
            "name": "Under One Sky",
            "description": "Supports people experiencing homelessness.",
            "website": "https://underonesky.example",
            "cause": ["https://ns.volunteeringdata.io/AntiPoverty"],
            "activity": [
                {
                    "id": "https://id.volunteeringdata.io/act-1",
                    "title": "Volunteer Skywalker",
                    "description": "Help distribute food and essentials.",
                    "role": [
                        {
                            "title": "Outreach Volunteer",
                            "description": "Walk set routes offering food and signposting.",
                            "commitment": "One evening per week",
                            "applyLink": "https://underonesky.example/join",
                            "allowsRemoteParticipation": False,
                            "minimumAge": "18",
                            "requirement": [
                                "https://ns.volunteeringdata.io/DBSCheck",
                                "https://ns.volunteeringdata.io/NotARequirement",
                            ],
                            "reward": ["https://ns.volunteeringdata.io/TrainingProvided"],
                            "skill": [
                                "https://ns.volunteeringdata.io/ActiveListening",
                                "https://ns.volunteeringdata.io/Juggling",
                            ],
                        }
                    ],
                    "session": [
                        {
                            "location": {
                                "name": "Hub",
                                "address": "127 Lower Marsh, London SE1 7AE, UK",
                                "latitude": "51.5005014",
                                "longitude": "-0.1136474",
                            },
                            "time": [
                                "https://ns.volunteeringdata.io/MondayAfternoon",
                                "https://ns.volunteeringdata.io/SaturdayMorning",
                            ],
                        }
                    ],
                }
            ],
        }
    ],
}


def test_a_feed_from_elsewhere_imports_through_the_api_once(client, as_user, factory, db):
    staff = factory.user("centre_staff", centre=factory.centre())
    h = as_user(staff)
    content = json.dumps(STANDARD_EXAMPLE).encode()
    r = client.post("/data-standard/imports", headers=h, files={"file": ("feed.json", content, "application/ld+json")})
    assert r.status_code == 201, r.text
    batch = r.json()
    assert batch["error_count"] == 0 and batch["summary"]["roles_to_create"] == 1
    assert {p["field"].rsplit(".", 1)[-1] for p in batch["problems"]} == {"requirement", "skill"}  # unknown terms: warnings
    assert db.scalar(select(func.count()).select_from(Role).where(Role.source == "data_standard")) == 0
    r = client.post(f"/imports/{batch['id']}/confirm", headers=h)
    assert r.status_code == 200, r.text
    role = db.scalar(select(Role).where(Role.title == "Outreach Volunteer"))
    assert role.status == "published" and role.mode == "in_person" and role.postcode == "SE1 7AE"
    assert role.district_gss == "OUTSIDE" and role.latitude == pytest.approx(51.5005014)
    assert role.dbs_level == "standard" and role.requirements == ["DBS Check"] and role.minimum_age == 18
    assert (
        role.desired_skills == ["active-listening"] and role.causes == ["AntiPoverty"] and role.rewards == ["Training provided"]
    )
    org = db.get(Organisation, role.organisation_id)
    assert org.verification_status == "verified" and org.source_id == "https://id.volunteeringdata.io/org-1"
    # the same feed again: no duplicate listing
    again = client.post("/data-standard/imports", headers=h, files={"file": ("feed.json", content)}).json()
    assert again["summary"]["roles_to_create"] == 0 and again["summary"]["already_imported"] == 1
    client.post(f"/imports/{again['id']}/confirm", headers=h)
    assert db.scalar(select(func.count()).select_from(Role).where(Role.title == "Outreach Volunteer")) == 1

    bad = client.post("/data-standard/imports", headers=h, files={"file": ("feed.json", b"title,description\nx,y\n")}).json()
    assert bad["error_count"] == 1 and "not JSON" in bad["problems"][0]["problem"]
    assert (
        client.post(
            "/data-standard/imports", headers=as_user(factory.user("pilot_lead")), files={"file": ("f.json", content)}
        ).status_code
        == 403
    )
    missing = json.loads(json.dumps(STANDARD_EXAMPLE))
    missing["graph"][0]["activity"][0]["role"][0]["title"] = ""
    del missing["graph"][0]["activity"][0]["session"]
    checked = client.post("/data-standard/imports", headers=h, files={"file": ("feed.json", json.dumps(missing).encode())}).json()
    assert checked["error_count"] == 2 and {p["row"] for p in checked["problems"] if p["severity"] == "error"} == {1}
    assert client.post(f"/imports/{checked['id']}/confirm", headers=h).status_code == 409
