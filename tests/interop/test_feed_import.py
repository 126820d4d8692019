"""Taking in Volunteering Data Standard feeds as they are published: the standard's own files,
unchanged, in every JSON-LD form, read by what their terms mean."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerage.interop import feed_import
from brokerage.interop.imports import service as imports
from brokerage.interop.standard import document_loader
from brokerage.models import Activity, Centre, Organisation, Role

DATA = Path(__file__).parent.parent / "data" / "standard"
ORGANISATIONS = DATA / "organisations.jsonld"
REFERENCE_STYLE = DATA / "reference-style-activities.jsonld"


def guide_examples() -> list[bytes]:
    """The publishing guide's example feeds, as the page publishes them (its third example elides
    part of itself with “...”, so it is not JSON and is left aside)."""
    page = (DATA / "publishing-opportunities-data.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"{% highlight json %}\n(.*?){% endhighlight %}", page, re.S):
        try:
            json.loads(block)
        except json.JSONDecodeError:
            assert "..." in block
            continue
        out.append(block.encode())
    assert len(out) == 2
    return out


def example_files() -> dict[str, bytes]:
    files = {
        "organisations.jsonld": ORGANISATIONS.read_bytes(),
        "reference-style-activities.jsonld": REFERENCE_STYLE.read_bytes(),
    }
    files |= {f"guide example {i + 1}": b for i, b in enumerate(guide_examples())}
    return files


def counts(s: Session) -> tuple[int, ...]:
    return tuple(s.scalar(select(func.count()).select_from(m)) or 0 for m in (Organisation, Activity, Role))


def snapshot(s: Session) -> list[Any]:
    """Every organisation, activity and role as plain values (no database ids), in a stable order."""
    out = []
    for org in s.scalars(select(Organisation).order_by(Organisation.source_id)):
        acts = []
        for act in s.scalars(select(Activity).where(Activity.organisation_id == org.id).order_by(Activity.source_id)):
            roles = [
                {k: getattr(r, k) for k in feed_import.ROLE_FIELDS}
                | {
                    "source_id": r.source_id,
                    "places": r.places_available,
                    "causes": r.causes,
                    "skills": r.desired_skills + r.required_skills,
                    "sessions": [(x.starts_at, x.ends_at) for x in r.sessions],
                }
                for r in s.scalars(select(Role).where(Role.activity_id == act.id).order_by(Role.source_id))
            ]
            acts.append((act.source_id, act.title, act.description, act.requires_emergency_participation, roles))
        out.append(
            (org.source_id, org.name, org.description, org.website, org.charity_number, org.postcode, org.causes)
            + (org.contact_email, org.contact_phone, org.latitude, org.longitude, acts)
        )
    return out


@pytest.fixture
def instances(tmp_path, migrated_sqlite):
    """``instances()`` → a new empty brokerage database (SQLite, migrated) and its centre's id."""
    made = []

    def make() -> tuple[Session, int]:
        engine = migrated_sqlite(tmp_path / f"instance-{len(made)}.sqlite3")
        s = Session(engine, expire_on_commit=False)
        centre = Centre(name="Elsewhere Volunteer Centre", is_lead=False)
        s.add(centre)
        s.commit()
        made.append((engine, s))
        return s, centre.id

    yield make
    for engine, s in made:
        s.close()
        engine.dispose()


