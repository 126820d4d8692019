"""The journeys of issue 7 in a real browser, against a running server:

* a volunteer signs up by keyboard alone → sees explained matches → says they are interested → the
  organisation moves the referral to started → the volunteer logs hours → the organisation approves
  them → the pilot lead exports the XLSX and the hours are in it;
* an organisation creates a role by keyboard alone (with tag suggestions) and the volunteer centre
  moderates it and an organisation (reasons required on rejection);
* a volunteer's profile, data download and account deletion.

axe-core checks every page on the way; key pages are saved as phone and desktop screenshots."""

from __future__ import annotations

import io
import json
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from tests.web.conftest import choose_radio, sign_in, tab_to


def _approved_hours_in_last_twelve_months(server) -> Decimal:
    """Approved hours worked in the report's last twelve months (this month and the eleven before),
    counted in the database the browser tests share."""
    today = date.today()
    first = (date(today.year - 1, today.month, 1) + timedelta(days=32)).replace(day=1)
    engine = create_engine(server.db_url)
    with engine.connect() as c:
        total = c.scalar(
            text("select coalesce(sum(hours), 0) from hours_entries where status = 'approved' and worked_on >= :first"),
            {"first": first},
        )
    engine.dispose()
    return Decimal(str(total))


pytestmark = pytest.mark.browser


