"""Links to pages: one module builds them; ``next`` after sign-in is only ever a path on this site;
``brokerage serve`` without BROKERAGE_BASE_URL links to the address it listens on."""

from __future__ import annotations


import pytest

from brokerage import cli, links
from brokerage.config import get_settings


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/ok path",
        "javascript:alert(1)",
        "/" + "a" * 2500,
    ],
)
def test_next_is_refused_unless_it_is_a_local_path(url):
    assert links.local_path(url) is None
    assert links.sign_in_page(url) == "/sign-in"


def test_next_keeps_a_local_path_and_its_query():
    assert links.local_path("/manage/referrals/7?x=1") == "/manage/referrals/7?x=1"
    assert links.sign_in_page("/manage/referrals/7?x=1") == "/sign-in?next=%2Fmanage%2Freferrals%2F7%3Fx%3D1"


def test_pages_for_each_thing():
    assert links.role_page(5) == "/opportunities/5"
    assert links.role_admin_page(5) == "/manage/roles/5"
    assert links.organisation_referral_page(9) == "/manage/referrals/9"
    assert links.centre_referral_page(9) == "/centre/referrals/9"
    assert links.rates_admin_page("real_living_wage") == "/admin/rates?method=real_living_wage"


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [("127.0.0.1", 8123, "http://127.0.0.1:8123"), ("0.0.0.0", 9000, "http://127.0.0.1:9000"), ("::1", 80, "http://[::1]:80")],
)
def test_serve_address(host, port, expected):
    assert links.serve_base_url(host, port) == expected


def test_serve_uses_its_port_for_links_unless_a_base_url_is_set(monkeypatch):
    monkeypatch.delenv("BROKERAGE_BASE_URL", raising=False)
    monkeypatch.chdir("/")  # no .env file
    get_settings.cache_clear()
    try:
        cli._base_url_from_address("127.0.0.1", 8765)
        assert links.absolute(links.role_page(3)) == "http://127.0.0.1:8765/opportunities/3"
        monkeypatch.setenv("BROKERAGE_BASE_URL", "https://volunteer.kent.example/")
        get_settings.cache_clear()
        cli._base_url_from_address("127.0.0.1", 8765)
        assert links.absolute(links.role_page(3)) == "https://volunteer.kent.example/opportunities/3"
    finally:
        monkeypatch.delenv("BROKERAGE_BASE_URL", raising=False)
        get_settings.cache_clear()
