"""Links to pages: one module builds them; ``next`` after sign-in is only ever a path on this site;
``brokerage serve`` without BROKERAGE_BASE_URL links to the address it listens on."""

from __future__ import annotations


import os
import subprocess
import sys
from pathlib import Path

import pytest

from brokerage import links

ROOT = Path(__file__).resolve().parents[2]


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


def _serve_link(base_url: str | None) -> str:
    """The link to role 3 that ``brokerage serve --port 8765`` would put in an email (in a process
    of its own, so that this one's settings are untouched)."""
    env = {k: v for k, v in os.environ.items() if k != "BROKERAGE_BASE_URL"}
    if base_url:
        env["BROKERAGE_BASE_URL"] = base_url
    code = (
        "from brokerage import cli, links; cli._base_url_from_address('127.0.0.1', 8765); "
        "import os; print(links.absolute(links.role_page(3)), os.environ['BROKERAGE_BASE_URL'])"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_serve_uses_its_port_for_links_unless_a_base_url_is_set():
    # The variable is set for the embedded worker and any worker processes too.
    assert _serve_link(None) == "http://127.0.0.1:8765/opportunities/3 http://127.0.0.1:8765"
    assert _serve_link("https://volunteer.kent.example/") == (
        "https://volunteer.kent.example/opportunities/3 https://volunteer.kent.example/"
    )