def press(page, selector: str, key: str = "Enter") -> None:
    tab_to(page, selector)
    page.keyboard.press(key)


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def error_links(page) -> list[str]:
    links = page.locator(".error-summary a")
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def test_volunteer_to_pilot_lead_export(new_page, server, check):
    v = new_page()
    # -- sign up, keyboard only --------------------------------------------------------------------
    v.goto("/volunteer/sign-up")
    check.page(v, "volunteer sign-up start", shot="volunteer-sign-up-start")
    press(v, "a.button--start")
    v.wait_for_url("**/volunteer/sign-up/where")
    press(v, "button[value=continue]")
    v.wait_for_selector(".error-summary")
    assert error_links(v) == ["#postcode", "#travel_radius_miles", "#mode"]
    check.page(v, "sign-up where, with errors", shot="sign-up-where-errors")
    type_into(v, "#postcode", "TN23 1AA")
    type_into(v, "#travel_radius_miles", "10")
    choose_radio(v, "mode", "either")
    press(v, "button[value=continue]")

    v.wait_for_url("**/volunteer/sign-up/when")
    check.page(v, "sign-up when", shot="sign-up-when")
    press(v, "#availability", " ")
    press(v, "#availability-SaturdayMorning", " ")
    choose_radio(v, "preference", "either")
    press(v, "button[value=continue]")

    v.wait_for_url("**/volunteer/sign-up/account")
    check.page(v, "sign-up account")
    type_into(v, "#first_name", "Sam")
    type_into(v, "#last_name", "Keyboard")
    type_into(v, "#email", "sam.keyboard@example.net")
    press(v, "#adult_confirmed", " ")  # no date of birth given: "I am 18 or over" instead
    type_into(v, "#password", "short")
    press(v, "button[value=continue]")
    v.wait_for_selector(".error-summary")
    assert error_links(v) == ["#password"]
    assert v.input_value("#first_name") == "Sam"  # kept
    type_into(v, "#password", "a long enough password")
    press(v, "button[value=continue]")

    v.wait_for_url("**/volunteer/sign-up/skills")
    check.page(v, "sign-up skills", shot="sign-up-skills")
    type_into(v, "#skill_search", "first aider")
    v.keyboard.press("Enter")  # the "Add skill" button is the form's default
    v.wait_for_selector("#skill-first-aid")
    assert v.is_checked("#skill-first-aid")
    type_into(v, "#skills_text", "I used to run a cake stall")
    press(v, "button[value=continue]")

    v.wait_for_url("**/volunteer/sign-up/causes")
    check.page(v, "sign-up causes")
    press(v, "input[name=causes][value=AntiPoverty]", " ")
    press(v, "button[value=continue]")

    v.wait_for_url("**/volunteer/sign-up/dbs")
    check.page(v, "sign-up DBS checks")
    press(v, "button[value=continue]")  # nothing is assumed: both questions need an answer
    v.wait_for_selector(".error-summary a[href='#dbs_willing']")
    choose_radio(v, "dbs_level", "none")
    choose_radio(v, "dbs_willing", "yes")
    press(v, "button[value=continue]")

    v.wait_for_url("**/volunteer/sign-up/contact")
    check.page(v, "sign-up contact")
    choose_radio(v, "contact_consent", "yes")
    choose_radio(v, "notification_preference", "weekly_digest")
    press(v, "button[value=continue]")

    v.wait_for_url("**/volunteer/sign-up/about-you")
    check.page(v, "sign-up equality questions", shot="sign-up-about-you")
    press(v, "a[href='/volunteer/sign-up/done']")
    v.wait_for_url("**/volunteer/sign-up/done")
    check.page(v, "sign-up done")
    press(v, "a[href='/my/matches']")

    # -- explained matches, the role, interest -------------------------------------------------------
    v.wait_for_url("**/my/matches")
    driver = v.locator("li.card", has_text="Food bank driver")
    assert driver.count() == 1, v.content()[:3000]
    assert driver.locator(".reasons--why li").count() >= 1  # every match explains itself
    check.page(v, "matches", shot="volunteer-matches")
    driver.locator("h2 a").click()
    v.wait_for_url(f"**/opportunities/{server.ids['driver']}")
    assert v.locator("text=This role suits you").is_visible()
    assert v.locator(".reasons--why li").count() >= 1  # and says why
    check.page(v, "role page", shot="role-page")
    v.click("a:has-text('I am interested')")
    check.page(v, "interest form")
    v.fill("#message", "I can start next week.")
    v.click("button:has-text('Send')")
    v.wait_for_url("**/my/interest")
    assert "Ashford Food Bank" in v.locator(".notification-banner").inner_text()
    assert v.locator("li.card", has_text="Food bank driver").locator(".tag").inner_text() == "Interested"
    check.page(v, "my applications", shot="my-applications")

    # -- the organisation moves the referral on ------------------------------------------------------
    m = new_page()
    sign_in(m, server.manager_email)
    check.page(m, "manager home", shot="manager-home")
    m.goto("/manage/referrals")
    card = m.locator("li.card", has_text="Sam Keyboard")
    assert "sam.keyboard@example.net" in card.inner_text()  # shared with consent
    assert "I can start next week." in card.inner_text()
    check.page(m, "interested volunteers", shot="manager-referrals")
    for status in ("contacted", "started"):
        card = m.locator("li.card", has_text="Sam Keyboard")
        card.locator("select").select_option(status)
        card.locator("button").click()
        m.wait_for_selector(".notification-banner")
    assert m.locator("li.card", has_text="Sam Keyboard").locator(".tag").inner_text() == "Started volunteering"

    # -- the volunteer logs hours; the organisation approves them -------------------------------------
    v.goto("/my/interest")
    v.click("a:has-text('Log your hours')")
    check.page(v, "log hours", shot="log-hours")
    v.fill("#hours", "")
    v.click("button:has-text('Send for approval')")
    assert error_links(v) == ["#hours"]
    v.fill("#hours", "3")
    v.fill("#activity", "Collected from two supermarkets")
    v.click("button:has-text('Send for approval')")
    v.wait_for_url("**/my/hours")
    assert "Waiting for approval" in v.locator("table").inner_text()
    check.page(v, "my hours", shot="my-hours")

    m.goto("/manage/hours")
    check.page(m, "hours to approve", shot="hours-to-approve")
    row = m.locator("tr", has_text="Sam Keyboard")
    row.locator("input[type=checkbox]").check()
    m.click("button:has-text('Approve ticked hours')")
    assert "Approved 1 entry: 3 hours" in m.locator(".notification-banner").inner_text()

    # -- the pilot lead's dashboard and the XLSX ------------------------------------------------------
    p = new_page()
    sign_in(p, server.pilot_email)
    p.wait_for_url("**/pilot")
    check.page(p, "pilot dashboard", shot="pilot-dashboard")
    expected = _approved_hours_in_last_twelve_months(server)  # counted in the database, the 3 just approved included
    deadline = time.monotonic() + 30
    while True:  # the worker updates the report rollups moments after the approval
        p.goto("/pilot/reports?show=1&period_kind=last12&dimensions=district&dimensions=month")
        with p.expect_download() as info:
            p.click("a:has-text('Download as a spreadsheet (XLSX)')")
        data = open(info.value.path(), "rb").read()
        summary = load_workbook(io.BytesIO(data), read_only=True)["Summary"]
        totals = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
        if Decimal(str(totals.get("Approved hours") or 0)) == expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert Decimal(str(totals["Approved hours"])) == expected, totals
    check.page(p, "report builder", shot="report-builder")


