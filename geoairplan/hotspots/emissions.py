"""Emissions where they are: point sources to townships, to a TM2 grid, and a kernel surface.

Inputs
------
* A **TEDS point-source table** (``C_NO, NO_S, ..., UTM_E, UTM_N, SOX_EMI, NOX_EMI,
  CO_EMI, PM_EMI, PM25_EMI, NMHC_EMI``; TM2 metres, t/yr), as read by
  :func:`geoairplan.io.read_teds_points` or by :func:`read_sources` here.
* A **facility list with emissions** that has a township but no coordinates
  (``township`` column): such rows count in their township's totals, never on
  the grid or in the kernel surface, and are reported as such.
* A **township table** (long format ``county, township, pollutant, value``;
  e.g. Yunlin's declared emissions by township, 002 Table 2.27,
  :func:`geoairplan.datasets.load_township_emissions`): :func:`township_table`.

Everything is computed in EPSG:3826. Grid cells have their edges at whole
multiples of the cell size from the TM2 origin (at whole kilometres for the
default 1 km grid, as TEDS allocates its area sources), so a source at
x = 171 999.9 m lies in the cell [171 000, 172 000) and one at 172 000.0 m in
[172 000, 173 000). Densities are t/yr per km² of the *whole* cell (sea
included) or of the whole township polygon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import geopandas as gpd
import shapely
from shapely.geometry import box

from geoairplan.errors import InputError, Problems
from geoairplan.io.crs import TM2, WGS84, resolve_crs, to_tm2
from geoairplan.reference.names import normalize_name

__all__ = ["POLLUTANTS", "POLLUTANT_LABELS", "pollutant_key", "emission_column", "read_sources",
           "prepare_sources", "cell_index", "make_grid", "grid_emissions", "township_emissions",
           "township_table", "check_township_total", "bandwidth_rule", "kde_surface", "KDEResult",
           "write_geotiff"]

#: Pollutant keys -> TEDS emission column (t/yr).
POLLUTANTS = {"sox": "sox_emi", "nox": "nox_emi", "co": "co_emi", "pm": "pm_emi",
              "pm25": "pm25_emi", "nmhc": "nmhc_emi"}
POLLUTANT_LABELS = {"sox": "SOx", "nox": "NOx", "co": "CO", "pm": "PM (TSP)", "pm25": "PM2.5",
                    "nmhc": "NMHC/VOC", "voc": "VOC"}
_POLLUTANT_ALIASES = {
    "sox": "sox", "so2": "sox", "硫氧化物": "sox", "sox_emi": "sox",
    "nox": "nox", "no2": "nox", "氮氧化物": "nox", "nox_emi": "nox",
    "co": "co", "一氧化碳": "co", "co_emi": "co",
    "pm": "pm", "tsp": "pm", "粒狀物": "pm", "總懸浮微粒": "pm", "pm_emi": "pm", "粒狀污染物": "pm",
    "pm25": "pm25", "pm2.5": "pm25", "pm2_5": "pm25", "細懸浮微粒": "pm25", "pm25_emi": "pm25",
    "nmhc": "nmhc", "voc": "nmhc", "vocs": "nmhc", "揮發性有機物": "nmhc", "非甲烷碳氫化合物": "nmhc",
    "nmhc_emi": "nmhc",
}

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
for _k, _p in _POLLUTANT_ALIASES.items():
    _HEADER_ALIASES.setdefault(_k, POLLUTANTS[_p])
for _p, _c in POLLUTANTS.items():
    _HEADER_ALIASES[_c] = _c

_TM2_X = (-150_000.0, 380_000.0)
_TM2_Y = (2_370_000.0, 2_950_000.0)


def pollutant_key(name: str, *, where: str = "pollutant") -> str:
    """The key (``sox, nox, co, pm, pm25, nmhc``) of a pollutant name as users write it."""
    key = _POLLUTANT_ALIASES.get(str(name).strip().lower().replace(" ", ""))
    if key is None:
        raise InputError(f"unknown pollutant {name!r}", where=where,
                         fix="use one of " + ", ".join(POLLUTANTS) + " (VOC counts as nmhc)")
    return key


def emission_column(name: str) -> str:
    """The TEDS column (``nox_emi``...) of a pollutant name."""
    return POLLUTANTS[pollutant_key(name)]


def _norm_header(h: str) -> str:
    import unicodedata
    s = unicodedata.normalize("NFKC", str(h)).strip().lower().replace(" ", "")
    s = s.split("(")[0] if s.split("(")[0] else s  # "nox_emi(t/yr)" -> "nox_emi"
    return _HEADER_ALIASES.get(s, s)


# --------------------------------------------------------------------------- reading


def read_sources(path: str | Path, crs="EPSG:3826", *, county: str | None = None,
                 encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read a point-source or facility-with-emissions table into :func:`prepare_sources` form.

    Accepts TEDS point-source columns in any case (``C_NO, UTM_E, NOX_EMI`` ...),
    TM2 metres (``crs``, EPSG:3826 unless named) or lon/lat columns
    (``lon``/``lat`` or 經度/緯度, always EPSG:4326), and an optional ``township``
    (and ``county``) column for rows without coordinates. Chinese headers
    (管制編號, 鄉鎮市, 氮氧化物 ...) are understood. Encoding: UTF-8 (with or
    without BOM), else CP950.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    df = None
    for enc in ([encoding] if encoding else ["utf-8-sig", "cp950"]):
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding=enc)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError as exc:
            raise InputError("the file is empty", file=path,
                             fix="give a CSV with a header row (C_NO, UTM_E, UTM_N, NOX_EMI, ...)") from exc
    if df is None:
        raise InputError("cannot decode the file as UTF-8 or CP950 (Big5)", file=path,
                         fix="save it as UTF-8 CSV")
    return prepare_sources(df, crs=crs, source=str(path), county=county)


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
        rows = list(range(2, len(df) + 2))
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
    if not any(c in df.columns for c in POLLUTANTS.values()):
        raise InputError("no emission column found", file=source, where="header",
                         fix="name emission columns like TEDS (SOX_EMI, NOX_EMI, CO_EMI, PM_EMI, "
                             "PM25_EMI, NMHC_EMI; t/yr) or by pollutant (nox, 氮氧化物, ...)")
    for key, col in POLLUTANTS.items():
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
    from pyproj import Transformer
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    if num.any():
        tr_ll = Transformer.from_crs(ccrs, WGS84, always_xy=True)
        lon, lat = tr_ll.transform(xv[num], yv[num])
        inside = (lon >= 118.0) & (lon <= 122.5) & (lat >= 21.5) & (lat <= 26.5)
        idx = np.flatnonzero(num)
        if (~inside).sum() > max(1, 0.5 * len(idx)):
            # most rows are off: a CRS or column problem, not a few typos; let the CRS check explain
            from geoairplan.io.crs import points_from_xy
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
    from geoairplan.datasets import check_county, load_counties

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
    from geoairplan.datasets import township_names
    return township_names(county)


# --------------------------------------------------------------------------- grid


def cell_index(x, y, cell: float = 1000.0):
    """Column and row of the grid cell holding each point; edges at whole multiples of ``cell``."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return np.floor(x / cell).astype(np.int64), np.floor(y / cell).astype(np.int64)


