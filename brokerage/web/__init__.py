"""The web pages: server-rendered (Jinja2), working without JavaScript, calling the domain services
directly. ``mount_pages(app)`` adds the page routers, the static files and the page error handling."""

from __future__ import annotations

import importlib

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from brokerage.web.rendering import STATIC_DIR

PAGE_MODULES = (
    "brokerage.web.pages.public",
    "brokerage.web.pages.volunteer",
    "brokerage.web.pages.organisation",
    "brokerage.web.pages.centre",
    "brokerage.web.pages.hours",
    "brokerage.web.pages.pilot",
)

# Paths that belong to the JSON API: a browser asking for something missing there still gets JSON.
API_PREFIXES = (
    "/auth",
    "/centres",
    "/districts",
    "/organisations",
    "/roles",
    "/volunteers",
    "/referrals",
    "/users",
    "/taxonomies",
    "/matches",
    "/reports",
    "/interop",
    "/jobs",
    "/hours",
    "/feed",
    "/openapi.json",
    "/docs",
    "/healthz",
    "/static",
)


class PageMarker:
    """Marks browser requests for pages (not the API) so errors there render as a readable page,
    including 404s for addresses that match no route."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = scope.get("path", "")
            accept = b""
            for key, value in scope.get("headers", ()):
                if key == b"accept":
                    accept = value
                    break
            if b"text/html" in accept and not any(path == p or path.startswith(p + "/") for p in API_PREFIXES):
                scope.setdefault("state", {})["is_page"] = True
        await self.app(scope, receive, send)


def mount_pages(app: FastAPI) -> None:
    from brokerage.web.deps import SignInRequired

    for name in PAGE_MODULES:
        module = importlib.import_module(name)
        app.include_router(module.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.add_middleware(PageMarker)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired):
        return RedirectResponse(exc.next_url, status_code=303)
