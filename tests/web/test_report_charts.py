"""The pilot lead's report page draws its figures: hours and active volunteers by month, value by
district, the referral funnel and a map of the districts drawn on the server from the shipped
centres (nothing fetched from elsewhere), each with its figures in a table too; axe-core, the
keyboard and a 390 px screen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text

from tests.factories import ASHFORD

from tests.web.conftest import DESKTOP, PHONE, sign_in, tab_to
from tests.web.test_every_page import _fits

pytestmark = pytest.mark.browser


def _ashford_hours(server):
    """Approved hours of volunteers living in Ashford in the last twelve months, counted in the database."""
    today = date.today()
    first = date(today.year - 1, today.month, 1) + timedelta(days=32)
    engine = create_engine(server.db_url)
    with engine.connect() as c:
        total = c.scalar(
            text(
                "select coalesce(sum(h.hours), 0) from hours_entries h join volunteers v on v.id = h.volunteer_id"
                " where h.status = 'approved' and v.district_gss = :d and h.worked_on >= :first"
            ),
            {"d": ASHFORD, "first": first.replace(day=1)},
        )
    engine.dispose()
    return total


def test_the_report_page_shows_charts_and_a_district_map_with_tables(new_page, server, check):
    page = new_page(viewport=DESKTOP)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.base_url) else None)
    sign_in(page, server.pilot_email)
    page.goto("/pilot/reports")
    tab_to(page, "main form.filters button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    titles = page.locator("figure.chart-figure figcaption").all_inner_texts()
    for title in ("Approved hours by month", "Active volunteers by month", "Referral funnel", "Approved hours by district"):
        assert any(t.startswith(title) for t in titles), titles
    svg_map = page.locator("svg.map")
    assert svg_map.locator("circle").count() == 13  # the twelve districts and Medway
    assert "Ashford" in (svg_map.locator("title").text_content() or "")
    # the map's figures as a table, opened by keyboard
    summary = "figure:has(svg.map) summary"
    tab_to(page, summary)
    page.keyboard.press("Enter")
    table = page.locator("figure:has(svg.map) table")
    assert table.is_visible() and table.locator("tbody tr").count() == 13
    ashford = table.locator("tr:has(th:text-is('Ashford')) td").inner_text()
    assert ashford.replace(",", "") == f"{_ashford_hours(server):.0f}", ashford
    check.axe(page, "report with charts and map")
    page.set_viewport_size(PHONE)
    _fits(page)
    assert outside == []
