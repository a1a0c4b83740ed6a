"""Coordinate reference systems used in Taiwanese air-quality data, and checks.

geoairplan computes geometry in **EPSG:3826** (TWD97 / TM2 zone 121, metres)
and shows maps in **EPSG:4326**. Files users hold come in other systems:

* EPSG:3824 TWD97 geographic (MOI boundaries; same as WGS84 within a metre),
* EPSG:3825 TWD97 / TM2 zone 119 (Penghu, Kinmen, Matsu in some data sets),
* TWD67 / TM2 (EPSG:3828 zone 121, EPSG:3827 zone 119), about 828 m east and
  207 m north of TWD97,
* coordinates that plans label "UTM" are TM2 metres, not UTM.

Nothing here guesses silently: :func:`points_from_xy` takes the CRS the user
names, refuses values that cannot be in it (latitude/longitude swapped,
degrees given as metres), and :func:`check_points_in_county` reports every
point that falls outside the county it claims, with its distance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import geopandas as gpd
from pyproj import CRS

from geoairplan.reference.geography import load_counties
from geoairplan.reference.names import normalize_name
from geoairplan.errors import InputError

__all__ = ["TM2", "TM2_119", "WGS84", "TWD97_GEO", "TWD67_TM2", "TWD67_TM2_119",
           "CRS_ALIASES", "resolve_crs", "to_tm2", "to_display", "points_from_xy",
           "check_points_in_county"]

TM2 = "EPSG:3826"
TM2_119 = "EPSG:3825"
WGS84 = "EPSG:4326"
TWD97_GEO = "EPSG:3824"
TWD67_TM2 = "EPSG:3828"
TWD67_TM2_119 = "EPSG:3827"

#: Names users write for the systems above.
CRS_ALIASES = {
    "tm2": TM2, "twd97": TM2, "twd97tm2": TM2, "3826": TM2, "utm": TM2,
    "tm2_119": TM2_119, "3825": TM2_119, "twd97tm2_119": TM2_119,
    "wgs84": WGS84, "4326": WGS84, "lonlat": WGS84, "3824": TWD97_GEO,
    "twd97geo": TWD97_GEO, "twd67": TWD67_TM2, "3828": TWD67_TM2,
    "twd67_119": TWD67_TM2_119, "3827": TWD67_TM2_119,
}

# Generous bounds of Taiwan and its islands (Kinmen, Matsu, Penghu, Lanyu).
_LON = (118.0, 122.5)
_LAT = (21.5, 26.5)


def resolve_crs(crs) -> CRS:
    """A :class:`pyproj.CRS` from an EPSG code, a pyproj CRS or an alias above."""
    if isinstance(crs, CRS):
        return crs
    key = str(crs).strip().lower().replace(" ", "").replace("epsg:", "")
    key = CRS_ALIASES.get(key, key)
    try:
        return CRS.from_user_input(int(key) if str(key).isdigit() else key)
    except Exception as exc:  # pyproj raises CRSError with little context
        raise InputError(f"unknown coordinate reference system {crs!r}",
                         fix="give an EPSG code (3826 for TWD97 TM2, 4326 for lon/lat, "
                             "3825 for TM2 zone 119, 3828 for TWD67) or one of "
                             + ", ".join(sorted(CRS_ALIASES))) from exc


def to_tm2(gdf: gpd.GeoDataFrame, *, source: str = "input") -> gpd.GeoDataFrame:
    """Reproject to EPSG:3826 for computation; refuses data without a CRS."""
    if gdf.crs is None:
        raise InputError("the layer has no coordinate reference system", file=source,
                         fix="set one with gdf.set_crs(...) or name it on the command line (--crs)")
    return gdf if CRS(gdf.crs).equals(CRS(TM2)) else gdf.to_crs(TM2)


def to_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 for web maps."""
    if gdf.crs is None:
        raise InputError("the layer has no coordinate reference system",
                         fix="set one with gdf.set_crs(...)")
    return gdf if CRS(gdf.crs).equals(CRS(WGS84)) else gdf.to_crs(WGS84)