def test_role_creation_by_keyboard_and_centre_moderation(new_page, server, check):
    m = new_page()
    sign_in(m, server.manager_email)
    press(m, "a[href^='/manage/roles/new']")
    m.wait_for_url("**/manage/roles/new*")
    check.page(m, "new role form", shot="role-form")
    press(m, "button[value=save]")
    m.wait_for_selector(".error-summary")
    assert error_links(m)[:3] == ["#title", "#description", "#one_off"]
    check.page(m, "new role form, with errors")

    type_into(m, "#title", "Community garden volunteer")
    type_into(
        m,
        "#description",
        "Help grow vegetables for the food bank and look after the community garden. Some gardening "
        "experience helps but is not needed.",
    )
    press(m, "button[value=suggest]")
    m.wait_for_selector("text=Tick the ones that apply")
    suggested = m.locator("label:has-text('(suggested)')")
    assert suggested.count() >= 1
    first = suggested.first.get_attribute("for")
    press(m, f"#{first}", " ")
    choose_radio(m, "one_off", "no")  # regular
    press(m, "#slots-SaturdayMorning", " ")
    press(m, "#submit_for_review", " ")
    press(m, "button[value=save]")
    m.wait_for_url("**/manage/roles/*")
    assert "sent to your volunteer centre" in m.locator(".notification-banner").inner_text()
    assert m.locator("h1").inner_text() == "Community garden volunteer"
    check.page(m, "role admin", shot="role-admin")

    s = new_page()
    sign_in(s, server.staff_email)
    check.page(s, "moderation queues", shot="centre-moderation")
    s.click("a:has-text('Community garden volunteer')")
    check.page(s, "role review")
    s.check("#decision-2")  # send it back…
    s.click("button:has-text('Save decision')")
    assert error_links(s) == ["#reason"]  # …needs a reason
    s.check("#decision")
    s.click("button:has-text('Save decision')")
    assert "is published" in s.locator(".notification-banner").inner_text()

    s.click("a:has-text('Kent Wildlife Friends')")
    check.page(s, "organisation review", shot="centre-organisation-review")
    s.check("#decision-2")
    s.click("button:has-text('Save decision')")
    assert error_links(s) == ["#note"]
    s.fill("#note", "We could not find the charity number on the register. Please check it.")
    s.click("button:has-text('Save decision')")
    assert "not verified" in s.locator(".notification-banner").inner_text()

    s.goto("/centre/referrals")
    check.page(s, "referral pipeline", shot="centre-referrals")
    s.goto("/centre/volunteers")
    check.page(s, "volunteers in the centre's districts", shot="centre-volunteers")
    s.click("table a >> nth=0")
    check.page(s, "a volunteer's record")
    s.goto("/centre/duplicates")
    s.click("button:has-text('Look for duplicates now')")
    assert "Compared" in s.locator(".notification-banner").inner_text()
    check.page(s, "duplicates to review", shot="centre-duplicates")
    pair = s.locator("section.panel", has_text="Margaret Okafor and Margaret Okafer")
    assert pair.count() == 1
    pair.locator("button:has-text('Merge, keeping record')").first.click()
    assert "can be reversed until it is confirmed" in s.locator(".notification-banner").inner_text()
    merge = s.locator("section.panel", has_text="merged into Margaret")
    assert merge.locator("button:has-text('Reverse the merge')").count() == 1
    check.page(s, "a merge to confirm")
    merge.locator("button:has-text('Confirm the merge')").click()
    assert "The merge is confirmed." in s.locator(".notification-banner").inner_text()
    assert s.locator("section.panel", has_text="merged into Margaret").count() == 0

    # The published role is there for anyone searching nearby.
    a = new_page()
    a.goto("/opportunities?postcode=TN23+1AA&miles=15")
    assert a.locator("li.card", has_text="Community garden volunteer").count() == 1
    check.page(a, "search", shot="search")
    a.goto("/opportunities?day=Saturday&time=Morning&remote=yes")
    assert a.locator("li.card", has_text="Community garden volunteer").count() == 0


