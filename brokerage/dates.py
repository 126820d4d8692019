"""The one way a date is written for people, on every page, email, export and message:
"1 December 2026", and with a time "1 December 2026, 14:30". Machine-readable places (form values,
``datetime`` attributes, CSV and JSON) keep ISO 8601."""

from __future__ import annotations

from datetime import date, datetime


def _parse(value: date | datetime | str) -> date | datetime:
    if isinstance(value, str):
        text = value.strip().rstrip("Z")
        return datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)
    return value


def long_date(value: date | datetime | str | None) -> str:
    """ "1 December 2026" (an ISO string is read first); nothing for no date."""
    if value is None or value == "":
        return ""
    day = _parse(value)
    return f"{day.day} {day:%B %Y}"


def long_datetime(value: datetime | str | None) -> str:
    """ "1 December 2026, 14:30"; a plain date is written without a time."""
    if value is None or value == "":
        return ""
    moment = _parse(value)
    if not isinstance(moment, datetime):
        return long_date(moment)
    return f"{long_date(moment)}, {moment:%H:%M}"
