"""Read an uploaded CSV or XLSX file into rows of text, and refuse anything else in plain words."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024


class FileProblem(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no header, …)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class RawRow:
    number: int  # as a spreadsheet shows it: the header is row 1, the first record row 2
    values: dict[str, str]
    extra: list[str] = field(default_factory=list)  # cells beyond the header's last column
    missing: int = 0  # how many cells fewer than the header


@dataclass(slots=True)
class Table:
    columns: list[str]
    rows: list[RawRow]


def is_xlsx(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04"


def read_table(content: bytes, filename: str = "") -> Table:
    if not content or not content.strip():
        raise FileProblem("The file is empty.")
    if len(content) > MAX_BYTES:
        raise FileProblem("The file is larger than 50 MB. Split it into smaller files.")
    if is_xlsx(content):
        return _read_xlsx(content)
    return _read_csv(content)


def _decode(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise FileProblem("This is not a CSV or Excel (.xlsx) file. Save the spreadsheet as CSV or .xlsx and try again.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > 2:
        raise FileProblem("This is not a CSV or Excel (.xlsx) file. Save the spreadsheet as CSV or .xlsx and try again.")
    return text


def _delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample.splitlines() else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _header(cells: list[str]) -> list[str]:
    columns = [c.strip() for c in cells]
    while columns and not columns[-1]:
        columns.pop()
    named = [c for c in columns if c]
    if len(named) < 2:
        raise FileProblem(
            "The first row should name the columns (for example VOLID, FIRSTNAME, SURNAME …), "
            "but it does not look like a header. Is this a CSV export?"
        )
    seen: set[str] = set()
    for c in named:
        key = c.lower()
        if key in seen:
            raise FileProblem(f"The column “{c}” appears twice in the header; each column needs its own name.")
        seen.add(key)
    return columns


def _rows(columns: list[str], records, start: int = 2) -> list[RawRow]:
    rows: list[RawRow] = []
    width = len(columns)
    for offset, cells in enumerate(records):
        cells = ["" if c is None else str(c) for c in cells]
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[width:]]
        while extra and not extra[-1].strip():
            extra.pop()
        values = {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(columns) if col}
        rows.append(RawRow(number=start + offset, values=values, extra=extra, missing=max(0, width - len(cells))))
        if len(rows) > MAX_ROWS:
            raise FileProblem(f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files.")
    return rows


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[:4096]))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise FileProblem(f"The file could not be read as CSV ({exc}).") from None
    if not records:
        raise FileProblem("The file is empty.")
    columns = _header(records[0])
    return Table(columns=[c for c in columns], rows=_rows(columns, records[1:]))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if (value.hour or value.minute or value.second) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure here means "not a workbook we can read"
        raise FileProblem("This file looks like a zip or Excel file but could not be opened as an .xlsx workbook.") from None
    try:
        sheet = workbook.worksheets[0]
        records = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    while records and not any(c.strip() for c in records[0]):
        records.pop(0)
    if not records:
        raise FileProblem("The first sheet of the workbook is empty.")
    columns = _header(records[0])
    return Table(columns=columns, rows=_rows(columns, records[1:]))
