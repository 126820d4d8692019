"""Counts shown are totals, never caps: every list page and API list says how many there are in all
(equal to a count of the rows in the database), on the first page and on a page past the last (which
is empty, not an error); a centre's referrals come overdue first; filters are kept across pages. The
one list long enough to be a county, the centre's volunteers, is counted to 10,000 and says "More than
10,000 volunteers" beyond that, never a wrong figure."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from brokerage import deps
from brokerage.auth.service import issue_session_cookie
from brokerage.db import utcnow
from brokerage.models import HoursEntry, Organisation, Placement, Referral, Role, Volunteer
from tests.factories import ASHFORD

HTML = {"Accept": "text/html"}
N_ROLES = 45  # more than two pages of search results (20 a page)
N_REFERRALS = 55  # more than a page of referrals (50 a page)


@pytest.fixture
def db(pg_db):
    return pg_db


@pytest.fixture
def county(factory, db):
    centre = factory.centre(districts=(ASHFORD,), is_lead=True)
    staff = factory.user("centre_staff", centre=centre)
    org = factory.organisation(ASHFORD)
    manager = factory.user("organisation_manager", organisations=(org,))
    roles = [factory.role(org, title=f"Helper {i}", places=100) for i in range(N_ROLES)]
    volunteers = [factory.volunteer(ASHFORD) for _ in range(N_REFERRALS)]
    now = utcnow()
    for i, v in enumerate(volunteers):
        # every fifth one has waited three weeks (overdue); the others moved today
        moved = now - timedelta(days=21) if i % 5 == 0 else now - timedelta(minutes=i)
        db.add(
            Referral(
                volunteer_id=v.id,
                role_id=roles[i % N_ROLES].id,
                status="interested",
                share_email=True,
                share_phone=False,
                created_at=moved,
                status_changed_at=moved,
            )
        )
    db.flush()
    for ref in db.scalars(select(Referral).where(Referral.volunteer_id.in_([v.id for v in volunteers]))).all()[:3]:
        p = Placement(
            referral_id=ref.id,
            volunteer_id=ref.volunteer_id,
            role_id=ref.role_id,
            organisation_id=org.id,
            started_on=now.date() - timedelta(days=30),
        )
        db.add(p)
        db.flush()
        for d in range(40):
            db.add(
                HoursEntry(
                    placement_id=p.id,
                    volunteer_id=ref.volunteer_id,
                    worked_on=now.date() - timedelta(days=d),
                    hours=1,
                    status="submitted",
                    reminder_count=0,
                )
            )
    db.commit()
    return {"staff": staff, "manager": manager, "org": org}


def _count(db, stmt) -> int:
    return db.scalar(select(func.count()).select_from(stmt.subquery()))


def _as(client, user):
    client.cookies.clear()
    client.cookies.set(deps.SESSION_COOKIE, issue_session_cookie(user))
    return client


def _number(text: str, pattern: str) -> int:
    found = re.search(pattern, re.sub(r"<[^>]+>", "", text))
    assert found, pattern
    return int(found.group(1).replace(",", ""))


def test_search_totals_are_true_on_the_page_and_the_api(client, county, db):
    published = _count(db, select(Role.id).where(Role.status == "published"))
    assert published >= N_ROLES
    client.cookies.clear()
    first = client.get("/opportunities", headers=HTML)
    assert _number(first.text, r"([\d,]+)\s+roles found") == published
    assert "Page 1 of" in first.text
    past = client.get("/opportunities?page=999&remote=", headers=HTML)
    assert past.status_code == 200
    assert _number(past.text, r"([\d,]+)\s+roles found") == published
    assert "There is nothing on page 999" in past.text and 'class="card"' not in past.text
    api = client.get("/search/roles", params={"limit": 20})
    assert int(api.headers["X-Total-Count"]) == published and len(api.json()) == 20
    api = client.get("/search/roles", params={"limit": 20, "page": 999})
    assert api.status_code == 200 and api.json() == [] and int(api.headers["X-Total-Count"]) == published
    # the pages between are the rest of the list, without repeats
    seen = []
    for n in range(1, published // 20 + 2):
        seen += [m["role_id"] for m in client.get("/search/roles", params={"limit": 20, "page": n}).json()]
    assert len(seen) == len(set(seen)) == published


def test_centre_referrals_count_all_and_come_overdue_first(client, county, db, as_user):
    staff = county["staff"]
    visible = _count(
        db, select(Referral.id).join(Volunteer, Volunteer.id == Referral.volunteer_id).where(Volunteer.district_gss == ASHFORD)
    )
    overdue = _count(db, select(Referral.id).where(Referral.status_changed_at < utcnow() - timedelta(days=14)))
    page = _as(client, staff).get("/centre/referrals", headers=HTML)
    assert page.status_code == 200
    assert _number(page.text, r"([\d,]+)\s+referrals") == visible
    assert _number(page.text, r"([\d,]+)\s+overdue") == overdue
    rows = page.text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert all("Overdue" in r or "Escalate" in r for r in rows[:overdue])
    assert not any("Overdue" in r or "Escalate" in r for r in rows[overdue:])
    past = client.get("/centre/referrals?status=interested&page=999", headers=HTML)
    assert past.status_code == 200 and _number(past.text, r"([\d,]+)\s+referrals") == visible
    assert "There is nothing on page 999" in past.text
    assert 'href="/centre/referrals?status=interested&amp;page=1"' in past.text  # the filter is kept
    only = client.get("/centre/referrals?overdue=yes", headers=HTML)
    assert _number(only.text, r"([\d,]+)\s+referrals?") == overdue
    # the API: the same total, overdue first, an empty page past the end
    client.cookies.clear()
    api = client.get("/referrals", params={"page_size": 50}, headers=as_user(staff)).json()
    assert api["total"] == visible
    waited = [utcnow() - timedelta(days=14) > _changed(db, i["id"]) for i in api["items"]]
    assert waited[:overdue] == [True] * overdue and not any(waited[overdue:])
    api = client.get("/referrals", params={"page": 999}, headers=as_user(staff)).json()
    assert api["total"] == visible and api["items"] == []


def test_centre_referrals_page_by_page_across_the_overdue_ones(client, county, db, as_user):
    """Small pages read one after another give every referral once: the overdue ones first, the longest
    waiting first, then the rest, the latest change first, with a page that holds some of each."""
    staff = county["staff"]
    seen = []
    for page in range(1, 30):
        got = client.get("/referrals", params={"page": page, "page_size": 4}, headers=as_user(staff)).json()
        if not got["items"]:
            break
        seen += [i["id"] for i in got["items"]]
    assert len(seen) == len(set(seen)) == got["total"]
    cutoff = utcnow() - timedelta(days=14)
    changed = [_changed(db, i) for i in seen]
    late = [c < cutoff for c in changed]
    n_late = sum(late)
    assert n_late % 4 and late == [True] * n_late + [False] * (len(seen) - n_late)  # a page holds both
    assert changed[:n_late] == sorted(changed[:n_late])
    assert changed[n_late:] == sorted(changed[n_late:], reverse=True)


def _changed(db, referral_id):
    return db.get(Referral, referral_id).status_changed_at


def test_manager_lists_count_all(client, county, db):
    manager = county["manager"]
    referrals = _count(
        db, select(Referral.id).join(Role, Role.id == Referral.role_id).where(Role.organisation_id == county["org"].id)
    )
    c = _as(client, manager)
    page = c.get("/manage/referrals", headers=HTML)
    assert _number(page.text, r"([\d,]+)\s+people") == referrals
    assert "Page 1 of 2" in page.text
    past = c.get("/manage/referrals?page=999", headers=HTML)
    assert past.status_code == 200 and _number(past.text, r"([\d,]+)\s+people") == referrals
    waiting = _count(db, select(HoursEntry.id).where(HoursEntry.status.in_(("submitted", "queried"))))
    hours = c.get("/manage/hours", headers=HTML)
    assert _number(hours.text, r"([\d,]+)\s+entries") == waiting == 120
    assert "Page 1 of 2" in hours.text
    past = c.get("/manage/hours?page=999", headers=HTML)
    assert past.status_code == 200 and _number(past.text, r"([\d,]+)\s+entries") == waiting


def test_the_last_capped_lists_count_all_and_page(client, county, db, factory, monkeypatch):
    """A volunteer's hours, a role's interested volunteers, the moderation queues and the duplicates
    review: the true total on page 1 and past the last page, and links to the other pages."""
    from brokerage.models import DuplicateCandidate, User
    from brokerage.web.pages import centre, duplicates, hours, organisation

    for module, name in ((hours, "HOURS_PAGE"), (centre, "MODERATION_PAGE"), (duplicates, "DUPLICATES_PAGE")):
        monkeypatch.setattr(module, name, 2)
    monkeypatch.setattr(organisation, "REFERRALS_PAGE", 1)

    placed = db.scalars(select(Placement)).first()
    volunteer_user = db.get(User, db.get(Volunteer, placed.volunteer_id).user_id)
    logged = _count(db, select(HoursEntry.id).where(HoursEntry.volunteer_id == placed.volunteer_id))
    c = _as(client, volunteer_user)
    assert _number(c.get("/my/hours", headers=HTML).text, r"([\d,]+)\s+entries") == logged == 40
    past = c.get("/my/hours?page=999", headers=HTML)
    assert _number(past.text, r"([\d,]+)\s+entries") == logged and "There is nothing on page 999" in past.text

    role_id = db.scalars(select(Referral.role_id).group_by(Referral.role_id).having(func.count() > 1)).first()
    interested = _count(db, select(Referral.id).where(Referral.role_id == role_id))
    c = _as(client, county["manager"])
    page = c.get(f"/manage/roles/{role_id}", headers=HTML).text
    assert _number(page, r"([\d,]+)\s+volunteers have said") == interested and "Page 1 of" in page
    past = c.get(f"/manage/roles/{role_id}?page=999", headers=HTML).text
    assert _number(past, r"([\d,]+)\s+volunteers have said") == interested and "There is nothing on page 999" in past

    for _ in range(3):
        factory.organisation(ASHFORD, verified=False)
        factory.role(county["org"], status="pending_review")
    volunteers = db.scalars(select(Volunteer.id).order_by(Volunteer.id)).all()
    db.add_all(
        DuplicateCandidate(volunteer_a_id=a, volunteer_b_id=b, score=0.9, reasons=["same phone number"], status="open")
        for a, b in zip(volunteers[0:6:2], volunteers[1:6:2])
    )
    db.commit()
    pending = _count(db, select(Organisation.id).where(Organisation.verification_status == "pending"))
    in_review = _count(db, select(Role.id).where(Role.status == "pending_review"))
    c = _as(client, county["staff"])
    queue = c.get("/centre?role_page=2", headers=HTML).text
    assert (
        _number(queue, r"waiting for checks \(([\d,]+)\)") == pending and _number(queue, r"for review \(([\d,]+)\)") == in_review
    )
    assert 'href="/centre?role_page=2&amp;org_page=2"' in queue  # the other queue's page is kept
    past = c.get("/centre?org_page=999", headers=HTML).text
    assert _number(past, r"waiting for checks \(([\d,]+)\)") == pending and "There is nothing on page 999" in past
    pairs = c.get("/centre/duplicates", headers=HTML).text
    assert _number(pairs, r"([\d,]+)\s+pairs to review") == 3 and "Page 1 of 2" in pairs
    past = c.get("/centre/duplicates?page=999", headers=HTML).text
    assert _number(past, r"([\d,]+)\s+pairs to review") == 3 and "There is nothing on page 999" in past


def test_a_long_list_of_volunteers_says_more_than_and_pages_on(client, county, db, monkeypatch):
    """The centre's volunteers are counted up to 10,000 (or the end of the page asked for): a shorter
    list gives its true total; a longer one says "More than …" and its pages go on to the last, each
    volunteer once."""
    from brokerage.web.pages import centre

    staff = county["staff"]
    listed = _count(
        db, select(Volunteer.id).where(Volunteer.district_gss == ASHFORD, Volunteer.status.not_in(("erased", "merged")))
    )
    assert listed > 2 * centre.VOLUNTEERS_PAGE
    c = _as(client, staff)
    page = c.get("/centre/volunteers", headers=HTML)
    assert _number(page.text, r"([\d,]+)\s+volunteers") == listed and "More than" not in page.text

    monkeypatch.setattr(centre, "VOLUNTEERS_COUNTED", 10)
    seen: list[int] = []
    for n in range(1, 10):
        page = c.get(f"/centre/volunteers?page={n}", headers=HTML)
        assert page.status_code == 200
        text = re.sub(r"<[^>]+>", "", page.text)
        ids = [int(i) for i in re.findall(r'<td><a href="/centre/volunteers/(\d+)"', page.text)]
        if n * centre.VOLUNTEERS_PAGE < listed:  # not counted to the end yet
            assert f"More than {n * centre.VOLUNTEERS_PAGE} volunteers" in text
            assert f"<span>Page {n}</span>" in page.text  # how many pages is not known yet
            assert f'href="/centre/volunteers?page={n + 1}"' in page.text
        else:
            assert _number(page.text, r"([\d,]+)\s+volunteers") == listed and "More than" not in text
            assert f"Page {n} of {n}" in text and 'rel="next"' not in page.text
            seen += ids
            break
        seen += ids
    assert len(seen) == len(set(seen)) == listed
