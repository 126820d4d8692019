"""Emergency call-outs end to end, on the production path: ``brokerage serve --no-worker`` and a real
``brokerage worker`` process (Dramatiq through our own redis-server, with the outbox relay) on a fresh
PostgreSQL database, a real SMTP server and Chromium.

200 volunteers who opted in live at distances from 0.1 to 20 miles of the place; others did not opt
in, are outside the area they chose, or cannot come at that time. Centre staff raise a call-out for
10 people on the form; the 20 nearest are emailed; volunteers answer through the links in their
emails; when those still to answer can no longer fill it the next 20 nearest are emailed; the
staff's live page shows each yes without being reloaded; the 11th yes is told it is full. No one
outside the call-out's reach is emailed, and no one twice.

Every new page passes axe-core and is worked by keyboard, with screenshots at 390 and 1280 px."""

from __future__ import annotations

import re
import sys
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from tests.factories import ASHFORD, PASSWORD, Factory
from tests.support.isolation import free_port
from tests.support.live import server_env
from tests.web.conftest import (
    BROWSER_SETTINGS,
    PHONE,
    Mailbox,
    body_text,
    every_control_reached_by_tab,
    links_in,
    sign_in,
    tab_to,
)
from tests.workers.conftest import Process, RedisServer

pytestmark = pytest.mark.browser

