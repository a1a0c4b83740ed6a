"""Emission sources as users hold them: TEDS point tables, facility lists, township-only rows.

:func:`read_sources` reads any of them (through :func:`geoairplan.io.read_text_table`)
and :func:`prepare_sources` checks a frame already in memory:

* **TEDS point-source tables** (``C_NO, NO_S, ..., UTM_E, UTM_N, SOX_EMI, ...``;
  TM2 metres, t/yr), headers in any case;
* **facility lists with lon/lat** (``lon``/``lat`` or 經度/緯度, EPSG:4326);
* **rows known only by township** (a ``township`` column, no coordinates):
  accepted, and reported as counted in their township only, not on the grid;
* with ``county``, rows outside the county are reported and left out.

Pollutant names and emission columns come from :mod:`geoairplan.reference.pollutants`.
Every frame returned is in EPSG:3826 with the problems in ``attrs["problems"]``.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import geopandas as gpd
import shapely
from pyproj import Transformer

from geoairplan.errors import InputError, Problems
from geoairplan.io.crs import TM2, WGS84, points_from_xy, resolve_crs, to_tm2
from geoairplan.io.tables import is_scenario, read_text_table
from geoairplan.reference.geography import check_county, load_counties, township_names
from geoairplan.reference.names import normalize_name
from geoairplan.reference.pollutants import EMISSION_ALIASES, EMISSION_COLUMNS

__all__ = ["read_sources", "prepare_sources", "SOURCE_HEADER_ALIASES"]

# Header spellings seen in point-source and facility files -> our column names.
_HEADER_ALIASES = {
    "c_no": "c_no", "管制編號": "c_no", "control_no": "c_no", "facility_id": "c_no",
    "no_s": "no_s", "排放口編號": "no_s", "no_p": "no_p", "製程編號": "no_p", "scc": "scc",
    "utm_e": "utm_e", "x": "utm_e", "tm2_x": "utm_e", "x_tm2": "utm_e", "twd97x": "utm_e",
    "twd97_x": "utm_e", "e": "utm_e", "座標x": "utm_e", "x座標": "utm_e",
    "utm_n": "utm_n", "y": "utm_n", "tm2_y": "utm_n", "y_tm2": "utm_n", "twd97y": "utm_n",
    "twd97_y": "utm_n", "n": "utm_n", "座標y": "utm_n", "y座標": "utm_n",
    "lon": "lon", "longitude": "lon", "lng": "lon", "經度": "lon",
    "lat": "lat", "latitude": "lat", "緯度": "lat",
    "name": "name", "fac_name": "name", "comp_nam": "name", "名稱": "name", "工廠名稱": "name",
    "公私場所名稱": "name", "facility": "name",
    "township": "township", "town": "township", "townname": "township", "鄉鎮": "township",
    "鄉鎮市": "township", "鄉鎮市區": "township", "行政區": "township",
    "county": "county", "countyname": "county", "縣市": "county",
    "hei": "hei", "dia": "dia", "temp": "temp", "vel": "vel",
}
for _k, _p in EMISSION_ALIASES.items():
    _HEADER_ALIASES.setdefault(_k, EMISSION_COLUMNS[_p])
for _p, _c in EMISSION_COLUMNS.items():
    _HEADER_ALIASES[_c] = _c


#: Header spellings of source tables -> our column names.
SOURCE_HEADER_ALIASES = _HEADER_ALIASES


def _norm_header(h: str) -> str:
    s = unicodedata.normalize("NFKC", str(h)).strip().lower().replace(" ", "")
    s = s.split("(")[0] if s.split("(")[0] else s  # "nox_emi(t/yr)" -> "nox_emi"
    return _HEADER_ALIASES.get(s, s)


def read_sources(path: str | Path, crs="EPSG:3826", *, county: str | None = None) -> gpd.GeoDataFrame:
    """Read a point-source or facility-with-emissions table into :func:`prepare_sources` form.

    Accepts TEDS point-source columns in any case (``C_NO, UTM_E, NOX_EMI`` ...),
    TM2 metres (``crs``, EPSG:3826 unless named) or lon/lat columns
    (``lon``/``lat`` or 經度/緯度, always EPSG:4326), and an optional ``township``
    (and ``county``) column for rows without coordinates. Chinese headers
    (管制編號, 鄉鎮市, 氮氧化物 ...) are understood. The file is read with
    :func:`geoairplan.io.read_text_table` (UTF-8, BOM or Big5/CP950).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    crs : str
        CRS of ``utm_e/utm_n`` (TM2 zone 121 unless told).
    county : str or None
        Keep the rows of this county (within 1 km of it, or labelled with it);
        the others are reported.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`prepare_sources`, with ``attrs["scenario"]`` True when the
        file declares itself scenario data (a ``data_kind`` or ``DATA``
        column holding ``scenario``).
    """
    path = Path(path)
    df = read_text_table(path, source="point-source table")
    out = prepare_sources(df, crs=crs, source=str(path), county=county)
    out.attrs["encoding"] = df.attrs.get("encoding")
    return out


def prepare_sources(sources, crs="EPSG:3826", *, source: str = "input",
                    county: str | None = None) -> gpd.GeoDataFrame:
    """Check and normalise a source table; every unusable value or row is reported.

    ``sources`` is a (Geo)DataFrame: a GeoDataFrame with point geometry (e.g.
    from :func:`geoairplan.io.read_teds_points`), or a table with coordinate
    columns (``utm_e/utm_n`` in ``crs``, or ``lon/lat``) and/or a ``township``.

    Returns a GeoDataFrame in EPSG:3826 with columns ``row`` (1-based file row,
    header = row 1), ``c_no, name, county, township`` (as given, normalised),
    ``x, y`` (TM2 m; NaN for rows known only by township), ``basis`` (``point``
    or ``township``), the six ``*_emi`` columns (float t/yr; NaN where the value
    was unusable) and geometry (None for township-only rows). Reports, in
    ``attrs["problems"]``:

    * rows with neither coordinates nor township (error: not used),
    * coordinates that are not numbers or not in Taiwan (error: not used),
    * non-numeric or negative emissions (error: that value not counted),
    * rows known only by township (warning: township totals only),
    * rows of other counties when ``county`` is given (warning: not used).

    ``attrs["scenario"]`` is True when the input declares itself scenario data
    (:func:`geoairplan.io.is_scenario`).

    Parameters
    ----------
    sources : pandas.DataFrame or geopandas.GeoDataFrame
        The source rows.
    crs : str
        CRS of ``utm_e/utm_n``.
    source : str
        Name of the input in messages.
    county : str or None
        Keep the rows of this county; the others are reported.

    Returns
    -------
    geopandas.GeoDataFrame
        The checked sources (see above).
    """
    probs = Problems()
    if isinstance(sources, gpd.GeoDataFrame) and sources.geometry.name in sources.columns \
            and sources.geometry.notna().any():
        gdf = to_tm2(sources, source=source)
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        df.columns = [_norm_header(c) for c in df.columns]
        geom = gdf.geometry
        has_xy = geom.notna() & ~geom.is_empty
        x = np.where(has_xy, geom.x.where(has_xy), np.nan)
        y = np.where(has_xy, geom.y.where(has_xy), np.nan)
        if "problems" in sources.attrs and isinstance(sources.attrs["problems"], Problems):
            probs.extend(sources.attrs["problems"])
        rows = df["row"].tolist() if "row" in df.columns else list(range(2, len(df) + 2))
        xy_text = None
    else:
        df = pd.DataFrame(sources).copy()
        df.columns = [_norm_header(c) for c in df.columns]
        if df.columns.duplicated().any():
            dup = df.columns[df.columns.duplicated()].tolist()
            raise InputError(f"columns {dup} appear twice after reading the header", file=source,
                             where="header", fix="rename or remove the duplicate columns")
        if len(df) == 0:
            raise InputError("the source table has a header but no rows", file=source,
                             fix="give at least one source row under the header")
        # ragged rows the table reader left out (with the file's line), and the file's own line numbers
        probs.extend(getattr(sources, "attrs", {}).get("problems") or [])
        lines = getattr(sources, "attrs", {}).get("lines")
        rows = [int(v) for v in lines] if lines is not None and len(lines) == len(df) \
            else list(range(2, len(df) + 2))
        x, y, xy_text = _coordinates(df, crs, source, rows, probs)
        has_xy = pd.Series(np.isfinite(x) & np.isfinite(y), index=df.index)
    n = len(df)
    out = pd.DataFrame({"row": rows})
    for col in ("c_no", "no_s", "name", "county", "township"):
        vals = df[col] if col in df.columns else pd.Series([None] * n, index=df.index)
        out[col] = [None if (v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "")
                    else str(v).strip() for v in vals]
    out["county"] = [normalize_name(v) if v else None for v in out["county"]]
    out["township"] = [normalize_name(v) if v else None for v in out["township"]]
    if not any(c in df.columns for c in EMISSION_COLUMNS.values()):
        raise InputError("no emission column found", file=source, where="header",
                         fix="name emission columns like TEDS (SOX_EMI, NOX_EMI, CO_EMI, PM_EMI, "
                             "PM25_EMI, NMHC_EMI; t/yr) or by pollutant (nox, 氮氧化物, ...)")
    for key, col in EMISSION_COLUMNS.items():
        if col not in df.columns:
            out[col] = np.nan
            continue
        raw = df[col]
        vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        text = raw.astype(object)
        blank = _blank(text)
        bad = ~blank & ~np.isfinite(vals)
        for i in np.flatnonzero(bad):
            probs.add(source, f"row {rows[i]}, {col}",
                      f"emission {text.iloc[i]!r} is not a number: this value is not counted "
                      "(fix: write t/yr as a plain number)")
        neg = np.isfinite(vals) & (vals < 0)
        for i in np.flatnonzero(neg):
            probs.add(source, f"row {rows[i]}, {col}",
                      f"emission {vals[i]} is negative: this value is not counted "
                      "(fix: emissions are t/yr >= 0)")
        vals = np.where(neg, np.nan, vals)
        vals = np.where(blank, 0.0, vals)  # TEDS leaves pollutants a stack does not emit blank
        out[col] = vals
    out["x"] = np.asarray(x, dtype=float)
    out["y"] = np.asarray(y, dtype=float)
    has_xy = np.asarray(has_xy, dtype=bool)
    basis = np.where(has_xy, "point", np.where(out["township"].notna(), "township", "none"))
    for i in np.flatnonzero(basis == "none"):
        if xy_text is not None and xy_text[i]:
            continue  # already reported as bad coordinates
        probs.add(source, f"row {rows[i]}", "no coordinates and no township: the row is not used "
                  "(fix: give UTM_E/UTM_N in TM2 metres, lon/lat, or a township column)")
    for i in np.flatnonzero(basis == "township"):
        probs.add(source, f"row {rows[i]}",
                  f"no coordinates: counted in {out['township'].iloc[i]} only, not on the grid "
                  "or in the kernel surface", severity="warning")
    out["basis"] = basis
    geom = [shapely.Point(a, b) if ok else None for a, b, ok in zip(out["x"], out["y"], has_xy)]
    gdf = gpd.GeoDataFrame(out, geometry=geom, crs=TM2)
    gdf = gdf[gdf["basis"] != "none"].reset_index(drop=True)
    if county is not None:
        gdf = _filter_county(gdf, county, source, probs)
    gdf.attrs["problems"] = probs
    gdf.attrs["source"] = source
    gdf.attrs["scenario"] = is_scenario(sources)
    return gdf


def _coordinates(df, crs, source, rows, probs):
    """x, y in TM2 (NaN where absent or unusable) and whether the row had coordinate text."""
    n = len(df)
    if "utm_e" in df.columns and "utm_n" in df.columns:
        xc, yc, ccrs = "utm_e", "utm_n", resolve_crs(crs)
    elif "lon" in df.columns and "lat" in df.columns:
        xc, yc, ccrs = "lon", "lat", resolve_crs(WGS84)
    else:
        return np.full(n, np.nan), np.full(n, np.nan), None
    xt = df[xc].astype(object)
    yt = df[yc].astype(object)
    has_text = ~(_blank(xt) & _blank(yt))
    xv = pd.to_numeric(xt, errors="coerce").to_numpy(dtype=float)
    yv = pd.to_numeric(yt, errors="coerce").to_numpy(dtype=float)
    num = np.isfinite(xv) & np.isfinite(yv)
    for i in np.flatnonzero(has_text & ~num):
        probs.add(source, f"row {rows[i]}", f"coordinates ({xt.iloc[i]!r}, {yt.iloc[i]!r}) are not "
                  "two numbers: the row is not used (fix: give both coordinates as numbers)")
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    if num.any():
        tr_ll = Transformer.from_crs(ccrs, WGS84, always_xy=True)
        lon, lat = tr_ll.transform(xv[num], yv[num])
        inside = (lon >= 118.0) & (lon <= 122.5) & (lat >= 21.5) & (lat <= 26.5)
        idx = np.flatnonzero(num)
        if (~inside).sum() > max(1, 0.5 * len(idx)):
            # most rows are off: a CRS or column problem, not a few typos; let the CRS check explain
            points_from_xy(xv[idx], yv[idx], ccrs, source=source, rows=[f"row {rows[i]}" for i in idx])
        for j in np.flatnonzero(~inside):
            i = idx[j]
            probs.add(source, f"row {rows[i]}", f"point ({xv[i]}, {yv[i]}) is not in Taiwan in "
                      f"{ccrs.name}: the row is not used (fix: check the coordinates and the CRS)")
        ok = idx[inside]
        if len(ok):
            tr = Transformer.from_crs(ccrs, TM2, always_xy=True)
            x[ok], y[ok] = tr.transform(xv[ok], yv[ok])
    return x, y, has_text


def _blank(col: pd.Series) -> np.ndarray:
    """True where a cell is empty (NaN, None, blank text)."""
    return (col.isna() | (col.astype(str).str.strip().isin(["", "nan", "None"]))).to_numpy()


def _filter_county(gdf, county, source, probs):
    county = check_county(county)
    poly = load_counties(county).to_crs(TM2).geometry.union_all()
    near = np.array([g is not None and poly.distance(g) <= 1000.0 for g in gdf.geometry])
    named = gdf["county"].fillna("") == county
    unnamed = gdf["county"].isna()
    keep = np.where(gdf["basis"] == "point", near | named.to_numpy(),
                    named.to_numpy() | (unnamed.to_numpy() & gdf["township"].isin(_towns(county)).to_numpy()))
    n_out = int((~keep).sum())
    if n_out:
        probs.add(source, f"{n_out} row(s)", f"outside {county} (not within 1 km of it and not labelled "
                  f"{county}): not used for --county {county}", severity="warning")
    return gdf[keep].reset_index(drop=True)


def _towns(county):
    return township_names(county)

