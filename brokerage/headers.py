"""Security headers on every response, and an access log without people in it.

Every answer (API JSON, downloads, reports, error pages, the unsubscribe page) carries a content
security policy with ``frame-ancestors 'none'``, ``X-Content-Type-Options: nosniff``, a referrer
policy and ``X-Frame-Options``; pages that set a stricter or more specific policy of their own keep it.
In production every answer also carries HSTS (the base URL must be https there, see config.py).

The access log keeps the method, the path and the status, never the query string (reset and
confirmation tokens, name searches) and never a path segment long enough to be a signed token.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from brokerage.config import get_settings

# Answers that are data or printable documents, not pages: nothing in them may load or run anything
# (a printable report keeps its own inline styles and inline charts).
API_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# The interactive API documentation (Swagger UI) loads its script and styles from this server
# (/docs/assets, from the swagger-ui-bundle package): it works with no internet connection.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
COMMON = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
}


class SecurityHeaders:
    """Pure ASGI middleware (streams and downloads pass straight through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.hsts = get_settings().environment == "production"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        policy = DOCS_POLICY if path == "/docs" or path.startswith("/docs/") else API_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                wanted = dict(COMMON)
                wanted[b"content-security-policy"] = policy.encode()
                if self.hsts:
                    wanted[b"strict-transport-security"] = HSTS.encode()
                headers += [(name, value) for name, value in wanted.items() if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


_TOKEN_SEGMENT = re.compile(r"/[A-Za-z0-9_\-.~%]{24,}")


def redact_path(full_path: str) -> str:
    """``/reset-password?token=…`` → ``/reset-password``; ``/unsubscribe/<long token>`` → ``/unsubscribe/…``."""
    path = full_path.split("?", 1)[0]
    return _TOKEN_SEGMENT.sub("/…", path)


class AccessLogWithoutPeople(logging.Filter):
    """Uvicorn's access log records ``(client, method, path with query, http version, status)``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args: Any = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def quiet_access_log() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogWithoutPeople) for f in logger.filters):
        logger.addFilter(AccessLogWithoutPeople())
