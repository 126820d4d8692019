"""One error shape for the whole API.

Every error becomes ``{"error": {"status": 404, "code": "not_found", "message": "…", "details": [...]}}``.
Validation errors (422) list each bad field in ``details`` as ``{"field": "body.email", "message": "…"}``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class BrokerageError(Exception):
    status_code = 400
    code = "bad_request"
    headers: dict[str, str] | None = None

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []
        if status_code is not None:
            self.status_code = status_code


class BadRequest(BrokerageError):
    status_code = 400
    code = "bad_request"


class NotAuthenticated(BrokerageError):
    status_code = 401
    code = "not_authenticated"

    def __init__(self, message: str = "Please sign in to do this.", **kw):
        super().__init__(message, **kw)


class Forbidden(BrokerageError):
    status_code = 403
    code = "forbidden"

    def __init__(self, message: str = "You do not have permission to do this.", **kw):
        super().__init__(message, **kw)


class NotFound(BrokerageError):
    status_code = 404
    code = "not_found"


class Conflict(BrokerageError):
    status_code = 409
    code = "conflict"


class InvalidInput(BrokerageError):
    """A value that is well-formed but not acceptable (an unknown postcode, say)."""

    status_code = 422
    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None, details: list[dict[str, Any]] | None = None):
        if details is None and field is not None:
            details = [{"field": field, "message": message}]
        super().__init__(message, details=details)


class TooManyRequests(BrokerageError):
    """Throttled: the client should wait ``retry_after`` seconds before trying again."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, **kw):
        super().__init__(message, **kw)
        self.retry_after = max(1, int(retry_after))
        self.headers = {"Retry-After": str(self.retry_after)}


class ServiceUnavailable(BrokerageError):
    status_code = 503
    code = "service_unavailable"

    def __init__(self, message: str, *, retry_after: int | None = None, **kw):
        super().__init__(message, **kw)
        if retry_after is not None:
            self.headers = {"Retry-After": str(max(1, int(retry_after)))}


def envelope(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "details": details or []}}


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _friendly(err: dict[str, Any]) -> str:
    msg = err.get("msg", "is not valid")
    kind = err.get("type", "")
    if kind == "missing":
        return "This field is required."
    if kind == "json_invalid":
        return "The request body is not valid JSON."
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[0].upper() + msg[1:] if msg else "This value is not valid."


VALIDATION_MESSAGE = "Some of the information sent is not valid."


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"field": _field_path(tuple(e.get("loc", ()))), "message": _friendly(e)} for e in errors]


async def brokerage_error_response(request: Request, exc: BrokerageError) -> JSONResponse:
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        envelope(exc.status_code, exc.code, exc.message, exc.details),
        status_code=exc.status_code,
        headers=headers or None,
    )


# What the database says, in the envelope. PostgreSQL's SQLSTATE classes; SQLite's messages.
_PG_CONFLICT = {"23505", "40001", "40P01", "55P03"}  # unique, serialization, deadlock, lock not available
_PG_INVALID_PREFIXES = ("22", "23")  # data exceptions (out of range, bad text); other integrity rules
_PG_BUSY = {"53300", "57014", "57P01", "57P03", "08000", "08001", "08003", "08006"}  # too many clients, timeouts, gone
RETRY_AFTER_BUSY = 2
BUSY_MESSAGE = "The service is busy. Please try again in a moment."


def database_error(exc: Exception) -> BrokerageError | None:
    """The error to answer with for an exception from SQLAlchemy or the driver, or None if it is a bug."""
    if isinstance(exc, sa_exc.TimeoutError):
        # The connection pool is exhausted: the server is busy, not broken.
        return ServiceUnavailable(BUSY_MESSAGE, retry_after=RETRY_AFTER_BUSY)
    if not isinstance(exc, sa_exc.StatementError):
        return None
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    text = str(orig).lower()
    if sqlstate in _PG_CONFLICT or "unique constraint failed" in text:
        return Conflict("Someone else changed or added the same thing at the same moment. Reload and check before trying again.")
    if (
        sqlstate in _PG_BUSY
        or "database is locked" in text
        or (isinstance(exc, sa_exc.OperationalError) and sqlstate is None and "sqlite" not in type(orig).__module__)
    ):
        return ServiceUnavailable(BUSY_MESSAGE, retry_after=RETRY_AFTER_BUSY)
    if (
        (sqlstate or "").startswith(_PG_INVALID_PREFIXES)
        or isinstance(exc, (sa_exc.IntegrityError, sa_exc.DataError))
        or isinstance(orig, (OverflowError, ValueError))
    ):
        return InvalidInput("A value sent is out of range or refers to something that does not exist.")
    return None


async def _as_brokerage_error(request: Request, translated: BrokerageError):
    """Answer as the app answers a BrokerageError (the JSON envelope, or a page where pages draw it)."""
    handler = request.app.exception_handlers.get(BrokerageError, brokerage_error_response)
    return await handler(request, translated)


async def database_error_response(request: Request, exc: Exception):
    """Database failures that reach the edge become 409, 422 or 503; anything else is a 500 that
    names the kind of error only (never the statement or its parameters)."""
    translated = database_error(exc)
    if translated is None:
        logger.error("Database error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        translated = BrokerageError("Something went wrong on our side. Please try again later.", status_code=500)
        translated.code = "internal_error"
    return await _as_brokerage_error(request, translated)


async def model_validation_response(request: Request, exc: Exception):
    """A model built inside a route from what was sent (not a request body) refused it: a 422."""
    assert isinstance(exc, ValidationError)
    details = validation_details([dict(e) for e in exc.errors()])
    return await _as_brokerage_error(request, InvalidInput(VALIDATION_MESSAGE, details=details))


async def validation_error_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    details = validation_details(list(exc.errors()))
    return JSONResponse(envelope(422, "validation_error", VALIDATION_MESSAGE, details), status_code=422)


async def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else "The request could not be handled."
    if exc.status_code == 404 and message == "Not Found":
        message = "There is nothing at this address."
    return JSONResponse(
        envelope(exc.status_code, code, message), status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )


async def unexpected_error_response(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - last resort
    logger.exception("Unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(
        envelope(500, "internal_error", "Something went wrong on our side. Please try again later."),
        status_code=500,
    )


def install_exception_handlers(app: FastAPI) -> None:
    """The JSON envelope for every error. The web pages replace these handlers with page-aware ones
    (``brokerage.web.errors``) that draw a readable page for page requests and call these otherwise."""
    app.add_exception_handler(BrokerageError, brokerage_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(sa_exc.SQLAlchemyError, database_error_response)
    app.add_exception_handler(ValidationError, model_validation_response)
    app.add_exception_handler(Exception, unexpected_error_response)
