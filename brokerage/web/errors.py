"""Errors on pages: a readable page with the right status code instead of the API's JSON envelope.

``install_page_error_handlers`` (called by ``mount_pages``) replaces the JSON handlers of
``brokerage.errors`` with page-aware ones. Whether a request is a page request is decided in one
place, ``is_page_request``: it was routed to a page route, or a browser (``Accept: text/html``) asked
for an address outside the API (a mistyped page address gets a page, a mistyped API address JSON).
Everything that is not a page request gets exactly what ``brokerage.errors`` sends. On a page, an
address whose path does not fit the route (a word where a number goes) is "Page not found".
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from brokerage import errors
from brokerage.web.deps import PageRoute, SignInRequired
from brokerage.web.rendering import render

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
    "/search",
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

ERROR_TITLES = {
    400: "There is a problem with your request",
    401: "You need to sign in",
    403: "You cannot see this page",
    404: "Page not found",
    405: "Page not found",
    409: "That cannot be done right now",
    422: "There is a problem",
    429: "Too many requests",
    503: "Sorry, the service is unavailable",
}


def is_api_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def is_page_request(request: Request) -> bool:
    """The one rule for whether an error is shown as a page."""
    if isinstance(request.scope.get("route"), PageRoute):
        return True
    return "text/html" in request.headers.get("accept", "") and not is_api_path(request.url.path)


def render_error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """A readable page for an error on a page request, with the right status code."""
    title = ERROR_TITLES.get(status_code, "Sorry, there is a problem with the service")
    try:
        return render(
            request,
            "pages/error.html",
            {"status_code": status_code, "title": title, "message": message, "next": request.url.path},
            status_code=status_code,
        )
    except Exception:  # pragma: no cover - never fail while reporting a failure
        return HTMLResponse(f"<!doctype html><html lang='en-GB'><title>{title}</title><h1>{title}</h1>", status_code=status_code)


async def _brokerage_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.BrokerageError)
    if is_page_request(request):
        page = render_error_page(request, exc.status_code, exc.message)
        page.headers.update(exc.headers or {})  # Retry-After on a 429 or 503
        return page
    return await errors.brokerage_error_response(request, exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if is_page_request(request):
        if all(tuple(e.get("loc", ()))[:1] == ("path",) for e in exc.errors()):
            # "/opportunities/abc": the address names no page.
            return render_error_page(request, 404, "Page not found")
        return render_error_page(request, 422, errors.VALIDATION_MESSAGE)
    return await errors.validation_error_response(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if is_page_request(request):
        if exc.status_code in (404, 405):
            message = "Page not found" if exc.status_code == 404 else str(exc.detail)
        else:
            message = exc.detail if isinstance(exc.detail, str) else "The request could not be handled."
        return render_error_page(request, exc.status_code, message)
    return await errors.http_error_response(request, exc)


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(exc.next_url, status_code=303)


def install_page_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.BrokerageError, _brokerage_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SignInRequired, _sign_in)
