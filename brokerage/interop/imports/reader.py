"""Read an uploaded CSV or XLSX file as rows of text, streaming, and refuse anything else in plain words.

What a centre brings is read as it comes:

- the sheet and the header row are found automatically (title rows and merged title cells above the
  header are skipped, a two-row header is joined) and can be chosen explicitly;
- a column named twice is accepted when the two agree in every row (the rows where they differ are
  reported);
- the text encoding is detected (UTF-8, UTF-16 with its mark, or the legacy encoding charset-normalizer
  finds); a file whose rows are in different encodings, or whose text was converted twice ("ZoÃ«"), is
  refused with the rows named;
- a row with more or fewer cells than the header (a broken line) is reported with its row number.

Rows are produced by a generator each time they are read, so memory stays bounded however long the
file is: CSV is decoded line by line and workbooks are read with openpyxl's ``read_only`` mode."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, time
from typing import Any

from charset_normalizer import from_bytes
from rapidfuzz import fuzz, process

MAX_ROWS = 500_000
MAX_BYTES = 50 * 1024 * 1024
HEADER_SCAN = 25  # rows looked at when finding the header
NAMED_ROWS = 20  # rows named in a message that refuses a file

NOT_A_SPREADSHEET = "This is not a CSV or Excel (.xlsx) file. Save the spreadsheet as CSV or .xlsx and try again."


class FileProblem(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no header, mixed encodings …)."""

    def __init__(self, message: str, rows: Sequence[int] = ()):
        super().__init__(message)
        self.message = message
        self.rows = list(rows)


@dataclass(slots=True)
class RawRow:
    number: int  # as a spreadsheet shows it: the header is row 1 (or lower), the first record after it
    values: dict[str, str]
    extra: list[str] = field(default_factory=list)  # cells beyond the header's last column
    missing: int = 0  # how many cells fewer than the header


@dataclass(slots=True)
class RowProblem:
    row: int
    field: str | None
    problem: str
    severity: str = "error"


