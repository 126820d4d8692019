"""Turning service errors into an error summary linked to the form's fields."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from brokerage.errors import BrokerageError

T = TypeVar("T")

# These are not problems with what someone typed: they become error pages.
PAGE_LEVEL_STATUSES = (401, 403, 404)


def _message(err: dict[str, Any], label: str | None) -> str:
    kind = err.get("type", "")
    msg = err.get("msg", "")
    if kind == "missing":
        return f"Enter {label.lower()}" if label else "This question needs an answer"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind.startswith("float") or kind.startswith("int"):
        return f"{label or 'This'} must be a number" + (
            f": {msg[0].lower()}{msg[1:]}" if "greater" in msg or "less" in msg else ""
        )
    if kind == "value_error" and "email" in msg.lower():
        return "Enter an email address in the right format, like name@example.com"
    if kind.startswith("string_too_short"):
        return f"{label or 'This'} is too short"
    if kind.startswith("string_too_long"):
        return f"{label or 'This'} is too long"
    if kind == "string_pattern_mismatch":
        return f"{label or 'This'} is not in the right format"
    if kind.startswith("date"):
        return f"{label or 'The date'} must be a real date"
    if kind in ("url_parsing", "url_scheme", "url_type"):
        return "Enter a web address in the right format, like https://www.example.org"
    return msg[:1].upper() + msg[1:] if msg else "This answer is not valid"


def errors_from(
    exc: Exception,
    *,
    fields: dict[str, str] | None = None,
    default_field: str | None = None,
    aliases: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """``fields``: form field name → label (in form order). ``aliases``: service field → form field."""
    fields = fields or {}
    aliases = aliases or {}
    default_field = default_field or next(iter(fields), None)
    out: list[dict[str, str]] = []

    def field_for(path: str) -> str | None:
        path = path.removeprefix("body.")
        for candidate in (path, path.split(".")[0], path.replace(".", "_")):
            if candidate in aliases:
                return aliases[candidate]
            if candidate in fields:
                return candidate
        return default_field

    if isinstance(exc, ValidationError):
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
            field = field_for(".".join(loc)) if loc else default_field
            out.append({"field": field, "message": _message(err, fields.get(field or ""))})
    elif isinstance(exc, BrokerageError):
        if exc.details:
            for d in exc.details:
                out.append({"field": field_for(str(d.get("field") or "")), "message": d.get("message") or exc.message})
        else:
            out.append({"field": default_field, "message": exc.message})
    # One line per field, as the error summary expects.
    seen: set[tuple[str | None, str]] = set()
    unique = []
    for e in out:
        key = (e["field"], e["message"])
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique


def attempt(session: Session, fn: Callable[[], T], **kw) -> tuple[T | None, list[dict[str, str]]]:
    """Run a service call; on a problem with the input, roll back and return the errors to show."""
    try:
        return fn(), []
    except ValidationError as exc:
        session.rollback()
        return None, errors_from(exc, **kw)
    except BrokerageError as exc:
        if exc.status_code in PAGE_LEVEL_STATUSES:
            raise
        session.rollback()
        return None, errors_from(exc, **kw)


def text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if value is None or not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def many(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def flag(form: FormData, name: str) -> bool:
    return form.get(name) in ("yes", "on", "true", "1")


def number(form: FormData, name: str) -> str | None:
    """A number as typed (pydantic parses it and explains what is wrong)."""
    value = text(form, name)
    return value.replace(",", "") if value else None


def values(form: FormData, names: Iterable[str] | None = None) -> dict[str, Any]:
    """What the person typed, to put back into the form when it is shown again."""
    out: dict[str, Any] = {}
    for key in form.keys():
        if key == "csrf_token" or (names is not None and key not in names):
            continue
        items = form.getlist(key)
        out[key] = items if len(items) > 1 else items[0]
    return out
