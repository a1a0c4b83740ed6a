"""Where to put the next sensor: kriging-variance reduction and plume detection (issue #16).

Kriging variance
----------------
The kriging variance depends on where the stations are and on the
variogram, not on the values measured, so the benefit of a new station can
be computed before it exists. Under the fitted variogram, let ``C`` be the
covariance of the kriging errors (:mod:`~geoairplan.interpolate.probability`:
``Cov(e_u, e_v) = b_uᵀ A⁻¹ b_v - γ(u - v)``). Adding a station at ``s``
conditions the errors on ``e_s`` (the new station measures ``Z(s)``), so for
all targets ``u, v``

    C'(u, v) = C(u, v) - C(u, s) C(s, v) / C(s, s)

(a rank-one update, equal to re-solving the kriging system with the extra
station; the test checks it against brute-force refits). The objective is
the weighted mean kriging variance over the county's cells,
``J = Σ_u w_u C(u, u)`` with weights

* ``"cells"``: every land cell equally (= area-weighted on an equal-area grid),
* ``"area"``: each cell by its land area inside the county,
* ``"township"``: each township equally (its cells share ``1 / n_townships``
  by area), so small dense townships count as much as large mountain ones,

or any ``(ny, nx)`` array. A site's gain is ``Σ_u w_u C(u, s)² / C(s, s)``;
:func:`variance_sites` picks the best candidate, updates ``C`` and repeats
(greedy: each pick is the best single addition given the ones before; the
greedy set is not guaranteed optimal for ``J``).

Plume detection
---------------
:func:`plume_sites` asks instead: which sites would see a plume from the
plausible source locations? A source location ``p`` is *within reach of a
sensor downwind* at ``s`` in an hour when

* ``|s - p| <= reach`` (default 5 km), and
* ``p`` lies in the sensor's upwind sector: the bearing from ``s`` to ``p``
  is within ``half_width`` (default 30°) of the direction the wind blows
  **from** (:mod:`geoairplan.hotspots.upwind`'s convention and functions),

with the wind of that hour at the station nearest ``p`` (within
``max_station_m``), calm hours (< ``calm_ms``) and hours without wind left
out for that location. A location's detection probability is the fraction
of its usable hours in which some sensor (existing or new) sees it; the
objective is the weighted mean over locations. Plausible locations are the
sources with coordinates, and for sources known only by township, points
on a ``township_spacing`` grid inside the township (the row's weight
shared among them). Greedy maximum coverage: within ``1 - 1/e`` of the best
set of the same size (the objective is monotone submodular).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geoairplan.errors import InputError, Problems
from geoairplan.grid import GridSpec, make_grid
from geoairplan.hotspots.emissions import prepare_sources
from geoairplan.hotspots.upwind import angle_diff, bearing_deg
from geoairplan.interpolate.points import as_points
from geoairplan.interpolate.probability import kriging_system, township_weights
from geoairplan.io.crs import TM2, to_tm2
from geoairplan.raster import Raster
from geoairplan.reference.geography import load_townships
from geoairplan.results import Result, RunMeta

__all__ = ["candidate_grid", "target_weights", "variance_sites", "SitingResult", "plume_sites",
           "PlumeSitingResult", "source_locations", "MEMORY_LIMIT"]

#: Bytes the target x candidate covariance may take.
MEMORY_LIMIT = 1 << 30


def _xy_of(points, source: str) -> tuple[np.ndarray, np.ndarray]:
    """TM2 ``(x, y)`` of candidate or sensor sites: a table with ``x, y`` columns (TM2 metres), or any
    form :func:`~geoairplan.interpolate._core.as_points` takes (GeoDataFrame in any CRS, ``(x, y)``, ``(N, 2)``)."""
    if isinstance(points, pd.DataFrame) and not isinstance(points, gpd.GeoDataFrame):
        if not {"x", "y"} <= set(points.columns):
            raise InputError(f"the {source} table needs x and y columns (TM2 metres, EPSG:3826)", file=source,
                             fix="name the coordinate columns x and y, or pass a GeoDataFrame of points")
        return as_points((points["x"].to_numpy(float), points["y"].to_numpy(float)), source=source)
    return as_points(points, source=source)


def candidate_grid(county, spacing: float = 2000.0) -> tuple[np.ndarray, np.ndarray]:
    """Candidate sites: centres of a ``spacing`` grid whose centre lies on the county's land (TM2 metres)."""
    g = make_grid(county=county, cell_size=spacing)
    rows, cols = np.nonzero(g.land)
    return g.west + (cols + 0.5) * spacing, g.north - (rows + 0.5) * spacing


