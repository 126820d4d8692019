"""Duplicate volunteers: the detector on a synthetic county, staff review scoped by policy, and
merges that keep every hour and can be reversed until confirmed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from brokerage.interop.dedup import Person, find_duplicates
from brokerage.models import AuditLog, HoursEntry, Placement, Referral, Volunteer
from tests.factories import ASHFORD, CANTERBURY
from tests.interop.synthetic_county import generate, precision_recall


def test_synthetic_county_precision_and_recall():
    people, truth = generate(n=6000, duplicates=200, seed=7)
    matches = find_duplicates(people)
    precision, recall = precision_recall({(m.a, m.b) for m in matches}, truth)
    print(
        f"\nsynthetic county: {len(people)} records, {len(truth)} planted duplicates → "
        f"{len(matches)} proposed; precision {precision:.3f}, recall {recall:.3f}"
    )
    assert precision >= 0.98
    assert recall >= 0.95


def test_planted_duplicates_are_found_and_namesakes_are_not():
    dob = date(1980, 4, 1)
    common = [
        Person(i, "John", "Smith", dob + timedelta(days=37 * i), f"john.smith{i}@example.net", None, f"ME14 {i % 9 + 1}AB")
        for i in range(1, 41)
    ]
    # namesakes sharing a date of birth, or an address, but nothing that makes them one person
    common += [
        Person(41, "John", "Smith", common[0].date_of_birth, None, None, "CT1 1AA"),
        Person(42, "John", "Smith", None, None, None, common[1].postcode),
        Person(43, "John", "Smith", date(1950, 4, 1), "js43@example.net", "01227 000001", "CT2 7AA"),  # father …
        Person(44, "John", "Smith", date(1980, 4, 1), "js44@example.net", "01227 000001", "CT2 7AA"),  # … and son
        Person(45, "Isla", "Roberts", date(2001, 2, 3), None, "01622 111111", "ME15 6AA"),  # twins
        Person(46, "Mia", "Roberts", date(2001, 2, 3), None, "01622 111111", "ME15 6AA"),
    ]
    planted = [
        (
            Person(101, "Margaret", "Okafor", date(1961, 5, 9), "m.okafor@example.net", "07700 900001", "TN23 1AA"),
            Person(102, "Margret", "Okafor", date(1961, 5, 9), "m.okafor@example.net", None, "TN23 1AA"),
        ),  # typo
        (
            Person(103, "Wojciech", "Nowak", date(1990, 12, 1), "wnowak@example.net", None, "CT9 1AA"),
            Person(104, "Nowak", "Wojciech", date(1990, 12, 1), None, "07700 900002", "CT9 1AA"),
        ),  # swapped order
        (
            Person(105, "Priya", "Shah", date(1975, 8, 20), "priya.shah@oldmail.example", "07700 900003", "ME4 4AA"),
            Person(106, "Priya", "Shah", date(1975, 8, 20), "priya@newmail.example", "07700 900003", "ME4 4AA"),
        ),  # changed email
        (
            Person(107, "John", "Smith", common[5].date_of_birth, "a.new.address@example.net", None, common[5].postcode),
            common[5],
        ),  # one of the John Smiths, registered again with another email
    ]
    people = common + [p for pair in planted for p in pair if p.id > 100]
    found = {(m.a, m.b) for m in find_duplicates(people)}
    expected = {(min(a.id, b.id), max(a.id, b.id)) for a, b in planted}
    assert found == expected


@pytest.fixture
def centres(factory):
    return {
        "lead": factory.centre(is_lead=True, districts=()),
        "ashford": factory.centre(districts=(ASHFORD,)),
        "canterbury": factory.centre(districts=(CANTERBURY,)),
    }


def person(factory, district, first, last, dob, email=None, phone=None, **kw):
    v = factory.volunteer(district, with_user=False, dob=dob, **kw)
    v.first_name, v.last_name, v.email, v.email_normalised, v.phone = first, last, email, None, phone
    factory.s.flush()
    return v


def test_staff_review_pairs_they_can_see_and_merge_keeps_every_hour(client, as_user, factory, centres, db):
    lead = factory.user("centre_staff", centre=centres["lead"])
    ashford = factory.user("centre_staff", centre=centres["ashford"])
    canterbury = factory.user("centre_staff", centre=centres["canterbury"])
    # one person twice in Ashford; another once in Ashford and once in Canterbury
    a1 = person(factory, ASHFORD, "Harriet", "Fenwick", date(1970, 1, 2), "harriet@example.net", "07700 900100")
    a2 = person(factory, ASHFORD, "Fenwick", "Harriet", date(1970, 1, 2), None, "07700 900100")
    b1 = person(factory, ASHFORD, "Desmond", "Achterberg", date(1955, 3, 4), "des@example.net")
    b2 = person(factory, CANTERBURY, "Desmond", "Achterburg", date(1955, 3, 4), "des@example.net")
    namesake = person(factory, ASHFORD, "Harriet", "Fenwick", date(1992, 9, 9), "other.harriet@example.net")

    r = client.post("/duplicates/scan", headers=as_user(lead))
    assert r.status_code == 200 and r.json()["new"] == 2, r.text
    assert client.post("/duplicates/scan", headers=as_user(lead)).json()["new"] == 0, "a second scan adds nothing"

    pairs = client.get("/duplicates", headers=as_user(lead)).json()["items"]
    ids = {frozenset((p["first"]["id"], p["second"]["id"])): p for p in pairs}
    assert set(ids) == {frozenset((a1.id, a2.id)), frozenset((b1.id, b2.id))}
    assert namesake.id not in {v for pair in ids for v in pair}
    assert "same name, in another order" in ids[frozenset((a1.id, a2.id))]["reasons"]
    assert "gender" not in pairs[0]["first"] and "ethnicity" not in pairs[0]["first"]

    # Ashford sees only the pair where both records are theirs; Canterbury sees none; others are refused.
    mine = client.get("/duplicates", headers=as_user(ashford)).json()
    assert [frozenset((p["first"]["id"], p["second"]["id"])) for p in mine["items"]] == [frozenset((a1.id, a2.id))]
    assert client.get("/duplicates", headers=as_user(canterbury)).json()["total"] == 0
    cross = ids[frozenset((b1.id, b2.id))]["id"]
    assert client.get(f"/duplicates/{cross}", headers=as_user(ashford)).status_code == 404
    assert (
        client.post(f"/duplicates/{cross}/merge", headers=as_user(ashford), json={"keep_volunteer_id": b1.id}).status_code == 404
    )
    for role in ("pilot_lead", "admin", "volunteer"):
        assert client.get("/duplicates", headers=as_user(factory.user(role))).status_code == 403

    # Give both of the Ashford records history: placements with hours and referrals (one to the same role).
    org = factory.organisation(ASHFORD)
    role1, role2 = factory.role(org), factory.role(org)
    hours: dict[int, Decimal] = {}
    for v, role, amounts in ((a1, role1, ("2.5", "3")), (a2, role2, ("1.25",)), (a2, role1, ("4",))):
        p = Placement(volunteer_id=v.id, role_id=role.id, organisation_id=org.id, started_on=date(2025, 1, 6))
        db.add(p)
        db.flush()
        for k, amount in enumerate(amounts):
            db.add(
                HoursEntry(
                    placement_id=p.id,
                    volunteer_id=v.id,
                    worked_on=date(2025, 2, 1) + timedelta(days=k),
                    hours=Decimal(amount),
                    status="approved",
                )
            )
    for v, role in ((a1, role1), (a2, role1), (a2, role2)):
        db.add(Referral(volunteer_id=v.id, role_id=role.id, status="contacted"))
    db.flush()
    total_before = db.scalar(select(func.sum(HoursEntry.hours)).where(HoursEntry.volunteer_id.in_((a1.id, a2.id))))
    assert total_before == Decimal("10.75")
    hours = {
        v.id: db.scalar(select(func.coalesce(func.sum(HoursEntry.hours), 0)).where(HoursEntry.volunteer_id == v.id))
        for v in (a1, a2)
    }

    pair_id = ids[frozenset((a1.id, a2.id))]["id"]
    r = client.post(f"/duplicates/{pair_id}/merge", headers=as_user(ashford), json={"keep_volunteer_id": a1.id})
    assert r.status_code == 201, r.text
    merge = r.json()
    assert merge["status"] == "pending" and merge["hours_entries_moved"] == 2 and merge["referrals_moved"] == 2
    assert merge["referrals_closed"] == 1  # both were active for role1: the kept record's referral continues
    db.expire_all()
    assert db.scalar(select(func.sum(HoursEntry.hours)).where(HoursEntry.volunteer_id == a1.id)) == total_before, (
        "every hour kept"
    )
    assert db.scalar(select(func.count()).select_from(HoursEntry).where(HoursEntry.volunteer_id == a2.id)) == 0
    assert db.scalar(select(func.count()).select_from(Referral).where(Referral.volunteer_id == a1.id)) == 3
    gone = db.get(Volunteer, a2.id)
    assert gone.status == "merged" and gone.merged_into_id == a1.id
    assert client.get("/duplicates", headers=as_user(ashford)).json()["total"] == 0
    assert (
        db.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "volunteer.merge", AuditLog.subject_id == a1.id)
        )
        == 1
    )

    # Reversible until confirmed: everything goes back where it was.
    r = client.post(f"/merges/{merge['id']}/reverse", headers=as_user(ashford))
    assert r.status_code == 200 and r.json()["status"] == "reversed", r.text
    db.expire_all()
    for v in (a1, a2):
        assert (
            db.scalar(select(func.coalesce(func.sum(HoursEntry.hours), 0)).where(HoursEntry.volunteer_id == v.id)) == hours[v.id]
        )
    assert sorted(r.status for r in db.scalars(select(Referral).where(Referral.volunteer_id == a2.id))) == [
        "contacted",
        "contacted",
    ]
    assert db.get(Volunteer, a2.id).status == "active" and db.get(Volunteer, a2.id).merged_into_id is None
    assert client.get("/duplicates", headers=as_user(ashford)).json()["total"] == 1, "the pair is open for review again"

    # Merge again and confirm: now it stays.
    merge = client.post(f"/duplicates/{pair_id}/merge", headers=as_user(ashford), json={"keep_volunteer_id": a2.id}).json()
    assert client.post(f"/merges/{merge['id']}/confirm", headers=as_user(ashford)).json()["status"] == "confirmed"
    assert client.post(f"/merges/{merge['id']}/reverse", headers=as_user(ashford)).status_code == 409
    db.expire_all()
    assert db.scalar(select(func.sum(HoursEntry.hours)).where(HoursEntry.volunteer_id == a2.id)) == total_before
    assert db.get(Volunteer, a2.id).email == "harriet@example.net"  # a blank filled from the other record
    actions = set(db.scalars(select(AuditLog.action).where(AuditLog.action.like("volunteer.merge%"))))
    assert actions == {"volunteer.merge", "volunteer.merge_reversed", "volunteer.merge_confirmed"}


def test_dismissed_pairs_are_not_proposed_again(client, as_user, factory, centres):
    staff = factory.user("centre_staff", centre=centres["ashford"])
    person(factory, ASHFORD, "Tamsin", "Quayle", date(1988, 8, 8), "tq@example.net")
    person(factory, ASHFORD, "Tamsin", "Quayle", date(1988, 8, 8), None, None)
    assert client.post("/duplicates/scan", headers=as_user(staff)).json()["new"] == 1
    pair = client.get("/duplicates", headers=as_user(staff)).json()["items"][0]
    assert client.post(f"/duplicates/{pair['id']}/dismiss", headers=as_user(staff)).json()["status"] == "dismissed"
    assert client.post("/duplicates/scan", headers=as_user(staff)).json()["new"] == 0
    assert client.get("/duplicates", headers=as_user(staff)).json()["total"] == 0


def test_the_scan_is_bounded_and_proposes_each_pair_once():
    """A thousand records sharing one date of birth make one block of half a million pairs: it is
    capped, the true duplicate inside it is still found (neighbours by name), and a pair sharing
    several keys (date of birth, email, phone) is proposed once."""
    from datetime import date

    from brokerage.interop.dedup import ScanStats

    dob = date(1980, 1, 1)
    people = [Person(i, f"Person{i:04d}", f"Surname{i % 997:03d}x", dob) for i in range(1, 1001)]
    people.append(Person(5000, "Amelia", "Hartley", dob, "amelia.hartley@example.net", "07700 900123", "TN23 1AA"))
    people.append(Person(5001, "Amelia", "Hartley", dob, "amelia.hartley@example.net", "07700 900123", "TN23 1AA"))
    stats = ScanStats()
    matches = find_duplicates(people, max_pairs_per_block=5_000, stats=stats)
    assert stats.capped_blocks >= 1 and stats.largest_block == 1002
    # no block costs more than its cap (the date of birth and the sound of the names make two big blocks)
    assert stats.pairs_compared <= stats.capped_blocks * 5_000 + 50
    pairs = [(m.a, m.b) for m in matches]
    assert pairs.count((5000, 5001)) == 1
    assert len(pairs) == len(set(pairs))
