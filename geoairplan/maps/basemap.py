"""The township base layer of web maps: MOI townships simplified as a coverage so they still tile."""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import shapely

from geoairplan.datasets import check_county, load_counties, load_townships
from geoairplan.io.crs import TM2
from geoairplan.maps.escape import PRECISION, _round_geoms

#: Tolerance (m) of the coverage simplification of township base layers.
TOWNSHIP_SIMPLIFY_M = 80.0


def _county_key(county) -> tuple[str, ...]:
    if county is None:
        return ()
    if isinstance(county, str):
        return (check_county(county),)
    return tuple(sorted({check_county(c) for c in county}))


@lru_cache(maxsize=16)
def _simplified_townships(counties: tuple[str, ...], bounds: tuple | None,
                          tolerance_m: float = TOWNSHIP_SIMPLIFY_M) -> gpd.GeoDataFrame:
    towns = load_townships()
    if counties:
        towns = towns[towns["COUNTYNAME"].isin(counties)]
    # keep whole counties, so the coverage being simplified is closed where the map shows it
    if bounds is not None:
        w, s, e, n = bounds
        hit = towns.intersects(shapely.box(w, s, e, n))
        towns = towns[towns["COUNTYNAME"].isin(set(towns.loc[hit, "COUNTYNAME"]))]
    towns = towns.sort_values("TOWNCODE").reset_index(drop=True)
    return simplify_coverage(towns, tolerance_m)


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance_m: float = TOWNSHIP_SIMPLIFY_M,
                      precision: int = PRECISION) -> gpd.GeoDataFrame:
    """Simplify polygons that tile (townships) keeping shared edges shared; EPSG:4326 output.

    Uses :func:`shapely.coverage_simplify` in EPSG:3826 metres, then rounds
    coordinates to ``precision`` decimals (shared vertices round alike, so the
    result still tiles). Falls back to per-polygon topology-preserving
    simplification when the input is not a valid coverage.
    """
    tm = gdf.to_crs(TM2)
    geoms = tm.geometry.values
    if tolerance_m > 0:
        try:
            valid = bool(shapely.coverage_is_valid(geoms))
        except Exception:  # pragma: no cover - old GEOS
            valid = False
        if valid:
            simple = shapely.coverage_simplify(geoms, tolerance_m)
        else:
            simple = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    else:
        simple = geoms
    out = gpd.GeoDataFrame(gdf.drop(columns="geometry"), geometry=gpd.GeoSeries(simple, crs=TM2).values,
                           crs=TM2).to_crs(4326)
    out["geometry"] = _round_geoms(out.geometry.values, precision)
    return out


def township_base(county=None, bounds=None, tolerance_m: float = TOWNSHIP_SIMPLIFY_M) -> gpd.GeoDataFrame:
    """The simplified townships (EPSG:4326) the base layer of a map draws: one or more counties,
    or every county touching ``bounds`` (west, south, east, north in degrees)."""
    b = tuple(round(float(v), 6) for v in bounds) if bounds is not None else None
    return _simplified_townships(_county_key(county), b, tolerance_m).copy()


@lru_cache(maxsize=1)
def _context_counties() -> gpd.GeoDataFrame:
    c = load_counties().sort_values("COUNTYNAME").reset_index(drop=True)
    return simplify_coverage(c, 200.0, precision=3)