def target_weights(grid: GridSpec, weights="cells", *, townships=None) -> np.ndarray:
    """``(ny, nx)`` weights of the target cells (0 off land), summing to 1 (see the module notes)."""
    land = grid.land
    if isinstance(weights, str):
        if weights == "cells":
            w = land.astype(float)
        elif weights == "area":
            if grid.area is None:
                w = land.astype(float)
            else:
                rows, cols = np.nonzero(land)
                c = grid.cell_size
                boxes = shapely.box(grid.west + cols * c, grid.north - (rows + 1) * c, grid.west + (cols + 1) * c,
                                    grid.north - rows * c)
                w = np.zeros(grid.shape)
                w[rows, cols] = shapely.area(shapely.intersection(boxes, grid.area))
        elif weights == "township":
            w = np.zeros(grid.shape)
            towns = [t for t in township_weights(grid, townships, filled=land) if t["weights"].size]
            for t in towns:
                np.add.at(w, (t["rows"], t["cols"]), t["weights"] / len(towns))
        else:
            raise InputError(f"unknown weighting {weights!r}", where="weights",
                             fix="use cells, area, township or an (ny, nx) array")
    else:
        w = np.asarray(weights, float)
        if w.shape != grid.shape:
            raise InputError(f"weights of shape {w.shape} do not match the grid {grid.shape}", where="weights",
                             fix="give one weight per grid cell")
        w = np.where(land & np.isfinite(w), np.clip(w, 0, None), 0.0)
    if w.sum() <= 0:
        raise InputError("no target cell has weight", where="weights", fix="check the grid and the weights")
    return w / w.sum()


def _townships_of(x, y, counties) -> list[str]:
    towns = pd.concat([load_townships(c) for c in counties], ignore_index=True) if counties else load_townships()
    towns = to_tm2(gpd.GeoDataFrame(towns, geometry="geometry", crs=towns.crs or 4326), source="townships")
    pts = shapely.points(np.asarray(x, float), np.asarray(y, float))
    out = np.array([""] * len(pts), dtype=object)
    tree = shapely.STRtree(towns.geometry.to_numpy())
    ip, it = tree.query(pts, predicate="within")
    for a, b in zip(ip, it):
        if out[a] == "":
            out[a] = towns["TOWNNAME"].iloc[b]
    return out.tolist()


