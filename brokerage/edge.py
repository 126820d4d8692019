"""Inputs bounded at the edge, before any route runs.

- An id in the path or the query string (a parameter named ``id`` or ``…_id``) must fit the
  database's integer ids: below 1 or above 2³¹−1 there can be nothing there, so the answer is the
  same 404 as for any id that does not exist (and no query is sent with a number the database
  would refuse). A query filter of 0 is a 404 too (it would otherwise read as "no filter").
- No string input may hold NUL or other control characters, nor lone surrogates (not text at
  all): in the path and the query string none at all; in JSON and form bodies tab, line feed and
  carriage return are allowed (text areas), nothing else. Uploaded files are not inspected here:
  their parsers judge them. The answer is a 422 naming the field.

It is installed as a dependency of every route (``FastAPI(dependencies=[...])``), so its errors go
through the same handlers as everything else: the JSON envelope, or a readable page for pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from brokerage.errors import InvalidInput, NotFound

MAX_ID = 2**31 - 1
_INTEGER = re.compile(r"^[+-]?\d+$")
# Nothing below space (nor DEL, nor lone surrogates) in a path or query string.
_BAD_IN_URL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# In bodies, tab, line feed and carriage return are ordinary text.
_BAD_IN_BODY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_JSON_TYPES = ("application/json", "application/ld+json")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MESSAGE = "This must be plain text: control characters such as NUL are not allowed."


def is_id_name(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def check_id(name: str, value: str, *, lowest: int = 1) -> None:
    """404 for an integer id no row can have (the route itself answers 422 for one that is not a number)."""
    if is_id_name(name) and _INTEGER.match(value.strip()):
        number = int(value)
        if number < lowest or number > MAX_ID:
            raise NotFound(f"There is nothing with that {name.replace('_', ' ')}.")


def _refuse(field: str) -> None:
    raise InvalidInput(MESSAGE, field=field)


def _json_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", str(key)
            yield from _json_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{i}]")


async def _check_body(request: Request) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in _JSON_TYPES or content_type.endswith("+json"):
        raw = await request.body()
        if not raw:
            return
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return  # not JSON: the route's own parsing says so (422 "not valid JSON")
        for field, text in _json_strings(data, "body"):
            if _BAD_IN_BODY.search(text):
                _refuse(field)
    elif content_type in _FORM_TYPES:
        form = await request.form()
        for key, value in form.multi_items():
            if _BAD_IN_BODY.search(key):
                _refuse(f"body.{key[:40]!r}")
            if isinstance(value, UploadFile):
                if value.filename and _BAD_IN_URL.search(value.filename):
                    _refuse(f"body.{key}.filename")
            elif _BAD_IN_BODY.search(value):
                _refuse(f"body.{key}")


async def bounded_inputs(request: Request) -> None:
    """The edge check run before every route (see the module's docstring)."""
    if _BAD_IN_URL.search(request.url.path) or _BAD_IN_URL.search(request.scope.get("path", "")):
        _refuse("path")
    # A page route may use 0 to mean "none in particular" (the duplicates
    # page's "look for duplicates now"); past 2³¹−1 is still a 404 there.
    lowest = 0 if getattr(request.scope.get("route"), "csrf_by_form", False) else 1
    for name, value in request.path_params.items():
        if isinstance(value, str):
            if _BAD_IN_URL.search(value):
                _refuse(f"path.{name}")
            check_id(name, value, lowest=lowest)
    for name, value in request.query_params.multi_items():
        if _BAD_IN_URL.search(name) or _BAD_IN_URL.search(value):
            _refuse(f"query.{name[:40]}")
        check_id(name, value)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        await _check_body(request)
