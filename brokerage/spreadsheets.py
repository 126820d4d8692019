"""Safe spreadsheet exports: the one rule for every CSV and XLSX the product writes.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or ``|`` and
``%``, which some spreadsheet programs also read as the start of a command) is a formula to Excel,
LibreOffice and Google Sheets: an organisation named ``=HYPERLINK(...)`` or hours described as
``=cmd|' /C calc'!A0`` would run when a pilot lead opens the file. Such text is written with a
leading apostrophe, which every spreadsheet shows as text; numbers (and text that is only a number,
such as ``-2.5``) are left alone so figures stay figures.

CSV goes through ``defusedcsv`` (a drop-in ``csv`` writer that applies the same escape), after this
module's own rule, which adds the tab and carriage return that ``defusedcsv`` leaves alone. XLSX
workbooks are passed through :func:`neutralise_workbook` just before they are saved.
"""

from __future__ import annotations

import re
from numbers import Number
from typing import IO, Any

from defusedcsv import csv as defused_csv

DANGEROUS_FIRST = frozenset("=+-@\t\r|%")
_PLAIN_NUMBER = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?$|^-?\.[0-9]+$")


def is_dangerous(text: str) -> bool:
    return bool(text) and text[0] in DANGEROUS_FIRST and not _PLAIN_NUMBER.match(text)


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet should hold it: formula-leading text made plain text."""
    if value is None or isinstance(value, (Number, bool)):
        return value
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value


class _Writer:
    def __init__(self, out: IO[str], **fmtparams: Any) -> None:
        self._writer = defused_csv.writer(out, **fmtparams)

    def writerow(self, row: Any) -> Any:
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Any) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: IO[str], **fmtparams: Any) -> _Writer:
    """A ``csv.writer`` that neutralises every formula-leading cell."""
    return _Writer(out, **fmtparams)


def neutralise_workbook(workbook: Any) -> Any:
    """Every text or formula cell of an openpyxl workbook made safe (the product writes no formulas,
    so a cell openpyxl took for one came from data)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and (cell.data_type == "f" or is_dangerous(value)):
                    cell.value = "'" + value
    return workbook
