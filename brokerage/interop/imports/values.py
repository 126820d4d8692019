"""Cell parsers shared by every import, and the per-row report.

Each parser takes the text of one cell and returns a value or raises :class:`CellProblem` with a
sentence for the person who made the file. Messages never repeat special-category values
(gender, ethnicity, disability)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any


class CellProblem(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
)


def shown(text: str, limit: int = 30) -> str:
    text = text.strip()
    return f"“{text[: limit - 1]}…”" if len(text) > limit else f"“{text}”"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_datetime(text: str) -> datetime:
    value = text.strip()
    if len(value) == 10 and _ISO_DATE.fullmatch(value):
        try:
            return datetime(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            pass  # an impossible date such as 1988-02-30: explained below
    uk = _UK_DATE.fullmatch(value)
    if uk:
        d, m, y, hh, mm, ss = uk.groups()
        try:
            return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise CellProblem(f"{shown(value)} is not a date we can read; use 2025-10-08 or 21/10/2025.")


def parse_date(text: str, *, earliest: date = date(1900, 1, 1), latest: date | None = None) -> date:
    d = parse_datetime(text).date()
    if d < earliest:
        raise CellProblem(f"{shown(text)} is before {earliest:%Y}; please check the date.")
    if latest is not None and d > latest:
        raise CellProblem(f"{shown(text)} is in the future; please check the date.")
    return d


def parse_time(text: str) -> time:
    value = text.strip().replace(".", ":")
    for fmt in ("%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M%p"):
        try:
            return datetime.strptime(value.upper(), fmt).time()
        except ValueError:
            continue
    # a full date-time in a time column (some exports do this)
    try:
        return parse_datetime(text).time()
    except CellProblem:
        raise CellProblem(f"{shown(text)} is not a time of day; use 10:35 or 10:35:00.") from None


_TRUE = {"yes", "y", "true", "t", "1", "x", "ticked"}
_FALSE = {"no", "n", "false", "f", "0", ""}


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellProblem(f"{shown(text)} should be Yes or No.")


def parse_hours(text: str, *, maximum: Decimal = Decimal(24)) -> Decimal:
    value = text.strip()
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", value):
            h, m, *_ = value.split(":")
            hours = Decimal(int(h)) + (Decimal(int(m)) / Decimal(60))
        else:
            hours = Decimal(value)
    except InvalidOperation:
        raise CellProblem(f"{shown(value)} is not a number of hours (for example 2.5 or 2:30).") from None
    if not hours.is_finite() or hours < 0:
        raise CellProblem(f"{shown(value)} is not a number of hours (for example 2.5 or 2:30).")
    if hours > maximum:
        raise CellProblem(f"{shown(value)} hours is more than {maximum} hours in one session.")
    return hours.quantize(Decimal("0.01"))


_EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


def parse_email(text: str) -> str:
    value = text.strip()
    if not _EMAIL_RE.match(value) or len(value) > 254:
        raise CellProblem(f"{shown(value)} is not an email address.")
    return value


def parse_phone(text: str) -> str:
    value = text.strip()
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"[0-9 +()\-.]{6,40}", value) or len(digits) < 6:
        raise CellProblem(f"{shown(value)} is not a phone number.")
    return value.replace(".", " ")


MAX_LISTED_WARNINGS = 1000


@dataclass
class Report:
    """Problems by row: ``{"row", "field", "problem", "severity"}``; row 0 means the whole file."""

    problems: list[dict[str, Any]] = field(default_factory=list)
    errors: int = 0  # counted as they come: a long file asks for them after every row
    warnings: int = 0

    def error(self, row: int, field_: str | None, problem: str) -> None:
        self.problems.append({"row": row, "field": field_, "problem": problem, "severity": "error"})
        self.errors += 1

    def warning(self, row: int, field_: str | None, problem: str) -> None:
        """Every warning is counted; the first thousand are listed (a long file can warn on every row)."""
        self.warnings += 1
        if self.warnings <= MAX_LISTED_WARNINGS:
            self.problems.append({"row": row, "field": field_, "problem": problem, "severity": "warning"})

    def bad_rows(self) -> list[int]:
        return sorted({p["row"] for p in self.problems if p["severity"] == "error"})