def test_organisation_sign_up_profile_data_and_deletion(new_page, server, check):
    o = new_page()
    o.goto("/manage/sign-up")
    check.page(o, "organisation sign-up")
    o.fill("#full_name", "Pat Organiser")
    o.fill("#email", "pat@riverside.example.org")
    o.fill("#password", "a long enough password")
    o.click("button:has-text('Create account')")
    o.wait_for_url("**/manage/organisations/new")
    o.check("input[name=organisation_type][value=registered_charity]")
    o.fill("#name", "Riverside Trust")
    o.fill("#postcode", "CT1 2AA")
    o.click("button:has-text('Register organisation')")
    assert "#registration_number" in error_links(o)
    check.page(o, "organisation form, with errors", shot="organisation-form-errors")
    o.select_option("#registrar", "ccew")
    o.fill("#registration_number", "1234567")
    o.click("button:has-text('Register organisation')")
    o.wait_for_url("**/manage")
    assert "Riverside Trust is registered" in o.locator(".notification-banner").inner_text()

    v = new_page()
    v.goto("/volunteer/sign-up/where")
    v.fill("#postcode", "CT1 2AA")
    v.fill("#travel_radius_miles", "3")
    v.check("input[name=mode][value=in_person]")
    v.click("button:has-text('Continue')")
    v.check("#availability-WednesdayEvening")
    v.check("input[name=preference][value=regular]")
    v.click("button:has-text('Continue')")
    v.fill("#first_name", "Alex")
    v.fill("#last_name", "Leaving")
    v.fill("#email", "alex.leaving@example.net")
    v.check("#adult_confirmed")  # no date of birth given
    v.fill("#password", "a long enough password")
    v.click("button:has-text('Continue')")
    v.wait_for_url("**/volunteer/sign-up/skills")
    v.goto("/my/profile")
    check.page(v, "profile", shot="volunteer-profile")
    v.click("a[href='/my/profile/contact'] >> nth=0")
    v.check("input[name=contact_consent][value=no]")
    v.check("input[name=notification_preference][value=none]")
    v.click("button:has-text('Save changes')")
    assert "Your profile has been updated" in v.locator(".notification-banner").inner_text()
    assert "Do not email me about new roles" in v.locator(".summary-list", has_text="Emails about new roles").inner_text()

    v.goto("/my/data")
    check.page(v, "download your data")
    with v.expect_download() as info:
        v.click("a:has-text('Download your data')")
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert data["volunteer"]["email"] == "alex.leaving@example.net"

    v.goto("/my/delete")
    check.page(v, "delete your account", shot="delete-account")
    v.click("button:has-text('Delete my account')")
    assert error_links(v) == ["#confirm"]
    v.check("#confirm")
    v.click("button:has-text('Delete my account')")
    v.wait_for_url(server.base_url + "/")
    assert "deleted" in v.locator(".notification-banner").inner_text()
    v.goto("/sign-in")
    v.fill("#email", "alex.leaving@example.net")
    v.fill("#password", "a long enough password")
    v.click("button:has-text('Sign in')")
    assert v.locator(".error-summary").is_visible()
