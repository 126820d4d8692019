"""A pilot lead opens the dashboard of the demo on its first start (``serve --demo`` on an empty
database, as ``bin/start`` does) and sees the county's figures at once, each one as counted
directly in the database: active volunteers, approved hours, referrals, placements started and the
value of the hours at the method the dashboard names. Numbers are read from the page as the lead
reads them (thousands separators, pounds, "<5" for small numbers)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import create_engine, text

from tests.web.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

SMALL = "<5"


def _shown(text_value: str) -> Decimal | str:
    """A figure as the page shows it: "1,234", "£12,345.67" or "<5"."""
    text_value = text_value.strip()
    if text_value == SMALL:
        return SMALL
    assert re.fullmatch(r"£?\d{1,3}(,\d{3})*(\.\d+)?", text_value), f"not a figure: {text_value!r}"
    return Decimal(text_value.replace("£", "").replace(",", ""))


def _agrees(shown: Decimal | str, counted: Decimal | int, places: int = 0) -> bool:
    if shown == SMALL:
        return counted < 5
    return shown == Decimal(counted).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _last_twelve_months(today: date) -> tuple[date, date]:
    """The dashboard's period: the eleven whole months before this one, and this month."""
    first = date(today.year, today.month, 1)
    back = first.year * 12 + first.month - 1 - 11
    start = date(back // 12, back % 12 + 1, 1)
    after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return start, after - timedelta(days=1)


def _counted(db_url: str, start: date, end: date, method: str) -> dict[str, Decimal | int]:
    approved = "from hours_entries h where h.status = 'approved' and h.worked_on between :s and :e"
    sql = {
        "Active volunteers": f"select count(distinct h.volunteer_id) {approved}",
        "Approved hours": f"select coalesce(sum(h.hours), 0) {approved}",
        "Referrals": "select count(*) from referrals where created_at >= :s and created_at < :e + 1",
        "Placements started": "select count(*) from placements where started_on between :s and :e",
        # Each month's hours at the rate in force on the month's first day.
        "value": "select coalesce(sum(h.hours * r.amount), 0) from hours_entries h join valuation_rates r"
        " on r.name = :method and r.valid_from <= date_trunc('month', h.worked_on)"
        " and (r.valid_to is null or r.valid_to >= date_trunc('month', h.worked_on))"
        " where h.status = 'approved' and h.worked_on between :s and :e",
    }
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            return {k: c.scalar(text(q), {"s": start, "e": end, "method": method}) for k, q in sql.items()}
    finally:
        engine.dispose()


def test_the_first_start_of_the_demo_shows_the_seeded_figures_on_the_dashboard(browser, demo_server):
    from brokerage.seed.generate import DEMO_LOGINS

    pilot = dict((who, address) for who, address in DEMO_LOGINS["accounts"])["pilot lead"]
    ctx = browser.new_context(viewport=DESKTOP, base_url=demo_server.base_url, locale="en-GB")
    ctx.set_default_timeout(20_000)
    try:
        page = ctx.new_page()
        page.goto("/pilot")  # signed out: asked to sign in, then straight back
        page.fill("#email", pilot)
        page.fill("#password", DEMO_LOGINS["password"])
        page.click("button:has-text('Sign in')")
        page.wait_for_url("**/pilot")
        stats = page.locator(".stat")
        shown = {
            stats.nth(i).locator(".stat__label").inner_text().strip(): _shown(stats.nth(i).locator(".stat__value").inner_text())
            for i in range(stats.count())
        }
        sentence = page.locator("main p", has_text="Value of volunteer time").inner_text()
        method, value = re.fullmatch(r"Value of volunteer time \((.+)\): (\S+)\.", sentence.strip()).groups()
        page.set_viewport_size(PHONE)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the dashboard is {width} px wide on a phone"
    finally:
        ctx.close()

    counted = _counted(demo_server.db_url, *_last_twelve_months(date.today()), method)
    assert set(shown) == {"Active volunteers", "Approved hours", "Referrals", "Placements started"}, shown
    for label, figure in shown.items():
        assert _agrees(figure, counted[label]), f"{label}: the dashboard shows {figure}, the database has {counted[label]}"
    # The demo is a county's worth of volunteering: the figures are not hidden as small numbers.
    assert all(figure != SMALL and figure > 100 for figure in shown.values()), shown
    assert _agrees(_shown(value), counted["value"], places=2), f"{method}: shown {value}, counted £{counted['value']:,.2f}"
    assert counted["value"] > 0
