"""A safeguarding concern on the pages, by keyboard at phone width: an organisation's manager raises
one from a volunteer's referral (an empty form first: the problem is named); the centre's
safeguarding lead finds it in their list, reads it, adds a note and records the outcome; a pilot
lead sees counts only. Each page passes axe-core, fits 390 px and is photographed."""

from __future__ import annotations

import pytest

from tests.web.conftest import PHONE, choose_radio, sign_in, tab_to

pytestmark = pytest.mark.browser

CONCERN = "Shouted at a young helper in the car park and would not let them leave."


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _submit(page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_concern_goes_from_the_manager_to_the_safeguarding_lead(new_page, server, check):
    manager = new_page(viewport=PHONE)
    sign_in(manager, server.manager_email)
    manager.goto(f"/manage/referrals/{server.ids['referral']}")
    tab_to(manager, "main a[href^='/concerns/new?volunteer_id=']")
    with manager.expect_navigation():
        manager.keyboard.press("Enter")
    assert "Raise a safeguarding concern about" in manager.locator("h1").inner_text()
    check.axe(manager, "raise a concern")
    check.shoot(manager, "manager-concerns-new-volunteer")
    _fits(manager)
    _submit(manager, "main form[method=post] button[type=submit]")
    assert "Tell us what worries you" in manager.locator(".error-summary").inner_text()
    check.axe(manager, "raise a concern with an error")
    tab_to(manager, "#concern")
    manager.keyboard.type(CONCERN)
    _submit(manager, "main form[method=post] button[type=submit]")
    main = manager.locator("main").inner_text()
    assert "Your concern has been sent" in main and "Ashford Volunteer Centre" in main and CONCERN not in main
    reference = manager.locator(".panel strong").inner_text()
    check.axe(manager, "concern sent")
    check.shoot(manager, "manager-concern-sent")
    _fits(manager)
    # the manager cannot open the case they raised
    assert manager.goto(f"/centre/safeguarding/{reference}").status == 403

    lead = new_page(viewport=PHONE)
    sign_in(lead, server.staff_email)
    lead.goto("/centre/safeguarding")
    check.axe(lead, "safeguarding concerns")
    _fits(lead)
    tab_to(lead, f"main a[href='/centre/safeguarding/{reference}']")
    with lead.expect_navigation():
        lead.keyboard.press("Enter")
    assert CONCERN in lead.locator("main").inner_text()
    check.axe(lead, "a safeguarding case")
    check.shoot(lead, "staff-safeguarding-case-open")
    _fits(lead)
    tab_to(lead, "#body")
    lead.keyboard.type("Called the manager; the helper is safe.")
    _submit(lead, f"form[action='/centre/safeguarding/{reference}/notes'] button")
    assert "Your note has been added" in lead.locator(".notification-banner").inner_text()
    assert "the helper is safe" in lead.locator("main").inner_text()
    _submit(lead, f"form[action='/centre/safeguarding/{reference}/outcome'] button")  # no outcome chosen
    assert "Select the outcome" in lead.locator(".error-summary").inner_text()
    check.axe(lead, "a safeguarding case with an error")
    choose_radio(lead, "outcome", "advice_given")
    _submit(lead, f"form[action='/centre/safeguarding/{reference}/outcome'] button")
    assert "The outcome is recorded" in lead.locator(".notification-banner").inner_text()
    assert "Advice given" in lead.locator("main").inner_text()
    check.axe(lead, "a closed safeguarding case")
    _fits(lead)

    pilot = new_page(viewport=PHONE)
    sign_in(pilot, server.pilot_email)
    pilot.goto("/pilot/safeguarding")
    table = pilot.locator("main table").inner_text()
    assert "Ashford Volunteer Centre" in table and "<5" in table and CONCERN not in pilot.content()
    check.axe(pilot, "safeguarding counts")
    _fits(pilot)