@dataclass
class SitingResult(Result):
    """Greedy new sites for kriging-variance reduction.

    Attributes
    ----------
    meta : geoairplan.results.RunMeta
        Provenance (capability ``siting``).
    problems : geoairplan.errors.Problems
        Candidates left out (on a station, outside the grid).
    sites : geopandas.GeoDataFrame
        Ranked sites (EPSG:3826): ``rank, x, y, township, gain,
        objective_before, objective_after, reduction_pct, max_sd_after,
        geometry``. ``objective`` is the weighted mean kriging variance.
    before, after : geoairplan.raster.Raster
        Kriging variance before and after adding all sites (NaN off land).
    stations : geopandas.GeoDataFrame
        The existing stations (points).
    weights : str
        The weighting of the objective.
    """

    meta: RunMeta
    problems: Problems
    sites: gpd.GeoDataFrame
    before: Raster
    after: Raster
    stations: gpd.GeoDataFrame
    weights: str = "cells"
    gpkg_name: ClassVar[str] = "siting.gpkg"

    def summary(self) -> dict:
        s = self.sites
        j0 = float(s["objective_before"].iloc[0]) if len(s) else math.nan
        j1 = float(s["objective_after"].iloc[-1]) if len(s) else math.nan
        return {"sites": int(len(s)), "weights": self.weights, "objective_before": j0, "objective_after": j1,
                "reduction_pct": float(100 * (1 - j1 / j0)) if j0 > 0 else 0.0}

    def summary_text(self) -> str:
        d = self.summary()
        lines = [f"{d['sites']} new site(s), {d['weights']}-weighted mean kriging variance "
                 f"{d['objective_before']:.4g} -> {d['objective_after']:.4g} (-{d['reduction_pct']:.1f} %)"]
        for r in self.sites.itertuples(index=False):
            lines.append(f"  {r.rank}. ({r.x:.0f}, {r.y:.0f}) {r.township}: -{r.reduction_pct:.1f} % cumulative")
        return "\n".join(lines)

    def layers(self) -> dict:
        return {"sites": self.sites, "stations": self.stations}

    def tables(self) -> dict[str, pd.DataFrame]:
        t = pd.DataFrame(self.sites.drop(columns="geometry"))
        t.attrs["float_format"] = "%.4f"  # TM2 metres: %.6g would round y to 10 m
        return {"sites": t}

    def rasters(self) -> dict[str, Raster]:
        return {"variance_before": self.before, "variance_after": self.after}


