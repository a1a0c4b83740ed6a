"""Warning levels on a surface: the regulation's thresholds, level polygons and township statistics.

Thresholds come from the rule tables in ``data/rules/`` (default
``warning_2022``: 空氣品質嚴重惡化警告發布及緊急防制辦法, levels L1 初級預警, L2 中級預警,
S1 輕度, S2 中度, S3 重度嚴重惡化). A surface is compared with the thresholds
of **its averaging period**: an hourly O3, NO2 or SO2 surface with the 1-h
thresholds, a 24-h moving-average PM2.5 or PM10 surface with the 24-h ones,
an 8-h CO surface with the 8-h ones. Where the regulation has no threshold
for the surface's averaging (PM2.5 has only 24-h thresholds), the only
averaging it has is used and the result says so (``attrs["note"]``): an
hourly PM2.5 surface against 24-h thresholds is indicative only. Units are
converted to the data's (O3 thresholds are in ppm; MOENV publishes O3 in
ppb: 0.125 ppm = 125 ppb). A value *reaches* a level when it is ``>=`` the
threshold (達).

* :func:`level_polygons` contours the surface at the thresholds
  (``contourpy`` filled contours, one band per level: from its threshold up to
  the next) and clips the bands to the county's land and to the filled part
  of the surface.
* :func:`township_stats` gives per township the mean, minimum and maximum of
  the cells whose centre lies inside it (all cells it touches for townships
  smaller than a cell) and the highest level reached, ready to set beside
  the coverage-based warning zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import contourpy
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterio.features import rasterize, shapes

from geoairplan.errors import InputError
from geoairplan.interpolate.surface import Surface
from geoairplan.io.crs import TM2, to_tm2
from geoairplan.reference.geography import load_townships
from geoairplan.reference.pollutants import normalize_pollutant, normalize_unit
from geoairplan.reference.rules import load_rules
from geoairplan.warnings.rules import unit_factor  # the one place units are converted

__all__ = ["level_thresholds", "level_of", "level_polygons", "township_stats", "township_zones",
           "TownshipZones", "AVERAGING_ALIASES"]

AVERAGING_ALIASES = {"1h": "1h", "hourly": "1h", "hour": "1h", "8h": "8h_moving", "8h_moving": "8h_moving",
                     "24h": "24h_moving", "24h_moving": "24h_moving", "daily": "24h_moving"}


def _norm_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    return normalize_unit(unit) or str(unit)


def level_thresholds(pollutant: str, *, averaging: str | None = "1h", unit: str | None = None,
                     rules: str = "warning_2022") -> pd.DataFrame:
    """The regulation's thresholds for a pollutant, in ``unit``, for one averaging period.

    Returns a frame with ``level, level_zh, level_rank, threshold, unit,
    averaging`` sorted by rank (thresholds rising). ``attrs["note"]`` says
    which averaging was used and, when it differs from the one asked for, why.

    >>> level_thresholds("o3", unit="ppb")["threshold"].tolist()
    [125.0, 165.0, 205.0, 405.0, 505.0]
    """
    code = normalize_pollutant(pollutant) or str(pollutant).lower()
    table = load_rules(rules)
    rows = table[table["pollutant"].str.lower() == code]
    if rows.empty:
        have = sorted(table["pollutant"].str.lower().unique())
        raise InputError(f"the {rules} rules have no thresholds for {pollutant!r}", where="pollutant",
                         fix="levels exist for " + ", ".join(have))
    want = AVERAGING_ALIASES.get(str(averaging).lower(), str(averaging)) if averaging else None
    have = list(dict.fromkeys(rows["averaging"]))
    if want in have:
        use = want
        note = f"{code} levels: {use} thresholds of {rules}"
    else:
        use = have[0] if len(have) == 1 else max(have, key=lambda a: (rows["averaging"] == a).sum())
        note = (f"{code} levels: {rules} has no {want} thresholds for {code}; using its {use} thresholds"
                + (" (indicative only for a surface of another averaging period)" if want else ""))
    sel = rows[rows["averaging"] == use].copy()
    sel["threshold"] = sel["threshold"].astype(float)
    sel["level_rank"] = sel["level_rank"].astype(int)
    src = _norm_unit(sel["unit"].iloc[0])
    dst = _norm_unit(unit) or src
    if dst != src:
        sel["threshold"] = sel["threshold"] / unit_factor(dst, src, pollutant=code, where="unit")
        note += f"; thresholds converted from {src} to {dst}"
    sel["threshold"] = sel["threshold"].round(9)
    sel["unit"] = dst
    sel["averaging"] = use
    out = sel.sort_values("level_rank")[["level", "level_zh", "level_rank", "threshold", "unit", "averaging"]]
    out = out.reset_index(drop=True)
    out.attrs["note"] = note
    out.attrs["pollutant"] = code
    return out


def level_of(values, thresholds: pd.DataFrame) -> np.ndarray:
    """Index into ``thresholds`` of the highest level each value reaches (``>=``); -1 below all, NaN-safe."""
    v = np.asarray(values, float)
    t = thresholds["threshold"].to_numpy(float)
    idx = np.searchsorted(t, np.where(np.isfinite(v), v, -np.inf), side="right") - 1
    return np.where(np.isfinite(v), idx, -1)


def _thresholds_for(surface: Surface, thresholds, rules: str) -> pd.DataFrame:
    if thresholds is not None:
        return thresholds
    if not surface.pollutant:
        raise InputError("the surface does not say which pollutant it shows", where="thresholds",
                         fix="pass thresholds=level_thresholds(pollutant, unit=...)")
    return level_thresholds(surface.pollutant, averaging=surface.averaging or "1h",
                            unit=surface.unit, rules=rules)


def _dilate(values: np.ndarray) -> np.ndarray:
    """Fill empty cells next to filled ones with the mean of their filled neighbours (one ring)."""
    ok = np.isfinite(values)
    padded = np.pad(np.where(ok, values, 0.0), 1)
    cnt = np.pad(ok.astype(float), 1)
    s = np.zeros_like(values)
    c = np.zeros_like(values)
    ny, nx = values.shape
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == dx == 0:
                continue
            s += padded[1 + dy:1 + dy + ny, 1 + dx:1 + dx + nx]
            c += cnt[1 + dy:1 + dy + ny, 1 + dx:1 + dx + nx]
    out = values.copy()
    ring = ~ok & (c > 0)
    out[ring] = s[ring] / c[ring]
    return out


def _valid_area(surface: Surface):
    """Polygon of filled cells and the ring around them (EPSG:3826)."""
    ok = np.isfinite(_dilate(surface.values))
    geoms = [shapely.geometry.shape(g) for g, v in shapes(ok.astype(np.uint8), mask=ok,
                                                         transform=surface.transform) if v == 1]
    return shapely.union_all(geoms) if geoms else shapely.Polygon()


def level_polygons(surface: Surface, thresholds: pd.DataFrame | None = None, *, clip=None,
                   rules: str = "warning_2022"):
    """Polygons of the areas at each level (GeoDataFrame, EPSG:3826), clipped to the county's land.

    One row per level that covers some area: ``level, level_zh,
    level_rank, lower, upper, unit, area_km2, geometry``. A level's band runs
    from its threshold to the next level's (the top level has no upper
    bound), so bands do not overlap and each place carries the highest
    level it reaches. Also ``time``, ``pollutant``, ``method`` and ``label``
    from the surface.
    """
    thr = _thresholds_for(surface, thresholds, rules)
    vals = surface.values
    finite = np.isfinite(vals)
    cols = ["level", "level_zh", "level_rank", "lower", "upper", "unit", "area_km2", "time", "pollutant",
            "method", "label", "geometry"]
    rows = []
    if finite.any() and len(thr):
        z = _dilate(vals)[::-1]  # contourpy wants rising y
        x, y = surface.x, surface.y[::-1]
        zmax = float(np.nanmax(z))
        gen = contourpy.contour_generator(x, y, np.ma.masked_invalid(z), fill_type="OuterOffset")
        area = clip if clip is not None else surface.grid.area
        if area is None:
            w, s, e, n = surface.bounds
            area = shapely.box(w, s, e, n)
        area = shapely.intersection(area, _valid_area(surface))
        t = thr["threshold"].to_numpy(float)
        for k, r in enumerate(thr.itertuples(index=False)):
            lower = t[k]
            upper = t[k + 1] if k + 1 < len(t) else math.inf
            if lower > zmax:
                continue
            pts, offs = gen.filled(lower, upper if math.isfinite(upper) else zmax + abs(zmax) + 1.0)
            polys = []
            for p, o in zip(pts, offs):
                rings = [p[o[i]:o[i + 1]] for i in range(len(o) - 1)]
                rings = [rg for rg in rings if len(rg) >= 4]
                if rings:
                    polys.append(shapely.make_valid(shapely.Polygon(rings[0], rings[1:])))
            if not polys:
                continue
            geom = shapely.intersection(shapely.union_all(polys), area)
            geom = _polygonal(geom)
            if geom.is_empty:
                continue
            rows.append({"level": r.level, "level_zh": r.level_zh, "level_rank": int(r.level_rank),
                         "lower": float(lower), "upper": float(upper), "unit": r.unit,
                         "area_km2": round(geom.area / 1e6, 3), "time": surface.time,
                         "pollutant": surface.pollutant, "method": surface.method, "label": surface.label,
                         "geometry": geom})
    gdf = gpd.GeoDataFrame(rows, columns=cols, geometry="geometry", crs=TM2)
    gdf.attrs["note"] = thr.attrs.get("note", "")
    return gdf


def _polygonal(geom):
    """Only the polygon parts of a geometry (intersections can leave lines and points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


@dataclass
class TownshipZones:
    """Townships rasterised on a grid: ``ids`` (0 = none, i+1 = township i) and, for townships
    smaller than a cell, the flat indices of the cells they touch."""

    towns: pd.DataFrame  # county, township, towncode (no geometry)
    ids: np.ndarray
    touched: dict


_ZONES: dict = {}


def township_zones(grid, townships=None) -> TownshipZones:
    """The townships of ``grid`` (its counties' by default) as zones of cells; cached per grid."""
    key = (grid.west, grid.north, grid.cell_size, grid.nx, grid.ny, grid.counties) if townships is None else None
    if key is not None and key in _ZONES:
        return _ZONES[key]
    if townships is None:
        if grid.counties:
            towns = pd.concat([load_townships(c) for c in grid.counties], ignore_index=True)
        else:
            towns = load_townships()
        towns = gpd.GeoDataFrame(towns, geometry="geometry", crs=4326).to_crs(TM2)
        w, s, e, n = grid.bounds
        towns = towns[towns.intersects(shapely.box(w, s, e, n))].reset_index(drop=True)
    else:
        towns = to_tm2(townships, source="townships").reset_index(drop=True)
    ids = rasterize(((g, i + 1) for i, g in enumerate(towns.geometry)), out_shape=grid.shape,
                    transform=grid.transform, fill=0, dtype="int32")
    counts = np.bincount(ids.ravel(), minlength=len(towns) + 1)[1:]
    touched = {}
    for i in np.flatnonzero(counts == 0):  # smaller than a cell: the cells it touches
        m = rasterize([(towns.geometry.iloc[i], 1)], out_shape=grid.shape, transform=grid.transform,
                      fill=0, dtype="uint8", all_touched=True)
        touched[int(i)] = np.flatnonzero(m.ravel())
    info = pd.DataFrame({
        "county": towns["COUNTYNAME"].to_numpy() if "COUNTYNAME" in towns else "",
        "township": towns["TOWNNAME"].to_numpy() if "TOWNNAME" in towns else towns.index.astype(str),
        "towncode": towns["TOWNCODE"].to_numpy() if "TOWNCODE" in towns else "",
    })
    zones = TownshipZones(info, ids, touched)
    if key is not None:
        if len(_ZONES) >= 8:
            _ZONES.pop(next(iter(_ZONES)))
        _ZONES[key] = zones
    return zones


def township_stats(surface: Surface, thresholds: pd.DataFrame | None = None, *, townships=None,
                   rules: str = "warning_2022") -> pd.DataFrame:
    """Mean, min and max of the surface and the highest level reached, per township.

    ``townships`` defaults to the townships of the county the surface was
    gridded for (all townships overlapping it otherwise). Cells count for
    the township holding their centre; a township smaller than a cell takes
    the cells it touches (``cells_rule`` says which). Columns: ``county,
    township, towncode, n_cells, n_filled, mean, min, max, level, level_zh,
    level_rank, cells_rule`` plus ``time, pollutant, unit, method, label``.
    Townships with no filled cell (masked as too far from any station) have
    empty statistics and level. The township raster is cached per grid, so
    many hours cost one rasterisation.
    """
    thr = _thresholds_for(surface, thresholds, rules)
    zones = township_zones(surface.grid, townships)
    nt = len(zones.towns)
    flat_ids = zones.ids.ravel()
    flat = surface.values.ravel()
    ok = np.isfinite(flat)
    n_cells = np.bincount(flat_ids, minlength=nt + 1)[1:]
    n_filled = np.bincount(flat_ids[ok], minlength=nt + 1)[1:]
    sums = np.bincount(flat_ids[ok], weights=flat[ok], minlength=nt + 1)[1:]
    mx = np.full(nt + 1, -np.inf)
    mn = np.full(nt + 1, np.inf)
    np.maximum.at(mx, flat_ids[ok], flat[ok])
    np.minimum.at(mn, flat_ids[ok], flat[ok])
    mx, mn = mx[1:], mn[1:]
    rule = np.array(["centre"] * nt, dtype=object)
    for i, cells in zones.touched.items():
        v = flat[cells]
        v = v[np.isfinite(v)]
        n_cells[i] = cells.size
        n_filled[i] = v.size
        if v.size:
            sums[i], mx[i], mn[i] = v.sum(), v.max(), v.min()
        rule[i] = "touched"
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_filled > 0, sums / np.maximum(n_filled, 1), np.nan)
    mx = np.where(n_filled > 0, mx, np.nan)
    mn = np.where(n_filled > 0, mn, np.nan)
    lvl = level_of(mx, thr)
    name = lambda col: [thr[col].iloc[j] if j >= 0 else "" for j in lvl]  # noqa: E731
    out = zones.towns.copy()
    out = out.assign(n_cells=n_cells.astype(int), n_filled=n_filled.astype(int), mean=mean, min=mn, max=mx,
                     level=name("level"), level_zh=name("level_zh"),
                     level_rank=[int(thr["level_rank"].iloc[j]) if j >= 0 else 0 for j in lvl],
                     cells_rule=rule, time=surface.time, pollutant=surface.pollutant, unit=surface.unit,
                     method=surface.method, label=surface.label)
    out = out.sort_values(["county", "towncode", "township"], kind="stable").reset_index(drop=True)
    out.attrs["note"] = thr.attrs.get("note", "")
    return out
