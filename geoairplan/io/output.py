"""Writing outputs that open in QGIS and come out the same, byte for byte, every run."""

from __future__ import annotations

import datetime
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

__all__ = ["write_gpkg", "write_csv"]

# GDAL stamps GeoPackages with the current time unless told otherwise.
_FIXED_DATE = "2000-01-01T00:00:00.000Z"


#: GeoPackage version written (``user_version`` 10200): read without a warning by every GDAL since 2.0
#: and every QGIS 3; GDAL 3.12 would otherwise write 1.4, which older readers warn about.
GPKG_VERSION = "1.2"

_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


def _as_datetime(col: pd.Series) -> pd.Series | None:
    """An object column of timestamps (or ISO date-time strings) as datetime64, else None."""
    vals = [v for v in col.tolist() if v is not None and not (isinstance(v, float) and np.isnan(v))
            and v is not pd.NaT]
    if not vals:
        return None
    if all(isinstance(v, (pd.Timestamp, datetime.datetime)) for v in vals) or \
            all(isinstance(v, str) and _ISO_TIME.match(v) for v in vals):
        try:
            return pd.to_datetime(col)
        except (ValueError, TypeError):
            return None
    return None


def write_gpkg(path, layers: dict, *, skip_empty: bool = False) -> Path:
    """Write named layers to one GeoPackage (replacing the file) with a fixed timestamp.

    Parameters
    ----------
    path:
        The ``.gpkg`` file (replaced if it exists).
    layers:
        ``{layer name: GeoDataFrame}``; each layer keeps its own CRS.
    skip_empty:
        Skip empty layers too (``None`` layers are always skipped).

    Notes
    -----
    Date-time columns are written as GeoPackage DATETIME fields (QGIS's temporal
    controller can use them), also object columns that hold only timestamps or
    ISO date-time text (``2024-01-15 08:00``). Other object columns are written
    as text (``None``/NaN as NULL), so mixed-type columns do not trip the driver.
    The file is a GeoPackage :data:`GPKG_VERSION`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _FIXED_DATE})
    try:
        for name, layer in layers.items():
            if layer is None or (skip_empty and len(layer) == 0):
                continue
            layer = layer.copy()
            for c in layer.columns:
                if c == layer.geometry.name:
                    continue
                if layer[c].dtype == object or pd.api.types.is_string_dtype(layer[c].dtype):
                    t = _as_datetime(layer[c])
                    if t is not None:
                        layer[c] = t
                        continue
                if layer[c].dtype == object:
                    layer[c] = layer[c].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                                            else str(v))
            layer.to_file(path, layer=name, driver="GPKG", engine="pyogrio", VERSION=GPKG_VERSION)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    return path


#: Column names that hold coordinates (degrees or metres): written with every digit they have.
COORD_RE = re.compile(r"(?:^|_)(?:lon|lng|lat|longitude|latitude|x|y|easting|northing|twd97x|twd97y)(?:_|$)",
                      re.IGNORECASE)


def _sig(v: float, digits: int = 6) -> str:
    """``v`` to ``digits`` significant digits, positional (never ``1e+06``), integer digits kept."""
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else ("" if math.isnan(v) else repr(v))
    ndig = math.floor(math.log10(abs(v))) + 1
    dec = max(0, digits - ndig)
    out = f"{round(v, dec):.{dec}f}"
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def _full(v: float) -> str:
    """A coordinate with all its digits (shortest text that reads back to the same float)."""
    if not math.isfinite(v):
        return "" if math.isnan(v) else repr(v)
    return np.format_float_positional(v, unique=True, trim="-")


def _float_text(values: pd.Series, float_format: str | None, coord: bool) -> list[str]:
    vals = values.astype(float).tolist()
    if coord:
        return [_full(v) for v in vals]
    if float_format is None or float_format == "%.6g":
        return [_sig(v) for v in vals]
    return ["" if math.isnan(v) else float_format % v for v in vals]


def write_csv(df: pd.DataFrame, path, *, float_format: str | None = None, bom: bool = True) -> Path:
    """Write a table as CSV for people and programs; returns the path.

    Parameters
    ----------
    df:
        The table (a ``geometry`` column is dropped, the index is not written).
    path:
        The ``.csv`` file (folders are created).
    float_format:
        ``%``-format of value columns, e.g. ``"%.4f"``; default: 6 significant
        digits written positionally (``2508512``, ``12.3457``, never ``2.5085e+06``).
    bom:
        Start the file with a UTF-8 byte-order mark (default), so that Excel
        opens Chinese text correctly; pandas reads it with ``encoding="utf-8-sig"``
        and geoairplan's own reader skips it.

    Notes
    -----
    Coordinate columns (``lon``, ``lat``, ``x``, ``y``, ``x_tm2``, ``easting`` …, see
    :data:`COORD_RE`) keep every digit, whatever ``float_format`` says. Line ends
    are ``\n``; the output is the same bytes for the same table.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = pd.DataFrame(df).drop(columns=["geometry"], errors="ignore").copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = _float_text(out[c], float_format, bool(COORD_RE.search(str(c))))
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8-sig" if bom else "utf-8")
    return path