def variance_sites(model, grid: GridSpec, *, n_add: int = 5, candidates=None, candidate_spacing: float | None = None,
                   weights="cells", townships=None, unit: str = "", meta: RunMeta | None = None) -> SitingResult:
    """Greedy choice of ``n_add`` new sites that most reduce the weighted mean kriging variance.

    Parameters
    ----------
    model : OrdinaryKriging
        Fitted on the existing stations (global system); its variogram is kept.
    grid : geoairplan.grid.GridSpec
        The target cells (its land mask: the county).
    n_add : int
        Sites to add.
    candidates : GeoDataFrame, (x, y), (N, 2) array or None
        Candidate sites; default a grid over the county (``candidate_spacing``,
        default twice the cell size). Candidates on an existing station (within
        1 m) are left out and reported.
    candidate_spacing : float or None
        Spacing of the default candidate grid (metres).
    weights : {"cells", "area", "township"} or numpy.ndarray
        Weighting of the objective (see the module notes).
    townships : geopandas.GeoDataFrame or None
        Township polygons for ``"township"`` weights and the sites' townships.
    unit : str
        Unit of the kriged values (the variance rasters are in its square).
    meta : geoairplan.results.RunMeta or None
        Provenance (default: capability ``siting`` and the grid's counties).

    Returns
    -------
    SitingResult
    """
    if int(n_add) < 1:
        raise InputError(f"add at least one site, got {n_add}", where="n_add", fix="e.g. 5")
    probs = Problems()
    sys_ = kriging_system(model)
    land = grid.land
    rows, cols = np.nonzero(land)
    tx = grid.west + (cols + 0.5) * grid.cell_size
    ty = grid.north - (rows + 0.5) * grid.cell_size
    wgrid = target_weights(grid, weights, townships=townships)
    w = wgrid[rows, cols]
    if candidates is None:
        cx, cy = (candidate_grid(grid.counties, candidate_spacing or 2 * grid.cell_size) if grid.counties
                  else (tx, ty))
    else:
        cx, cy = _xy_of(candidates, "candidates")
    d, _ = cKDTree(sys_.xy).query(np.column_stack([cx, cy]), k=1)
    on = d <= 1.0
    for i in np.flatnonzero(on):
        probs.add("candidates", f"candidate {i} ({cx[i]:.0f}, {cy[i]:.0f})", "on an existing station: left out",
                  severity="warning")
    cx, cy = cx[~on], cy[~on]
    if cx.size == 0:
        raise InputError("no candidate site is left", where="candidates", fix="give candidates off the stations")
    need = 8 * (tx.size * cx.size + cx.size * cx.size)
    if need > MEMORY_LIMIT:
        raise InputError(f"{tx.size:,} target cells x {cx.size:,} candidates need {need / 1e9:.1f} GB",
                         where="candidate_spacing", fix="use a coarser grid or candidate spacing")
    c_tc = sys_.cross_covariance(tx, ty, cx, cy)
    c_cc = sys_.cross_covariance(cx, cy, cx, cy)
    v_t = sys_.variance(tx, ty)
    before = np.full(grid.shape, np.nan)
    before[rows, cols] = v_t
    picked, recs = [], []
    for rank in range(1, min(int(n_add), cx.size) + 1):
        vc = np.diag(c_cc).copy()
        ok = vc > 1e-12 * max(1.0, float(np.max(np.abs(vc))))
        gain = np.where(ok, (w @ (c_tc ** 2)) / np.where(ok, vc, 1.0), -np.inf)
        if picked:
            gain[picked] = -np.inf
        s = int(np.argmax(gain))
        if not np.isfinite(gain[s]) or gain[s] <= 0:
            probs.add("siting", f"site {rank}", "no candidate reduces the variance further: stopped",
                      severity="warning")
            break
        j0 = float(w @ v_t)
        ct, cc, vs = c_tc[:, s].copy(), c_cc[:, s].copy(), vc[s]
        c_tc -= np.outer(ct, cc) / vs
        c_cc -= np.outer(cc, cc) / vs
        v_t = np.maximum(v_t - ct * ct / vs, 0.0)
        j1 = float(w @ v_t)
        picked.append(s)
        recs.append({"rank": rank, "x": float(cx[s]), "y": float(cy[s]), "gain": float(gain[s]),
                     "objective_before": j0, "objective_after": j1, "max_sd_after": float(np.sqrt(v_t.max()))})
    after = np.full(grid.shape, np.nan)
    after[rows, cols] = v_t
    j_start = recs[0]["objective_before"] if recs else float(w @ v_t)
    for r in recs:
        r["reduction_pct"] = 100.0 * (1.0 - r["objective_after"] / j_start) if j_start > 0 else 0.0
    towns = _townships_of([r["x"] for r in recs], [r["y"] for r in recs], grid.counties) if recs else []
    cols_out = ["rank", "x", "y", "township", "gain", "objective_before", "objective_after", "reduction_pct",
                "max_sd_after"]
    table = pd.DataFrame(recs, columns=[c for c in cols_out if c != "township"])
    table.insert(3, "township", towns)
    sites = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["x"], table["y"]), crs=TM2)
    st = gpd.GeoDataFrame({"station": getattr(model, "labels_", None) or list(range(sys_.xy.shape[0]))},
                          geometry=gpd.points_from_xy(sys_.xy[:, 0], sys_.xy[:, 1]), crs=TM2)
    meta = meta or RunMeta("siting", counties=tuple(grid.counties), title="新測站位置 next sensor sites")
    wname = weights if isinstance(weights, str) else "custom"
    tags = {"variogram": sys_.variogram.describe() if hasattr(sys_.variogram, "describe") else "",
            "weights": wname}
    vunit = f"({unit})^2" if unit else ""
    mk = lambda v, what: Raster(values=v, transform=grid.transform, unit=vunit, name=what,  # noqa: E731
                                tags={**tags, "quantity": what})
    return SitingResult(meta, probs, sites, mk(before, "kriging variance, existing stations"),
                        mk(after, f"kriging variance with {len(recs)} new site(s)"), st, wname)


# --------------------------------------------------------------------------- plume detection

