"""The shared parts of every interpolation method: points, grids, surfaces, the gridder protocol.

Every method is a *gridder* in the manner of verde: an object that you
configure with its parameters, then

* ``fit(points, values)`` learns from the stations,
* ``predict(points)`` gives values (and the kriging variance) anywhere,
* ``grid(county=..., cell_size=...)`` fills a raster and returns a
  :class:`Surface` (values, variance where the method has one, EPSG:3826,
  affine transform) that writes itself to GeoTIFF.

Points are ``(x, y)`` arrays of TM2 metres (EPSG:3826), an ``(N, 2)`` array,
or a GeoDataFrame/GeoSeries of points in any CRS (reprojected to EPSG:3826).
"""

from __future__ import annotations

import inspect
import json
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from geoairplan.errors import InputError
from geoairplan.io.crs import TM2
from geoairplan.grid import BYTES_PER_CELL, MAX_CELLS, GridSpec, make_grid, nice_cell_size

__all__ = ["TM2", "MAX_CELLS", "MEMORY_BUDGET", "as_points", "check_values", "GridSpec", "make_grid",
           "Surface", "Gridder", "nice_cell_size"]

#: Working memory a prediction may use at once, in bytes (chunk size follows from it).
MEMORY_BUDGET = 64 * 2**20


# --------------------------------------------------------------------------- points and values

