"""The gridder protocol every interpolation method follows, and chunked parallel prediction.

Every method is a *gridder* in the manner of verde: an object that you
configure with its parameters, then

* ``fit(points, values)`` learns from the stations,
* ``predict(points)`` gives values (and the kriging variance) anywhere,
* ``grid(county=..., cell_size=...)`` fills a raster on a
  :class:`~geoairplan.grid.GridSpec` and returns a
  :class:`~geoairplan.interpolate.surface.Surface` (values, variance where the
  method has one, EPSG:3826, affine transform) that writes itself to GeoTIFF.

Points and values are checked by :mod:`~geoairplan.interpolate.points`.
"""

from __future__ import annotations

import inspect
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

import numpy as np
from scipy.spatial import cKDTree

from geoairplan.errors import InputError
from geoairplan.grid import MAX_CELLS, GridSpec, make_grid
from geoairplan.interpolate.points import as_points, check_values
from geoairplan.interpolate.surface import Surface
from geoairplan.interpolate.validation import cross_validate

try:  # optional: keeps BLAS to one thread per worker thread
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - optional
    threadpool_limits = None

__all__ = ["MEMORY_BUDGET", "Gridder", "run_chunks"]

#: Working memory a prediction may use at once, in bytes (chunk size follows from it).
MEMORY_BUDGET = 64 * 2**20


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
    if threadpool_limits is None:  # pragma: no cover - optional
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
        d, _ = cKDTree(np.column_stack([self.x_, self.y_])).query(
            np.column_stack([x, y]), k=1, distance_upper_bound=float(self.max_distance), workers=-1)
        return np.isfinite(d)

    def describe(self) -> dict:
        """Parameters as used (JSON-friendly), for file tags and reports."""
        return {k: v for k, v in self.get_params().items()}

    def cross_validate(self, **kw):
        """Leave-one-out cross-validation on the fitted data (see :func:`cross_validate`)."""
        self._require_fit()
        return cross_validate(self, (self.x_, self.y_), self.z_, labels=self.labels_, **kw)

    # to implement -----------------------------------------------------------------
    def _fit(self, x, y, z):  # pragma: no cover - abstract
        raise NotImplementedError

    def _predict(self, x, y, variance: bool):  # pragma: no cover - abstract
        raise NotImplementedError
