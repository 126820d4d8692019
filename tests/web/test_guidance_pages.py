"""Guidance and training on the pages, by keyboard: the centre's staff publish a guide and a training
event with one place; a manager finds the guide under "Support from your centre" and books the
place (and is emailed a confirmation whose link opens the training's page); a second manager, who
opened the training while it still had a place, is refused with a clear message on the page. Every
new page passes axe-core, is worked by keyboard, fits 390 px and is photographed at 390 and 1280 px."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tests.web.conftest import PHONE, choose_radio, every_control_reached_by_tab, links_in, sign_in, tab_to

pytestmark = pytest.mark.browser

GUIDE = "Writing a role description people answer"
TRAINING = "Recruiting volunteers: an evening workshop"


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _follow(page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _follow_named(page, text: str) -> None:
    href = page.locator(f"main a:has-text('{text}')").first.get_attribute("href")
    _follow(page, f"main a[href='{href}']")


def _type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def _page_checks(page, check, label: str, shot: str) -> None:
    check.axe(page, label)
    every_control_reached_by_tab(page)
    _fits(page)
    check.shoot(page, shot)


@pytest.fixture
def second_manager(server) -> str:
    """Another manager of the food bank, who will find the training full."""
    from brokerage.models import Organisation
    from tests.factories import Factory

    engine = create_engine(server.db_url)
    try:
        with Session(engine) as session:
            org = session.scalars(select(Organisation).where(Organisation.name == "Ashford Food Bank")).one()
            user = Factory(session).user("organisation_manager", organisations=(org,))
            return user.email
    finally:
        engine.dispose()


def test_staff_publish_a_guide_and_training_and_the_second_manager_finds_it_full(new_page, server, check, second_manager):
    staff = new_page(viewport=PHONE)
    sign_in(staff, server.staff_email)
    staff.goto("/centre")
    _follow(staff, "main a[href='/centre/guidance']")
    assert staff.locator("h1").inner_text() == "Guidance and training"
    _page_checks(staff, check, "guidance and training (centre)", "staff-centre-guidance")

    # a guide: an empty form first, then a bad web address, then published
    _follow(staff, "main a[href='/centre/guidance/resources/new']")
    _page_checks(staff, check, "add a resource", "staff-centre-guidance-resources-new")
    _follow(staff, "main form button[type=submit]")
    summary = staff.locator(".error-summary").inner_text()
    assert "Enter title" in summary or "Title" in summary, summary
    check.axe(staff, "add a resource with errors")
    _type_into(staff, "#title", GUIDE)
    choose_radio(staff, "kind", "guide")
    staff.select_option("#category", "recruitment")
    _type_into(staff, "#body", "Say what the volunteer will do, when, and what they will get from it.")
    _type_into(staff, "#url", "javascript:alert(1)")
    choose_radio(staff, "status", "published")
    _follow(staff, "main form button[type=submit]")
    assert "web address" in staff.locator(".error-summary").inner_text().lower()
    staff.fill("#url", "https://www.example.org/role-descriptions")
    staff.fill("#review_on", (date.today() + timedelta(days=180)).isoformat())
    _follow(staff, "main form button[type=submit]")
    assert f"“{GUIDE}” is published." in staff.locator(".notification-banner").inner_text()

    # training with one place
    _follow(staff, "main a[href='/centre/guidance/training/new']")
    _page_checks(staff, check, "add a training event", "staff-centre-guidance-training-new")
    _type_into(staff, "#title", TRAINING)
    _type_into(staff, "#description", "How to write roles and where to share them.")
    staff.fill("#event_date", (date.today() + timedelta(days=9)).isoformat())
    staff.fill("#start_time", "18:00")
    staff.fill("#end_time", "17:00")  # ends before it starts
    _type_into(staff, "#place", "Ashford Gateway, Church Road, Ashford")
    _type_into(staff, "#capacity", "1")
    choose_radio(staff, "status", "published")
    _follow(staff, "main form button[type=submit]")
    summary = staff.locator(".error-summary").inner_text()
    assert "end after it starts" in summary, summary
    check.axe(staff, "add a training event with errors")
    staff.fill("#end_time", "20:00")
    staff.fill("#capacity", "0")
    _follow(staff, "main form button[type=submit]")
    assert "Places must be 1 or more" in staff.locator(".error-summary").inner_text()
    staff.fill("#capacity", "1")
    _follow(staff, "main form button[type=submit]")
    assert f"“{TRAINING}”" in staff.locator(".notification-banner").inner_text()
    event_href = staff.locator(f"main a:has-text('{TRAINING}')").get_attribute("href")
    event_id = int(event_href.rsplit("/", 1)[1])

    # the first manager finds the guide and the training from their dashboard
    first = new_page(viewport=PHONE)
    sign_in(first, server.manager_email)
    first.goto("/manage")
    _follow(first, "main a[href='/manage/support']")
    main = first.locator("main").inner_text()
    assert GUIDE in main and TRAINING in main and "Recruiting volunteers" in main
    _page_checks(first, check, "support from your centre", "manager-manage-support")
    _follow_named(first, GUIDE)
    assert "Say what the volunteer will do" in first.locator("main").inner_text()
    _page_checks(first, check, "a guidance resource", "manager-manage-support-resource")

    # the second manager opens the training while it still has its place
    second = new_page(viewport=PHONE)
    sign_in(second, second_manager)
    second.goto(f"/manage/support/training/{event_id}")
    assert "1 of 1 left" in second.locator("main").inner_text()

    first.goto("/manage/support")
    _follow(first, f"main a[href='/manage/support/training/{event_id}#book']")
    _page_checks(first, check, "a training event (manager)", "manager-manage-support-training")
    _follow(first, "main form[action$='/book'] button[type=submit]")
    assert "Your place is booked" in first.locator(".notification-banner").inner_text()
    assert "Full" in first.locator("main").inner_text()
    check.axe(first, "a training event, booked")
    confirmation = server.mailbox.wait_for(server.manager_email, "Your place is booked")
    page_link = next(u for u in links_in(confirmation) if f"/manage/support/training/{event_id}" in u)
    first.goto(page_link)
    assert first.locator("h1").inner_text() == TRAINING

    # the second manager asks for the place that has gone: refused, and told why
    _follow(second, "main form[action$='/book'] button[type=submit]")
    summary = second.locator(".error-summary").inner_text()
    assert "this training is full" in summary and "its one place is booked" in summary, summary
    check.axe(second, "a training event, full")
    _fits(second)
    check.shoot(second, "manager-manage-support-training-full")
    second.goto("/manage/support")
    assert "Its one place is booked" in second.locator("main").inner_text()
    assert second.locator("main form[action$='/book']").count() == 0  # no form to book a full event

    # the centre sees who is booked, and records that it checked the guide
    staff.goto(event_href)
    assert "Manager" in staff.locator("main table").inner_text() and "Ashford Food Bank" in staff.locator("main").inner_text()
    _page_checks(staff, check, "a training event (centre)", "staff-centre-guidance-training")
    staff.goto("/centre/guidance")
    _follow_named(staff, GUIDE)
    _page_checks(staff, check, "a resource (centre)", "staff-centre-guidance-resource")
    _follow(staff, "main form[action$='/checked'] button[type=submit]")
    assert "Recorded that you checked" in staff.locator(".notification-banner").inner_text()
    assert "Checked on" in staff.locator("main").inner_text()