def dry_run_then_commit(s: Session, centre_id: int, content: bytes, area: str | None = None) -> tuple[dict, dict]:
    batch = imports.start(
        s,
        None,
        kind="feed",
        format="data_standard",
        filename="feed.jsonld",
        content=content,
        centre_id=centre_id,
        area=area,
    )
    assert batch.error_count == 0, [p for p in batch.problems if p["severity"] == "error"]
    planned = dict(batch.summary)
    before = counts(s)
    done = imports.confirm(s, None, batch.id).summary["result"]
    s.commit()
    after = counts(s)
    # the dry run is the commit, unapplied
    assert done["organisations_created"] == planned["organisations_to_create"] == after[0] - before[0]
    assert done["roles_created"] == planned["roles_to_create"] == after[2] - before[2]
    assert done["roles_updated"] == planned["roles_to_update"]
    assert done["already_imported"] == planned["already_imported"]
    # every row is accounted for: created, changed, or skipped with its reason
    rows_done = done["roles_created"] + done["roles_updated"] + planned["organisations_without_roles_to_create"]
    rows_done += planned["organisations_without_roles_to_update"]
    assert done["organisations_updated"] == planned["organisations_to_update"]
    assert planned["rows_in_feed"] == rows_done + sum(planned["skipped"].values()), planned
    return planned, done


@pytest.mark.parametrize("name", sorted(example_files()))
def test_each_example_imports_with_every_row_accounted_for_and_again_changes_nothing(instances, name):
    s, centre_id = instances()
    content = example_files()[name]
    planned, _ = dry_run_then_commit(s, centre_id, content)
    assert planned["rows_in_feed"] > 0
    first = snapshot(s)
    again, done = dry_run_then_commit(s, centre_id, content)
    assert again["organisations_to_create"] == again["roles_to_create"] == again["roles_to_update"] == 0
    assert snapshot(s) == first


def test_the_standards_organisations_file_creates_its_organisations(instances):
    """The demonstration organisations carry no name, title or label: each is named from its
    profile address (and says so); the five with no usable profile address are left out, each
    with its reason. Contact details they published come with them, and every source IRI is kept."""
    s, centre_id = instances()
    batch = imports.start(
        s, None, kind="feed", format="data_standard", filename="o.jsonld", content=ORGANISATIONS.read_bytes(), centre_id=centre_id
    )
    assert batch.total_rows == 250 and batch.error_count == 0
    assert batch.summary["organisations_to_create"] == 245 and batch.summary["skipped"] == {"organisation has no name": 5}
    imports.confirm(s, None, batch.id)
    s.commit()
    create = s.scalar(select(Organisation).where(Organisation.source_id.like("%60B5440B-99D0-4542-B30B-EE99E685627C")))
    assert create.source_id == "https://id.volunteeringdata.io/60B5440B-99D0-4542-B30B-EE99E685627C"
    assert create.name == "Create Paisley" and create.contact_email == "info@createpaisley.org.uk" and create.publish_contact
    assert create.latitude == pytest.approx(55.8459363) and create.district_gss == "OUTSIDE"
    assert create.address == "CREATE Paisley" and create.postcode is None  # no postcode is invented
    assert s.scalar(select(func.count()).select_from(Organisation).where(Organisation.source_id.is_(None))) == 0
    assert len({o for o in s.scalars(select(Organisation.source_id))}) == 245


def test_the_same_content_expanded_and_flattened_imports_to_the_same_records(instances):
    for content in [*guide_examples(), REFERENCE_STYLE.read_bytes(), ORGANISATIONS.read_bytes()]:
        doc = json.loads(content)
        options = {"documentLoader": document_loader}
        forms = {
            "as published": doc,
            "expanded": jsonld.expand(doc, options),
            "flattened": jsonld.flatten(doc, None, options),
            "flattened and compacted": jsonld.flatten(doc, "https://api.volunteeringdata.io/context/v1", options),
        }
        shots = {}
        for form, data in forms.items():
            s, centre_id = instances()
            if content == REFERENCE_STYLE.read_bytes():
                # the reference-style activities point at an organisation of the standard's file
                dry_run_then_commit(s, centre_id, ORGANISATIONS.read_bytes())
            dry_run_then_commit(s, centre_id, json.dumps(data).encode())
            shots[form] = snapshot(s)
        assert shots["as published"], content[:60]
        for form, shot in shots.items():
            assert shot == shots["as published"], form


