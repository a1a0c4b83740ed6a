"""The one reader of user text tables (CSV or tab-separated), whatever encoding they were saved in.

Every CSV a user gives geoairplan goes through :func:`read_text_table`:

1. check the file (exists, is a file, not empty);
2. detect the encoding: a BOM decides, else strict UTF-8, else strict
   Big5/CP950 (older MOENV exports, Excel on Taiwanese Windows);
3. parse it as text, nothing converted (pyarrow's multi-threaded reader; a
   row-by-row reader for files it refuses, which finds ragged rows and
   unclosed quotes and names their line);
4. leave the headers to the format reader, which finds its columns with
   :func:`geoairplan.io.columns.find_column` (one header fold, one finder).

Rows with more fields than the header (unless the extra fields are blank,
as a trailing comma leaves them) or fewer are not used and are reported in
``attrs["problems"]`` with the file's own line number; a file whose header
cannot be read, text in another encoding, or an unclosed quote raises
:class:`~geoairplan.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from geoairplan.errors import InputError, Problems

__all__ = ["read_text_table", "parse_text", "decode", "check_file", "is_scenario", "SCENARIO_COLUMNS"]

#: Columns in which a file declares itself made-up scenario data (value ``scenario``).
SCENARIO_COLUMNS = ("data_kind", "DATA")

_STR = pd.StringDtype("pyarrow", na_value=np.nan)   # pandas' default "str"


def check_file(path: Path, what: str) -> None:
    """Raise :class:`InputError` unless ``path`` is an existing, non-empty file."""
    if not path.exists():
        raise InputError("file not found", file=path, fix="check the path")
    if path.is_dir():
        raise InputError("this is a folder, not a file", file=path, fix=f"give the {what} file itself")
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path, fix=f"download the {what} again")


def decode(path: Path, data: bytes | None = None, *, what: str = "file") -> tuple[str, str]:
    """Text and encoding of a file: a BOM decides, else strict UTF-8, else strict CP950 (Big5)."""
    raw = path.read_bytes() if data is None else data
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp950"]
    first_error = None
    for enc in candidates:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    pos = first_error.start
    line = raw.count(b"\n", 0, pos) + 1
    raise InputError(f"the text is neither UTF-8 nor Big5/CP950 (byte 0x{raw[pos]:02x} at line {line} "
                     "cannot be decoded)", file=path, where=f"line {line}",
                     fix=f"save the {what} as UTF-8 (Excel: 'CSV UTF-8') or download it again")


def _separator(first: str) -> str:
    return "\t" if first.count("\t") > first.count(",") else ","


def _unique(header: list[str]) -> list[str]:
    out, seen = [], {}
    for i, h in enumerate(header):
        h = h.strip().lstrip("\ufeff").strip() or f"Unnamed: {i}"
        if h in seen:
            seen[h] += 1
            h = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
        out.append(h)
    return out


def _fast(text: str, sep: str, header: list[str]) -> pd.DataFrame | None:
    """pyarrow's reader (a year of hourly data in well under a second); None when it refuses the file."""
    if not header or len(set(header)) != len(header) or any(not h.strip() for h in header):
        return None
    if text.count('"') % 2:  # an unclosed quote, which pyarrow would read to the end of the file
        return None
    try:
        tbl = pcsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(column_types={h: pa.large_string() for h in header},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError, KeyError):
        return None
    return tbl.to_pandas(types_mapper={pa.large_string(): _STR}.get)


def _rows(text: str, sep: str, path: Path, what: str, probs: Problems) -> pd.DataFrame:
    """The row-by-row reader: ragged rows reported with their line, unclosed quotes refused."""
    reader = csv.reader(io.StringIO(text), delimiter=sep, strict=True)
    start = 1
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"the {what} file has no header row", file=path,
                         fix=f"give the {what} with its header row") from None
    except csv.Error as exc:
        raise InputError(f"the header row cannot be read as CSV ({exc})", file=path, where="line 1",
                         fix=f"check that the {what} is a comma-separated text file") from None
    n = len(header)
    rows, lines = [], []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"a quoted field that starts on or after line {start} is never closed ({exc})",
                             file=path, where=f"line {start}",
                             fix='close the quote (") or remove it; quotes inside a field are written twice ("")')\
                from None
        if not row or all(not f.strip() for f in row):
            start = reader.line_num + 1
            continue
        if len(row) > n and all(not f.strip() for f in row[n:]):
            row = row[:n]
        if len(row) != n:
            probs.add(str(path), f"line {start}", f"the row has {len(row)} fields, the header {n}: not used "
                      "(fix: remove the extra separator or quote the field that holds one)")
        else:
            rows.append(row)
            lines.append(start)
        start = reader.line_num + 1
    df = pd.DataFrame(rows, columns=_unique(header), dtype=object) if rows else \
        pd.DataFrame(columns=_unique(header), dtype=object)
    df.attrs["lines"] = np.asarray(lines, dtype=np.int64)
    return df