def source_locations(sources, *, county: str | None = None, township_spacing: float = 2000.0,
                     weight: str | None = None, townships=None) -> gpd.GeoDataFrame:
    """Plausible source locations: located sources, and township-only sources spread over their township.

    Parameters
    ----------
    sources : DataFrame or GeoDataFrame
        A source table :func:`geoairplan.hotspots.emissions.prepare_sources` accepts (TEDS columns,
        ``UTM_E/UTM_N`` in TM2; rows without coordinates but with ``TOWNSHIP`` are township-only).
    county : str or None
        Keep this county's sources.
    township_spacing : float
        Grid spacing (metres) of the points standing for a township-only source.
    weight : str or None
        None: every source row counts once; or an emission column (``pm25_emi``) to weight by.
    townships : GeoDataFrame or None
        Township polygons (default: embedded).

    Returns
    -------
    geopandas.GeoDataFrame
        ``c_no, name, township, basis (point|township), weight, x, y, geometry`` (EPSG:3826);
        weights sum to 1; ``attrs["problems"]``.
    """
    src = prepare_sources(sources, county=county)
    probs = Problems()
    probs.extend(src.attrs.get("problems", Problems()))
    if townships is None:
        towns = load_townships(county) if county else load_townships()
        towns = gpd.GeoDataFrame(towns, geometry="geometry", crs=towns.crs or 4326)
    else:
        towns = townships
    towns = to_tm2(towns, source="townships")
    recs = []
    for r in src.itertuples(index=False):
        wr = 1.0 if weight is None else float(getattr(r, weight, math.nan))
        if not np.isfinite(wr) or wr < 0:
            probs.add("sources", f"source {r.c_no}", f"no usable {weight}: weight 0", severity="warning")
            wr = 0.0
        if np.isfinite(r.x) and np.isfinite(r.y):
            recs.append((r.c_no, r.name, r.township, "point", wr, float(r.x), float(r.y)))
            continue
        hit = towns[(towns["TOWNNAME"] == r.township)
                    & ((towns["COUNTYNAME"] == r.county) if isinstance(r.county, str) and r.county else True)]
        if hit.empty:
            probs.add("sources", f"source {r.c_no}", f"township {r.township!r} not found: not used")
            continue
        geom = shapely.union_all(hit.geometry.to_numpy())
        gw, gs, ge, gn = geom.bounds
        s = float(township_spacing)
        xs = (np.floor(gw / s) + 0.5 + np.arange(int(math.ceil((ge - gw) / s)) + 1)) * s
        ys = (np.floor(gs / s) + 0.5 + np.arange(int(math.ceil((gn - gs) / s)) + 1)) * s
        gx, gy = np.meshgrid(xs, ys)
        inside = shapely.contains_xy(geom, gx.ravel(), gy.ravel())
        px, py = gx.ravel()[inside], gy.ravel()[inside]
        if px.size == 0:
            p = geom.representative_point()
            px, py = np.array([p.x]), np.array([p.y])
        for a, b in zip(px, py):
            recs.append((r.c_no, r.name, r.township, "township", wr / px.size, float(a), float(b)))
    out = pd.DataFrame(recs, columns=["c_no", "name", "township", "basis", "weight", "x", "y"])
    if out.empty or out["weight"].sum() <= 0:
        raise InputError("no plausible source location", where="sources",
                         fix="give sources with coordinates or a township")
    out["weight"] = out["weight"] / out["weight"].sum()
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["x"], out["y"]), crs=TM2)
    gdf.attrs["problems"] = probs
    return gdf


def _location_winds(locs_x, locs_y, wind: pd.DataFrame, *, calm_ms: float, max_station_m: float):
    """``(P, H)`` wind-from directions at each location per hour (NaN: calm or no station), and the hours."""
    need = {"time", "x", "y", "wind_speed", "wind_dir"}
    if not need <= set(wind.columns):
        raise InputError("the wind table needs time, x, y, wind_speed and wind_dir",
                         where="wind", fix="use geoairplan.hotspots.wind_observations(read_moenv_hourly(...))")
    hours = sorted(pd.unique(wind["time"]))
    out = np.full((len(locs_x), len(hours)), np.nan)
    pts = np.column_stack([locs_x, locs_y])
    for h, t in enumerate(hours):
        w = wind[(wind["time"] == t) & wind["wind_speed"].notna() & wind["wind_dir"].notna()]
        if w.empty:
            continue
        w = w.sort_values("station") if "station" in w.columns else w
        d, j = cKDTree(w[["x", "y"]].to_numpy(float)).query(pts, k=1)
        spd = w["wind_speed"].to_numpy(float)[j]
        dr = w["wind_dir"].to_numpy(float)[j]
        ok = (d <= max_station_m) & (spd >= calm_ms)
        out[ok, h] = dr[ok]
    return out, hours