def _cell_id(col, row, cell):
    if cell % 1000 == 0:
        return f"E{col * cell / 1000:.0f}N{row * cell / 1000:.0f}"
    return f"E{col * cell:.0f}N{row * cell:.0f}"


def make_grid(cols, rows, cell: float = 1000.0) -> gpd.GeoDataFrame:
    """Square cells (EPSG:3826) from column/row indices: ``cell_id, col, row, x0, y0, geometry``."""
    cols = np.asarray(cols, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.int64)
    x0 = cols * cell
    y0 = rows * cell
    geom = shapely.box(x0, y0, x0 + cell, y0 + cell)
    return gpd.GeoDataFrame({"cell_id": [_cell_id(c, r, cell) for c, r in zip(cols, rows)],
                             "col": cols, "row": rows, "x0": x0.astype(float), "y0": y0.astype(float)},
                            geometry=geom, crs=TM2)


def grid_emissions(sources: gpd.GeoDataFrame, cell: float = 1000.0, *, area=None,
                   pollutants=None) -> gpd.GeoDataFrame:
    """Totals and densities of point sources on a TM2 grid with edges at multiples of ``cell``.

    ``area`` (polygons, any CRS) adds every cell intersecting it, with zero
    emissions where no source lies, so that hotspot statistics see the empty
    cells; cells holding a source are always included, so the sum over cells
    equals the sum over point sources (township-only rows are not on the grid).
    Columns: ``cell_id, col, row, x0, y0, n_sources``, then per pollutant
    ``<key>_t`` (t/yr) and ``<key>_density`` (t/yr/km² of the whole cell), and
    ``area_km2`` (cell) and ``land_km2`` (part inside ``area``; NaN without it).
    """
    if cell <= 0:
        raise InputError(f"grid cell size {cell} m must be positive", where="grid",
                         fix="give a size in metres, e.g. 1000")
    keys = list(POLLUTANTS) if pollutants is None else [pollutant_key(p) for p in pollutants]
    pts = sources[sources["basis"] == "point"] if "basis" in sources.columns else sources
    x = pts["x"].to_numpy(dtype=float) if "x" in pts.columns else pts.geometry.x.to_numpy()
    y = pts["y"].to_numpy(dtype=float) if "y" in pts.columns else pts.geometry.y.to_numpy()
    c, r = cell_index(x, y, cell)
    keyset = {(int(a), int(b)) for a, b in zip(c, r)}
    area_geom = None
    if area is not None:
        ag = to_tm2(area if isinstance(area, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=area),
                    source="area")
        area_geom = ag.geometry.union_all()
        minx, miny, maxx, maxy = area_geom.bounds
        cc, rr = np.meshgrid(np.arange(math.floor(minx / cell), math.floor(maxx / cell) + 1),
                             np.arange(math.floor(miny / cell), math.floor(maxy / cell) + 1))
        cand = make_grid(cc.ravel(), rr.ravel(), cell)
        hit = cand.geometry.intersects(area_geom).to_numpy()
        keyset |= {(int(a), int(b)) for a, b in zip(cand["col"][hit], cand["row"][hit])}
    keys_sorted = sorted(keyset, key=lambda t: (-t[1], t[0]))  # north to south, west to east
    grid = make_grid([k[0] for k in keys_sorted], [k[1] for k in keys_sorted], cell)
    pos = {k: i for i, k in enumerate(keys_sorted)}
    idx = np.array([pos[(int(a), int(b))] for a, b in zip(c, r)], dtype=np.int64)
    ncell = len(grid)
    grid["n_sources"] = np.bincount(idx, minlength=ncell).astype(int) if len(idx) else np.zeros(ncell, int)
    cell_km2 = cell * cell / 1e6
    for k in keys:
        w = pts[POLLUTANTS[k]].to_numpy(dtype=float)
        w = np.where(np.isfinite(w), w, 0.0)
        tot = np.bincount(idx, weights=w, minlength=ncell) if len(idx) else np.zeros(ncell)
        grid[f"{k}_t"] = tot
        grid[f"{k}_density"] = tot / cell_km2
    grid["area_km2"] = cell_km2
    grid["land_km2"] = (grid.geometry.intersection(area_geom).area / 1e6).to_numpy() \
        if area_geom is not None else np.nan
    grid.attrs["cell_m"] = float(cell)
    return grid