MILE = 1 / 69.0  # degrees of latitude
STAFF = "callouts.staff@ashford-centre.example.org"
VOLUNTEER = "callouts.volunteer@example.net"
NEEDED = 10
BATCH = 20


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _seed(db_url: str) -> dict:
    from brokerage.geo import locate
    from brokerage.models import EmergencyAvailability
    from brokerage.vocab.slots import ALL_SLOTS, slots_to_mask

    here = locate("TN23 1AA")
    engine = create_engine(db_url)
    with Session(engine) as s:
        f = Factory(s)
        centre = f.centre("Ashford Emergency Centre", districts=(ASHFORD,))
        f.user("centre_staff", centre=centre, email=STAFF)
        f.user("organisation_manager", organisations=(f.organisation(ASHFORD),), email="callouts.manager@example.org")
        f.volunteer(ASHFORD, email=VOLUNTEER, first_name="Opal", last_name="Optin")

        def person(n: int, miles: float, kind: str):
            return f.volunteer(
                ASHFORD,
                email=f"{kind}{n}.callout@example.net",
                first_name=f"{kind.title()}{n}",
                last_name="Responder",
                latitude=here.latitude + miles * MILE,
                longitude=here.longitude,
            )

        opted = []
        for n in range(200):
            miles = round(0.1 + n * 0.1, 2)  # 0.1 … 20 miles
            opted.append((person(n, miles, "ready"), miles))
        never = [person(n, 0.05 + n * 0.01, "never") for n in range(15)]  # nearest of all, but never opted in
        outside = [person(n, 9 + n, "outside") for n in range(10)]  # opted in for 2 miles around them only
        mornings = [person(n, 0.07 + n * 0.01, "morning") for n in range(10)]  # opted in for mornings only
        s.flush()
        evenings_and_all = ALL_SLOTS
        for v, _miles in opted:
            s.add(EmergencyAvailability(volunteer_id=v.id, district_codes=[], radius_miles=25, slot_mask=evenings_and_all))
        for v in outside:
            s.add(EmergencyAvailability(volunteer_id=v.id, district_codes=[], radius_miles=2, slot_mask=ALL_SLOTS))
        mask = slots_to_mask(
            [f"{d}Morning" for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")]
        )
        for v in mornings:
            s.add(EmergencyAvailability(volunteer_id=v.id, district_codes=[ASHFORD], radius_miles=None, slot_mask=mask))
        s.commit()
        data = {
            "by_rank": [v.email for v, _ in sorted(opted, key=lambda p: p[1])],
            "miles": {v.email: m for v, m in opted},
            "never": [v.email for v in never + outside + mornings],
        }
    engine.dispose()
    return data


@pytest.fixture(scope="module")
def callouts(tmp_path_factory, pg_database, live_server):
    from aiosmtpd.controller import Controller

    with pg_database("callouts") as db_url:
        seeded = _seed(db_url)
        var_dir = tmp_path_factory.mktemp("callouts")
        redis = RedisServer(var_dir / "redis", free_port())
        redis.start()
        mailbox = Mailbox()
        smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        smtp.start()
        settings = {
            **BROWSER_SETTINGS,
            "BROKERAGE_REDIS_URL": redis.url,
            "BROKERAGE_SMTP_HOST": "127.0.0.1",
            "BROKERAGE_SMTP_PORT": str(smtp.port),
            "BROKERAGE_WORKER_RELAY_POLL_SECONDS": "0.05",
            # The next batch goes because of answers, not the clock, in this test.
            "BROKERAGE_CALLOUT_BATCH_WAIT_SECONDS": "86400",
            "BROKERAGE_CALLOUT_REFRESH_SECONDS": "1",
        }
        worker = None
        try:
            with live_server(_libpq(db_url), var_dir, settings=settings, args=("--quiet", "--no-worker")) as live:
                env = {**server_env(_libpq(db_url), var_dir, settings), "BROKERAGE_BASE_URL": live.base_url}
                worker = Process(
                    [sys.executable, "-m", "workers.cli", "worker", "--processes", "1", "--threads", "4"],
                    env,
                    var_dir / "worker.log",
                )
                yield {"base_url": live.base_url, "db_url": db_url, "mailbox": mailbox, "worker": worker, **seeded}
        finally:
            if worker is not None:
                worker.stop()
            smtp.stop()
            redis.stop()


@pytest.fixture
def page_at(browser, callouts):
    contexts = []

    def _new(viewport):
        ctx = browser.new_context(viewport=viewport, base_url=callouts["base_url"], locale="en-GB")
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield _new
    for ctx in contexts:
        ctx.close()


def _callout_emails(mailbox) -> list:
    return [m for m in list(mailbox.messages) if "Emergency call-out" in (m.get("Subject") or "")]


def _wait_for_emails(mailbox, count: int, timeout: float = 90) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _callout_emails(mailbox)
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{len(_callout_emails(mailbox))} call-out emails, not {count}")


def _to(message) -> str:
    return (message.get("To") or "").split("<")[-1].rstrip(">").strip()


def _link(message, answer: str) -> str:
    (url,) = [u for u in links_in(message) if urlsplit(u).path == "/callouts/answer" and u.endswith(f"answer={answer}")]
    return url


def _fits(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def _count(page, key: str) -> str:
    return page.locator(f"[data-count={key}]").inner_text().strip()


def _answer(page_at, message, answer: str, *, expect: str, check=None) -> None:
    """The volunteer opens the link in their email on a phone and presses the button it offers."""
    p = page_at(PHONE)
    p.goto(_link(message, answer))
    assert p.locator("h1").inner_text() == "Can you help?", p.locator("main").inner_text()[:500]
    _fits(p)
    if check is not None:
        check.page(p, "call-out answer page", "callout-answer")
    label = "Yes, I can help" if answer == "accept" else "No, I cannot help this time"
    p.locator(f"button:has-text('{label}')").focus()
    with p.expect_navigation():
        p.keyboard.press("Enter")
    assert expect in p.locator("main").inner_text(), p.locator("main").inner_text()[:800]
    p.context.close()


def test_a_call_out_for_ten_emails_the_nearest_in_batches_until_ten_say_yes(callouts, page_at, check):
    mailbox = callouts["mailbox"]
    # Centre staff raise it on the form, by keyboard.
    staff = page_at({"width": 1280, "height": 900})
    sign_in(staff, STAFF)
    staff.goto("/centre/callouts")
    check.page(staff, "call-outs list (empty)")
    tab_to(staff, "a[href='/centre/callouts/new']")
    staff.keyboard.press("Enter")
    staff.wait_for_url("**/centre/callouts/new")
    check.page(staff, "raise a call-out", "callout-new")
    every_control_reached_by_tab(staff)
    from brokerage.callouts.service import local_now

    start = (local_now() + timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    staff.fill("#title", "Rest centre at Ashford leisure centre")
    staff.fill("#postcode", "TN23 1AA")
    staff.fill("#starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    staff.fill("#ends_at", (start + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"))
    staff.fill("#needed", str(NEEDED))
    staff.fill("#message", "Ask for Sam at the front desk.")
    tab_to(staff, "form[action='/centre/callouts/new'] button[type=submit]")
    staff.keyboard.press("Enter")
    staff.wait_for_url(re.compile(r".*/centre/callouts/\d+$"))
    callout_path = urlsplit(staff.url).path
    assert "Call-out raised" in staff.locator(".notification-banner").inner_text()

    # The first batch: the 20 nearest who opted in, and no one else.
    first = _wait_for_emails(mailbox, BATCH)
    time.sleep(1)
    assert len(_callout_emails(mailbox)) == BATCH
    ranks = callouts["by_rank"]
    assert sorted(_to(m) for m in first) == sorted(ranks[:BATCH])
    by_address = {_to(m): m for m in first}
    words = body_text(first[0])
    assert "Rest centre at Ashford leisure centre" in first[0]["Subject"] and "Ask for Sam at the front desk." in words

    # The live page, open in the staff's browser, counts each yes without being reloaded.
    staff.goto(callout_path)
    staff.evaluate("window.__not_reloaded = true")
    assert _count(staff, "emailed") == str(BATCH) and _count(staff, "accepted") == "0"
    assert _count(staff, "still_needed") == str(NEEDED)
    check.page(staff, "call-out live page", "callout-live")
    every_control_reached_by_tab(staff)

    _answer(page_at, by_address[ranks[0]], "accept", expect="you are down to help", check=check)
    staff.wait_for_function("() => document.querySelector('[data-count=accepted]').textContent.trim() === '1'")
    assert staff.evaluate("window.__not_reloaded") is True
    assert "1 said yes" in staff.locator("[data-live-message]").inner_text()
    for address in ranks[1:4]:
        _answer(page_at, by_address[address], "accept", expect="you are down to help")
    # Eleven say no: the five left to answer could no longer fill the six places left, so the next batch goes.
    for address in ranks[4:14]:
        _answer(page_at, by_address[address], "decline", expect="Thank you for letting us know")
    time.sleep(2)
    assert len(_callout_emails(mailbox)) == BATCH  # six still to answer could still fill six places
    _answer(page_at, by_address[ranks[14]], "decline", expect="Thank you for letting us know")
    both = _wait_for_emails(mailbox, 2 * BATCH)
    second = [m for m in both if _to(m) not in by_address]
    assert sorted(_to(m) for m in second) == sorted(ranks[BATCH : 2 * BATCH])
    miles = callouts["miles"]
    assert max(miles[_to(m)] for m in first) < min(miles[_to(m)] for m in second)  # nearest first
    staff.wait_for_function(f"() => document.querySelector('[data-count=emailed]').textContent.trim() === '{2 * BATCH}'")

    # Six from the second batch say yes: ten in all, and the call-out is filled.
    later = {_to(m): m for m in second}
    for address in ranks[BATCH : BATCH + 6]:
        _answer(page_at, later[address], "accept", expect="you are down to help")
    staff.wait_for_function("() => document.querySelector('[data-count=accepted]').textContent.trim() === '10'")
    assert _count(staff, "still_needed") == "0" and staff.evaluate("window.__not_reloaded") is True
    assert "Filled" in staff.locator("[data-live-counts] .tag").inner_text()
    # The next to say yes is told plainly that enough have; nothing is overfilled.
    late = page_at(PHONE)
    late.goto(_link(later[ranks[BATCH + 6]], "accept"))
    assert "Enough people have already said yes" in late.locator("main").inner_text()
    assert late.locator("button:has-text('Yes, I can help')").count() == 0
    late.context.close()

    # No third batch; no one outside the call-out's reach emailed; no one twice.
    time.sleep(3)
    emails = _callout_emails(mailbox)
    addresses = [_to(m) for m in emails]
    assert len(emails) == 2 * BATCH and len(set(addresses)) == len(addresses)
    assert set(addresses).isdisjoint(callouts["never"])
    engine = create_engine(callouts["db_url"])
    with engine.connect() as c:
        row = c.execute(text("SELECT accepted, needed, status FROM emergency_callouts")).one()
        answers = dict(c.execute(text("SELECT status, count(*) FROM emergency_callout_invitations GROUP BY status")).all())
        audited = dict(
            c.execute(text("SELECT action, count(*) FROM audit_log WHERE action LIKE 'callout.%' GROUP BY action")).all()
        )
    engine.dispose()
    assert tuple(row) == (NEEDED, NEEDED, "filled")
    assert answers == {"accepted": 10, "declined": 11, "emailed": 19}
    assert audited == {"callout.raise": 1, "callout.batch": 2, "callout.answer": 21}
    staff.goto("/centre/callouts")
    assert "10 of 10 said yes" in staff.locator("main").inner_text()
    check.page(staff, "call-outs list", "callouts-list")
    assert callouts["worker"].proc.poll() is None, callouts["worker"].output()[-2000:]


def test_a_volunteer_opts_in_and_out_on_their_profile_by_keyboard(callouts, page_at, check):
    p = page_at(PHONE)
    sign_in(p, VOLUNTEER)
    p.goto("/my/profile")
    assert "Emergency call-outs" in p.locator("main").inner_text()
    tab_to(p, "a[href='/my/emergency']")
    p.keyboard.press("Enter")
    p.wait_for_url("**/my/emergency")
    _fits(p)
    check.page(p, "emergency call-outs opt-in", "callout-availability")
    every_control_reached_by_tab(p)
    # Saying yes with no area or times is a clear error.
    p.check("#opt_in")
    tab_to(p, "form[action='/my/emergency'] button[type=submit]")
    with p.expect_navigation():
        p.keyboard.press("Enter")
    assert "There is a problem" in p.locator(".error-summary").inner_text()
    check.page(p, "emergency call-outs opt-in with errors")
    p.check("#opt_in")
    p.check(f"input[name=district_codes][value={ASHFORD}]")
    p.fill("#radius_miles", "5")
    for slot in ("FridayEvening", "SaturdayMorning"):
        p.check(f"input[name=slots][value={slot}]")
    tab_to(p, "form[action='/my/emergency'] button[type=submit]")
    p.keyboard.press("Enter")
    p.wait_for_url("**/my/profile")
    shown = p.locator("main").inner_text()
    assert "we may ask you to help in an emergency" in shown.lower() and "within 5 miles" in shown and "Friday evening" in shown
    p.goto("/my/emergency")
    p.check("#opt_in-2")
    tab_to(p, "form[action='/my/emergency'] button[type=submit]")
    p.keyboard.press("Enter")
    p.wait_for_url("**/my/profile")
    assert "We will not ask you to help in emergencies." in p.locator(".notification-banner").inner_text()


def test_volunteers_and_managers_are_refused_the_call_out_pages(callouts, page_at):
    for email in (VOLUNTEER, "callouts.manager@example.org"):
        p = page_at(PHONE)
        sign_in(p, email)
        for path in ("/centre/callouts", "/centre/callouts/new"):
            response = p.goto(path)
            assert response is not None and response.status == 403, (email, path, response and response.status)
            assert "volunteer centre staff and pilot leads" in p.locator("main").inner_text()
        p.context.close()
    assert PASSWORD