def _check_quotes(text: str, path: Path, what: str) -> None:
    """Refuse a text whose last quoted field is never closed (it would swallow the rest of the file)."""
    if text.count('"') % 2 == 0:
        return
    inq, opened = False, 0
    for m in re.finditer('"', text):
        if not inq:
            opened = m.start()
        inq = not inq
    line = text.count("\n", 0, opened) + 1
    raise InputError(f"a quoted field opened on line {line} is never closed: the rest of the file would be "
                     "read as one field", file=path, where=f"line {line}",
                     fix='close the quote (") or remove it; quotes inside a field are written twice ("")')


def parse_text(text: str, path: Path, *, what: str = "table") -> pd.DataFrame:
    """A decoded CSV (or tab-separated) text as a frame of strings, blanks as ``""``.

    ``attrs["problems"]`` lists rows not used (ragged), with the file's line.
    """
    first = text.split("\n", 1)[0]
    sep = _separator(first)
    header = next(csv.reader(io.StringIO(first), delimiter=sep), [])
    probs = Problems()
    _check_quotes(text, path, what)
    df = _fast(text, sep, [h for h in header])
    if df is not None:
        df.columns = _unique(list(df.columns))
    else:
        df = _rows(text, sep, path, what, probs)
    # a trailing separator on the header leaves an unnamed, empty column: nothing is lost by dropping it
    for c in [c for c in df.columns if str(c).startswith("Unnamed: ")]:
        if not df[c].fillna("").astype(str).str.strip().any():
            df = df.drop(columns=c)
    df.attrs["problems"] = probs
    return df


def read_text_table(path, *, source: str | None = None, blanks: str = "nan") -> pd.DataFrame:
    """A CSV (or tab-separated) file as a frame of strings.

    Parameters
    ----------
    path : str or Path
        The file.
    source : str, optional
        The kind of table, named in messages ("coverage mapping", "forecast").
    blanks : {"nan", "empty"}
        Blank cells as NaN (default) or as empty strings.

    Returns
    -------
    pandas.DataFrame
        Text columns (object dtype with ``blanks="nan"``). ``attrs``: ``encoding``,
        ``problems`` (rows not used, with their line), ``scenario`` (the file
        declares itself made-up data, see :func:`is_scenario`), ``source``.
    """
    what = source or "table"
    path = Path(path)
    check_file(path, what)
    text, enc = decode(path, what=what)
    if not text.strip():
        raise InputError(f"the {what} file is empty", file=path, fix=f"give the {what} with its header row")
    df = parse_text(text, path, what=what)
    probs = df.attrs["problems"]
    lines = df.attrs.get("lines")
    if blanks == "nan":
        df = df.astype(object).where(df.astype(object).ne(""), np.nan)
    df.attrs.update({"encoding": enc, "problems": probs, "source": str(path)})
    if lines is not None:
        df.attrs["lines"] = lines
    df.attrs["scenario"] = is_scenario(df)
    return df


def is_scenario(frame) -> bool:
    """True when a table declares itself scenario (made-up) data.

    A reader sets ``attrs["scenario"]`` from the file (a ``data_kind`` or
    ``DATA`` column holding ``scenario``); a frame without that attribute is
    checked by its columns. Paths are never looked at.
    """
    attrs = getattr(frame, "attrs", None) or {}
    if "scenario" in attrs:
        return bool(attrs["scenario"])
    cols = getattr(frame, "columns", ())
    for c in SCENARIO_COLUMNS:
        if c in cols:
            vals = frame[c].dropna().astype(str).str.strip().str.lower()
            if (vals == "scenario").any():
                return True
    return False


# Names the format readers used before the reader was one (kept for their imports).
_check_file = check_file
_decode = decode
