"""Browser tests: a real server (``brokerage serve`` in a subprocess, with its embedded worker) on a
fresh PostgreSQL database seeded with a small fixture set, a real SMTP server (aiosmtpd), Debian's
Chromium driven by Playwright, and axe-core injected into every page we check."""

from __future__ import annotations

import email
import fcntl
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.support.isolation import free_port
from tests.factories import ASHFORD, CANTERBURY, PASSWORD, Factory

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return "Debian's Chromium is not installed (apt-get install chromium)"
    if not AXE.exists():
        return "axe-core is not installed (cd tests/web && npm install)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    if reason:
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


# -- a real SMTP server --------------------------------------------------------------------------------
class Mailbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, to: str, subject_contains: str = "", timeout: float = 20.0) -> email.message.Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.messages:
                if to.lower() in (m.get("To") or "").lower() and subject_contains.lower() in (m.get("Subject") or "").lower():
                    return m
            time.sleep(0.2)
        raise AssertionError(f"No email to {to} about {subject_contains!r}; got {[m.get('Subject') for m in self.messages]}")


def body_text(message: email.message.Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    out = []
    for part in parts:
        if part.get_content_type() in ("text/plain", "text/html"):
            out.append(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(out)


LINK = re.compile(r"""https?://[^\s"'<>]+""")


def links_in(message: email.message.Message) -> list[str]:
    """Every web address in an email's bodies, once each, in the order they appear."""
    found: list[str] = []
    for url in LINK.findall(unescape(body_text(message))):
        url = url.rstrip(".,;)")
        if url not in found:
            found.append(url)
    return found


# -- the fixture county ------------------------------------------------------------------------------------
@dataclass
class Seed:
    base_url: str
    mailbox: Mailbox
    db_url: str
    staff_email: str = "staff@ashford-centre.example.org"
    manager_email: str = "manager@foodbank.example.org"
    pilot_email: str = "lead@kent.example.org"
    admin_email: str = "admin@kent.example.org"
    seeded_hours: Decimal = Decimal(0)
    ids: dict = field(default_factory=dict)


def seed_fixture(session: Session) -> tuple[Decimal, dict]:
    from brokerage.models import HoursEntry, Invitation, Placement, Referral, SafeguardingConcern
    from brokerage.reports import rollups

    f = Factory(session)
    centre = f.centre("Ashford Volunteer Centre", districts=(ASHFORD,), is_lead=True)
    staff = f.user("centre_staff", centre=centre, email="staff@ashford-centre.example.org")
    staff.safeguarding_lead = True  # the centre's designated safeguarding lead
    f.user("pilot_lead", email="lead@kent.example.org")
    f.user("admin", email="admin@kent.example.org")
    food_bank = f.organisation(ASHFORD, name="Ashford Food Bank")
    f.user("organisation_manager", organisations=(food_bank,), email="manager@foodbank.example.org")
    unverified = f.organisation(CANTERBURY, verified=False, name="Kent Wildlife Friends")
    driver = f.role(
        food_bank,
        title="Food bank driver",
        causes=("AntiPoverty",),
        slot_mask=(1 << 21) - 1,
        desired_skills=("driving",) if "driving" in _skill_ids() else (),
    )
    driver.description = "Collect food donations from supermarkets in Ashford and bring them to the food bank."
    befriender = f.role(food_bank, title="Phone befriender", causes=("AntiPoverty",), mode="remote")
    pending = f.role(food_bank, status="pending_review", title="Warehouse helper", causes=("AntiPoverty",))
    # Five volunteers who already give time, so county figures are not hidden as "<5".
    month_ago = date.today() - timedelta(days=20)
    hours = Decimal(0)
    placements = []
    referrals = []
    for i in range(5):
        v = f.volunteer(ASHFORD, email=f"existing{i}@example.net")
        ref = Referral(volunteer_id=v.id, role_id=driver.id, status="started", share_email=True, share_phone=False)
        session.add(ref)
        session.flush()
        referrals.append(ref.id)
        p = Placement(
            referral_id=ref.id,
            volunteer_id=v.id,
            role_id=driver.id,
            organisation_id=food_bank.id,
            started_on=month_ago - timedelta(days=10),
        )
        session.add(p)
        session.flush()
        amount = Decimal(2 + i)
        session.add(
            HoursEntry(
                placement_id=p.id, volunteer_id=v.id, worked_on=month_ago, hours=amount, status="approved", reminder_count=0
            )
        )
        hours += amount
        placements.append(p.id)
    # One person registered twice (a typo in the surname, another email, the same phone): for duplicate review.
    for surname, address in (("Okafor", "margaret.okafor@example.net"), ("Okafer", "m.okafor@example.com")):
        f.volunteer(
            ASHFORD,
            with_user=False,
            email=address,
            first_name="Margaret",
            last_name=surname,
            dob=date(1958, 3, 4),
            phone="07700 900461",
        )
    # A volunteer whose approved hours have reached the first milestone, with its certificate.
    from brokerage.hours import milestones

    holder = f.volunteer(ASHFORD, email="certificate.holder@example.net", first_name="Cerys", last_name="Holder")
    held = Placement(volunteer_id=holder.id, role_id=driver.id, organisation_id=food_bank.id, started_on=month_ago)
    session.add(held)
    session.flush()
    session.add(
        HoursEntry(
            placement_id=held.id, volunteer_id=holder.id, worked_on=month_ago, hours=12, status="approved", reminder_count=0
        )
    )
    hours += 12
    placements.append(held.id)
    session.flush()
    certificate = milestones.record_reached(session, holder.id)[0]
    # A placement of the first volunteer that has ended, for saying why (both sides).
    ended = Placement(
        volunteer_id=session.get(Placement, placements[0]).volunteer_id,
        role_id=driver.id,
        organisation_id=food_bank.id,
        started_on=month_ago - timedelta(days=60),
        ended_on=month_ago - timedelta(days=20),
    )
    session.add(ended)
    session.flush()
    # A dated session of the driver role with places, one of them booked.
    from brokerage.models import RoleSession, SessionBooking

    soon = datetime.combine(date.today() + timedelta(days=5), datetime.min.time()) + timedelta(hours=10)
    shift = RoleSession(role_id=driver.id, starts_at=soon, ends_at=soon + timedelta(hours=3), capacity=10)
    session.add(shift)
    session.flush()
    session.add(SessionBooking(session_id=shift.id, volunteer_id=session.get(Placement, placements[0]).volunteer_id))
    # A safeguarding concern about the driver's role, for the safeguarding lead's pages.
    concern = SafeguardingConcern(
        centre_id=centre.id,
        raised_by_user_id=None,
        raised_by_role="volunteer",
        subject_type="role",
        role_id=driver.id,
        subject_label="Food bank driver (Ashford Food Bank)",
        concern="The driver was asked to collect from a private house alone, late at night.",
        status="open",
    )
    session.add(concern)
    # A published guide and a training event of the centre, for the organisation's support pages.
    from brokerage.models import GuidanceResource, TrainingEvent

    guide = GuidanceResource(
        centre_id=centre.id,
        title="Keeping volunteers safe: a short guide",
        kind="guide",
        category="safeguarding",
        audience="organisations",
        body="Who to call, what to write down, and how to keep records safe.",
        url="https://www.example.org/keeping-volunteers-safe",
        status="published",
        review_on=date.today() + timedelta(days=200),
    )
    training_starts = soon + timedelta(days=3)
    training = TrainingEvent(
        centre_id=centre.id,
        title="Safeguarding basics for small groups",
        description="Two hours on what to do when you are worried about someone.",
        starts_at=training_starts,
        ends_at=training_starts + timedelta(hours=2),
        place="Ashford Gateway, Church Road, Ashford",
        capacity=10,
        status="published",
    )
    session.add_all([guide, training])
    session.flush()
    # The first of them is invited to another role, and has not answered yet.
    first = session.get(Placement, placements[0]).volunteer_id
    invitation = Invitation(role_id=befriender.id, volunteer_id=first, sender_kind="organisation", status="waiting")
    session.add(invitation)
    session.flush()
    # An emergency call-out raised by the centre, for its live page.
    from brokerage.models import Callout

    callout = Callout(
        centre_id=centre.id,
        title="Rest centre at Ashford school",
        postcode="TN23 1AA",
        latitude=51.146,
        longitude=0.875,
        district_gss=ASHFORD,
        starts_at=soon,
        ends_at=soon + timedelta(hours=4),
        skills=[],
        needed=4,
        accepted=0,
        batch_size=10,
        batches_sent=0,
        status="open",
    )
    session.add(callout)
    session.flush()
    for pid in placements:
        rollups.refresh_placement(session, pid)
    ids = {
        "driver": driver.id,
        "pending_role": pending.id,
        "organisation": food_bank.id,
        "unverified_organisation": unverified.id,
        "centre": centre.id,
        "concern": concern.id,
        "referral": referrals[0],  # the first volunteer's, so each of the three sides can open it
        "session": shift.id,
        "certificate": certificate.code,
        "placement": ended.id,
        "invitation": invitation.id,
        "resource": guide.id,
        "training": training.id,
        "callout": callout.id,
        "volunteer": placements and session.get(Placement, placements[0]).volunteer_id,
    }
    return hours, ids


def _skill_ids() -> set[str]:
    from brokerage.vocab import taxonomies

    return set(taxonomies.skills())


@pytest.fixture(scope="session")
def server(tmp_path_factory, pg_database, live_server):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from aiosmtpd.controller import Controller

    with pg_database("web") as db_url:
        engine = create_engine(db_url)
        with Session(engine) as session:
            seeded_hours, ids = seed_fixture(session)
            session.commit()
        engine.dispose()

        mailbox = Mailbox()
        smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        smtp.start()
        settings = {**BROWSER_SETTINGS, "BROKERAGE_SMTP_HOST": "127.0.0.1", "BROKERAGE_SMTP_PORT": str(smtp.port)}
        try:
            with live_server(_libpq(db_url), tmp_path_factory.mktemp("var"), settings=settings) as live:
                yield Seed(base_url=live.base_url, mailbox=mailbox, db_url=db_url, seeded_hours=seeded_hours, ids=ids)
        finally:
            smtp.stop()


@dataclass
class Demo:
    base_url: str
    db_url: str


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, pg_database, live_server):
    """A first start of the demo, as ``bin/start`` makes it: ``serve --demo`` on an empty database."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    with pg_database("demo", empty=True) as db_url:
        var_dir = tmp_path_factory.mktemp("demo")
        # Loading the demo county comes first: a busy machine needs minutes for it.
        with live_server(_libpq(db_url), var_dir, settings=BROWSER_SETTINGS, args=("--quiet", "--demo"), timeout=360) as live:
            yield Demo(base_url=live.base_url, db_url=db_url)


def _libpq(db_url: str) -> str:
    return db_url.replace("postgresql+psycopg://", "postgresql://")


BROWSER_SETTINGS = {
    "BROKERAGE_SECRET_KEY": "browser-test-secret-key-that-is-long-enough-42",
    # Every browser signs in from 127.0.0.1: the per-address sign-in limit is for the real world.
    "BROKERAGE_THROTTLE_SIGN_IN_PER_ADDRESS": "1000 per minute",
}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    """test-output/screenshots, emptied once per run: by the first worker to get here, when the
    suite runs on several (the run's id is pytest-xdist's, or this process's own)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"{os.getpid()}")
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    with open(SCREENSHOTS.parent / ".screenshots.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = SCREENSHOTS / ".run"
        if not stamp.exists() or stamp.read_text() != run:
            shutil.rmtree(SCREENSHOTS, ignore_errors=True)
            SCREENSHOTS.mkdir(parents=True)
            stamp.write_text(run)
    return SCREENSHOTS


class Checker:
    """Runs axe-core on a page and takes phone and desktop screenshots."""

    def __init__(self, axe_source: str, shots: Path):
        self.axe_source = axe_source
        self.shots = shots
        self.checked: list[str] = []

    def axe(self, page, label: str) -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(self.axe_source)
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
            }"""
        )
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        self.checked.append(label)
        assert not bad, f"axe found serious or critical problems on {label} ({page.url}): {bad}"

    def shoot(self, page, name: str) -> None:
        original = page.viewport_size
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=str(self.shots / f"{name}-{label}.png"), full_page=True)
        if original:
            page.set_viewport_size(original)

    def page(self, page, label: str, shot: str | None = None) -> None:
        self.axe(page, label)
        if shot:
            self.shoot(page, shot)


@pytest.fixture(scope="session")
def check(axe_source, screenshots_dir) -> Checker:
    return Checker(axe_source, screenshots_dir)


@pytest.fixture
def new_page(browser, server):
    """``new_page()`` → a page in a fresh browser context (its own cookies), at desktop width."""
    contexts = []

    def _new(viewport=DESKTOP):
        ctx = browser.new_context(viewport=viewport, base_url=server.base_url, accept_downloads=True, locale="en-GB")
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield _new
    for ctx in contexts:
        ctx.close()


def sign_in(page, email_address: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in")
    page.fill("#email", email_address)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    assert page.url.rstrip("/") != "" and "/sign-in" not in page.url, page.content()[:2000]


def tab_to(page, selector: str, max_presses: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has focus (keyboard only)."""
    for _ in range(max_presses):
        if page.evaluate(
            "(sel) => { const el = document.querySelector(sel); return !!el && el === document.activeElement; }", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Could not reach {selector} with the Tab key")


def choose_radio(page, name: str, value: str, max_presses: int = 120) -> None:
    """Tab into a group of radios and move with the arrow keys until ``value`` is chosen."""
    for _ in range(max_presses):
        if page.evaluate("(n) => document.activeElement && document.activeElement.name === n", name):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError(f"Could not reach the {name} radios with the Tab key")
    if not page.evaluate("(n) => document.activeElement.checked", name):
        page.keyboard.press(" ")
    for _ in range(12):
        if page.is_checked(f"input[name={name}][value={value}]"):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"Could not choose {value} for {name} with the arrow keys")


def every_control_reached_by_tab(page) -> None:
    """Every link, button and field in the page's main part is reached with the Tab key alone."""
    count = page.evaluate(
        """() => [...document.querySelectorAll('main a[href], main button, main input:not([type=hidden]), main select, main textarea')]
              .filter(e => e.offsetParent !== null && !e.disabled).length"""
    )
    page.evaluate("window.__reached = new Set(); document.addEventListener('focusin', e => window.__reached.add(e.target))")
    page.focus("body")
    for _ in range(count * 2 + 40):
        page.keyboard.press("Tab")
    reached = page.evaluate(
        """() => [...document.querySelectorAll('main a[href], main button, main input:not([type=hidden]), main select, main textarea')]
              .filter(e => e.offsetParent !== null && !e.disabled && !window.__reached.has(e))
              .map(e => e.outerHTML.slice(0, 120))"""
    )
    # a group of radios is one tab stop: its other buttons are reached with the arrow keys
    reached = [r for r in reached if 'type="radio"' not in r]
    assert not reached, f"Not reached with the Tab key on {page.url}: {reached}"
