"""Shifts in a real browser, by keyboard alone: a volunteer books a place on a session from the role's
page and cancels it; the organisation adds weekly sessions on its role page and records who came
on a session's page; the volunteer confirms the hours proposed to them. axe-core on every state."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.factories import ASHFORD, Factory
from tests.web.conftest import DESKTOP, PHONE, choose_radio, sign_in, tab_to
from tests.web.conftest import every_control_reached_by_tab
from tests.web.test_every_page import _fits

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shift(server):
    """A volunteer of their own, and a session of the driver role that has just taken place with
    them booked on it."""
    from brokerage.models import RoleSession, SessionBooking

    engine = create_engine(server.db_url)
    with Session(engine) as s:
        v = Factory(s).volunteer(ASHFORD, email="shift.keyboard@example.net", first_name="Kit", last_name="Keys")
        start = datetime.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
        past = RoleSession(role_id=server.ids["driver"], starts_at=start, ends_at=start + timedelta(hours=2), capacity=4)
        s.add(past)
        s.flush()
        booking = SessionBooking(session_id=past.id, volunteer_id=v.id, status="booked")
        s.add(booking)
        s.commit()
        data = {"email": v.email, "past": past.id, "booking": booking.id}
    engine.dispose()
    return data


def _press(page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _banner(page) -> str:
    return page.locator(".notification-banner").inner_text()


def test_book_cancel_record_attendance_and_confirm_by_keyboard(new_page, server, check, shift):
    role_id, upcoming = server.ids["driver"], server.ids["session"]
    volunteer = new_page(viewport=PHONE)
    sign_in(volunteer, shift["email"])
    volunteer.goto(f"/opportunities/{role_id}")
    _press(volunteer, f"form[action$='/sessions/{upcoming}/book'] button")
    assert "Your place is booked" in _banner(volunteer)
    assert "Booked" in volunteer.locator(".sessions").inner_text()
    check.axe(volunteer, "volunteer role page with a booked place")
    _fits(volunteer)
    _press(volunteer, f"form[action$='/sessions/{upcoming}/cancel'] button")
    assert "You have given up your place" in _banner(volunteer)

    manager = new_page(viewport=DESKTOP)
    sign_in(manager, server.manager_email)
    manager.goto(f"/manage/roles/{role_id}")
    every_control_reached_by_tab(manager)
    manager.fill("#session_date", (datetime.now() + timedelta(days=14)).date().isoformat())
    manager.fill("#session_start", "10:00")
    manager.fill("#session_end", "12:30")
    tab_to(manager, "#capacity")
    manager.keyboard.type("6")
    tab_to(manager, "#weeks")
    manager.keyboard.press("Control+A")
    manager.keyboard.type("4")
    _press(manager, "form.add-sessions button[type=submit]")
    assert "Added 4 weekly sessions" in _banner(manager)
    check.axe(manager, "role admin page with its sessions")

    manager.goto(f"/manage/sessions/{shift['past']}")
    every_control_reached_by_tab(manager)
    check.axe(manager, "session page before attendance")
    choose_radio(manager, f"came-{shift['booking']}", "yes")
    _press(manager, "main form button[type=submit]")
    assert "1 volunteer will be asked to confirm their hours" in _banner(manager)
    assert "Waiting for the volunteer to confirm" in manager.locator("main").inner_text()
    check.axe(manager, "session page after attendance")
    manager.set_viewport_size(PHONE)
    _fits(manager)

    volunteer.goto("/my/hours")
    assert "Hours to confirm" in volunteer.locator("main").inner_text()
    check.axe(volunteer, "hours to confirm")
    _press(volunteer, "form[action$='/confirm'] button")
    assert "2 hours on" in _banner(volunteer) and "now count" in _banner(volunteer)
    assert "Hours to confirm" not in volunteer.locator("main").inner_text()