# --------------------------------------------------------------------------- townships


def township_emissions(sources: gpd.GeoDataFrame, townships: gpd.GeoDataFrame | None = None, *,
                       county: str | None = None, snap_m: float = 1000.0,
                       pollutants=None) -> gpd.GeoDataFrame:
    """Totals and densities by township: points by location, township-only rows by name.

    ``townships`` defaults to the embedded MOI townships of ``county`` (all
    Taiwan without one). A point outside every township polygon but within
    ``snap_m`` of one (coastline, reclaimed land) is given to the nearest
    (warning); farther ones are reported and left out of the township table
    (they stay on the grid). A point whose stated township differs from the
    one it lies in is counted where it lies (warning).

    Returns one row per township (EPSG:3826) with ``county, township, n_sources,
    n_points, n_township_only``, per pollutant ``<key>_t`` and ``<key>_density``
    (t/yr/km² of the township polygon), ``area_km2``; ``attrs["problems"]`` and
    ``attrs["assigned"]`` (the source rows with the township they were counted in).
    """
    from geoairplan import datasets

    probs = Problems()
    src_name = sources.attrs.get("source", "sources")
    if townships is None:
        townships = datasets.load_townships(county)
    tw = to_tm2(townships, source="townships").reset_index(drop=True)
    tw = tw.rename(columns={"COUNTYNAME": "county", "TOWNNAME": "township"})
    keys = list(POLLUTANTS) if pollutants is None else [pollutant_key(p) for p in pollutants]
    # townships are identified by their row in ``tw`` (county + township), never by name alone:
    # 大安區, 東區, ... exist in several counties
    where = pd.Series([None] * len(sources), index=sources.index, dtype=object)
    pts = sources["basis"] == "point"
    if pts.any():
        p = sources[pts]
        j = gpd.sjoin(gpd.GeoDataFrame(p[["row"]], geometry=p.geometry, crs=TM2),
                      tw[["township", "geometry"]], how="left", predicate="within")
        j = j[~j.index.duplicated(keep="first")]
        got = j["index_right"].astype(object).where(j["index_right"].notna(), None)
        for i in got.index[got.isna()]:
            g = sources.geometry[i]
            d = tw.geometry.distance(g)
            k = int(d.idxmin())
            row = sources.at[i, "row"]
            if d[k] <= snap_m:
                got[i] = k
                probs.add(src_name, f"row {row}", f"point lies {d[k]:.0f} m outside every township "
                          f"polygon: counted in the nearest, {tw.at[k, 'township']}", severity="warning")
            else:
                probs.add(src_name, f"row {row}", f"point lies {d[k]:.0f} m from the nearest township "
                          f"({tw.at[k, 'township']}): left out of the township totals (kept on the grid)")
        where[got.index] = [None if v is None else int(v) for v in got]
        stated = sources.loc[pts, "township"]
        for i in stated.index:
            s, k = stated[i], where[i]
            a = None if k is None else tw.at[k, "township"]
            if isinstance(s, str) and isinstance(a, str) and normalize_name(s) != a:
                probs.add(src_name, f"row {sources.at[i, 'row']}", f"stated township {s} but the point "
                          f"lies in {a}: counted in {a}", severity="warning")
    only = sources["basis"] == "township"
    by_name: dict = {}
    for k, (c, t) in enumerate(zip(tw["county"], tw["township"])):
        by_name.setdefault(t, []).append((c, k))
    known = set(by_name)
    src_county = sources["county"] if "county" in sources.columns else pd.Series(None, index=sources.index)
    for i in sources.index[only]:
        t = sources.at[i, "township"]
        c = src_county[i] if isinstance(src_county[i], str) else None
        cands = by_name.get(t, [])
        if c is not None:
            cands = [ck for ck in cands if ck[0] == c]
        row = sources.at[i, "row"]
        if len(cands) == 1:
            where[i] = cands[0][1]
        elif len(cands) > 1:
            probs.add(src_name, f"row {row}", f"township {t!r} exists in several counties "
                      f"({', '.join(sorted(ck[0] for ck in cands))}): not counted (give the row's county)")
        elif c is not None and t in known:
            probs.add(src_name, f"row {row}", f"township {t!r} of {c} is not one of the townships "
                      f"mapped (only in {', '.join(sorted(ck[0] for ck in by_name[t]))}): not counted")
        else:
            from geoairplan.reference.names import suggest
            hint = suggest(t, known)
            probs.add(src_name, f"row {row}", f"township {t!r} is not one of the "
                      f"townships mapped: not counted" + (f" (did you mean {' or '.join(hint)}?)" if hint else ""))
    df = pd.DataFrame(sources.drop(columns="geometry"))
    df["counted_in"] = [None if k is None else tw.at[k, "township"] for k in where]
    df["counted_county"] = [None if k is None else tw.at[k, "county"] for k in where]
    df["_tw"] = where.to_numpy()
    used = df[df["_tw"].notna()]
    out = tw[["county", "township", "geometry"]].copy()
    g = used.groupby("_tw")
    out["n_sources"] = pd.Series(out.index, index=out.index).map(g.size()).fillna(0).astype(int)
    out["n_points"] = pd.Series(out.index, index=out.index).map(
        used[used["basis"] == "point"].groupby("_tw").size()).fillna(0).astype(int)
    out["n_township_only"] = out["n_sources"] - out["n_points"]
    out["area_km2"] = out.geometry.area / 1e6
    for k in keys:
        col = POLLUTANTS[k]
        tot = pd.Series(out.index, index=out.index).map(g[col].sum(min_count=1)).fillna(0.0).astype(float)
        out[f"{k}_t"] = tot
        out[f"{k}_density"] = tot / out["area_km2"]
    df = df.drop(columns="_tw")
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=TM2)
    out.attrs["problems"] = probs
    out.attrs["assigned"] = df
    return out