def as_points(points, crs=None, *, source: str = "points") -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` float arrays in EPSG:3826 metres from any accepted form of points.

    Accepted: a GeoDataFrame or GeoSeries of points (any CRS; reprojected),
    a pair ``(x, y)`` of arrays, or an ``(N, 2)`` array. Plain arrays are taken
    as EPSG:3826 metres unless ``crs`` names another system; arrays that look
    like longitude/latitude degrees are refused rather than guessed.
    """
    import geopandas as gpd
    from geoairplan.io.crs import TM2, resolve_crs, to_tm2

    if isinstance(points, (gpd.GeoDataFrame, gpd.GeoSeries)):
        gs = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
        if crs is not None and gs.crs is None:
            gs = gs.set_crs(resolve_crs(crs))
        gs = to_tm2(gpd.GeoDataFrame(geometry=gs), source=source).geometry
        types = set(gs.geom_type.dropna())
        if gs.is_empty.any() or gs.isna().any() or types - {"Point"}:
            bad = int(np.flatnonzero(~(gs.geom_type == "Point").to_numpy() | gs.is_empty.to_numpy())[0])
            raise InputError(f"interpolation needs point geometries, found {sorted(types) or 'empty'}",
                             file=source, where=f"feature {bad}",
                             fix="use station points (take .centroid of polygons first if you mean that)")
        return gs.x.to_numpy(dtype=float), gs.y.to_numpy(dtype=float)
    if isinstance(points, tuple) and len(points) == 2:
        x = np.asarray(points[0], dtype=float).ravel()
        y = np.asarray(points[1], dtype=float).ravel()
    else:
        arr = np.asarray(points, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise InputError(f"points must be (x, y) arrays, an (N, 2) array or a GeoDataFrame; "
                             f"got an array of shape {arr.shape}", file=source,
                             fix="pass (x, y) in TM2 metres or a GeoDataFrame of points")
        x, y = arr[:, 0].copy(), arr[:, 1].copy()
    if x.shape != y.shape:
        raise InputError(f"x has {x.size} values but y has {y.size}", file=source,
                         fix="give one x and one y per point")
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{int(bad.sum())} point(s) without finite coordinates", file=source,
                         where=f"point {i}", fix="drop points without coordinates before interpolating")
    if crs is not None:
        c = resolve_crs(crs)
        if not c.equals(resolve_crs(TM2)):
            from pyproj import Transformer
            x, y = Transformer.from_crs(c, TM2, always_xy=True).transform(x, y)
            x, y = np.asarray(x, float), np.asarray(y, float)
    elif x.size and (np.all((x >= 118) & (x <= 123)) and np.all((y >= 21) & (y <= 27))):
        raise InputError("the coordinates look like longitude/latitude degrees, not TM2 metres",
                         file=source, fix="pass crs=4326 (or a GeoDataFrame with its CRS) so they are "
                                          "reprojected to EPSG:3826")
    return x, y


def check_values(values, n: int, *, source: str = "values", labels: Sequence | None = None) -> np.ndarray:
    """Values as a float array of shape ``(n,)`` or ``(n, H)``; NaN and infinities are refused.

    ``H`` columns are interpolated together (e.g. hours with the same stations).
    """
    z = np.asarray(values, dtype=float)
    if z.ndim not in (1, 2) or z.shape[0] != n:
        raise InputError(f"expected {n} values (one per point) but got an array of shape {z.shape}",
                         file=source, fix="give one value per point (or an (N, hours) array)")
    bad = ~np.isfinite(z)
    if z.ndim == 2:
        bad = bad.any(axis=1)
    if bad.any():
        idx = np.flatnonzero(bad)
        names = [str(labels[i]) if labels is not None else f"point {i}" for i in idx[:5]]
        more = f" and {idx.size - 5} more" if idx.size > 5 else ""
        raise InputError(f"{idx.size} point(s) have no valid value (NaN or infinite): "
                         + ", ".join(names) + more, file=source,
                         fix="drop stations without a value for this hour before fitting "
                             "(geoairplan.interpolate.grid_series does this hour by hour and reports them)")
    return z


# --------------------------------------------------------------------------- surface

@dataclass
class Surface:
    """An interpolated raster: values (and variance) on a :class:`GridSpec` in EPSG:3826.

    ``values`` is a ``(ny, nx)`` float array, row 0 at the north, NaN where
    nothing was interpolated (outside the county's land, or farther than
    ``max_distance`` from every station). ``variance`` is the kriging variance
    on the same grid (None for methods without one).
    """

    values: np.ndarray
    grid: GridSpec
    variance: np.ndarray | None = None
    method: str = ""
    params: dict = field(default_factory=dict)
    pollutant: str | None = None
    unit: str | None = None
    time: str | None = None
    averaging: str | None = None  # "1h", "8h_moving", "24h_moving": which thresholds apply
    label: str | None = None  # e.g. "scenario"
    notes: list[str] = field(default_factory=list)

    # geometry -------------------------------------------------------------
    @property
    def transform(self):
        return self.grid.transform

    @property
    def crs(self) -> str:
        return TM2

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    @property
    def x(self) -> np.ndarray:
        return self.grid.x

    @property
    def y(self) -> np.ndarray:
        return self.grid.y

    @property
    def bounds(self):
        return self.grid.bounds

    def sample(self, x, y, *, variance: bool = False) -> np.ndarray:
        """Values of the cells holding the points ``(x, y)`` (TM2 metres); NaN outside the grid."""
        row, col = self.grid.cell_of(x, y)
        ok = (row >= 0) & (row < self.grid.ny) & (col >= 0) & (col < self.grid.nx)
        arr = self.variance if variance else self.values
        out = np.full(row.shape, np.nan)
        if arr is not None:
            out[ok] = arr[row[ok], col[ok]]
        return out

    def summary(self) -> dict:
        v = self.values[np.isfinite(self.values)]
        return {"cells": int(self.values.size), "filled": int(v.size),
                "min": float(v.min()) if v.size else math.nan, "mean": float(v.mean()) if v.size else math.nan,
                "max": float(v.max()) if v.size else math.nan}

    def title(self) -> str:
        parts = [self.pollutant.upper() if self.pollutant else "surface"]
        if self.unit:
            parts.append(f"({self.unit})")
        parts.append(self.method)
        if self.averaging and self.averaging != "1h":
            parts.append(self.averaging.replace("_moving", " moving average"))
        if self.time:
            parts.append(self.time)
        if self.grid.name:
            parts.append(self.grid.name)
        if self.label:
            parts.append(f"[{self.label}]")
        return " ".join(parts)

    # output ---------------------------------------------------------------
    def to_geotiff(self, path, *, nodata: float = -9999.0, dtype: str = "float32",
                   variance: bool = True) -> Path:
        """Write a GeoTIFF (EPSG:3826, north-up, ``nodata`` outside the surface).

        Band 1 holds the values; band 2 the kriging variance when the method
        has one (and ``variance`` is True). Band descriptions, units and tags
        (method, parameters, pollutant, time, label) travel with the file, so
        QGIS shows the place and the values as they are.
        """
        import rasterio

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        bands = [self.values]
        desc = [f"{self.pollutant or 'value'}" + (f" ({self.unit})" if self.unit else "")
                + (f" [{self.label}]" if self.label else "")]
        units = [self.unit or ""]
        if variance and self.variance is not None:
            bands.append(self.variance)
            desc.append("kriging variance" + (f" (({self.unit})^2)" if self.unit else ""))
            units.append(f"({self.unit})^2" if self.unit else "")
        ny, nx = self.shape
        profile = dict(driver="GTiff", width=nx, height=ny, count=len(bands), dtype=dtype, crs=TM2,
                       transform=self.transform, nodata=nodata, compress="deflate")
        if nx >= 256 and ny >= 256:
            profile.update(tiled=True, blockxsize=256, blockysize=256)
        with rasterio.open(path, "w", **profile) as dst:
            for i, arr in enumerate(bands, start=1):
                out = np.where(np.isfinite(arr), arr, nodata).astype(dtype)
                dst.write(out, i)
                dst.set_band_description(i, desc[i - 1])
            dst.units = tuple(units)
            tags = {"method": self.method, "params": json.dumps(self.params, sort_keys=True, default=str,
                                                                 ensure_ascii=False)}
            for k in ("pollutant", "unit", "time", "averaging", "label"):
                if getattr(self, k):
                    tags[k] = str(getattr(self, k))
            if self.grid.name:
                tags["area"] = self.grid.name
            dst.update_tags(**tags)
        return path


# --------------------------------------------------------------------------- gridder protocol

def _workers(workers: int | None) -> int:
    if workers is None or workers < 1:
        return os.cpu_count() or 1
    return int(workers)


def run_chunks(func, n: int, chunk: int, workers: int = 1) -> None:
    """Call ``func(start, stop)`` over ``range(n)`` in chunks, on ``workers`` threads.

    The functions write into disjoint slices of preallocated outputs; numpy
    and scipy release the GIL in the heavy loops, so threads use all cores.
    """
    spans = [(s, min(n, s + chunk)) for s in range(0, n, chunk)]
    limits = _single_thread_blas() if len(spans) > 1 else None
    if limits is None:  # no threadpoolctl: one thread of ours, BLAS parallelises its products
        for s, e in spans:
            func(s, e)
        return
    with limits:  # small products per chunk: BLAS threads would only spin
        if workers <= 1:
            for s, e in spans:
                func(s, e)
            return
        with ThreadPoolExecutor(max_workers=min(workers, len(spans))) as ex:
            for fut in [ex.submit(func, s, e) for s, e in spans]:
                fut.result()


def _single_thread_blas():
    """A context limiting BLAS to one thread per caller (threads of our own share the cores).

    Without it, every chunk's small matrix product would wake BLAS threads
    that spin against ours and oversubscribe the cores. Needs ``threadpoolctl``;
    without it, work runs on one thread and BLAS parallelises the products.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        return None
    return threadpool_limits(limits=1, user_api="blas")


class Gridder:
    """Base class of the interpolation methods (see the module docstring for the protocol).

    Subclasses set ``name``, ``exact`` (passes through the data),
    ``has_variance`` and implement ``_fit(x, y, z)``, ``_predict(x, y,
    variance)`` and ``min_points``.
    """

    name = "gridder"
    exact = False
    has_variance = False
    #: Distance (m) beyond which no cell is filled: sparse areas are left empty.
    max_distance: float | None = None

    # parameters -------------------------------------------------------------
    def get_params(self) -> dict:
        """The constructor parameters and their current values."""
        sig = inspect.signature(type(self).__init__)
        return {k: getattr(self, k) for k in sig.parameters if k != "self"}

    def clone(self, **overrides) -> "Gridder":
        """A new, unfitted gridder with the same parameters (some replaced)."""
        params = self.get_params()
        params.update(overrides)
        return type(self)(**params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(" + ", ".join(f"{k}={v!r}" for k, v in self.get_params().items()) + ")"

    @property
    def fitted(self) -> bool:
        return hasattr(self, "x_")

    def min_points(self) -> int:
        return 1

    # protocol -----------------------------------------------------------------
    def fit(self, points, values, *, crs=None, labels: Sequence | None = None, source: str = "points"):
        """Learn from stations: ``points`` (see :func:`as_points`), one value per point.

        ``values`` may be ``(N, H)``: H fields (e.g. hours) on the same
        stations, interpolated together at the cost of one.
        """
        x, y = as_points(points, crs, source=source)
        z = check_values(values, x.size, source=source, labels=labels)
        self._check_points(x, y, labels=labels, source=source)
        self.labels_ = None if labels is None else [str(v) for v in labels]
        self.x_, self.y_, self.z_ = x, y, z
        self._fit(x, y, z)
        return self

    def _check_points(self, x, y, *, labels=None, source="points"):
        need = self.min_points()
        if x.size < need:
            raise InputError(f"{self.name} needs at least {need} point{'s' if need > 1 else ''} with values, got {x.size}",
                             file=source, fix="add stations (a neighbouring county's stations help) "
                                              "or use idw, which works from one station")
        if x.size > 1 and np.ptp(x) == 0 and np.ptp(y) == 0:
            raise InputError(f"all {x.size} points are at the same location ({x[0]:.1f}, {y[0]:.1f})",
                             file=source, fix="check the station coordinates (a default or a unit mix-up?)")
        if self.exact and x.size > 1:
            order = np.lexsort((y, x))
            xs, ys = x[order], y[order]
            dup = np.flatnonzero((np.diff(xs) == 0) & (np.diff(ys) == 0))
            if dup.size:
                i, j = order[dup[0]], order[dup[0] + 1]
                name = (lambda k: labels[k] if labels is not None else f"point {k}")
                raise InputError(f"{dup.size} pair(s) of points share a location, e.g. {name(i)} and {name(j)} "
                                 f"at ({x[i]:.1f}, {y[i]:.1f}); {self.name} passes through every point and "
                                 f"cannot take two values at one place", file=source,
                                 fix="average co-located points first, or use idw")

    def _require_fit(self):
        if not self.fitted:
            raise InputError(f"this {self.name} gridder is not fitted yet", fix="call .fit(points, values) first")

    def predict(self, points, *, crs=None, return_variance: bool = False):
        """Values at ``points`` (and the variance, for methods that have one, as a second array).

        Shapes follow the fitted values: ``(M,)`` or ``(M, H)``.
        """
        self._require_fit()
        x, y = as_points(points, crs, source="prediction points")
        if return_variance and not self.has_variance:
            raise InputError(f"{self.name} has no prediction variance", where="return_variance",
                             fix="use kriging for a variance, or cross_validate() for errors")
        val, var = self._predict(x, y, return_variance)
        return (val, var) if return_variance else val

    def grid(self, region=None, *, county=None, cell_size: float = 500.0, grid: GridSpec | None = None,
             return_variance: bool | None = None, max_cells: int = MAX_CELLS, **meta) -> Surface:
        """Fill a raster (see :func:`make_grid` for region/county/cell_size) and return a :class:`Surface`.

        Cells outside the county's land, and cells farther than
        ``max_distance`` from every station, are left empty (NaN / nodata).
        Extra keywords (``pollutant``, ``unit``, ``time``, ``label``) are
        stored on the surface.
        """
        self._require_fit()
        if self.z_.ndim != 1:
            raise InputError("grid() makes one surface; these values have several columns",
                             fix="use geoairplan.interpolate.grid_series for many hours")
        spec = grid if grid is not None else make_grid(region, county=county, cell_size=cell_size,
                                                       points=(self.x_, self.y_), max_cells=max_cells)
        want_var = self.has_variance if return_variance is None else (return_variance and self.has_variance)
        vals, var = self._fill(spec, want_var)
        return Surface(vals[..., 0] if vals.ndim == 3 else vals, spec, var, method=self.name,
                       params=self.describe(), notes=list(getattr(self, "notes_", [])), **meta)

    def _fill(self, spec: GridSpec, want_var: bool):
        """Predict on the grid's active cells: values ``(ny, nx[, H])`` and variance ``(ny, nx)``."""
        active = spec.land.copy()
        rows, cols = np.nonzero(active)
        cx = spec.west + (cols + 0.5) * spec.cell_size
        cy = spec.north - (rows + 0.5) * spec.cell_size
        h = 1 if self.z_.ndim == 1 else self.z_.shape[1]
        vals = np.full((spec.ny, spec.nx, h) if self.z_.ndim == 2 else (spec.ny, spec.nx), np.nan)
        var = np.full((spec.ny, spec.nx), np.nan) if want_var else None
        if cx.size == 0:
            return vals, var
        keep = self._within_reach(cx, cy)
        if keep is not None:
            rows, cols, cx, cy = rows[keep], cols[keep], cx[keep], cy[keep]
        v, s = self._predict(cx, cy, want_var)
        vals[rows, cols] = v
        if want_var:
            var[rows, cols] = s
        return vals, var

    def _within_reach(self, x, y):
        """Boolean mask of cells within ``max_distance`` of a station (None: all)."""
        if self.max_distance is None:
            return None
        from scipy.spatial import cKDTree
        d, _ = cKDTree(np.column_stack([self.x_, self.y_])).query(
            np.column_stack([x, y]), k=1, distance_upper_bound=float(self.max_distance), workers=-1)
        return np.isfinite(d)

    def describe(self) -> dict:
        """Parameters as used (JSON-friendly), for file tags and reports."""
        return {k: v for k, v in self.get_params().items()}

    def cross_validate(self, **kw):
        """Leave-one-out cross-validation on the fitted data (see :func:`cross_validate`)."""
        from geoairplan.interpolate.validation import cross_validate
        self._require_fit()
        return cross_validate(self, (self.x_, self.y_), self.z_, labels=self.labels_, **kw)

    # to implement -----------------------------------------------------------------
    def _fit(self, x, y, z):  # pragma: no cover - abstract
        raise NotImplementedError

    def _predict(self, x, y, variance: bool):  # pragma: no cover - abstract
        raise NotImplementedError
