"""Downloading a feed for import, only when centre staff ask for one by its web address. The rules
for reaching out to another site (public https addresses only, redirects checked, size and time
capped, one generic error) are :func:`brokerage.net.fetch_public`'s."""

from __future__ import annotations

from brokerage import net


def fetch(url: str) -> bytes:
    """The feed at ``url``; any failure is a clear 4xx for the person."""
    return net.fetch_public(url)
