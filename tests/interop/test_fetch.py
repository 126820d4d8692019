"""A feed imported by its web address is fetched only from a public https address: private, loopback
and link-local addresses, other schemes and redirects to such places are refused with one generic
message; size and time are capped."""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from brokerage import net
from brokerage.errors import InvalidInput
from tests.factories import ASHFORD

PRIVATE = [
    "https://127.0.0.1/feed.json",
    "https://localhost/feed.json",
    "https://10.1.2.3/feed.json",
    "https://172.16.0.9/feed.json",
    "https://192.168.1.1/feed.json",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/feed.json",
    "https://0.0.0.0/feed.json",
    "https://[::1]/feed.json",
    "https://[fe80::1]/feed.json",
    "https://[fd00::1]/feed.json",
    "https://[::ffff:127.0.0.1]/feed.json",
    "https://2130706433/feed.json",  # 127.0.0.1 written as a number
    "https://0x7f.1/feed.json",
    "http://93.184.215.14/feed.json",  # public, but not https
    "ftp://93.184.215.14/feed.json",
    "file:///etc/passwd",
    "https://93.184.215.14:22/feed.json",  # a system port other than 443
    "https://user:pw@93.184.215.14/feed.json",
    "https://no-such-host.invalid/feed.json",
    "not a url",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_non_public_addresses_are_refused_with_one_message(url):
    with pytest.raises(InvalidInput) as caught:
        net.fetch_public(url)
    assert caught.value.message == net.GENERIC_ERROR


def test_a_feed_url_on_a_private_address_is_refused_by_the_api(client, as_user, factory, db):
    staff = factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,)))
    answers = [
        client.post("/data-standard/imports/from-url", json={"url": url}, headers=as_user(staff))
        for url in ("https://127.0.0.1:8000/data-standard/feed", "https://169.254.169.254/", "https://10.0.0.5:6379/")
    ]
    assert {r.status_code for r in answers} == {422}
    messages = {r.json()["error"]["message"] for r in answers}
    assert len(messages) == 1  # the same words whatever is (or is not) behind the address
    assert "Connect" not in str(messages) and "Timeout" not in str(messages)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output quiet
        pass

    def do_GET(self):
        if self.path == "/redirect-private":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        elif self.path == "/redirect-loop":
            self.send_response(302)
            self.send_header("Location", "/redirect-loop")
            self.end_headers()
        elif self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Length", str(3 * 1024 * 1024))
            self.end_headers()
            self.wfile.write(b"x" * (3 * 1024 * 1024))
        else:
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture
def local_server(monkeypatch):
    """A plain-http server on 127.0.0.1 that the rules are told, for this test only, to treat as a
    public https site, so redirects and the caps are followed as they would be on the internet."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    real = net.address_is_public
    monkeypatch.setattr(net, "SCHEMES", ("https", "http"))
    monkeypatch.setattr(net, "address_is_public", lambda a: a == ipaddress.ip_address("127.0.0.1") or real(a))
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_redirects_to_private_addresses_and_oversized_bodies_are_refused(local_server):
    assert net.fetch_public(f"{local_server}/feed.json") == b'{"ok": true}'
    for path, kwargs in (("/redirect-private", {}), ("/redirect-loop", {}), ("/big", {"limit": 1024 * 1024})):
        with pytest.raises(InvalidInput) as caught:
            net.fetch_public(f"{local_server}{path}", **kwargs)
        assert caught.value.message == net.GENERIC_ERROR, path