@dataclass
class Table:
    """A file's columns and a way to read its rows again (each call streams the file once more)."""

    columns: list[str]
    content: bytes
    kind: str  # "csv" or "xlsx"
    header_row: int
    header_rows: int = 1
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","
    total_rows: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    # column name → the positions of every column with that name (a name used twice has two)
    positions: dict[str, list[int]] = field(default_factory=dict)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) for every row below the header, blank rows included."""
        if self.kind == "xlsx":
            source: Iterable[tuple[int, list[str]]] = _xlsx_records(self.content, self.sheet)
        else:
            source = _csv_records(self.content, self.encoding, self.delimiter)
        last_header = self.header_row + self.header_rows - 1
        for number, cells in source:
            if number > last_header:
                yield number, cells

    def iter_rows(self, columns: Iterable[str] | None = None) -> Iterator[RawRow]:
        """Every non-blank row below the header, with its cells by column name (only ``columns``,
        when given: an import reads the columns it maps and no others)."""
        width = max((p[-1] for p in self.positions.values()), default=-1) + 1
        wanted = None if columns is None else set(columns)
        firsts = [(name, pos[0]) for name, pos in self.positions.items() if wanted is None or name in wanted]
        for number, cells in self.records():
            if not any(c.strip() for c in cells):
                continue
            extra = cells[width:]
            while extra and not extra[-1].strip():
                extra.pop()
            values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in firsts}
            yield RawRow(number=number, values=values, extra=extra, missing=max(0, width - len(cells)))

    @property
    def rows(self) -> list[RawRow]:
        """All rows at once (small files and tests only; imports stream with :meth:`iter_rows`)."""
        return list(self.iter_rows())


def is_xlsx(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04"


def read_table(
    content: bytes,
    filename: str = "",
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    expected: Sequence[Sequence[str]] = (),
) -> Table:
    """Open a file and check its shape. ``expected`` is, per field of the import, the names its column
    may have: it helps find the header row and the sheet when they are not given."""
    if not content or not content.strip():
        raise FileProblem("The file is empty.")
    if len(content) > MAX_BYTES:
        raise FileProblem("The file is larger than 50 MB. Split it into smaller files.")
    if is_xlsx(content):
        table = _open_xlsx(content, sheet, header_row, expected)
    else:
        table = _open_csv(content, header_row, expected)
    _survey(table)
    return table


# -- text encodings -------------------------------------------------------------------------------
def _utf16(content: bytes) -> str | None:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _lines(content: bytes) -> Iterator[bytes]:
    return iter(io.BytesIO(content))


def _choose_encoding(content: bytes) -> str:
    """UTF-8 when every line is UTF-8; else the one legacy encoding the non-UTF-8 lines are in.

    A file where some lines are UTF-8 with accented letters and others are not is refused: decoding it
    either way would silently turn "Zoë" into "ZoÃ«" in half of its rows."""
    if (bom := _utf16(content)) is not None:
        return bom
    if b"\x00" in content[:4096]:
        raise FileProblem(NOT_A_SPREADSHEET)
    utf8_accented: list[int] = []
    other: list[int] = []
    sample = bytearray()
    for number, line in enumerate(_lines(content), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_accented.append(number)
        except UnicodeDecodeError:
            other.append(number)
            if len(sample) < 65536:
                sample += line
    if not other:
        return "utf-8-sig"
    if utf8_accented:
        fewer, described = (other, "not in UTF-8") if len(other) <= len(utf8_accented) else (utf8_accented, "in UTF-8")
        raise FileProblem(
            "The file mixes text encodings: some rows are in UTF-8 and others are not, so accented letters "
            f"would be garbled. The rows {described} start on lines {_named(fewer)}. Save the whole file "
            "again as CSV UTF-8 and upload it once more.",
            rows=fewer,
        )
    best = from_bytes(bytes(sample)).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding.replace("_", "").lower() in ("utf8", "ascii"):
        encoding = "cp1252"
    return encoding


def _named(rows: Sequence[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:NAMED_ROWS])
    return shown + (f" and {len(rows) - NAMED_ROWS} more" if len(rows) > NAMED_ROWS else "")


def _decoded_lines(content: bytes, encoding: str) -> Iterator[str]:
    if encoding == "utf-16":
        yield from io.StringIO(content.decode("utf-16"), newline="")
        return
    decoder_encoding = encoding
    first = True
    for line in _lines(content):
        text = line.decode(decoder_encoding, errors="replace")
        if first:
            text = text.lstrip("\ufeff")
            first = False
        yield text


def _delimiter(first_lines: list[str]) -> str:
    """The separator most lines share (a title line above the header may have none)."""
    best, best_score = ",", 0
    for d in (",", ";", "\t", "|"):
        counts = [line.count(d) for line in first_lines if line.strip()]
        score = sorted(counts)[len(counts) // 2] if counts else 0  # the median line's count
        if score > best_score:
            best, best_score = d, score
    return best


class _Lines:
    """Lines into ``csv.reader``, remembering which physical line a record began on."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self.line = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        self.line += 1
        return next(self._lines)


