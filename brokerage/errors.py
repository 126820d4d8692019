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
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class BrokerageError(Exception):
    status_code = 400
    code = "bad_request"

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


class ServiceUnavailable(BrokerageError):
    status_code = 503
    code = "service_unavailable"


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
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse(
        envelope(exc.status_code, exc.code, exc.message, exc.details),
        status_code=exc.status_code,
        headers=headers,
    )


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
    app.add_exception_handler(Exception, unexpected_error_response)