def township_table(table: pd.DataFrame | None = None, *, county: str | None = None,
                   townships: gpd.GeoDataFrame | None = None, source: str = "township table"):
    """A long township table (``county, township, pollutant, value``) as a wide choropleth layer.

    ``table`` defaults to Yunlin's declared emissions by township (002 Table
    2.27, :func:`geoairplan.datasets.load_township_emissions`). Pollutant names
    become keys (粒狀物/PM -> ``pm``, 硫氧化物 -> ``sox``, 氮氧化物 -> ``nox``,
    揮發性有機物/VOC -> ``nmhc``). Returns the townships of the county (EPSG:3826)
    with ``<key>_t`` and ``<key>_density`` (t/yr/km²) and ``in_table`` (False for
    townships the table does not list: their values are NaN, not zero).
    Unknown townships, negative or non-numeric values are reported in
    ``attrs["problems"]``; duplicated (township, pollutant) rows raise.
    """
    from geoairplan import datasets
    from geoairplan.reference.names import suggest

    probs = Problems()
    if table is None:
        table = datasets.load_township_emissions("雲林縣")
        source = "embedded 002 Table 2.27 (data/emissions/yunlin_township_declared_002.csv)"
    df = pd.DataFrame(table).copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    for need in ("township", "pollutant", "value"):
        if need not in df.columns:
            raise InputError(f"the township table has no {need!r} column", file=source, where="header",
                             fix="use long format: county, township, pollutant, value (t/yr)")
    df["row"] = range(2, len(df) + 2)
    if county is None:
        cs = sorted({normalize_name(c) for c in df.get("county", pd.Series(dtype=str)).dropna()})
        if len(cs) != 1:
            raise InputError("the township table spans several counties or names none" if cs else
                             "the township table names no county", file=source,
                             fix="give --county")
        county = cs[0]
    county = datasets.check_county(county)
    if "county" in df.columns:
        other = ~df["county"].map(lambda c: normalize_name(c) == county if isinstance(c, str) else True)
        if other.any():
            rows = df.loc[other, "row"].tolist()
            shown = ", ".join(map(str, rows[:20])) + (", ..." if len(rows) > 20 else "")
            probs.add(source, f"{len(rows)} row(s)", f"rows of other counties than {county} "
                      f"(rows {shown}): not mapped", severity="warning")
        df = df[~other]
    tw = townships if townships is not None else datasets.load_townships(county)
    tw = to_tm2(tw, source="townships").rename(columns={"COUNTYNAME": "county", "TOWNNAME": "township"})
    known = list(tw["township"])
    df["township_n"] = df["township"].map(normalize_name)
    keys = []
    vals = pd.to_numeric(df["value"], errors="coerce")
    good = np.ones(len(df), bool)
    for i, (t, p, v, raw, row) in enumerate(zip(df["township_n"], df["pollutant"], vals, df["value"],
                                                df["row"])):
        if t not in known:
            hint = suggest(str(t), known)
            probs.add(source, f"row {row}", f"township {t!r} is not in {county}: not mapped"
                      + (f" (did you mean {' or '.join(hint)}?)" if hint else ""))
            good[i] = False
            continue
        if not np.isfinite(v):
            probs.add(source, f"row {row}", f"value {raw!r} is not a number: not mapped")
            good[i] = False
        elif v < 0:
            probs.add(source, f"row {row}", f"value {v} is negative: not mapped")
            good[i] = False
    df["key"] = [_POLLUTANT_ALIASES.get(str(p).strip().lower().replace(" ", ""), str(p).strip().lower())
                 for p in df["pollutant"]]
    df["v"] = vals
    d = df[good]
    dup = d.duplicated(["township_n", "key"], keep=False)
    if dup.any():
        r = d[dup].iloc[0]
        raise InputError(f"{r['township_n']} has several {r['pollutant']} rows", file=source,
                         where=f"row {r['row']}", fix="keep one value per township and pollutant")
    wide = d.pivot(index="township_n", columns="key", values="v")
    for k in wide.columns:
        if k not in keys:
            keys.append(k)
    order = [k for k in ("pm", "pm25", "sox", "nox", "co", "nmhc") if k in keys] + \
        sorted(k for k in keys if k not in POLLUTANTS)
    out = tw[["county", "township", "geometry"]].copy().reset_index(drop=True)
    out["in_table"] = out["township"].isin(wide.index)
    out["area_km2"] = out.geometry.area / 1e6
    for k in order:
        out[f"{k}_t"] = out["township"].map(wide[k]).astype(float)
        out[f"{k}_density"] = out[f"{k}_t"] / out["area_km2"]
    missing = out.loc[~out["in_table"], "township"].tolist()
    if missing:
        probs.add(source, "townships", f"not in the table (no value, shown as no data): {', '.join(missing)}",
                  severity="warning")
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=TM2)
    out.attrs["problems"] = probs
    out.attrs["pollutants"] = order
    out.attrs["county"] = county
    out.attrs["source"] = source
    return out


