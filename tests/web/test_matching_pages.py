"""What matching shows on the pages, seen in Chromium as a volunteer: close matches on "Roles that suit
you" saying what does not fit and what could change, and the DBS check a willing volunteer would need
on the role's page, in the words the explanations use."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.factories import THANET, Factory
from tests.web.conftest import PHONE, sign_in

pytestmark = pytest.mark.browser

SAT_MORNING = 1 << 15
TUE_EVENING = 1 << 5


@pytest.fixture(scope="module")
def thanet(server):
    """A volunteer in Margate who only volunteers in person, near a role that needs an enhanced DBS
    check they are willing to get, a Tuesday-evening role they did not say they are free for, and a
    remote role they ruled out."""
    engine = create_engine(server.db_url)
    with Session(engine) as session:
        f = Factory(session)
        org = f.organisation(THANET, name="Margate Seafront Trust")
        dbs_role = f.role(org, title="Seafront befriender", slot_mask=SAT_MORNING, dbs_level="enhanced", causes=("OlderPeople",))
        evening = f.role(org, title="Evening beach warden", slot_mask=TUE_EVENING, causes=("Environment",))
        remote = f.role(org, title="Margate phone friend", slot_mask=SAT_MORNING, mode="remote")
        v = f.volunteer(
            THANET, availability=SAT_MORNING, radius=3, mode="in_person", dbs_willing=True, email="margate.vol@example.net"
        )
        ids = {"dbs": dbs_role.id, "evening": evening.id, "remote": remote.id, "email": v.email}
    engine.dispose()
    return ids


def test_close_matches_say_what_does_not_fit_and_what_to_change(new_page, server, check, thanet):
    page = new_page(PHONE)
    sign_in(page, thanet["email"])
    page.goto("/my/matches")
    main = page.locator("main")
    main.locator("h2#close-matches").wait_for()
    cards = main.locator(".card")
    titles = [cards.nth(i).locator("h2").inner_text() for i in range(cards.count())]
    assert "Seafront befriender" in titles and "Evening beach warden" in titles
    assert "Margate phone friend" not in titles  # remote, and they only volunteer in person
    close = main.locator("ul[aria-labelledby=close-matches] .card")
    assert close.count() >= 1 and "Evening beach warden" in close.first.inner_text()
    text = close.first.inner_text()
    assert "This role is on Tuesday evenings, and you said you are free on Saturday mornings." in text
    assert "add them to the times you are free" in text
    full = main.locator(".card", has_text="Seafront befriender")
    assert "needs a DBS check, which the organisation will arrange" in full.inner_text()
    check.page(page, "matches with close matches at 390 px", shot="matches-close-390")


def test_the_role_page_shows_the_dbs_check_a_willing_volunteer_would_need(new_page, server, check, thanet):
    page = new_page()
    sign_in(page, thanet["email"])
    page.goto(f"/opportunities/{thanet['dbs']}")
    suits = page.locator(".inset-text")
    assert "This role suits you" in suits.inner_text()
    assert suits.inner_text().count("needs a DBS check, which the organisation will arrange") == 1
    check.page(page, "role page with a DBS check to get")
    # a role that misses a soft condition says what could change, and they may still say they are interested
    page.goto(f"/opportunities/{thanet['evening']}")
    inset = page.locator(".inset-text").inner_text()
    assert "Why this role may not suit you" in inset and "Tuesday evenings" in inset
    assert "add them to the times you are free" in inset and "You can still say you are interested" in inset


def test_a_poster_marks_a_skill_essential_and_is_told_it_narrows_who_sees_the_role(new_page, server, check):
    m = new_page()
    sign_in(m, server.manager_email)
    m.goto("/manage/roles/new")
    m.fill("#title", "Food bank van driver")
    m.fill("#description", "Drive our van to collect donations from supermarkets and deliver food parcels.")
    m.fill("#required_skill_search", "Driving")
    m.click("button[value=add_required]")
    m.wait_for_selector("#essential_skills-hint")
    hint = m.locator("#essential_skills-hint").inner_text()
    assert "at most 3" in hint and "narrows who sees the role" in hint
    check.page(m, "role form with an essential skill to choose")
    m.check("#essential-driving")
    m.check("#one_off")  # regular
    m.check("#slots-SaturdayMorning")
    m.click("button[value=save]")
    m.wait_for_url("**/manage/roles/*")
    rows = m.locator(".summary-list").inner_text()
    assert "Essential skills (only volunteers who have them see the role)" in rows
    assert "Driving (car, van, off-road vehicles)" in rows
