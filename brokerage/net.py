"""Outbound fetches on a user's behalf (a feed imported by its web address): public https only.

Staff give the address, so it is treated as hostile: without these rules the import would be a way to
read the cloud's metadata service, reach the database's admin port or map the private network.

- Only ``https://`` addresses, on the default port or any port above 1023 (no mail or SSH ports).
- The host name is resolved here and every address it resolves to must be public: loopback, private
  (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10, where cloud metadata
  lives), carrier-grade NAT, multicast, reserved and unspecified addresses are refused.
- The address actually connected to is checked again once the connection is made, so a name that
  resolves differently the second time (DNS rebinding) is refused too.
- Redirects are followed by hand, at most three, each new address checked by the same rules.
- The download is capped in size (20 MB) and in time (30 seconds in all, not per read).
- Every failure gives the same message, so the error says nothing about what is behind an address.
  The reason is logged for operators (without the address's query string).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from urllib.parse import urljoin, urlsplit

import httpx

from brokerage.errors import InvalidInput

logger = logging.getLogger(__name__)

SCHEMES: tuple[str, ...] = ("https",)
MAX_REDIRECTS = 3
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_LIMIT_BYTES = 20 * 1024 * 1024
GENERIC_ERROR = (
    "The feed could not be fetched from that address. Check that it is a public https:// address that "
    "serves the feed, or download the file and upload it instead."
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """Why a fetch was refused (logged, never shown)."""


def address_is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return bool(address.is_global) and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"the name does not resolve ({exc})") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def check_url(url: str) -> None:
    """Refuse an address that is not public https (raises ``Refused``)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("not a web address") from None
    if parts.scheme.lower() not in SCHEMES:
        raise Refused(f"scheme {parts.scheme!r}")
    if not parts.hostname or parts.username or parts.password:
        raise Refused("no host, or credentials in the address")
    if port is not None and port <= 1023 and port != 443:
        raise Refused(f"port {port}")
    addresses = _resolve(parts.hostname, port or 443)
    if not addresses or not all(address_is_public(a) for a in addresses):
        raise Refused(f"resolves to a non-public address ({', '.join(sorted({str(a) for a in addresses}))})")


def _check_peer(response: httpx.Response) -> None:
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        raise Refused("the connected address is unknown")
    if not address_is_public(ipaddress.ip_address(str(peer[0]).split("%")[0])):
        raise Refused(f"connected to a non-public address ({peer[0]})")


def _read(response: httpx.Response, limit: int, deadline: float) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise Refused(f"larger than {limit} bytes")
        if time.monotonic() > deadline:
            raise Refused("took too long")
        chunks.append(chunk)
    return b"".join(chunks)


def _fetch(url: str, timeout: float, limit: int, accept: str) -> bytes:
    deadline = time.monotonic() + timeout
    with httpx.Client(follow_redirects=False, timeout=httpx.Timeout(timeout), trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url)
            with client.stream("GET", url, headers={"Accept": accept}) as response:
                _check_peer(response)
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code != 200:
                    raise Refused(f"answered {response.status_code}")
                return _read(response, limit, deadline)
    raise Refused("too many redirects")


def fetch_public(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    limit: int = DEFAULT_LIMIT_BYTES,
    accept: str = "application/ld+json, application/json",
    field: str = "url",
) -> bytes:
    """The body at a public https address, or ``InvalidInput`` with the one generic message."""
    try:
        return _fetch(url, timeout, limit, accept)
    except (Refused, httpx.HTTPError, OSError, ValueError) as exc:
        try:
            parts = urlsplit(url)
            shown = f"{parts.scheme}://{parts.hostname}{parts.path}"
        except ValueError:
            shown = "an address that does not parse"
        logger.info("Outbound fetch of %s refused or failed: %s", shown, exc)
        raise InvalidInput(GENERIC_ERROR, field=field) from None