def check_township_total(layer: gpd.GeoDataFrame, printed: pd.DataFrame | None = None, *,
                         source: str = "printed total") -> pd.DataFrame:
    """Sum of the township rows against the table's printed county total, per pollutant.

    ``printed`` has ``pollutant`` and ``value`` columns (default: the printed
    total of 002 Table 2.27, ``data/emissions/yunlin_township_declared_002_total.csv``).
    Returns ``pollutant, sum_of_townships, printed_total, difference``
    (sum − printed, t/yr) and ``difference_pct`` (of the printed total).
    A difference is a finding to report (rounding of printed figures, a
    truncated cell), not an error.
    """
    from geoairplan import datasets

    if printed is None:
        printed = datasets.load_township_emissions_total()
        source = "data/emissions/yunlin_township_declared_002_total.csv"
    p = pd.DataFrame(printed).copy()
    p.columns = [str(c).strip().lower() for c in p.columns]
    if "township" in p.columns:  # a total row inside a long table
        p = p[p["township"].astype(str).str.contains("總計|合計|total", case=False, regex=True)]
    p["key"] = [_POLLUTANT_ALIASES.get(str(v).strip().lower().replace(" ", ""), str(v).strip().lower())
                for v in p["pollutant"]]
    p["value"] = pd.to_numeric(p["value"], errors="coerce")
    rows = []
    for k in layer.attrs.get("pollutants", [c[:-2] for c in layer.columns if c.endswith("_t")]):
        tot = float(np.nansum(layer[f"{k}_t"].to_numpy(dtype=float)))
        pr = p.loc[p["key"] == k, "value"]
        pv = float(pr.iloc[0]) if len(pr) else np.nan
        rows.append({"pollutant": k, "label": POLLUTANT_LABELS.get(k, k), "sum_of_townships": round(tot, 6),
                     "printed_total": pv, "difference": round(tot - pv, 6) if np.isfinite(pv) else np.nan,
                     "difference_pct": round(100 * (tot - pv) / pv, 3) if np.isfinite(pv) and pv else np.nan})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- kernel density