@dataclass
class PlumeSitingResult(Result):
    """Greedy new sites for plume detection.

    Attributes
    ----------
    meta : geoairplan.results.RunMeta
        Provenance (capability ``siting``).
    problems : geoairplan.errors.Problems
        Source rows and wind hours not used.
    sites : geopandas.GeoDataFrame
        Ranked sites: ``rank, x, y, township, gain, detected_before,
        detected_after, geometry``; ``detected`` is the weighted mean
        detection probability of the plausible source locations.
    locations : geopandas.GeoDataFrame
        The plausible locations with ``p_before`` and ``p_after``.
    params : dict
        ``reach_m, half_width_deg, calm_ms, max_station_m, hours``.
    """

    meta: RunMeta
    problems: Problems
    sites: gpd.GeoDataFrame
    locations: gpd.GeoDataFrame
    params: dict = field(default_factory=dict)
    gpkg_name: ClassVar[str] = "plume_siting.gpkg"

    def summary(self) -> dict:
        s = self.sites
        return {"sites": int(len(s)), **self.params,
                "detected_before": float(self.locations.eval("weight * p_before").sum()),
                "detected_after": float(self.locations.eval("weight * p_after").sum())}

    def summary_text(self) -> str:
        d = self.summary()
        return (f"{d['sites']} new site(s): plume detection {100 * d['detected_before']:.1f} % -> "
                f"{100 * d['detected_after']:.1f} % of plausible source locations and hours "
                f"(reach {d['reach_m']:g} m, sector ±{d['half_width_deg']:g}°)")

    def layers(self) -> dict:
        return {"sites": self.sites, "source_locations": self.locations}

    def tables(self) -> dict[str, pd.DataFrame]:
        t = pd.DataFrame(self.sites.drop(columns="geometry"))
        t.attrs["float_format"] = "%.4f"  # TM2 metres: %.6g would round y to 10 m
        return {"plume_sites": t}


