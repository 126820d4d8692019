"""How match explanations read on the pages, for whoever is reading: a visitor who is not signed in
sees only facts of the role, a role's manager reads about the volunteer ("has gardening skills"),
and the volunteer is spoken to ("uses your gardening skill"). Through the real app on the test database."""

from __future__ import annotations

import html
import re

from brokerage.auth.service import issue_session_cookie
from brokerage.deps import SESSION_COOKIE
from tests.factories import ASHFORD, POSTCODES
from brokerage.geo import locate

SAT_MORNING = 1 << 15


def _why(page: str) -> list[str]:
    """The reasons the page gives, as a reader sees them."""
    return [html.unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", page, re.S)]


def _gardening(factory):
    org = factory.organisation(ASHFORD, name="Ashford Growers")
    role = factory.role(
        org, title="Community gardener", slot_mask=SAT_MORNING, required_skills=("gardening",), causes=("OlderPeople",)
    )
    return org, role


def test_a_visitor_is_told_nothing_about_skills_or_causes_of_theirs(client, factory):
    _gardening(factory)
    page = client.get("/opportunities", params={"q": "gardener"})
    assert page.status_code == 200
    assert "Community gardener" in page.text
    text = html.unescape(page.text)
    assert "uses your" not in text and "may use your" not in text
    assert "a cause you care about" not in text and "suits you" not in text


def test_a_manager_reads_about_the_volunteer_not_to_them(client, db, factory):
    org, role = _gardening(factory)
    here = locate(POSTCODES[ASHFORD])
    factory.volunteer(
        ASHFORD,
        availability=SAT_MORNING,
        skills=("gardening",),
        causes=("OlderPeople",),
        latitude=here.latitude + 3.0 / 69.0,  # about three miles north of the role
    )
    manager = factory.user("organisation_manager", organisations=(org,))
    db.commit()
    client.cookies.set(SESSION_COOKIE, issue_session_cookie(manager))
    page = client.get(f"/manage/roles/{role.id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Volunteers who could suit this role" in text
    why = next(w for w in _why(page.text) if "gardening" in w)
    assert "lives about 3 miles away" in why
    assert "has gardening skills" in why
    assert "cares about Older People" in why
    assert "your" not in why and "you care about" not in why


def test_one_pair_has_one_distance_on_every_page_email_and_answer(client, db, factory):
    """The role's page, the search results, the match email and the manager's candidate list say the
    same distance for one volunteer and one role, "about" so many miles (places known by postcode
    district only)."""
    from brokerage.matches import service as matches_service
    from brokerage.roles import views
    from workers.mail import render

    org, role = _gardening(factory)
    home = locate("TN27 0AA")  # 6.2 miles from the role's postcode district: "about 6 miles away"
    volunteer = factory.volunteer(
        ASHFORD,
        availability=SAT_MORNING,
        skills=("gardening",),
        causes=("OlderPeople",),
        postcode=home.postcode,
        latitude=home.latitude,
        longitude=home.longitude,
    )
    manager = factory.user("organisation_manager", organisations=(org,))
    db.commit()
    words = "about 6 miles away"

    client.cookies.set(SESSION_COOKIE, issue_session_cookie(db.get(type(manager), volunteer.user_id)))
    role_page = html.unescape(client.get(f"/opportunities/{role.id}").text)
    results = html.unescape(client.get("/opportunities", params={"q": "gardener"}).text)
    api = client.get("/search/roles", params={"q": "gardener"}).json()
    reason = matches_service.reasons_for_volunteers(db, role.id, [volunteer.id])[volunteer.id]
    email = render("role_match", "k", volunteer.email, "V", role=views.brief(db, role.id), reason=reason, first_name="V")
    client.cookies.set(SESSION_COOKIE, issue_session_cookie(manager))
    candidates = html.unescape(client.get(f"/manage/roles/{role.id}").text)

    for where, text in (("role page", role_page), ("search", results), ("email", email.text), ("candidates", candidates)):
        assert words in text, where
        assert not re.search(r"\b\d+\.\d miles\b", text), where  # the same whole miles everywhere
    found = next(r for r in api if r["role_id"] == role.id)
    assert found["distance_words"] == words and words in found["explanation"]