def bandwidth_rule(x, y, weights=None, rule: str = "scott") -> float:
    """Bandwidth (m) of an isotropic Gaussian kernel by Scott's rule on TM2 coordinates.

    h = σ · n_eff^(−1/6), with σ = √((σx² + σy²)/2) the weighted standard
    deviation of the coordinates and n_eff = (Σw)²/Σw² the effective number of
    sources (Kish). In two dimensions Silverman's factor (n(d+2)/4)^(−1/(d+4))
    equals Scott's n^(−1/6), so ``"silverman"`` gives the same value.
    """
    rule = rule.lower()
    if rule not in ("scott", "silverman"):
        raise InputError(f"unknown bandwidth rule {rule!r}", where="bandwidth",
                         fix="give metres (e.g. 2000), or 'scott' / 'silverman'")
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, float)
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(w) & (w > 0)
    x, y, w = x[ok], y[ok], w[ok]
    if len(x) < 2 or w.sum() <= 0:
        raise InputError("fewer than two emitting sources: no bandwidth rule applies", where="bandwidth",
                         fix="give the bandwidth in metres")
    n_eff = w.sum() ** 2 / (w ** 2).sum()
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    vx = np.average((x - mx) ** 2, weights=w)
    vy = np.average((y - my) ** 2, weights=w)
    sigma = math.sqrt((vx + vy) / 2)
    if sigma <= 0:
        raise InputError("all emitting sources are at one place: no bandwidth rule applies",
                         where="bandwidth", fix="give the bandwidth in metres")
    return float(sigma * n_eff ** (-1.0 / 6.0))


