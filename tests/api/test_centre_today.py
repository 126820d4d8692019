"""A centre's day at a glance: each count on the centre's home equals a count straight from the
database, and the list it links to shows exactly those rows (in the centre's districts only)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from brokerage import deps
from brokerage.auth.service import issue_session_cookie
from brokerage.models import Invitation, Organisation, Placement, Referral, Role, Volunteer
from tests.factories import ASHFORD, CANTERBURY

LONG_AGO = datetime.utcnow() - timedelta(days=40)


@pytest.fixture
def db(pg_db):
    return pg_db


def _seed(factory, db) -> dict[str, set[int]]:
    centre = factory.centre(districts=(ASHFORD,))
    staff = factory.user("centre_staff", centre=centre)
    here, there = factory.organisation(ASHFORD), factory.organisation(CANTERBURY)
    orgs = {factory.organisation(ASHFORD, verified=False).id for _ in range(2)}
    factory.organisation(CANTERBURY, verified=False)  # another centre's
    listings = {factory.role(here, status="pending_review").id for _ in range(2)}
    factory.role(there, status="pending_review")  # another centre's
    role = factory.role(here)
    recent = [factory.volunteer(ASHFORD, registered_on=date.today() - timedelta(days=5)) for _ in range(6)]
    overdue, escalated = set(), set()
    for i, v in enumerate(recent[:4]):
        ref = Referral(volunteer_id=v.id, role_id=role.id, status="referred" if i else "interested")
        db.add(ref)
        db.flush()
        if i < 3:
            ref.status_changed_at = LONG_AGO
            overdue.add(ref.id)
        if i == 1:
            ref.escalated_at = LONG_AGO
            escalated.add(ref.id)
    quiet = {factory.volunteer(ASHFORD, registered_on=date.today() - timedelta(days=200)).id for _ in range(2)}
    placed = factory.volunteer(ASHFORD, registered_on=date.today() - timedelta(days=200))
    started = Referral(volunteer_id=placed.id, role_id=role.id, status="started")
    db.add(started)
    db.flush()
    started.status_changed_at = LONG_AGO
    db.add(
        Placement(
            referral_id=started.id,
            volunteer_id=placed.id,
            role_id=role.id,
            organisation_id=here.id,
            started_on=date.today() - timedelta(days=150),
        )
    )
    factory.volunteer(CANTERBURY, registered_on=date.today() - timedelta(days=200))  # another centre's
    dbs = {recent[4].id}
    recent[4].dbs_level, recent[4].dbs_certificate_date = "basic", date.today() - timedelta(days=3 * 365)
    recent[5].dbs_level, recent[5].dbs_certificate_date = "basic", date.today() - timedelta(days=3 * 365)
    recent[5].dbs_update_service = True  # kept up to date by the Update Service
    invited = set()
    for v in recent[:2]:
        inv = Invitation(role_id=role.id, volunteer_id=v.id, sender_kind="organisation", status="waiting")
        db.add(inv)
        db.flush()
        invited.add(v.id)
    db.add(Invitation(role_id=role.id, volunteer_id=recent[2].id, sender_kind="organisation", status="declined"))
    db.commit()
    return {
        "staff": staff,
        "organisations": orgs,
        "listings": listings,
        "overdue": overdue,
        "escalated": escalated,
        "quiet": quiet,
        "dbs": dbs,
        "invitations": invited,
    }


def _database_counts(db) -> dict[str, int]:
    """The same figures counted plainly in the database (the centre covers Ashford only)."""
    ashford_vols = select(Volunteer.id).where(Volunteer.district_gss == ASHFORD)
    return {
        "organisations": db.scalar(
            select(func.count()).where(Organisation.verification_status == "pending", Organisation.district_gss == ASHFORD)
        ),
        "listings": db.scalar(
            select(func.count()).select_from(Role).where(Role.status == "pending_review", Role.district_gss == ASHFORD)
        ),
        "escalated": db.scalar(
            select(func.count())
            .select_from(Referral)
            .where(Referral.escalated_at.is_not(None), Referral.status.in_(("interested", "referred")))
        ),
        "dbs": db.scalar(
            select(func.count())
            .select_from(Volunteer)
            .where(
                Volunteer.id.in_(ashford_vols),
                Volunteer.dbs_certificate_date.is_not(None),
                Volunteer.dbs_update_service.is_(False),
            )
        ),
        "invitations": db.scalar(select(func.count()).select_from(Invitation).where(Invitation.status == "waiting")),
    }


def test_each_count_equals_the_database_and_links_to_exactly_those_rows(client, factory, db):
    seeded = _seed(factory, db)
    client.cookies.set(deps.SESSION_COOKIE, issue_session_cookie(seeded.pop("staff")))
    home = client.get("/centre", headers={"Accept": "text/html"})
    assert home.status_code == 200, home.text[:500]
    shown = {
        key: (int(n.replace(",", "")), unescape_amp(url))
        for key, url, n in re.findall(
            r'id="count-(\w+)"><a href="([^"]+)"><span class="count-list__number">([\d,]+)</span>', home.text
        )
    }
    assert set(shown) == set(seeded), shown
    for key, expected in _database_counts(db).items():
        assert shown[key][0] == expected, (key, shown[key], expected)
    rows = {
        "organisations": r"/centre/organisations/(\d+)",
        "listings": r"/centre/roles/(\d+)",
        "overdue": r"/centre/referrals/(\d+)/status",
        "escalated": r"/centre/referrals/(\d+)/status",
        "quiet": r"<td><a href=\"/centre/volunteers/(\d+)\"",
        "dbs": r"<td><a href=\"/centre/volunteers/(\d+)\"",
        "invitations": r"<td><a href=\"/centre/volunteers/(\d+)\"",
    }
    for key, ids in seeded.items():
        count, url = shown[key]
        assert count == len(ids), (key, count, ids)
        page = client.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200, (url, page.text[:300])
        listed = {int(i) for i in re.findall(rows[key], page.text)}
        assert listed == ids, (key, url, listed, ids)


def test_a_county_of_quiet_volunteers_says_more_than_rather_than_counting_them_all(client, factory, db, monkeypatch):
    """Past the number the centre's home counts to, the quiet figure says "More than …" that number (never
    a wrong figure), and still opens the list of them; at or below it, the exact count."""
    from brokerage.centres import today

    seeded = _seed(factory, db)
    client.cookies.set(deps.SESSION_COOKIE, issue_session_cookie(seeded.pop("staff")))
    quiet_now = len(seeded["quiet"])
    pattern = r'id="count-quiet"><a href="([^"]+)">(More than )?<span class="count-list__number">([\d,]+)</span>'

    monkeypatch.setattr(today, "QUIET_COUNTED", quiet_now)
    url, more, n = re.search(pattern, client.get("/centre", headers={"Accept": "text/html"}).text).groups()
    assert (more, int(n)) == (None, quiet_now)

    monkeypatch.setattr(today, "QUIET_COUNTED", quiet_now - 1)
    url, more, n = re.search(pattern, client.get("/centre", headers={"Accept": "text/html"}).text).groups()
    assert (more, int(n)) == ("More than ", quiet_now - 1)
    listed = {
        int(i)
        for i in re.findall(
            r'<td><a href="/centre/volunteers/(\d+)"', client.get(unescape_amp(url), headers={"Accept": "text/html"}).text
        )
    }
    assert listed == seeded["quiet"]


def unescape_amp(url: str) -> str:
    return url.replace("&amp;", "&")


def test_gone_quiet_is_the_last_activity_before_the_cutoff(factory, db):
    """The condition the county is counted with says what ``last_activity() < cutoff`` says, for every
    mix of sign-ins, referrals and hours before and after the cutoff, with and without an account, and
    registered before or after it (a record imported with older activity than its registration)."""
    from itertools import product

    from brokerage.models import HoursEntry, User
    from brokerage.volunteers import quiet

    org = factory.organisation(ASHFORD)
    role = factory.role(org)
    cut = quiet.cutoff()
    old, new = cut - timedelta(days=30), cut + timedelta(hours=1)
    made = []
    times = (None, old, new)
    for registered, login, referral, hours, account in product((old, new), times, times, times, (True, False)):
        if login is not None and not account:
            continue
        v = factory.volunteer(ASHFORD, with_user=account, registered_on=registered.date())
        if account:
            db.get(User, v.user_id).last_login_at = login
        if referral is not None or hours is not None:
            ref = Referral(volunteer_id=v.id, role_id=role.id, status="started", status_changed_at=referral or old)
            db.add(ref)
            db.flush()
            if hours is not None:
                p = Placement(
                    referral_id=ref.id,
                    volunteer_id=v.id,
                    role_id=role.id,
                    organisation_id=org.id,
                    started_on=old.date(),
                    ended_on=old.date(),
                )
                db.add(p)
                db.flush()
                db.add(
                    HoursEntry(
                        placement_id=p.id, volunteer_id=v.id, worked_on=old.date(), hours=1, status="approved", created_at=hours
                    )
                )
        made.append(v.id)
    db.flush()
    scope = Volunteer.id.in_(made)
    by_activity = set(db.scalars(select(Volunteer.id).where(scope, quiet.last_activity() < cut)))
    by_condition = set(db.scalars(select(Volunteer.id).where(scope, quiet.quiet_condition())))
    assert by_condition == by_activity
    assert 0 < len(by_condition) < len(made)
    # the re-engagement email's list names each one's quiet spell by the same last activity
    last = dict(db.execute(select(Volunteer.id, quiet.last_activity()).where(scope)).all())
    emailed = {r.id: r.last_active for r in quiet.to_reengage(db) if r.id in last}
    assert set(emailed) == by_condition
    assert all(at == last[vid] for vid, at in emailed.items())