def points_from_xy(x, y, crs, *, source: str = "input", rows=None) -> gpd.GeoSeries:
    """Points from coordinate columns in the CRS the user names, checked.

    Geographic input must be lon/lat inside Taiwan's bounds (a swapped pair is
    named as such); projected input must be metres in the TM2 range (degrees
    given as metres are refused). ``rows`` labels the rows in messages
    (defaults to 1-based positions). Returns points in EPSG:3826.
    """
    x = pd.to_numeric(pd.Series(x), errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(pd.Series(y), errors="coerce").to_numpy(dtype=float)
    labels = list(rows) if rows is not None else [f"row {i + 1}" for i in range(len(x))]
    crs = resolve_crs(crs)
    ok = np.isfinite(x) & np.isfinite(y)
    if crs.is_geographic:
        inside = ok & (x >= _LON[0]) & (x <= _LON[1]) & (y >= _LAT[0]) & (y <= _LAT[1])
        swapped = ok & ~inside & (y >= _LON[0]) & (y <= _LON[1]) & (x >= _LAT[0]) & (x <= _LAT[1])
        if swapped.any():
            i = int(np.flatnonzero(swapped)[0])
            raise InputError(
                f"longitude {x[i]} and latitude {y[i]} look swapped "
                f"({int(swapped.sum())} row(s) like this)", file=source, where=labels[i],
                fix="exchange the longitude and latitude columns (longitude is about 120-122 in Taiwan)")
        bad = ok & ~inside
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            hint = ("these look like projected metres: name the CRS (e.g. EPSG:3826)"
                    if abs(x[i]) > 1000 else "check the coordinates")
            raise InputError(f"point ({x[i]}, {y[i]}) is not in Taiwan in {crs.name} "
                             f"({int(bad.sum())} row(s) like this)", file=source, where=labels[i],
                             fix=hint)
    else:
        pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=crs)
        ll = pts.to_crs(WGS84)
        lx, ly = ll.x.to_numpy(), ll.y.to_numpy()
        with np.errstate(invalid="ignore"):
            inside = ok & (lx >= _LON[0]) & (lx <= _LON[1]) & (ly >= _LAT[0]) & (ly <= _LAT[1])
        bad = ok & ~inside
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            hint = ("these look like degrees: name the CRS as EPSG:4326"
                    if abs(x[i]) < 1000 and abs(y[i]) < 1000 else
                    "check the CRS: TM2 zone 121 is EPSG:3826, zone 119 EPSG:3825, TWD67 EPSG:3828")
            raise InputError(f"point ({x[i]}, {y[i]}) is not in Taiwan in {crs.name} "
                             f"({int(bad.sum())} row(s) like this)", file=source, where=labels[i],
                             fix=hint)
    return gpd.GeoSeries(gpd.points_from_xy(x, y), crs=crs).to_crs(TM2)


def check_points_in_county(points: gpd.GeoDataFrame, county_col: str = "county",
                           *, label_col: str | None = None, source: str = "input",
                           tolerance_m: float = 0.0):
    """Report every point that lies outside the county it claims.

    Returns a :class:`pandas.DataFrame` with one row per offending point:
    label, claimed county, the county it falls in (or ``None`` at sea) and the
    distance in metres to the claimed county. An empty frame means all points
    are where they say they are.
    """

    counties = load_counties().to_crs(TM2).set_index("COUNTYNAME")
    pts = to_tm2(points, source=source)
    rows = []
    for idx, row in pts.iterrows():
        claimed = normalize_name(row[county_col])
        label = row[label_col] if label_col else idx
        if claimed not in counties.index:
            rows.append({"label": label, "claimed_county": row[county_col], "found_county": None,
                         "distance_m": np.nan, "reason": "unknown county name"})
            continue
        geom = counties.geometry[claimed]
        d = float(geom.distance(row.geometry))
        if d > tolerance_m:
            hit = counties.index[counties.geometry.contains(row.geometry)]
            rows.append({"label": label, "claimed_county": claimed,
                         "found_county": hit[0] if len(hit) else None,
                         "distance_m": round(d, 1), "reason": "outside the claimed county"})
    return pd.DataFrame(rows, columns=["label", "claimed_county", "found_county", "distance_m", "reason"])