@dataclass
class KDEResult:
    """A kernel density surface: ``density`` (t/yr/km², rows north to south) on a TM2 raster."""

    density: np.ndarray
    transform: object  # rasterio Affine
    bandwidth_m: float
    bandwidth_rule: str
    resolution_m: float
    pollutant: str
    total_t: float
    n_sources: int
    notes: list[str] = field(default_factory=list)

    @property
    def bounds(self):
        t = self.transform
        h, w = self.density.shape
        return (t.c, t.f + h * t.e, t.c + w * t.a, t.f)


def check_kde_parameters(bandwidth=None, resolution: float = 250.0) -> None:
    """Raise :class:`InputError` for a non-positive ``resolution`` or numeric ``bandwidth``."""
    try:
        res = float(resolution)
    except (TypeError, ValueError):
        res = float("nan")
    if not (np.isfinite(res) and res > 0):
        raise InputError(f"resolution {resolution} must be a positive number of metres",
                         where="resolution", fix="e.g. --resolution 250")
    if bandwidth is not None and not isinstance(bandwidth, str):
        try:
            h = float(bandwidth)
        except (TypeError, ValueError):
            h = float("nan")
        if not (np.isfinite(h) and h > 0):
            raise InputError(f"bandwidth {bandwidth} must be a positive number of metres",
                             where="bandwidth", fix="e.g. --bandwidth 2000")
    elif isinstance(bandwidth, str) and bandwidth.lower() not in ("scott", "silverman"):
        raise InputError(f"unknown bandwidth rule {bandwidth!r}", where="bandwidth",
                         fix="give metres, 'scott' or 'silverman'")


