"""Reading TEDS point sources (臺灣排放量清冊, stack by stack) as they are distributed.

TEDS point-source tables list one row per stack (排放管道) with the
facility's control number, the stack's position and parameters and its
yearly emissions:

========== ======================================================
column     meaning
========== ======================================================
C_NO       facility control number (管制編號), e.g. ``T5900246``
NO_S       stack id;  NO_P process id;  SCC source classification
UTM_E/N    position in **TM2 metres** (labelled "UTM" but not UTM)
HEI, DIA   stack height and diameter (m)
TEMP, VEL  exit temperature (°C) and velocity (m/s)
\\*_EMI     SOX, NOX, CO, PM, PM25, NMHC emissions (t/yr)
========== ======================================================

On the main island the coordinates are TWD97 / TM2 zone 121 (EPSG:3826).
Point sources on the islands (control numbers W Kinmen, X Penghu, Z Matsu)
are commonly given in the zone-119 grid (EPSG:3825); read as zone 121 they
land on the main island or at sea. :func:`read_teds_points` does not guess:
it reads the CRS it is given and reports every stack that lies outside the
county its control number names, with the hint to re-read the table with
``crs="EPSG:3825"`` when an island stack lands far away.

This is the stack-level reader (control-number county checks, zone-119
hints); :func:`geoairplan.io.sources.read_sources` reads any source table
(TEDS, facility lists with lon/lat, township-only rows) for the hotspot
analysis, and :func:`geoairplan.io.sources.prepare_sources` accepts what this
reader returns.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import geopandas as gpd
import shapely

from geoairplan.reference.geography import check_county, load_counties
from geoairplan.reference.pollutants import EMISSION_COLUMNS as EMISSION_KEYS_TO_COLUMNS
from geoairplan.errors import InputError, Problems
from geoairplan.io.crs import _LAT, _LON, TM2, TM2_119, WGS84, check_points_in_county, points_from_xy, resolve_crs
from geoairplan.io.tables import check_file as _check_file, read_text_table

__all__ = ["read_teds_points", "aggregate_stacks", "county_of_control_no", "CONTROL_LETTER_COUNTY",
           "TEDS_COLUMNS", "EMISSION_COLUMNS", "ISLAND_COUNTIES"]

#: First letter of a facility control number (管制編號) -> county.
#:
#: Control numbers begin with the county's one-letter code, the same letters
#: MOI uses as ``COUNTYID`` in its township and county boundaries (the
#: embedded ``data/townships.gpkg``, MOI open data set 7441; see
#: ``geoairplan.datasets.load_counties()["COUNTYID"]``). The seeds confirm the
#: letters they use: T = 屏東縣 (seed 003, Pingtung facility tables), P =
#: 雲林縣 (seed 002, Yunlin facility tables); the conventions reference
#: (``taiwan_data_conventions.md``) names W Kinmen, X Penghu, Z Matsu.
#: Facilities registered before the municipal mergers keep their old
#: county's letter, which MOI used until 2010: L = 臺中縣, R = 臺南縣,
#: S = 高雄縣 (merged into 臺中市, 臺南市, 高雄市). 臺北縣 (F) and 桃園縣 (H)
#: kept their letters when they became 新北市 and 桃園市.
CONTROL_LETTER_COUNTY: dict[str, str] = {
    # MOI COUNTYID (data/townships.gpkg, layer counties)
    "A": "臺北市", "B": "臺中市", "C": "基隆市", "D": "臺南市", "E": "高雄市", "F": "新北市",
    "G": "宜蘭縣", "H": "桃園市", "I": "嘉義市", "J": "新竹縣", "K": "苗栗縣", "M": "南投縣",
    "N": "彰化縣", "O": "新竹市", "P": "雲林縣", "Q": "嘉義縣", "T": "屏東縣", "U": "花蓮縣",
    "V": "臺東縣", "W": "金門縣", "X": "澎湖縣", "Z": "連江縣",
    # MOI county letters before the 2010 mergers
    "L": "臺中市", "R": "臺南市", "S": "高雄市",
}

#: Counties whose sources may be in the zone-119 grid (EPSG:3825).
ISLAND_COUNTIES = ("澎湖縣", "金門縣", "連江縣")

#: TEDS emission columns (t/yr), from the one pollutant vocabulary (:mod:`geoairplan.reference.pollutants`).
EMISSION_COLUMNS = [c.upper() for c in EMISSION_KEYS_TO_COLUMNS.values()]
TEDS_COLUMNS = ["C_NO", "NO_S", "NO_P", "SCC", "UTM_E", "UTM_N", "HEI", "DIA", "TEMP", "VEL"] + EMISSION_COLUMNS
_REQUIRED = ["C_NO", "UTM_E", "UTM_N"]
_TEXT = ["C_NO", "NO_S", "NO_P", "SCC"]
_STACK = ["HEI", "DIA", "TEMP", "VEL"]
#: A stack this far outside its county (m) on an island is taken as a grid (CRS) mistake.
FAR_M = 20_000.0


def county_of_control_no(c_no) -> str | None:
    """The county a control number's first letter names (None when unknown).

    >>> county_of_control_no("T5900246"), county_of_control_no("x1234567")
    ('屏東縣', '澎湖縣')
    """
    if c_no is None or (isinstance(c_no, float) and np.isnan(c_no)):
        return None
    s = str(c_no).strip().upper()
    return CONTROL_LETTER_COUNTY.get(s[:1]) if s else None


def read_teds_points(path, *, crs="EPSG:3826", county: str | None = None) -> gpd.GeoDataFrame:
    """Read a TEDS point-source table (one row per stack) into EPSG:3826.

    Parameters
    ----------
    path:
        CSV, UTF-8 or Big5/CP950 (detected), with the columns of
        :data:`TEDS_COLUMNS` in any case. ``C_NO, UTM_E, UTM_N`` and at least
        one emission column are required.
    crs:
        The CRS of ``UTM_E/UTM_N``: TM2 zone 121 (``"EPSG:3826"``, the
        default, what "UTM" means in TEDS tables) or zone 119
        (``"EPSG:3825"``) for island tables.
    county:
        Keep only the stacks of this county (by control-number letter); the
        others are counted in one warning.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:3826, one row per usable stack, file order, with ``row``
        (file row, header = 1), the TEDS columns in lower case (``c_no,
        no_s, no_p, scc`` text; the others float; emissions t/yr), any other
        columns of the file (lower case), ``county`` (from the control-number
        letter, ``<NA>`` when the letter is unknown) and point geometry.
        Coordinates are kept exactly: with the default CRS the geometry is
        ``(utm_e, utm_n)``.

        ``attrs["problems"]`` reports (with file row and reason):

        * rows not used: missing or non-numeric coordinates, coordinates not
          in Taiwan, negative or non-numeric emissions (``error``);
        * unknown control-number letters, non-numeric stack parameters, and
          stacks outside their county with the distance (``warning``; the
          stack is kept). An island stack (X, W, Z) far outside its county
          is said to be probably in EPSG:3825, to be re-read with
          ``crs="EPSG:3825"``.

        ``attrs["n_unused"]`` is the number of rows not used, so that
        ``len(result) + attrs["n_unused"] (+ rows of other counties when
        county is given, attrs["n_other_county"])`` is the number of data rows.

    Raises
    ------
    InputError
        Missing or empty file, undecodable text, missing columns (the
        message lists the expected ones), or coordinates that are almost all
        outside Taiwan in ``crs`` (a wrong CRS, not bad rows).
    """
    path = Path(path)
    _check_file(path, "TEDS point-source table")
    raw, _enc = read_text_table(path, source="TEDS point-source table", blanks="empty"), None
    src = str(path)
    upper = {c.strip().upper(): c for c in reversed(raw.columns)}
    missing = [c for c in _REQUIRED if c not in upper]
    emis = [c for c in EMISSION_COLUMNS if c in upper]
    if missing or not emis:
        what = ", ".join(missing + ([] if emis else ["an emission column (" + ", ".join(EMISSION_COLUMNS) + ")"]))
        raise InputError(f"missing column(s) {what}; the file has {', '.join(raw.columns)}", file=path,
                         where="header",
                         fix="give a TEDS point-source table with the columns " + ", ".join(TEDS_COLUMNS)
                             + " (case does not matter; C_NO, UTM_E, UTM_N and one *_EMI column are required)")
    if len(raw) == 0:
        raise InputError("the table has a header but no rows", file=path, fix="check the export")
    crs_in = resolve_crs(crs)
    probs = Problems()
    probs.extend(raw.attrs.get("problems") or [])
    n = len(raw)
    rows = np.arange(n) + 2
    df = pd.DataFrame({"row": rows})
    for c in TEDS_COLUMNS:
        col = raw[upper[c]] if c in upper else pd.Series([""] * n, dtype=object)
        text = col.astype(object).where(col.notna(), "").map(lambda v: str(v).strip()).to_numpy(dtype=object)
        df[c.lower()] = text
    extras = [c for c in raw.columns if c.strip().upper() not in TEDS_COLUMNS]
    for c in extras:
        df[c.strip().lower()] = raw[c].to_numpy()
    label = [f"row {r} ({c or 'no C_NO'})" for r, c in zip(rows, df["c_no"])]

    unused = np.zeros(n, dtype=bool)
    # coordinates
    x = pd.to_numeric(pd.Series(df["utm_e"]), errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(pd.Series(df["utm_n"]), errors="coerce").to_numpy(dtype=float)
    noxy = ~(np.isfinite(x) & np.isfinite(y))
    for i in np.flatnonzero(noxy):
        what = "missing" if not df["utm_e"][i] or not df["utm_n"][i] else "not numbers"
        probs.add(src, label[i], f"coordinates {what} (UTM_E={df['utm_e'][i]!r}, UTM_N={df['utm_n'][i]!r}): "
                  "not used (fix: give the stack's TM2 metres)")
    unused |= noxy
    # emissions: negative or non-numeric -> row not used; blank -> NaN
    for c in EMISSION_COLUMNS:
        t = pd.Series(df[c.lower()], dtype=object)
        v = pd.to_numeric(t, errors="coerce").to_numpy(dtype=float)
        blank = (t == "").to_numpy()
        bad_text = ~blank & ~np.isfinite(v)
        neg = np.isfinite(v) & (v < 0)
        for i in np.flatnonzero(bad_text):
            probs.add(src, label[i], f"{c} {t[i]!r} is not a number: not used (fix: emissions in t/yr, 0 for none)")
        for i in np.flatnonzero(neg):
            probs.add(src, label[i], f"{c} {v[i]:g} is negative: not used (fix: emissions are t/yr >= 0)")
        unused |= bad_text | neg
        df[c.lower()] = v
    for c in _STACK:
        t = pd.Series(df[c.lower()], dtype=object)
        v = pd.to_numeric(t, errors="coerce").to_numpy(dtype=float)
        for i in np.flatnonzero((t != "").to_numpy() & ~np.isfinite(v)):
            probs.add(src, label[i], f"{c} {t[i]!r} is not a number: left empty", severity="warning")
        df[c.lower()] = v
    df["utm_e"], df["utm_n"] = x, y
    # coordinates in Taiwan: a few bad rows are reported, a file of them is a wrong CRS
    cand = np.flatnonzero(~unused)
    if len(cand):
        inside = _in_taiwan(x[cand], y[cand], crs_in)
        if (~inside).mean() > 0.5:  # most rows: the CRS is wrong -> raise with the first row
            points_from_xy(x[cand], y[cand], crs_in, source=src, rows=[label[i] for i in cand])
        for i in cand[~inside]:
            probs.add(src, label[i], f"point ({x[i]:g}, {y[i]:g}) is not in Taiwan in {crs_in.name}: not used "
                      "(fix: check the coordinates)")
            unused[i] = True
    # county from the control number
    df["c_no"] = [s.upper() for s in df["c_no"]]
    letters = np.array([s[:1] for s in df["c_no"]], dtype=object)
    county_col = [CONTROL_LETTER_COUNTY.get(l) for l in letters]
    for l in sorted({l for l, c in zip(letters, county_col) if c is None}):
        idx = np.flatnonzero(letters == l)
        shown = ", ".join(str(rows[i]) for i in idx[:10]) + (" ..." if len(idx) > 10 else "")
        what = f"control numbers starting with {l!r}" if l else "rows without a control number"
        probs.add(src, f"row{'s' if len(idx) > 1 else ''} {shown}", f"{what} ({len(idx)} row(s)): county unknown (<NA>); known letters: "
                  + ", ".join(sorted(CONTROL_LETTER_COUNTY)), severity="warning")
    df["county"] = pd.array(county_col, dtype="string")
    for c in _TEXT:
        df[c.lower()] = pd.array([s or None for s in df[c.lower()]], dtype="string")

    n_unused = int(unused.sum())
    n_other = 0
    if county is not None:

        want = check_county(county)
        other = ~unused & (df["county"].fillna("").to_numpy() != want)
        n_other = int(other.sum())
        if n_other:
            counts = df.loc[other, "county"].fillna("unknown county").value_counts().sort_index()
            probs.add(src, f"{n_other} rows", f"stacks of other counties not kept (county={want}): "
                      + ", ".join(f"{k} {v}" for k, v in counts.items()), severity="warning")
        keep = ~unused & ~other
    else:
        keep = ~unused
    out = df[keep].reset_index(drop=True)
    geom = gpd.GeoSeries(gpd.points_from_xy(out["utm_e"], out["utm_n"]), crs=crs_in)
    if not crs_in.equals(resolve_crs(TM2)):
        geom = geom.to_crs(TM2)
    gdf = gpd.GeoDataFrame(out, geometry=geom.values, crs=TM2)
    _check_counties(gdf, crs_in, probs, src)
    gdf.attrs["problems"] = probs
    gdf.attrs["n_unused"] = n_unused
    gdf.attrs["n_other_county"] = n_other
    gdf.attrs["crs_in"] = crs_in.to_string()
    gdf.attrs["source"] = src
    return gdf


def _in_taiwan(x, y, crs) -> np.ndarray:

    ll = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=crs).to_crs(WGS84)
    lx, ly = ll.x.to_numpy(), ll.y.to_numpy()
    with np.errstate(invalid="ignore"):
        return (lx >= _LON[0]) & (lx <= _LON[1]) & (ly >= _LAT[0]) & (ly <= _LAT[1])


def _check_counties(gdf: gpd.GeoDataFrame, crs_in, probs: Problems, src: str) -> None:
    """Report stacks outside the county of their control number (vectorised pre-check)."""

    has = gdf["county"].notna().to_numpy()
    if not has.any():
        return
    counties = load_counties().to_crs(TM2).set_index("COUNTYNAME").geometry
    inside = np.zeros(len(gdf), dtype=bool)
    geoms = gdf.geometry.values
    cty = gdf["county"].fillna("").to_numpy(dtype=object)
    for name in pd.unique(cty[has]):
        idx = np.flatnonzero(cty == name)
        poly = counties[name]
        shapely.prepare(poly)
        inside[idx] = shapely.covers(poly, geoms[idx])
    out = np.flatnonzero(has & ~inside)
    if not len(out):
        return
    sub = gdf.iloc[out][["row", "c_no", "county", "geometry"]].copy()
    sub["_label"] = [f"row {r} ({c})" for r, c in zip(sub["row"], sub["c_no"])]
    rep = check_points_in_county(sub, "county", label_col="_label", source=src)
    zone119 = crs_in.equals(resolve_crs(TM2_119))
    for _, r in rep.iterrows():
        where = f"lies in {r['found_county']}" if r["found_county"] else "lies at sea"
        reason = f"{where}, {r['distance_m']:.0f} m outside {r['claimed_county']} (its control-number county)"
        if r["distance_m"] > FAR_M and r["claimed_county"] in ISLAND_COUNTIES and not zone119:
            reason += ("; island point sources are often in TM2 zone 119: the table may be in EPSG:3825, "
                       "read it with crs=\"EPSG:3825\"")
        elif r["distance_m"] > FAR_M and r["claimed_county"] not in ISLAND_COUNTIES and zone119:
            reason += "; main-island sources are in TM2 zone 121: read this table with crs=\"EPSG:3826\""
        else:
            reason += ": check the coordinates or the control number"
        probs.add(src, r["label"], reason, severity="warning")


def aggregate_stacks(gdf: gpd.GeoDataFrame, *, weight: str | None = None) -> gpd.GeoDataFrame:
    """One row per facility: emissions summed over its stacks, at their emission-weighted position.

    Parameters
    ----------
    gdf:
        Stacks as returned by :func:`read_teds_points` (EPSG:3826).
    weight:
        The emission column that weights the position (e.g. ``"nox_emi"``).
        By default the sum of ``sox, nox, co, pm, nmhc`` emissions (PM2.5 is
        part of PM and is not counted twice). A facility whose weights are
        all zero or missing is placed at the plain mean of its stacks.

    Returns
    -------
    geopandas.GeoDataFrame
        ``c_no, county, n_stacks, hei_max`` and the six ``*_emi`` sums
        (NaN when no stack gives the pollutant), point geometry in EPSG:3826,
        sorted by ``c_no``.
    """
    g = gdf.to_crs(TM2) if gdf.crs is not None and not resolve_crs(gdf.crs).equals(resolve_crs(TM2)) else gdf
    emis = [c.lower() for c in EMISSION_COLUMNS if c.lower() in g.columns]
    if weight is None:
        wcols = [c for c in ("sox_emi", "nox_emi", "co_emi", "pm_emi", "nmhc_emi") if c in g.columns]
        w = g[wcols].fillna(0).sum(axis=1).to_numpy(dtype=float)
    else:
        if weight not in g.columns:
            raise InputError(f"no column {weight!r} to weight positions by", where="weight",
                             fix="use one of " + ", ".join(emis))
        w = g[weight].fillna(0).to_numpy(dtype=float)
    t = pd.DataFrame({"c_no": g["c_no"].astype(object).to_numpy(), "x": g.geometry.x.to_numpy(),
                      "y": g.geometry.y.to_numpy(), "w": np.clip(w, 0, None)})
    t["wx"], t["wy"] = t["x"] * t["w"], t["y"] * t["w"]
    for c in emis:
        t[c] = g[c].to_numpy(dtype=float)
    t["county"] = g["county"].astype(object).to_numpy() if "county" in g.columns else None
    t["hei"] = g["hei"].to_numpy(dtype=float) if "hei" in g.columns else np.nan
    grp = t.groupby("c_no", sort=True, dropna=False)
    agg = grp.agg(county=("county", "first"), n_stacks=("x", "size"), hei_max=("hei", "max"),
                  sw=("w", "sum"), swx=("wx", "sum"), swy=("wy", "sum"), mx=("x", "mean"), my=("y", "mean"))
    for c in emis:
        agg[c] = grp[c].sum(min_count=1)
    use_w = agg["sw"] > 0
    x = np.where(use_w, agg["swx"] / agg["sw"].where(use_w, 1), agg["mx"])
    y = np.where(use_w, agg["swy"] / agg["sw"].where(use_w, 1), agg["my"])
    out = agg.reset_index()[["c_no", "county", "n_stacks", "hei_max"] + emis]
    out["county"] = out["county"].astype("string")
    out["c_no"] = out["c_no"].astype("string")
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(x, y), crs=TM2)
