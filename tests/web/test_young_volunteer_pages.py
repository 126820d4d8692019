"""A young volunteer on the pages: a 15-year-old signs up giving a parent's email; on a role suitable
for under-18s the role's page says why they cannot say they are interested yet; the parent opens the
emailed link and gives consent by keyboard; the young person can then say they are interested; the
parent withdraws consent from the other link and the role's page says why again. Each page passes
axe-core, fits 390 px and is photographed."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from brokerage.models import Organisation
from tests.factories import Factory
from tests.web.conftest import PHONE, body_text, tab_to

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _press(page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _link(message, path: str) -> str:
    found = re.findall(r"https?://[^\s\"'<>]+", unescape(body_text(message)))
    return next(u for u in found if path in u)


def test_a_15_year_old_waits_for_their_guardians_consent(new_page, server, check):
    engine = create_engine(server.db_url)
    with Session(engine) as s:
        org = s.get(Organisation, server.ids["organisation"])
        role = Factory(s).role(org, title="Young rangers litter pick", suitable_for_under_18s=True, slot_mask=(1 << 21) - 1)
        role_id = role.id
    engine.dispose()
    today = date.today()
    young = new_page(viewport=PHONE)
    young.goto("/volunteer/sign-up/where")
    young.fill("#postcode", "TN23 1AA")
    young.fill("#travel_radius_miles", "10")
    young.check("input[name=mode][value=either]")
    young.click("button:has-text('Continue')")
    young.check("#availability-SaturdayMorning")
    young.check("input[name=preference][value=either]")
    young.click("button:has-text('Continue')")
    young.wait_for_url("**/volunteer/sign-up/account")
    young.fill("#first_name", "Wren")
    young.fill("#last_name", "Youngsignup")
    young.fill("#email", "wren.young@example.net")
    young.fill("#password", "correct horse battery")
    young.fill("#dob-day", "15")
    young.fill("#dob-month", "1")
    young.fill("#dob-year", str(today.year - 15))
    young.click("button:has-text('Continue')")
    young.wait_for_selector(".error-summary")
    assert "parent or guardian" in young.locator(".error-summary").inner_text()
    check.axe(young, "sign-up asking for a guardian's email")
    young.fill("#guardian_email", "wren.parent@example.org")
    young.fill("#password", "correct horse battery")
    young.click("button:has-text('Continue')")
    young.wait_for_url("**/volunteer/sign-up/skills")

    young.goto(f"/opportunities/{role_id}")
    main = young.locator("main").inner_text()
    assert "parent or guardian needs to give their consent" in main and "I am interested" not in main
    check.axe(young, "a role waiting for a guardian's consent")

    message = server.mailbox.wait_for("wren.parent@example.org", "Your consent for Wren to volunteer")
    parent = new_page(viewport=PHONE)
    parent.goto(_link(message, "/guardian/consent"))
    assert "Wren" in parent.locator("main").inner_text()
    check.axe(parent, "a guardian's consent page")
    check.shoot(parent, "visitor-guardian-consent-token")
    _fits(parent)
    _press(parent, "main form button[type=submit]")
    assert "consent given" in parent.locator("h1").inner_text()
    check.axe(parent, "consent given")
    _fits(parent)

    young.goto(f"/opportunities/{role_id}")
    assert "I am interested" in young.locator("main").inner_text()

    parent.goto(_link(message, "/guardian/withdraw"))
    check.axe(parent, "a guardian's withdrawal page")
    check.shoot(parent, "visitor-guardian-withdraw-token")
    _press(parent, "main form button[type=submit]")
    assert "Consent withdrawn" in parent.locator("h1").inner_text()
    young.goto(f"/opportunities/{role_id}")
    main = young.locator("main").inner_text()
    assert "parent or guardian needs to give their consent" in main and "I am interested" not in main
    _fits(young)


def test_an_age_we_do_not_know_is_asked_for_before_roles_for_adults(new_page, server, check):
    """Signing up asks for a date of birth or "I am 18 or over"; a record with neither (imported)
    cannot say it is interested in a role for adults, and is told where to confirm its age."""
    from tests.web.conftest import sign_in

    p = new_page(viewport=PHONE)
    p.goto("/volunteer/sign-up/where")
    p.fill("#postcode", "TN23 1AA")
    p.fill("#travel_radius_miles", "10")
    p.check("input[name=mode][value=either]")
    p.click("button:has-text('Continue')")
    p.check("#availability-SaturdayMorning")
    p.check("input[name=preference][value=either]")
    p.click("button:has-text('Continue')")
    p.wait_for_url("**/volunteer/sign-up/account")
    p.fill("#first_name", "Morgan")
    p.fill("#last_name", "Noage")
    p.fill("#email", "morgan.noage@example.net")
    p.fill("#password", "correct horse battery")
    p.click("button:has-text('Continue')")
    p.wait_for_selector(".error-summary")
    assert "18 or over" in p.locator(".error-summary").inner_text()
    assert p.locator(".error-summary a[href='#dob-day']").is_visible()
    check.axe(p, "sign-up asking for a date of birth or an age confirmation")
    _fits(p)

    engine = create_engine(server.db_url)
    with Session(engine) as s:
        f = Factory(s)
        org = s.get(Organisation, server.ids["organisation"])
        role = f.role(org, title="Night shelter evening helper", slot_mask=(1 << 21) - 1)
        f.volunteer(email="imported.noage@example.net", date_of_birth=None, causes=("AntiPoverty",))
        s.commit()
        role_id = role.id
    engine.dispose()
    v = new_page(viewport=PHONE)
    sign_in(v, "imported.noage@example.net")
    v.goto(f"/opportunities/{role_id}")
    main = v.locator("main").inner_text()
    assert "we do not know your age" in main and "I am interested" not in main
    check.axe(v, "a role for adults, age not known")
    v.goto("/my/profile/details")
    v.check("#adult_confirmed")
    _press(v, "main button[value=continue]")
    assert "Your profile has been updated" in v.locator(".notification-banner").inner_text()
    v.goto(f"/opportunities/{role_id}")
    main = v.locator("main").inner_text()
    assert "I am interested" in main and "we do not know your age" not in main
    _fits(v)
