"""Inverse distance weighting, as the public AirNow maps use it.

A cell's value is the weighted mean of its ``k`` nearest stations (within an
optional search radius), each weighted by ``1 / d^power`` (Shepard 1968):

    ẑ(x0) = Σ w_i z_i / Σ w_i,    w_i = 1 / |x_i - x0|^power.

A cell on a station takes the station's value (the mean of co-located
stations). The defaults are AirNow's published settings: power 5 and 10
neighbours ("How are the map contours made?", AirNow help centre, citing
Shepard 1968 and Frank & Nielson 1980). AirNow masks areas of high
uncertainty "due to sparse observations"; here ``max_distance`` leaves cells
farther than 25 km from every station empty rather than painting them.

Neighbours come from :class:`scipy.spatial.cKDTree` in chunks of cells
(memory bounded) on all cores; the weighting adds little to the query itself
(see ``scripts/benchmarks/interpolate.py``).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from geoairplan.errors import InputError
from geoairplan.interpolate._core import MEMORY_BUDGET, Gridder, _workers

__all__ = ["IDW", "AIRNOW_POWER", "AIRNOW_NEIGHBORS"]

#: AirNow's IDW settings (power 5, 10 neighbours).
AIRNOW_POWER = 5.0
AIRNOW_NEIGHBORS = 10


class IDW(Gridder):
    """Inverse distance weighting from the ``n_neighbors`` nearest stations.

    Parameters
    ----------
    power:
        Distance exponent (AirNow: 5). Higher values follow the nearest
        station more closely; 2 is the textbook default.
    n_neighbors:
        Stations used per cell (AirNow: 10); fewer if fewer are given.
    search_radius:
        Only stations within this distance (metres) count; cells with none
        are left empty. ``None``: no limit.
    max_distance:
        Leave grid cells farther than this (metres) from the nearest station
        empty (default 25 km). ``None`` paints everything.
    workers:
        Threads for the neighbour search (-1: all cores).

    >>> import numpy as np
    >>> idw = IDW(power=2, n_neighbors=2).fit((np.array([0.0, 100.0]), np.array([0.0, 0.0])), np.array([1.0, 3.0]))
    >>> float(idw.predict((np.array([25.0]), np.array([0.0])))[0])  # weights 1/25² and 1/75²: 9:1
    1.2
    """

    name = "idw"
    exact = False

    def __init__(self, power: float = AIRNOW_POWER, n_neighbors: int = AIRNOW_NEIGHBORS, *,
                 search_radius: float | None = None, max_distance: float | None = 25_000.0,
                 memory_budget: int = MEMORY_BUDGET, workers: int = -1):
        if not np.isfinite(power) or power <= 0:
            raise InputError(f"power must be positive, got {power}", where="power", fix="AirNow uses 5")
        if int(n_neighbors) < 1:
            raise InputError(f"n_neighbors must be at least 1, got {n_neighbors}", where="n_neighbors",
                             fix="AirNow uses 10")
        if search_radius is not None and not search_radius > 0:
            raise InputError(f"search_radius must be positive metres, got {search_radius}",
                             where="search_radius", fix="e.g. 50000, or None for no limit")
        self.power = float(power)
        self.n_neighbors = int(n_neighbors)
        self.search_radius = search_radius
        self.max_distance = max_distance
        self.memory_budget = int(memory_budget)
        self.workers = workers

    def _fit(self, x, y, z):
        self._tree = cKDTree(np.column_stack([x, y]))
        z2 = z[:, None] if z.ndim == 1 else z
        # one padding row: the index cKDTree returns for "no neighbour"
        self._zpad = np.vstack([z2, np.zeros((1, z2.shape[1]))])
        self.notes_ = []

    def _weights(self, d: np.ndarray) -> np.ndarray:
        """1/d^power in place (integer powers by multiplication: faster than pow)."""
        p = self.power
        if p == int(p) and 1 <= p <= 8:
            base = d.copy()
            for _ in range(int(p) - 1):
                d *= base
        else:
            np.power(d, p, out=d)
        with np.errstate(divide="ignore"):
            np.reciprocal(d, out=d)
        return d

    def _predict(self, x, y, variance: bool):
        k = min(self.n_neighbors, self._tree.n)
        m = x.size
        h = self._zpad.shape[1]
        out = np.empty((m, h))
        pts = np.column_stack([x, y])
        ub = np.inf if self.search_radius is None else float(self.search_radius)
        workers = _workers(self.workers)
        chunk = int(min(max(4096, self.memory_budget // (8 * 3 * k * max(h, 1))), 1 << 18))
        for s in range(0, m, chunk):
            e = min(m, s + chunk)
            d, idx = self._tree.query(pts[s:e], k=k, distance_upper_bound=ub, workers=workers)
            if k == 1:
                d, idx = d[:, None], idx[:, None]
            hit = d[:, 0] == 0.0
            w = self._weights(d)  # inf where d == 0, 0 where no neighbour
            if hit.any():  # on a station: its value (mean of co-located stations)
                w[hit] = np.isinf(w[hit]).astype(float)
            if h == 1:
                zz = self._zpad[:, 0][idx]
                num = np.einsum("ij,ij->i", w, zz)
                den = w.sum(axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    out[s:e, 0] = num / den
            else:
                num = np.einsum("ck,ckh->ch", w, self._zpad[idx])
                den = w.sum(axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    out[s:e] = num / den[:, None]
        return (out[:, 0] if self.z_.ndim == 1 else out), None

    def _loo(self):
        """Leave-one-out predictions: the k nearest *other* stations of each station."""
        n = self._tree.n
        k = min(self.n_neighbors, n - 1)
        if k < 1:
            return None
        ub = np.inf if self.search_radius is None else float(self.search_radius)
        d, idx = self._tree.query(np.column_stack([self.x_, self.y_]), k=min(k + 1, n),
                                  distance_upper_bound=ub)
        if d.ndim == 1:
            d, idx = d[:, None], idx[:, None]
        own = idx == np.arange(n)[:, None]
        # drop the station itself (wherever the tree put it among co-located points), keep k others
        keep = ~own
        first_k = np.cumsum(keep, axis=1) <= k
        keep &= first_k
        dd = np.where(keep, d, np.inf)
        w = self._weights(dd)
        hit = (np.where(keep, d, np.inf) == 0).any(axis=1)
        if hit.any():
            w[hit] = np.isinf(w[hit]).astype(float)
        z2 = self._zpad
        num = np.einsum("ck,ckh->ch", w, z2[idx])
        den = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            pred = num / den[:, None]
        return (pred[:, 0] if self.z_.ndim == 1 else pred), None