def test_the_guides_nested_organisations_land_field_by_field(db, factory):
    first, second = guide_examples()
    report, plan = feed_import.check_import(db, first)
    feed_import.apply_import(db, plan, actor_user_id=None)
    role = db.scalar(select(Role).where(Role.title == "Outreach Volunteer"))
    org = db.get(Organisation, role.organisation_id)
    assert org.name == "Under One Sky" and org.source_id == "https://id.volunteeringdata.io/684059665d271835a2253c9d"
    assert org.causes == ["AntiPoverty"] and org.website == "https://underoneskytogether.com/"
    act = db.get(Activity, role.activity_id)
    assert act.title == "Volunteer Skywalker" and act.source_id == "https://id.volunteeringdata.io/686e542f7734eb69b0ec1516"
    assert role.commitment == "One evening per week, 3-hour shift" and role.minimum_age == 18
    assert role.dbs_level == "standard" and role.requirements == ["DBS Check"]
    assert role.rewards == ["Training provided", "Expenses reimbursed"]  # not in the reward list: kept, and reported
    assert role.desired_skills == ["empathy-compassion"] and role.required_skills == []
    assert role.location_name == "Under One Sky Hub" and role.postcode == "SE1 7AE" and role.district_gss == "OUTSIDE"
    assert role.address == "127-128 Lower Marsh, London SE1 7AE, UK"  # the postcode is not at its end: kept whole
    assert role.latitude == pytest.approx(51.5005014) and role.mode == "in_person"
    assert role.places_available is None  # the standard has no word for places: not invented
    from brokerage.vocab.slots import mask_to_slots

    assert mask_to_slots(role.slot_mask) == ["MondayAfternoon", "TuesdayAfternoon", "SaturdayMorning", "SaturdayAfternoon"]
    problems = {(p["field"].rsplit(".", 1)[-1], p["problem"].split("”")[0]) for p in report.problems}
    assert ("reward", "The reward “https://ns.volunteeringdata.io/TrainingProvided") in problems
    assert ("skill", "The skill “https://ns.volunteeringdata.io/Communication") in problems  # a whole group, not a skill
    assert report.errors == 0
    # a single organisation published on its own (the guide's second example) joins the same records
    report, plan = feed_import.check_import(db, second)
    assert plan.summary["organisations_to_create"] == 0  # Oxfam GB is the same IRI
    assert plan.summary["already_imported"] == 1 and plan.summary["roles_to_create"] == 1  # the shop role is already here


def test_reference_style_activities_without_roles_become_roles_with_dated_sessions(db, factory):
    report, plan = feed_import.check_import(db, ORGANISATIONS.read_bytes())
    feed_import.apply_import(db, plan, actor_user_id=None)
    report, plan = feed_import.check_import(db, REFERENCE_STYLE.read_bytes())
    assert report.errors == 0 and plan.summary["roles_to_create"] == 4
    feed_import.apply_import(db, plan, actor_user_id=None)
    pick = db.scalar(select(Role).where(Role.title == "River path litter pick"))
    assert pick.one_off and pick.slot_mask == 0
    assert [(s.starts_at, s.ends_at) for s in pick.sessions] == [
        (datetime(2026, 4, 18, 10), datetime(2026, 4, 18, 13)),
        (datetime(2026, 5, 16, 10), datetime(2026, 5, 16, 13)),
    ]
    assert pick.postcode == "ME4 4AA" and pick.district_gss == "E06000035" and pick.location_name == "Riverside Hall"
    assert pick.address == "Riverside Hall, Chatham" and pick.accessibility == ["Public Transport Access"]
    assert pick.requirements == ["Gloves (work gloves, waterproof gloves)"] and pick.causes == ["Environment"]
    assert pick.apply_link == "https://riverside.example.org/litter-pick"
    org = db.get(Organisation, pick.organisation_id)
    assert org.name == "Medway Riverside Trust" and org.source_id == "https://id.volunteeringdata.io/kent-org-1"
    boat = db.scalar(select(Role).where(Role.title == "Boat crew"))
    from brokerage.vocab.slots import mask_to_slots

    assert mask_to_slots(boat.slot_mask) == ["SaturdayMorning", "SundayMorning"] and not boat.one_off
    assert boat.desired_skills == ["water-safety"]
    assert boat.latitude is not None and boat.postcode == "ME4 4AA"
    online = db.scalar(select(Role).where(Role.title == "Online befriending calls"))
    assert online.mode == "remote" and online.postcode is None and online.latitude is None
    # the long title is reported, and the activity joins the organisation published earlier
    long = db.scalar(select(Role).where(Role.title.like("Birmingham City Football Club%")))
    assert len(long.title) <= 200 and long.title.endswith("…")
    assert db.get(Organisation, long.organisation_id).name == "Create Paisley"
    assert long.sessions[0].starts_at == datetime(2025, 10, 8) and long.sessions[0].ends_at == datetime(2025, 11, 6, 23, 59, 59)
    said = " ".join(p["problem"] for p in report.problems)
    assert "over the limit of 200" in said
    assert "The skill “Knot tying” is not in our skills list" in said
    assert "The cause “Boating” is not in the standard's cause list" in said  # an unknown cause is reported


