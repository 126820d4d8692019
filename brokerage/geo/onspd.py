"""Streamed reader for the ONS Postcode Directory (ONSPD) CSV.

The ONSPD (Office for National Statistics, Open Government Licence) has one
row per postcode ever issued in the UK — about 2.7 million rows and 50+
columns.  We need four things from it: the postcode, its latitude and
longitude, and its local authority district (LAD) GSS code.  The reader:

* streams the file row by row (never loads it into memory);
* accepts a path (``.csv`` or the ``.zip`` as published — the largest CSV
  under ``Data/`` is read), a binary file object or a text file object;
* strips a UTF-8 byte-order mark;
* finds its columns by name, case-insensitively: postcode from ``pcds``
  (falling back to ``pcd``, ``pcd7``, ``pcd8``, ``pcd2``), ``doterm``,
  ``lat``, ``long`` and the LAD from ``oslaua`` (falling back to a
  ``ladYYcd``-style column as used by newer releases);
* skips terminated postcodes (non-empty ``doterm``) and postcodes without a
  grid reference (``lat`` 99.999999, or blank);
* optionally keeps only rows whose LAD is in ``only_lads``;
* reports progress through ``progress(rows_read, bytes_read, total_bytes)``
  every ``progress_every`` rows and once at the end (``total_bytes`` is None
  when the size cannot be known).

Each yielded item is an :class:`OnspdRow` — a named tuple
``(postcode, lat, lon, lad_gss)`` with the postcode in canonical form
(``"ME14 1XX"``).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, NamedTuple

__all__ = ["OnspdRow", "OnspdFormatError", "iter_onspd", "read_onspd", "NO_GRID_LAT"]

NO_GRID_LAT = 99.999999

Progress = Callable[[int, int, "int | None"], None]

_POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode")
_LAD_COLUMNS = ("oslaua", "laua", "lad", "lad_gss")
_LAD_PATTERN = re.compile(r"lad\d{2}cd")
_LAT_COLUMNS = ("lat", "latitude")
_LON_COLUMNS = ("long", "lon", "lng", "longitude")
_TERM_COLUMNS = ("doterm",)
_BOM = codecs.BOM_UTF8


class OnspdRow(NamedTuple):
    postcode: str
    lat: float
    lon: float
    lad_gss: str | None


class OnspdFormatError(ValueError):
    """The file does not look like an ONSPD CSV (missing columns)."""


# --------------------------------------------------------------------------- inputs


def _size_of(f) -> int | None:
    try:
        return os.fstat(f.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation, ValueError):
        pass
    try:
        if f.seekable():
            here = f.tell()
            end = f.seek(0, io.SEEK_END)
            f.seek(here)
            return end - here
    except (AttributeError, OSError, ValueError):
        pass
    return None


def _open_path(path: Path):
    """Return (binary file, total_bytes, closer)."""
    if path.suffix.lower() == ".zip":
        zf = zipfile.ZipFile(path)
        csvs = [i for i in zf.infolist() if i.filename.lower().endswith(".csv")]
        data = [i for i in csvs if "/data/" in ("/" + i.filename.lower())] or csvs
        if not data:
            zf.close()
            raise OnspdFormatError(f"{path.name} contains no CSV file")
        info = max(data, key=lambda i: i.file_size)
        f = zf.open(info)

        def close():
            f.close()
            zf.close()

        return f, info.file_size, close
    f = open(path, "rb")
    return f, _size_of(f), f.close


def _byte_lines(f, counter: list[int]) -> Iterator[str]:
    """Decode a binary stream line by line, counting bytes consumed."""
    first = True
    for raw in f:
        counter[0] += len(raw)
        if first:
            first = False
            if raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
        yield raw.decode("utf-8", errors="replace")


def _text_lines(f, counter: list[int]) -> Iterator[str]:
    """Text stream line by line; bytes approximated by characters (ONSPD is ASCII)."""
    first = True
    for line in f:
        counter[0] += len(line)
        if first:
            first = False
            if line.startswith("\ufeff"):
                line = line[1:]
        yield line


# --------------------------------------------------------------------------- columns


def _find(header: list[str], names: Iterable[str], pattern: re.Pattern | None = None) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    if pattern is not None:
        matches = [i for i, h in enumerate(lowered) if pattern.fullmatch(h)]
        if matches:
            # Newest vintage, e.g. lad25cd over lad24cd.
            return max(matches, key=lambda i: lowered[i])
    return None


def _canonical(raw: str) -> str | None:
    compact = raw.replace(" ", "").upper()
    if len(compact) < 5 or len(compact) > 7:
        return None
    return f"{compact[:-3]} {compact[-3:]}"


# --------------------------------------------------------------------------- reader


def iter_onspd(
    source: str | os.PathLike | IO[bytes] | IO[str],
    *,
    only_lads: Iterable[str] | None = None,
    progress: Progress | None = None,
    progress_every: int = 50_000,
) -> Iterator[OnspdRow]:
    """Yield ``OnspdRow(postcode, lat, lon, lad_gss)`` for live postcodes with a grid reference."""
    closer = None
    counter = [0]
    if isinstance(source, (str, os.PathLike)):
        f, total, closer = _open_path(Path(source))
        lines = _byte_lines(f, counter)
    else:
        f = source
        total = _size_of(f)
        if isinstance(f, io.TextIOBase) or "b" not in getattr(f, "mode", "b"):
            lines = _text_lines(f, counter)
        else:
            lines = _byte_lines(f, counter)
    lad_filter = None if only_lads is None else frozenset(only_lads)
    every = max(1, int(progress_every))

    try:
        reader = csv.reader(lines)
        try:
            header = next(reader)
        except StopIteration:
            if progress:
                progress(0, counter[0], total)
            return
        i_pc = _find(header, _POSTCODE_COLUMNS)
        i_lat = _find(header, _LAT_COLUMNS)
        i_lon = _find(header, _LON_COLUMNS)
        i_lad = _find(header, _LAD_COLUMNS, _LAD_PATTERN)
        i_term = _find(header, _TERM_COLUMNS)
        if i_pc is None or i_lat is None or i_lon is None or i_lad is None:
            missing = [name for name, idx in (("pcds", i_pc), ("lat", i_lat), ("long", i_lon), ("oslaua", i_lad)) if idx is None]
            raise OnspdFormatError(
                "This does not look like an ONS Postcode Directory file: no column "
                + ", ".join(missing)
                + f" in the header ({', '.join(header[:8])}…)."
            )
        need = max(i for i in (i_pc, i_lat, i_lon, i_lad, i_term) if i is not None) + 1

        rows = 0
        for row in reader:
            rows += 1
            if progress is not None and rows % every == 0:
                progress(rows, counter[0], total)
            if len(row) < need:
                continue
            if i_term is not None and row[i_term].strip():
                continue  # terminated
            lad = row[i_lad].strip() or None
            if lad_filter is not None and lad not in lad_filter:
                continue
            lat_s = row[i_lat].strip()
            lon_s = row[i_lon].strip()
            if not lat_s or not lon_s:
                continue
            try:
                lat = float(lat_s)
                lon = float(lon_s)
            except ValueError:
                continue
            if abs(lat - NO_GRID_LAT) < 1e-6:
                continue  # no grid reference
            postcode = _canonical(row[i_pc])
            if postcode is None:
                continue
            yield OnspdRow(postcode, lat, lon, lad)
        if progress is not None:
            progress(rows, counter[0], total)
    finally:
        if closer is not None:
            closer()


def read_onspd(source, **kwargs) -> dict[str, tuple[float, float, str | None]]:
    """Read a (small, e.g. Kent-only) ONSPD extract into a ``postcode -> (lat, lon, gss)`` dict.

    The result can be passed straight to ``Gazetteer(exact_lookup=...)``.
    For the whole UK, stream :func:`iter_onspd` into a database table instead.
    """
    return {r.postcode: (r.lat, r.lon, r.lad_gss) for r in iter_onspd(source, **kwargs)}
