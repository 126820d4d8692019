"""The calendar of reports: periods of whole months, how to parse them, how to cover them with the
fewest rollup periods, and the month / quarter / year buckets of a time breakdown."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from brokerage.errors import InvalidInput


def add_months(d: date, n: int) -> date:
    """The same day n months later, clamped to the end of the month (31 Jan + 1 month = 28/29 Feb)."""
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def years_before(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year - n)
    except ValueError:  # 29 February
        return d.replace(year=d.year - n, day=28)


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date  # the first day of the first month
    end: date  # the last day of the last month

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def label(self) -> str:
        if self.months == 1:
            return f"{self.start:%B %Y}"
        return f"{self.start:%B %Y} to {self.end:%B %Y}"

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "months": self.months, "label": self.label}


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(text: str, field_name: str) -> date:
    m = _MONTH.match(text or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InvalidInput("Give a month as YYYY-MM, for example 2025-04.", field=field_name)
    return date(int(m.group(1)), int(m.group(2)), 1)


def parse_period(period: str | None = None, start: str | None = None, end: str | None = None) -> Period:
    """``period``: 2025 (calendar year), 2025-26 (financial year, April to March), 2025-Q2, 2025-04;
    or ``start`` and ``end`` months (YYYY-MM, inclusive)."""
    if period:
        p = period.strip()
        if re.fullmatch(r"\d{4}", p):
            y = int(p)
            return Period(date(y, 1, 1), date(y, 12, 31))
        if m := re.fullmatch(r"(\d{4})-(\d{2})", p):
            y, yy = int(m.group(1)), int(m.group(2))
            if yy > 12 and yy == (y + 1) % 100:  # 2025-26: a financial year, April to March
                return Period(date(y, 4, 1), date(y + 1, 3, 31))
            s = _month(p, "period")
            return Period(s, month_end(s))
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", p):
            s = date(int(m.group(1)), 3 * (int(m.group(2)) - 1) + 1, 1)
            return Period(s, month_end(add_months(s, 2)))
        if m := re.fullmatch(r"(?:FY)?(\d{4})/(\d{2})", p, re.I):
            y = int(m.group(1))
            return Period(date(y, 4, 1), date(y + 1, 3, 31))
        raise InvalidInput("Give the period as 2025, 2025-26 (financial year), 2025-Q2 or 2025-04.", field="period")
    if not start or not end:
        raise InvalidInput("Give a period, or a start and an end month.", field="period")
    s, e = _month(start, "start"), _month(end, "end")
    if e < s:
        raise InvalidInput("The end month is before the start month.", field="end")
    if (e.year - s.year) * 12 + e.month - s.month >= 120:
        raise InvalidInput("A report can cover at most ten years.", field="end")
    return Period(s, month_end(e))


KIND_ORDER = ("year", "quarter", "month")


def decompose(start: date, end: date, breaks: frozenset[date] = frozenset(), coarsest: str = "year") -> list[tuple[str, date]]:
    """Cover [start, end] (whole months) with the fewest rollup periods no coarser than ``coarsest``,
    never crossing a break month."""
    pieces: list[tuple[str, date]] = []
    cur = start
    kinds = [(k, n) for k, n in (("year", 12), ("quarter", 3), ("month", 1)) if KIND_ORDER.index(k) >= KIND_ORDER.index(coarsest)]
    while cur <= end:
        for kind, length in kinds:
            aligned = (kind == "year" and cur.month == 1) or (kind == "quarter" and cur.month in (1, 4, 7, 10)) or kind == "month"
            last = add_months(cur, length)
            crosses = any(cur < b < last for b in breaks)
            if aligned and last - timedelta(days=1) <= end and not crosses:
                pieces.append((kind, cur))
                cur = last
                break
    return pieces


def piece_months(kind: str) -> int:
    return {"year": 12, "quarter": 3, "month": 1}[kind]


def time_buckets(period: Period, dim: str) -> list[tuple[str, str, Period]]:
    """(key, label, sub-period) for each month / quarter / year overlapping the period (clipped)."""
    out = []
    cur = period.start
    while cur <= period.end:
        if dim == "month":
            s, nxt = cur, add_months(cur, 1)
            key, label = f"{cur:%Y-%m}", f"{cur:%B %Y}"
        elif dim == "quarter":
            s = quarter_start(cur)
            nxt = add_months(s, 3)
            q = (s.month - 1) // 3 + 1
            key, label = f"{s.year}-Q{q}", f"{s:%b}–{add_months(s, 2):%b} {s.year}"
        else:
            s = date(cur.year, 1, 1)
            nxt = date(cur.year + 1, 1, 1)
            key, label = str(cur.year), str(cur.year)
        sub = Period(max(s, period.start), min(nxt - timedelta(days=1), period.end))
        out.append((key, label, sub))
        cur = nxt
    return out


def bucket_start(d: date, dim: str) -> date:
    return {"month": date(d.year, d.month, 1), "quarter": quarter_start(d), "year": date(d.year, 1, 1)}[dim]


def bucket_key(d: date | str, dim: str) -> str:
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    elif isinstance(d, datetime):
        d = d.date()
    if dim == "month":
        return f"{d:%Y-%m}"
    if dim == "quarter":
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    return str(d.year)


def bucket_first_day(key: str, dim: str) -> date:
    if dim == "month":
        return date(int(key[:4]), int(key[5:7]), 1)
    if dim == "quarter":
        return date(int(key[:4]), 3 * (int(key[-1]) - 1) + 1, 1)
    return date(int(key), 1, 1)


def segment_of(start: date | str, segments: list[tuple[date, date]]) -> date:
    """The first day of the run of months (from ``rate_segments``) that ``start`` falls in."""
    if isinstance(start, str):
        start = date.fromisoformat(start)
    for s, e in segments:
        if s <= start <= e:
            return s
    return segments[-1][0]


def start_of_day(d: date) -> datetime:
    return datetime.combine(d, time.min)


def rate_segments(period: Period, breaks: frozenset[date]) -> list[tuple[date, date]]:
    """The period cut at rate changes: (first day, last day) of each run of months with the same rates."""
    cuts = sorted(b for b in breaks if period.start < b <= period.end)
    starts = [period.start, *cuts]
    ends = [c - timedelta(days=1) for c in cuts] + [period.end]
    return list(zip(starts, ends))
