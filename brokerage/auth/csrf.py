"""Cross-site request forgery: the rule for a signed-in browser's session cookie.

A browser sends the session cookie with any request to this site, including one another site
makes it send. So the API accepts the cookie on a request that changes something (anything but
GET, HEAD and OPTIONS) only when the request shows it comes from this site's own pages:

- it carries the page's CSRF token (the value the pages put in each form) in the ``X-CSRF-Token``
  header, bound to this browser's CSRF cookie and to the signed-in user; or
- its ``Origin`` header (or, without one, its ``Referer``) is this site.

Otherwise it is refused with a 403 (``csrf_failed``) before any route work. Bearer tokens are not
affected: a browser never adds them by itself. Page routes check the form's token themselves.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from brokerage.auth.tokens import CSRF_COOKIE, csrf_token_matches
from brokerage.config import get_settings
from brokerage.errors import Forbidden

HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


__all__ = ["CSRF_COOKIE", "HEADER", "SAFE_METHODS", "CrossSiteRefused", "check_cookie_request", "same_origin"]


class CrossSiteRefused(Forbidden):
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__(
            "This request was refused: it uses your sign-in but does not come from this site's pages. "
            "Send the page's CSRF token in the X-CSRF-Token header, or use a bearer token."
        )


def _origin_of(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower()


def same_origin(request: Request) -> bool:
    """The request's Origin (or Referer) is this site: the configured base URL, or the host it was sent to."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return False
    origin = _origin_of(source)
    if origin is None:
        return False
    allowed = {_origin_of(get_settings().base_url)}
    host = request.headers.get("host")
    if host:
        allowed.add((request.url.scheme.lower(), host.lower()))
    return origin in allowed


def check_cookie_request(request: Request, user_id: int) -> None:
    """Refuse a state-changing request that carries only the session cookie (see the module's docstring)."""
    if request.method in SAFE_METHODS:
        return
    if getattr(request.scope.get("route"), "csrf_by_form", False):
        return  # a page route: its form token is checked by the page
    token = request.headers.get(HEADER)
    if csrf_token_matches(request.cookies.get(CSRF_COOKIE), token, user_id) or same_origin(request):
        return
    raise CrossSiteRefused()
