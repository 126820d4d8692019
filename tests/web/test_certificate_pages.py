"""Milestones in a real browser, by keyboard alone: a volunteer downloads their certificate and opens
the page that shows it is genuine; a visitor who is not signed in opens the same page. axe-core on
each page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.web.conftest import PHONE, sign_in, tab_to
from tests.web.conftest import every_control_reached_by_tab
from tests.web.test_every_page import _fits

pytestmark = pytest.mark.browser


def test_download_a_certificate_and_check_it_by_keyboard(new_page, server, check):
    code = server.ids["certificate"]
    page = new_page(viewport=PHONE)
    sign_in(page, "certificate.holder@example.net")
    page.goto("/my/hours")
    tab_to(page, "main a[href='/my/milestones']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "10 hours" in page.locator("main").inner_text()
    every_control_reached_by_tab(page)
    check.axe(page, "volunteer milestones")
    _fits(page)
    tab_to(page, f"a[href='/my/certificates/{code}.pdf']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages)
    assert "Cerys Holder" in text and "12.00 approved hours" in text

    tab_to(page, f"a[href='/certificates/{code}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "This certificate is genuine" in page.locator("main").inner_text()
    check.axe(page, "certificate check")

    visitor = new_page(viewport=PHONE)
    visitor.goto(f"/certificates/{code}")
    content = visitor.locator("main").inner_text()
    assert "Cerys Holder" in content and "12.00 approved hours" in content and "certificate.holder" not in content
    _fits(visitor)