def _csv_records(content: bytes, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells): the row number counts records, as a spreadsheet program would show them."""
    reader = csv.reader(_decoded_lines(content, encoding), delimiter=delimiter)
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells
    except csv.Error as exc:
        raise FileProblem(f"Row {number + 1} could not be read as CSV ({exc}).", rows=[number + 1]) from None


def _open_csv(content: bytes, header_row: int | None, expected: Sequence[Sequence[str]]) -> Table:
    encoding = _choose_encoding(content)
    head: list[str] = []
    for line in _decoded_lines(content, encoding):
        head.append(line)
        if len(head) >= HEADER_SCAN:
            break
    controls = sum(1 for ch in "".join(head)[:4096] if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > 2:
        raise FileProblem(NOT_A_SPREADSHEET)
    delimiter = _delimiter(head)
    first: list[tuple[int, list[str]]] = []
    for record in _csv_records(content, encoding, delimiter):
        first.append(record)
        if len(first) >= HEADER_SCAN:
            break
    if not first:
        raise FileProblem("The file is empty.")
    number, rows, columns = _find_header(first, header_row, expected)
    label = "utf-8" if encoding == "utf-8-sig" else encoding
    return Table(
        columns=[],
        content=content,
        kind="csv",
        header_row=number,
        header_rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        notes=[] if label == "utf-8" else [f"The file's text is in the {label} encoding; it was read as such."],
        positions=_positions(columns),
    )


# -- workbooks ------------------------------------------------------------------------------------
def _cell_text(value: Any) -> str:
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


def _workbook(content: bytes) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure here means "not a workbook we can read"
        raise FileProblem("This file looks like a zip or Excel file but could not be opened as an .xlsx workbook.") from None


def _xlsx_records(content: bytes, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    workbook = _workbook(content)
    try:
        ws = workbook[sheet] if sheet else workbook.worksheets[0]
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in row]
    finally:
        workbook.close()


def _open_xlsx(content: bytes, sheet: str | None, header_row: int | None, expected: Sequence[Sequence[str]]) -> Table:
    workbook = _workbook(content)
    try:
        names = list(workbook.sheetnames)
        if sheet is not None and sheet not in names:
            raise FileProblem(f"The workbook has no sheet called “{sheet}”; its sheets are: {', '.join(names)}.")
        candidates: list[tuple[float, str, list[tuple[int, list[str]]]]] = []
        for name in [sheet] if sheet else names:
            first: list[tuple[int, list[str]]] = []
            for number, row in enumerate(workbook[name].iter_rows(values_only=True, max_row=HEADER_SCAN), start=1):
                first.append((number, [_cell_text(v) for v in row]))
            if any(any(c.strip() for c in cells) for _, cells in first):
                candidates.append((_best_header_score(first, expected), name, first))
    finally:
        workbook.close()
    if not candidates:
        raise FileProblem("The workbook's sheets are empty." if sheet is None else f"The sheet “{sheet}” is empty.")
    # the sheet whose header best names the import's fields (the first sheet when none does)
    best = max(candidates, key=lambda c: (c[0], -names.index(c[1])))
    _, chosen, first = best
    number, rows, columns = _find_header(first, header_row, expected)
    notes = []
    if len(names) > 1:
        notes.append(f"The workbook has {len(names)} sheets; the rows were read from “{chosen}”.")
    return Table(
        columns=[],
        content=content,
        kind="xlsx",
        header_row=number,
        header_rows=rows,
        sheet=chosen,
        sheets=names,
        notes=notes,
        positions=_positions(columns),
    )


# -- the header -----------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _score(cells: list[str], expected: Sequence[Sequence[str]]) -> float:
    """How much a row looks like a header: cells naming expected fields count most, then any text."""
    named = [_norm(c) for c in cells if c.strip()]
    if len(named) < 2:
        return 0.0
    choices, owner = _expected_index(tuple(tuple(n) for n in expected))
    fields = set()
    for cell in named:
        if len(cell) > 60:
            continue  # a sentence, not a column name
        best = process.extractOne(cell, choices, scorer=fuzz.ratio, score_cutoff=85)
        if best is not None:
            fields.add(owner[best[2]])
    matched = len(fields)
    textual = sum(1 for c in named if not re.fullmatch(r"[\d\s.,:/+\-]*", c))
    return matched * 10 + textual / max(len(cells), 1) + len(named) / 1000


@lru_cache(maxsize=16)
def _expected_index(expected: tuple[tuple[str, ...], ...]) -> tuple[list[str], list[int]]:
    """Every expected column name, normalised, and which field it belongs to."""
    choices, owner = [], []
    for i, names in enumerate(expected):
        for n in names:
            choices.append(_norm(n))
            owner.append(i)
    return choices, owner


def _best_header_score(first: list[tuple[int, list[str]]], expected: Sequence[Sequence[str]]) -> float:
    return max((_score(cells, expected) for _, cells in first), default=0.0)


def _joined(top: list[str], below: list[str]) -> list[str]:
    """A two-row header as one: a top cell spreads over the blank cells to its right (a merged cell)."""
    out, parent = [], ""
    for i in range(max(len(top), len(below))):
        t = top[i].strip() if i < len(top) else ""
        b = below[i].strip() if i < len(below) else ""
        parent = t or parent
        out.append(f"{parent} {b}".strip() if b and parent and parent != b else (b or t))
    return out


def _find_header(
    first: list[tuple[int, list[str]]], header_row: int | None, expected: Sequence[Sequence[str]]
) -> tuple[int, int, list[str]]:
    """(row number, how many rows, column names) of the header."""
    if header_row is not None:
        for number, cells in first:
            if number == header_row:
                return number, 1, _header(cells)
        raise FileProblem(f"The file has no row {header_row} to use as the header.")
    widest = max((sum(1 for c in cells if c.strip()) for _, cells in first), default=0)
    best: tuple[float, int, int, list[str]] | None = None
    for i, (number, cells) in enumerate(first):
        filled = sum(1 for c in cells if c.strip())
        if filled < 2 or filled < widest / 2:
            continue  # a title row (or a merged title cell) above the header
        score = _score(cells, expected)
        if best is None or score > best[0] + 1e-9:
            best = (score, number, 1, cells)
        if i + 1 < len(first) and filled < len([c for c in first[i + 1][1] if c.strip()]):
            joined = _joined(cells, first[i + 1][1])
            joined_score = _score(joined, expected)
            if expected and joined_score > max(score, _score(first[i + 1][1], expected)):
                if joined_score > best[0] + 1e-9:
                    best = (joined_score, number, 2, joined)
        if not expected:
            break  # without names to look for, the first full row is the header
    if best is None:
        raise FileProblem(
            "No row of the file names its columns (for example VOLID, FIRSTNAME, SURNAME …). "
            "Is this a CSV export? Choose the header row if it is further down."
        )
    _, number, rows, cells = best
    return number, rows, _header(cells)


def _header(cells: list[str]) -> list[str]:
    columns = [c.strip() for c in cells]
    while columns and not columns[-1]:
        columns.pop()
    if len([c for c in columns if c]) < 2:
        raise FileProblem(
            "The first row should name the columns (for example VOLID, FIRSTNAME, SURNAME …), "
            "but it does not look like a header. Is this a CSV export?"
        )
    return columns


def _positions(columns: list[str]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    by_key: dict[str, str] = {}
    for i, name in enumerate(columns):
        if not name:
            continue
        key = name.lower()
        if key in by_key:
            positions[by_key[key]].append(i)
        else:
            by_key[key] = name
            positions[name] = [i]
    return positions


# -- a first pass over every row ----------------------------------------------------------------------
_MOJIBAKE = re.compile(
    "[ÂÃÄÅÆÇÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäå][\u0080-\u00bf\u2018-\u203a\u20ac\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc\u0192\u2122]"
)


def _double_encoded(text: str) -> bool:
    """UTF-8 text that was once read as Windows-1252 and saved again ("ZoÃ«" for "Zoë")."""
    if not _MOJIBAKE.search(text):
        return False
    for cell in text.split("\x1f"):
        if not _MOJIBAKE.search(cell):
            continue
        try:
            if cell.encode("cp1252").decode("utf-8") != cell:
                return True
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return False


def _survey(table: Table) -> None:
    """Count the rows and find what is wrong with the file's shape, row by row, without keeping rows."""
    table.columns = list(table.positions)
    doubled = {name: pos for name, pos in table.positions.items() if len(pos) > 1}
    differing: dict[str, int] = dict.fromkeys(doubled, 0)
    width = max((p[-1] for p in table.positions.values()), default=-1) + 1
    garbled: list[int] = []
    count = 0
    for number, cells in table.records():
        if not any(c.strip() for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise FileProblem(f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files.")
        _check_cells(table, number, cells, width)
        for name, pos in doubled.items():
            seen = {(cells[i].strip() if i < len(cells) else "") for i in pos}
            if len(seen) > 1:
                differing[name] += 1
                table.problems.append(
                    RowProblem(number, name, f"The file has {len(pos)} columns called “{name}” and they differ in this row.")
                )
        joined = "\x1f".join(cells)
        if not joined.isascii() and ("\ufffd" in joined or _double_encoded(joined)):
            garbled.append(number)
    if garbled:
        raise FileProblem(
            f"Some text in the file is garbled (letters such as “ë” appear as “Ã«” or as “\ufffd”), in rows {_named(garbled)}. "
            "The file was probably saved in two different encodings; save it again as CSV UTF-8 from the original.",
            rows=garbled,
        )
    table.total_rows = count
    for name, pos in doubled.items():
        if not differing[name]:
            table.notes.append(
                f"The column “{name}” appears {len(pos)} times; the copies are the same in every row, so one is used."
            )


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1b]")


def _check_cells(table: Table, number: int, cells: list[str], width: int) -> None:
    if any(_CONTROL.search(c) for c in cells):
        table.problems.append(RowProblem(number, None, "This row holds control characters that are not text."))
    if table.kind != "csv":
        return  # a workbook leaves out empty cells at the end of a row
    filled = len(cells)
    while filled > width and not cells[filled - 1].strip():
        filled -= 1
    if filled > width:
        table.problems.append(
            RowProblem(
                number,
                None,
                f"This row has {filled} cells but the header names {width} columns; "
                "a stray comma or an unquoted value has shifted the columns.",
            )
        )
    elif len(cells) < width:
        table.problems.append(
            RowProblem(
                number,
                None,
                f"This row has {len(cells)} cells but the header names {width} columns; "
                "the line looks broken (a line break inside a value that is not in quotes?).",
            )
        )
