"""Leaving well in a real browser, by keyboard alone: the organisation and the volunteer each say why
a placement ended, and the volunteer answers the satisfaction question; axe-core on each page, with
its errors too."""

from __future__ import annotations

import pytest

from tests.web.conftest import PHONE, choose_radio, sign_in, tab_to
from tests.web.conftest import every_control_reached_by_tab
from tests.web.test_every_page import _fits

pytestmark = pytest.mark.browser


def _send(page) -> None:
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_both_sides_say_why_and_the_volunteer_answers_by_keyboard(new_page, server, check):
    placement = server.ids["placement"]
    manager = new_page(viewport=PHONE)
    sign_in(manager, server.manager_email)
    manager.goto(f"/manage/placements/{placement}/leaving")
    every_control_reached_by_tab(manager)
    _send(manager)  # nothing chosen: the error first
    assert "Select the reason the placement ended" in manager.locator(".error-summary").inner_text()
    check.axe(manager, "organisation leaving page with errors")
    choose_radio(manager, "reason", "role_ended")
    tab_to(manager, "#note")
    manager.keyboard.type("The Saturday round stopped for winter.")
    _send(manager)
    assert "Thank you for saying why" in manager.locator(".notification-banner").inner_text()

    volunteer = new_page(viewport=PHONE)
    sign_in(volunteer, "existing0@example.net")
    volunteer.goto("/my/hours")
    tab_to(volunteer, f"a[href='/my/placements/{placement}/leaving']")
    with volunteer.expect_navigation():
        volunteer.keyboard.press("Enter")
    check.axe(volunteer, "volunteer leaving page")
    _fits(volunteer)
    choose_radio(volunteer, "reason", "found_work")
    _send(volunteer)
    assert "Thank you for saying why" in volunteer.locator(".notification-banner").inner_text()

    volunteer.goto(f"/my/placements/{placement}/satisfaction")
    every_control_reached_by_tab(volunteer)
    check.axe(volunteer, "satisfaction question")
    choose_radio(volunteer, "satisfaction", "satisfied")
    _send(volunteer)
    assert "Thank you for your answer" in volunteer.locator(".notification-banner").inner_text()