def test_a_feed_limited_to_kent_and_medway_counts_what_it_leaves_out(instances):
    s, centre_id = instances()
    dry_run_then_commit(s, centre_id, ORGANISATIONS.read_bytes(), area="kent_medway")
    assert s.scalar(select(func.count()).select_from(Organisation)) == 2  # the two of the 245 in Kent
    planned, done = dry_run_then_commit(s, centre_id, REFERENCE_STYLE.read_bytes(), area="kent_medway")
    # the litter pick and boat crew are in Medway and the calls are remote; the stadium's organisation
    # is in Paisley and was left out of the organisations, so the stadium has no organisation here
    assert planned["roles_to_create"] == 3 and planned["skipped"] == {"organisation not in the feed": 1}
    first, _ = guide_examples()
    planned, _ = dry_run_then_commit(s, centre_id, first, area="kent_medway")
    assert planned["roles_to_create"] == 0 and planned["left_out_of_area"] == 2  # London and Leeds


def test_unreadable_feeds_are_refused_with_a_reason(db):
    for content, said in [
        (b"title,description\nx,y\n", "not JSON"),
        (b'{"@context": "https://example.org/other-context", "name": "x"}', "does not know"),
        (b'"just text"', "single value"),
        (b'{"@context": {"@vocab": "https://example.org/"}, "name": "x"}', "no organisations or activities"),
    ]:
        report, plan = feed_import.check_import(db, content)
        assert report.errors == 1 and said in report.problems[0]["problem"], report.problems


def test_a_later_feed_updates_the_organisations_it_brought_in(instances):
    """An organisation imported from a feed is updated from a later feed that publishes it under the
    same IRI; the roles it did not change are left alone, and the same feed again changes nothing."""
    s, centre_id = instances()
    first, _ = guide_examples()
    dry_run_then_commit(s, centre_id, first)
    doc = json.loads(first)
    org = doc["graph"][0]
    org["description"] = "Outreach, meals and advice for people without a home."
    org["website"] = "https://underonesky.example.org/"
    later = json.dumps(doc).encode()
    planned, done = dry_run_then_commit(s, centre_id, later)
    assert planned["organisations_to_update"] == done["organisations_updated"] == 1
    assert planned["organisations_to_create"] == planned["roles_to_create"] == planned["roles_to_update"] == 0
    record = s.scalar(select(Organisation).where(Organisation.source_id == org["id"]))
    assert record.description == org["description"] and record.website == org["website"]
    again, _ = dry_run_then_commit(s, centre_id, later)
    assert again["organisations_to_update"] == again["organisations_to_create"] == again["roles_to_create"] == 0