def plume_sites(sources, wind: pd.DataFrame, *, county: str, n_add: int = 5, candidates=None,
                spacing: float = 1000.0, existing=None, reach: float = 5000.0, half_width: float = 30.0,
                calm_ms: float = 0.5, max_station_m: float = 30_000.0, township_spacing: float = 2000.0,
                weight: str | None = None, meta: RunMeta | None = None) -> PlumeSitingResult:
    """Greedy choice of ``n_add`` sites that see the most plausible source locations downwind.

    Parameters
    ----------
    sources : DataFrame, GeoDataFrame or GeoDataFrame of :func:`source_locations`
        Sources (see :func:`source_locations`) or locations already made.
    wind : pandas.DataFrame
        Hourly wind per station (``time, station, x, y, wind_speed, wind_dir``):
        :func:`geoairplan.hotspots.wind_observations` of a MOENV hourly table.
    county : str
        County of the candidate grid and of the sources.
    n_add : int
        Sites to add.
    candidates : GeoDataFrame, (x, y), (N, 2) array or None
        Candidate sites; default a ``spacing`` grid over the county.
    existing : GeoDataFrame, (x, y) or None
        Sensors already in place (they count as detecting from the start).
    reach, half_width, calm_ms, max_station_m : float
        The detection rule (see the module notes): metres, degrees, m/s, metres.
    township_spacing, weight : see :func:`source_locations`.
    meta : geoairplan.results.RunMeta or None
        Provenance.

    Returns
    -------
    PlumeSitingResult
    """
    if not 0 < half_width <= 180:
        raise InputError(f"sector half-width {half_width} must be in (0, 180] degrees", where="half_width",
                         fix="e.g. 30 for a 60-degree sector")
    if not reach > 0:
        raise InputError(f"reach {reach} must be positive metres", where="reach", fix="e.g. 5000")
    if int(n_add) < 1:
        raise InputError(f"add at least one site, got {n_add}", where="n_add", fix="e.g. 5")
    if isinstance(sources, gpd.GeoDataFrame) and {"basis", "weight", "x", "y"} <= set(sources.columns):
        locs = sources
    else:
        locs = source_locations(sources, county=county, township_spacing=township_spacing, weight=weight)
    probs = Problems()
    probs.extend(locs.attrs.get("problems", Problems()))
    probs.extend(wind.attrs.get("problems", Problems()))
    lx, ly = locs["x"].to_numpy(float), locs["y"].to_numpy(float)
    wl = locs["weight"].to_numpy(float)
    dirs, hours = _location_winds(lx, ly, wind, calm_ms=calm_ms, max_station_m=max_station_m)
    usable = np.isfinite(dirs)
    n_h = usable.sum(axis=1)
    for i in np.flatnonzero(n_h == 0):
        probs.add("wind", f"location {i} ({locs['c_no'].iloc[i]})", "no usable wind hour: cannot be detected",
                  severity="warning")
    hw = np.where(n_h > 0, wl / np.maximum(n_h, 1), 0.0)[:, None] * usable  # weight of each (location, hour)
    if candidates is None:
        cx, cy = candidate_grid(county, spacing)
    else:
        cx, cy = _xy_of(candidates, "candidates")

    def seen(sx, sy) -> np.ndarray:
        """(S, P, H) True where a sensor at s sees location p in hour h."""
        d = np.hypot(lx[None, :] - sx[:, None], ly[None, :] - sy[:, None])
        b = bearing_deg(sx[:, None], sy[:, None], lx[None, :], ly[None, :])
        near = d <= reach
        ang = np.abs(angle_diff(b[:, :, None], dirs[None, :, :])) <= half_width + 1e-9
        return near[:, :, None] & ang & usable[None, :, :]

    covered = np.zeros(dirs.shape, bool)
    if existing is not None:
        ex, ey = _xy_of(existing, "existing")
        for k in range(0, ex.size, 64):
            covered |= seen(ex[k:k + 64], ey[k:k + 64]).any(axis=0)
    p_before = np.where(n_h > 0, (covered & usable).sum(axis=1) / np.maximum(n_h, 1), 0.0)
    det = np.concatenate([seen(cx[k:k + 128], cy[k:k + 128]) for k in range(0, cx.size, 128)]) \
        if cx.size else np.zeros((0,) + dirs.shape, bool)
    flat = det.reshape(det.shape[0], -1)
    recs = []
    picked = []
    for rank in range(1, min(int(n_add), cx.size) + 1):
        free = (hw * ~covered).ravel()
        gain = np.zeros(cx.size)
        for k in range(0, cx.size, 256):
            gain[k:k + 256] = flat[k:k + 256].astype(np.float32) @ free.astype(np.float32)
        if picked:
            gain[picked] = -1.0
        s = int(np.argmax(gain))
        if gain[s] <= 0:
            probs.add("siting", f"site {rank}", "no candidate sees a further location: stopped", severity="warning")
            break
        before = float((hw * covered).sum())
        covered |= det[s]
        recs.append({"rank": rank, "x": float(cx[s]), "y": float(cy[s]), "gain": float((hw * covered).sum() - before),
                     "detected_before": before, "detected_after": float((hw * covered).sum())})
        picked.append(s)
    p_after = np.where(n_h > 0, (covered & usable).sum(axis=1) / np.maximum(n_h, 1), 0.0)
    table = pd.DataFrame(recs, columns=["rank", "x", "y", "gain", "detected_before", "detected_after"])
    table.insert(3, "township", _townships_of(table["x"], table["y"], (county,)) if len(table) else [])
    sites = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["x"], table["y"]), crs=TM2)
    locs = locs.assign(p_before=p_before, p_after=p_after, usable_hours=n_h.astype(int))
    meta = meta or RunMeta("siting", counties=(county,), title="偵測煙流之新感測器位置 sensor sites for plume detection")
    params = {"reach_m": float(reach), "half_width_deg": float(half_width), "calm_ms": float(calm_ms),
              "max_station_m": float(max_station_m), "hours": len(hours)}
    return PlumeSitingResult(meta, probs, sites, locs, params)
