"""Reading user text tables (CSV or tab-separated) whatever encoding they were saved in.

Files users hold are UTF-8, UTF-8 with BOM or, from older exports and Excel
on Taiwanese Windows, Big5/CP950. :func:`read_text_table` reads any of them
into a frame of strings; text that is none of these, or an empty file,
raises :class:`~geoairplan.errors.InputError` naming the file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from geoairplan.errors import InputError

__all__ = ["read_text_table", "is_scenario", "SCENARIO_COLUMNS"]

#: Columns in which a file declares itself made-up scenario data (value ``scenario``).
SCENARIO_COLUMNS = ("data_kind", "DATA")

_STR = pd.StringDtype("pyarrow", na_value=np.nan)   # pandas' default "str"


def _check_file(path: Path, what: str) -> None:
    if not path.exists():
        raise InputError("file not found", file=path, fix="check the path")
    if path.is_dir():
        raise InputError("this is a folder, not a file", file=path, fix=f"give the {what} file itself")
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path, fix=f"download the {what} again")


def _decode(path: Path, data: bytes | None = None, *, what: str = "file") -> tuple[str, str]:
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


def _read_csv_text(text: str, path: Path, *, what: str = "file") -> pd.DataFrame:
    """A CSV (or tab-separated) text as a frame of strings, nothing converted.

    pyarrow's multi-threaded reader is used (a year of hourly data in well
    under a second); pandas' reader is the fallback for files it refuses.
    """
    first = text.split("\n", 1)[0]
    sep = "\t" if first.count("\t") > first.count(",") else ","
    header = [h.strip() for h in next(csv.reader(io.StringIO(first), delimiter=sep), [])]
    df = None
    if header and len(set(header)) == len(header):
        try:
            import pyarrow.csv as pcsv

            tbl = pcsv.read_csv(
                io.BytesIO(text.encode("utf-8")),
                parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True),
                convert_options=pcsv.ConvertOptions(
                    column_types={h: pa.large_string() for h in next(csv.reader(io.StringIO(first),
                                                                                delimiter=sep))},
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
            df = tbl.to_pandas(types_mapper={pa.large_string(): _STR}.get)
        except (pa.ArrowInvalid, ValueError, KeyError):
            df = None
    if df is None:
        try:
            df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False)
        except pd.errors.EmptyDataError as exc:
            raise InputError("the file has no header row", file=path,
                             fix=f"give the {what} with its header row") from exc
        except pd.errors.ParserError as exc:
            raise InputError(f"cannot read the file as CSV ({exc})", file=path,
                             fix=f"check that the {what} is a comma-separated text file") from exc
    df.columns = [str(c).strip().lstrip("\ufeff").strip() for c in df.columns]
    return df


def _read_csv(path: Path, *, what: str = "file") -> tuple[pd.DataFrame, str]:
    text, enc = _decode(path, what=what)
    if not text.strip():
        raise InputError("the file is empty", file=path, fix=f"download the {what} again")
    return _read_csv_text(text, path, what=what), enc


def read_text_table(path, *, source: str | None = None) -> pd.DataFrame:
    """A CSV (or tab-separated) file as a frame of strings (``dtype=str``), blank cells NaN.

    The encoding is detected (a BOM decides, else strict UTF-8, else strict
    Big5/CP950) and kept in ``attrs["encoding"]``. ``source`` names the kind
    of table in messages ("coverage mapping", "forecast"). A missing or empty
    file, text in another encoding or a file that is not CSV raises
    :class:`~geoairplan.errors.InputError` naming the file.
    """
    what = source or "table"
    path = Path(path)
    _check_file(path, what)
    text, enc = _decode(path, what=what)
    if not text.strip():
        raise InputError(f"the {what} file is empty", file=path, fix=f"give the {what} with its header row")
    first = text.split("\n", 1)[0]
    sep = "\t" if first.count("\t") > first.count(",") else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"the {what} file has no header row", file=path,
                         fix=f"give the {what} with its header row") from exc
    except pd.errors.ParserError as exc:
        raise InputError(f"cannot read the {what} file as CSV ({exc})", file=path,
                         fix=f"check that the {what} is a comma-separated text file") from exc
    df.columns = [str(c).lstrip("\ufeff") for c in df.columns]
    df.attrs["encoding"] = enc
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
