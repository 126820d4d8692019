"""Centre staff bring their TeamKinetic records over from the pages: four real exports uploaded as
they come, each report read, the volunteers file taken without its bad rows and those rows downloaded.
axe-core checks each page; the report fits a 390 px phone screen."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.web.conftest import PHONE, sign_in

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data" / "teamkinetic"


def upload(page, kind: str, name: str) -> None:
    page.goto("/centre/imports")
    page.check(f"input[name=kind][value={kind}]")
    page.check("input[name=format][value=teamkinetic]")
    page.set_input_files("#file", str(DATA / name))
    page.click("button:has-text('Upload and check')")
    page.wait_for_url("**/centre/imports/*")
    assert "Nothing is imported until you confirm" in page.locator(".notification-banner").inner_text()


def fits(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


def test_centre_staff_import_a_whole_teamkinetic_export_from_the_pages(new_page, server, check):
    p = new_page(viewport=PHONE)
    sign_in(p, server.staff_email)
    p.goto("/centre/imports")
    check.page(p, "imports", shot="imports")
    fits(p)

    upload(p, "organisations", "Provider-data.csv")
    check.page(p, "import report: providers")
    p.click("button:has-text('Import everything')")
    assert "has been imported" in p.locator(".notification-banner").inner_text()

    upload(p, "roles", "Opportunity-data.csv")
    p.click("button:has-text('Import everything')")
    assert "has been imported" in p.locator(".notification-banner").inner_text()

    upload(p, "volunteers", "Volunteer-data.csv")
    report = p.locator("main").inner_text()
    assert "How the ethnicity answers map to the ONS 2021 groups" in report
    assert "White: Irish" in report and "Not mapped: kept as written" in report
    assert "Access Denied" in report
    check.page(p, "import report: volunteers", shot="import-report")
    fits(p)
    assert p.locator("button:has-text('Import everything')").count() == 0, "a file with problems is not imported whole"
    p.click("button:has-text('Import the rows without problems')")
    banner = p.locator(".notification-banner").inner_text()
    assert "rows were left out" in banner
    with p.expect_download() as info:
        p.click("a:has-text('rows that were not imported')")
    rejected = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rejected and all(r["Why it was not imported"] for r in rejected)

    upload(p, "sessions", "Session-data.csv")
    report = p.locator("main").inner_text()
    assert "A session place no volunteer has taken" in report and "42" in report
    check.page(p, "import report: sessions")
    p.click("button:has-text('Import everything')")
    assert "has been imported" in p.locator(".notification-banner").inner_text()
    fits(p)

    p.goto("/centre/imports")
    with p.expect_download() as info:
        p.click("a:has-text('Download as CSV')")
    exported = Path(info.value.path()).read_text(encoding="utf-8")
    header = exported.splitlines()[0]
    assert "first_name" in header and "ethnicity" not in header and "gender" not in header