def kde_surface(sources: gpd.GeoDataFrame, pollutant: str = "nox", *, bandwidth=None,
                resolution: float = 250.0, bounds=None, cutoff: float = 4.0,
                min_bandwidth: float | None = None) -> KDEResult:
    """Emission-weighted Gaussian kernel density of point sources, in t/yr/km².

    f(p) = Σ_i E_i · exp(−|p − s_i|² / 2h²) / (2π h²), so the surface integrates
    to the total emission Σ E_i (t/yr) over the plane. ``bandwidth`` is metres,
    or ``"scott"``/``"silverman"``/None (Scott's rule, :func:`bandwidth_rule`, with
    a floor of ``min_bandwidth``, default one pixel). Each kernel is evaluated
    within ``cutoff`` bandwidths of its source (the mass beyond 4 h is
    e^−8 < 0.04 %). The raster is in EPSG:3826 with pixel edges at multiples of
    ``resolution``, covering ``bounds`` (xmin, ymin, xmax, ymax; default: the
    sources' extent padded by ``cutoff`` bandwidths). Values are sampled at
    pixel centres.
    """
    from affine import Affine

    key = pollutant_key(pollutant)
    col = POLLUTANTS[key]
    check_kde_parameters(bandwidth, resolution)
    pts = sources[sources["basis"] == "point"] if "basis" in sources.columns else sources
    w = pts[col].to_numpy(dtype=float)
    x = pts.geometry.x.to_numpy()
    y = pts.geometry.y.to_numpy()
    ok = np.isfinite(w) & (w > 0)
    x, y, w = x[ok], y[ok], w[ok]
    notes = []
    if len(w) == 0:
        raise InputError(f"no point source emits {POLLUTANT_LABELS[key]}: no kernel surface",
                         where="pollutant", fix="choose another pollutant")
    floor = resolution if min_bandwidth is None else float(min_bandwidth)
    if bandwidth is None or isinstance(bandwidth, str):
        rule = "scott" if bandwidth is None else str(bandwidth).lower()
        h = bandwidth_rule(x, y, w, rule)
        label = f"{rule} rule on TM2 coordinates, emission-weighted (h = sigma * n_eff^(-1/6))"
        if h < floor:
            notes.append(f"rule gave {h:.0f} m, raised to the floor {floor:.0f} m")
            h = floor
    else:
        h = float(bandwidth)
        label = "given"
        if not h > 0:
            raise InputError(f"bandwidth {bandwidth} must be a positive number of metres",
                             where="bandwidth", fix="e.g. --bandwidth 2000")
    # merge sources at one place (stacks of a facility) before the loop
    xy = pd.DataFrame({"x": x, "y": y, "w": w}).groupby(["x", "y"], sort=True)["w"].sum().reset_index()
    x, y, w = xy["x"].to_numpy(), xy["y"].to_numpy(), xy["w"].to_numpy()
    if bounds is None:
        pad = cutoff * h
        bounds = (x.min() - pad, y.min() - pad, x.max() + pad, y.max() + pad)
    res = float(resolution)
    x0 = math.floor(bounds[0] / res) * res
    y0 = math.floor(bounds[1] / res) * res
    x1 = math.ceil(bounds[2] / res) * res
    y1 = math.ceil(bounds[3] / res) * res
    ncol = int(round((x1 - x0) / res))
    nrow = int(round((y1 - y0) / res))
    if ncol * nrow > 25_000_000:
        raise InputError(f"the surface would have {ncol} x {nrow} pixels", where="resolution",
                         fix="use a coarser resolution or a smaller area")
    dens = np.zeros((nrow, ncol))
    cx = x0 + (np.arange(ncol) + 0.5) * res  # pixel centres
    cy = y1 - (np.arange(nrow) + 0.5) * res  # north to south
    norm = 1e6 / (2 * math.pi * h * h)  # per m² -> per km²
    reach = cutoff * h
    for xi, yi, wi in zip(x, y, w):
        c0 = max(0, int(math.floor((xi - reach - x0) / res)))
        c1 = min(ncol, int(math.ceil((xi + reach - x0) / res)) + 1)
        r0 = max(0, int(math.floor((y1 - (yi + reach)) / res)))
        r1 = min(nrow, int(math.ceil((y1 - (yi - reach)) / res)) + 1)
        if c0 >= c1 or r0 >= r1:
            continue
        gx = np.exp(-0.5 * ((cx[c0:c1] - xi) / h) ** 2)
        gy = np.exp(-0.5 * ((cy[r0:r1] - yi) / h) ** 2)
        dens[r0:r1, c0:c1] += (wi * norm) * np.outer(gy, gx)
    return KDEResult(dens, Affine(res, 0.0, x0, 0.0, -res, y1), float(h), label, res, key,
                     float(w.sum()), int(len(w)), notes)


def write_geotiff(kde: KDEResult, path: str | Path, *, scenario: bool = False) -> Path:
    """Write a :class:`KDEResult` as a single-band float32 GeoTIFF in EPSG:3826 (deflate)."""
    import rasterio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    h, w = kde.density.shape
    with rasterio.open(path, "w", driver="GTiff", height=h, width=w, count=1, dtype="float32",
                       crs=TM2, transform=kde.transform, compress="deflate") as dst:
        dst.write(kde.density.astype("float32"), 1)
        dst.update_tags(units="t/yr/km2", pollutant=kde.pollutant, bandwidth_m=f"{kde.bandwidth_m:.1f}",
                        bandwidth_rule=kde.bandwidth_rule, kernel="gaussian",
                        total_t_per_yr=f"{kde.total_t:.6g}", n_sources=str(kde.n_sources),
                        scenario="yes: made-up sources" if scenario else "no")
        dst.set_band_description(1, f"{POLLUTANT_LABELS.get(kde.pollutant, kde.pollutant)} emission density")
    return path
