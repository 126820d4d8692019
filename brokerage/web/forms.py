"""Turning service errors into an error summary linked to the form's fields."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from brokerage.errors import BrokerageError, InvalidInput

T = TypeVar("T")

# These are not problems with what someone typed: they become error pages.
PAGE_LEVEL_STATUSES = (401, 403, 404)


def _limit(value: Any) -> str:
    """A limit as people write it: "10,000", "80" (not "80.0"), "0.5"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


# What a limit means, in words, with the limit itself ({} is the limit).
LIMIT_WORDS = {
    "greater_than": "must be more than {}",
    "greater_than_equal": "must be {} or more",
    "less_than": "must be less than {}",
    "less_than_equal": "must be {} or less",
    "decimal_max_places": "can have at most {} decimal places",
    "decimal_max_digits": "can have at most {} digits",
}
LIMIT_KEYS = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
    "decimal_max_places": "decimal_places",
    "decimal_max_digits": "max_digits",
}


def _message(err: ErrorDetails, label: str | None) -> str:
    kind = err.get("type", "")
    msg = err.get("msg", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"Enter {label.lower()}" if label else "This question needs an answer"
    if kind in ("literal_error", "enum"):
        return f"Select {label.lower()}" if label else "Select one of the choices"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind in LIMIT_WORDS and LIMIT_KEYS[kind] in ctx:
        return f"{label or 'This'} {LIMIT_WORDS[kind].format(_limit(ctx[LIMIT_KEYS[kind]]))}"
    if kind.startswith("float") or kind.startswith("int") or kind.startswith("decimal"):
        return f"{label or 'This'} must be a number"
    if kind == "value_error" and "email" in msg.lower():
        return "Enter an email address in the right format, like name@example.com"
    if kind.startswith("string_too_short"):
        n = ctx.get("min_length")
        return f"{label or 'This'} must be at least {_limit(n)} characters" if n else f"{label or 'This'} is too short"
    if kind.startswith("string_too_long"):
        n = ctx.get("max_length")
        return f"{label or 'This'} must be {_limit(n)} characters or fewer" if n else f"{label or 'This'} is too long"
    if kind == "too_short" and ctx.get("min_length"):
        return f"Select at least {_limit(ctx['min_length'])}" + (f" for {label.lower()}" if label else "")
    if kind == "too_long" and ctx.get("max_length"):
        return f"{label or 'This'} can have at most {_limit(ctx['max_length'])}"
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
    choices: Iterable[str] = (),
) -> list[dict[str, str]]:
    """``fields``: form field name → label (in form order). ``aliases``: service field → form field.
    ``choices``: fields answered by choosing (radios, selects): a missing answer reads "Select …"."""
    choices = set(choices)
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
            message = _message(err, fields.get(field or ""))
            if field in choices and message.startswith("Enter "):
                message = "Select " + message[len("Enter ") :]
            out.append({"field": field or "", "message": message})
    elif isinstance(exc, BrokerageError):
        if exc.details:
            for d in exc.details:
                out.append({"field": field_for(str(d.get("field") or "")) or "", "message": d.get("message") or exc.message})
        else:
            out.append({"field": default_field or "", "message": exc.message})
    # One line per field, as the error summary expects.
    seen: set[tuple[str, str]] = set()
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


def first_error(errors: list[dict[str, str]]) -> str:
    """The message to flash when a service call did not go through."""
    return errors[0]["message"] if errors else "That did not work. Please try again."


def text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if value is None or not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def raw(form: FormData, name: str) -> str:
    """A text field exactly as typed, not stripped ("" when it is absent), as for a password; a
    file sent where text is expected is refused (422, drawn as an error page)."""
    value = form.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("This answer must be typed, not sent as a file.", field=name)
    return value


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
