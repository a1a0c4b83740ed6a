"""Ordinary kriging: variograms, the kriging system solved once, predictions and variance in chunks.

Ordinary kriging predicts at a point ``x0`` with weights ``λ`` that sum to one
and minimise the expected squared error under a variogram model ``γ(h)``:

    [Γ  1] [λ]   [γ0]        Γ_ij = γ(|x_i - x_j|),  Γ_ii = 0
    [1ᵀ 0] [μ] = [1 ]        γ0_i = γ(|x_i - x0|)

    ẑ(x0) = λᵀz,            σ²(x0) = λᵀγ0 + μ   (the kriging variance).

The ``(N+1) x (N+1)`` matrix ``A`` on the left depends on the stations only,
so :class:`OrdinaryKriging` inverts it **once** in ``fit``. Then, for every
cell, with ``b = [γ0; 1]``:

* the prediction is ``bᵀ (A⁻¹ [z; 0])``: a dot product, O(N) per cell;
* the variance is ``bᵀ A⁻¹ b``: O(N²) per cell, done as one matrix product
  per chunk of cells. For the bounded models (spherical, exponential,
  Gaussian) the covariance form halves it: with the Cholesky factor of the
  stations' covariance matrix ``K = LLᵀ`` (factorised once in ``fit``), a
  chunk needs one triangular product ``L⁻¹C`` (BLAS ``trmm``, N²/2 per
  cell) and row-wise dot products (see ``_covariance_factor``). No exact
  form needs less: ``σ²`` depends on all N covariances of the cell through
  a quadratic form.

With ``n_neighbors=k`` (or :class:`NeighbourhoodKriging`), each cell is
kriged from its k nearest points instead: see
:mod:`~geoairplan.interpolate.neighbourhood`.

Writing ``γ0 = α + β·F(d)`` for each model (e.g. spherical ``α = nugget``,
``β = psill``) and using ``1ᵀP = 0`` for the top-left block ``P`` of ``A⁻¹``
removes every constant from the per-cell work, so a block of cells needs
one evaluation of ``F`` (spherical: four vector passes over the squared
distances) and its matrix products. Blocks are sized from a memory budget
and kept in cache; threads take spans of 16 blocks and combine the products
into predictions and variances once per span, so each thread makes few,
large numpy calls. The triangular product is called through SciPy's
``cython_blas`` without holding the GIL (:mod:`._blas`), so it runs on all
cores at once. Any grid fits in memory.

Variogram models and parameters are PyKrige's (``psill`` = partial sill,
``sill = psill + nugget``, ``range``, ``nugget``; a list means
``[sill, range, nugget]``), and so are the conventions: ``γ(0) = 0`` on the
diagonal and, with ``exact_values=True``, at a cell that coincides with a
station (the station's value is returned exactly). The test suite checks
predictions and variances against PyKrige's ``OrdinaryKriging`` to 1e-8.

The empirical variogram uses PyKrige's binning (``nlags`` equal-width
classes between the shortest and longest station distance, lag = mean
distance in the class) and the model is fitted by soft-L1 least squares with
PyKrige's starting values and bounds.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
from scipy.optimize import least_squares
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from geoairplan.errors import InputError
from geoairplan.interpolate._blas import trmm_rows
from geoairplan.interpolate._core import MEMORY_BUDGET, Gridder, _workers, run_chunks
from geoairplan.interpolate.neighbourhood import DEFAULT_NEIGHBOURS, predict_neighbourhood

__all__ = ["OrdinaryKriging", "NeighbourhoodKriging", "Variogram", "empirical_variogram", "fit_variogram", "VARIOGRAM_MODELS"]

#: Models and their parameter names (PyKrige's order).
VARIOGRAM_MODELS = {
    "spherical": ("psill", "range", "nugget"),
    "exponential": ("psill", "range", "nugget"),
    "gaussian": ("psill", "range", "nugget"),
    "linear": ("slope", "nugget"),
    "power": ("scale", "exponent", "nugget"),
}
_EPS = 1.0e-10  # PyKrige's cut-off for "distance zero"
_VECDOT = getattr(np, "vecdot", None)  # numpy >= 2: a row-wise dot product ufunc


@dataclass(frozen=True)
class Variogram:
    """A variogram model with its parameters (PyKrige's parameterisation).

    >>> v = Variogram("spherical", {"psill": 80.0, "range": 40_000.0, "nugget": 5.0})
    >>> float(v(np.array([0.0, 40_000.0, 90_000.0]))[1])
    85.0
    >>> v.sill
    85.0
    """

    model: str
    params: dict
    lags: np.ndarray | None = field(default=None, repr=False, compare=False)
    semivariance: np.ndarray | None = field(default=None, repr=False, compare=False)
    pairs: np.ndarray | None = field(default=None, repr=False, compare=False)
    fitted: bool = False

    @property
    def nugget(self) -> float:
        return float(self.params["nugget"])

    @property
    def psill(self) -> float:
        return float(self.params.get("psill", math.nan))

    @property
    def sill(self) -> float:
        return self.psill + self.nugget

    @property
    def range(self) -> float:
        return float(self.params.get("range", math.nan))

    def as_list(self) -> list[float]:
        """Parameters in PyKrige's internal order ([psill, range, nugget] etc.)."""
        return [float(self.params[k]) for k in VARIOGRAM_MODELS[self.model]]

    def __call__(self, d: np.ndarray) -> np.ndarray:
        """γ(d) for distances ``d`` (metres), as PyKrige evaluates it (γ(0) = nugget)."""
        d = np.asarray(d, dtype=float)
        p = self.params
        if self.model == "spherical":
            r = p["range"]
            return np.where(d <= r, p["psill"] * ((3.0 * d) / (2.0 * r) - d ** 3.0 / (2.0 * r ** 3.0)) + p["nugget"],
                            p["psill"] + p["nugget"])
        if self.model == "exponential":
            return p["psill"] * (1.0 - np.exp(-d / (p["range"] / 3.0))) + p["nugget"]
        if self.model == "gaussian":
            return p["psill"] * (1.0 - np.exp(-(d ** 2.0) / (p["range"] * 4.0 / 7.0) ** 2.0)) + p["nugget"]
        if self.model == "linear":
            return p["slope"] * d + p["nugget"]
        return p["scale"] * d ** p["exponent"] + p["nugget"]

    # γ(d) = alpha + beta * F(s·d) for d > 0, with F cheap to evaluate in place on scaled distances.
    def _affine(self) -> tuple[float, float, float, bool]:
        """(alpha, beta, scale, squared): γ(d) = alpha + beta·F(scale·d); F takes (scale·d)² when ``squared``."""
        p = self.params
        if self.model == "spherical":  # F = t(3 - t²) = 2·(1.5t - 0.5t³)
            return p["nugget"], 0.5 * p["psill"], 1.0 / p["range"], False
        if self.model == "exponential":
            return p["psill"] + p["nugget"], -p["psill"], 3.0 / p["range"], False
        if self.model == "gaussian":
            return p["psill"] + p["nugget"], -p["psill"], 1.0 / (p["range"] * 4.0 / 7.0), True
        if self.model == "linear":
            return p["nugget"], p["slope"], 1.0, False
        return p["nugget"], p["scale"], 1.0, False

    def _shape_inplace(self, t: np.ndarray, work: np.ndarray) -> np.ndarray:
        """F in place on ``t`` = scaled squared distances (``work``: a scratch array of the same shape).

        Returns the array holding F (``t`` itself).
        """
        if self.model == "gaussian":  # exp(-(d/a)²)
            np.negative(t, out=t)
            np.exp(t, out=t)
            return t
        if self.model == "spherical":  # t(3 - t²), t = min(d/r, 1): four passes from t²
            np.minimum(t, 1.0, out=t)
            np.sqrt(t, out=work)
            np.subtract(3.0, t, out=t)
            np.multiply(t, work, out=t)
            return t
        np.sqrt(t, out=t)
        if self.model == "exponential":  # exp(-3d/r)
            np.negative(t, out=t)
            np.exp(t, out=t)
        elif self.model == "power":
            np.power(t, self.params["exponent"], out=t)
        return t

    def describe(self) -> str:
        body = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items())
        return f"{self.model}({body}){' fitted' if self.fitted else ' given'}"

    def as_dict(self) -> dict:
        return {"model": self.model, **{k: float(v) for k, v in self.params.items()}, "fitted": self.fitted}


def _parse_parameters(model: str, params) -> dict:
    if model not in VARIOGRAM_MODELS:
        raise InputError(f"unknown variogram model {model!r}", where="variogram_model",
                         fix="use one of " + ", ".join(VARIOGRAM_MODELS))
    names = VARIOGRAM_MODELS[model]
    if isinstance(params, Variogram):
        params = params.params
    if isinstance(params, dict):
        p = dict(params)
        if "sill" in p and "psill" not in p and "psill" in names:
            p["psill"] = float(p.pop("sill")) - float(p.get("nugget", 0.0))
        p.pop("sill", None)
        missing = [k for k in names if k not in p]
        if missing:
            raise InputError(f"the {model} variogram needs {', '.join(names)}; missing {', '.join(missing)}",
                             where="variogram_parameters",
                             fix="e.g. {'psill': 80, 'range': 30000, 'nugget': 5} (or 'sill' for psill+nugget)")
        extra = set(p) - set(names)
        if extra:
            raise InputError(f"unknown variogram parameter(s) {sorted(extra)} for the {model} model",
                             where="variogram_parameters", fix="use " + ", ".join(names))
    else:
        vals = list(params)
        if len(vals) != len(names):
            raise InputError(f"the {model} variogram takes {len(names)} parameters, got {len(vals)}",
                             where="variogram_parameters",
                             fix="as a list: [sill, range, nugget] (PyKrige's order), or a dict")
        if "psill" in names:  # PyKrige's list form is [sill, range, nugget]
            vals = [vals[0] - vals[2], vals[1], vals[2]]
        p = dict(zip(names, vals))
    try:
        p = {k: float(p[k]) for k in names}
    except (TypeError, ValueError):
        raise InputError(f"variogram parameters must be numbers, got {params!r}",
                         where="variogram_parameters") from None
    bad = [k for k, v in p.items() if not math.isfinite(v) or v < 0]
    if "range" in p and p["range"] <= 0:
        bad.append("range")
    if model == "power" and not 0 < p["exponent"] < 2:
        bad.append("exponent (0 < exponent < 2)")
    if bad:
        raise InputError(f"invalid {model} variogram parameter(s): " + ", ".join(
            f"{k}={p.get(k.split(' ')[0])}" for k in dict.fromkeys(bad)), where="variogram_parameters",
            fix="partial sill and nugget must be >= 0, range > 0")
    if "psill" in p and p["psill"] + p["nugget"] <= 0:
        raise InputError("the variogram's sill is zero: every point would be unrelated and weightless",
                         where="variogram_parameters", fix="give a positive partial sill or nugget")
    return p


def _triu_pair(k: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the ``k``-th entry of ``np.triu_indices(n, k=1)`` (row-major order)."""
    k = np.asarray(k, dtype=np.int64)
    start = lambda r: r * (2 * n - r - 1) // 2  # flat index of the first pair of row r
    i = np.floor((2 * n - 1 - np.sqrt((2.0 * n - 1) ** 2 - 8.0 * k)) / 2).astype(np.int64)
    i = np.clip(i, 0, n - 2)
    i -= (start(i) > k)  # correct float rounding either way
    i += (start(i + 1) <= k)
    return i, k - start(i) + i + 1


def empirical_variogram(x, y, z, nlags: int = 6, *, max_pairs: int = 5_000_000, seed: int = 0):
    """Binned semivariances (PyKrige's binning): ``(lags, semivariance, pairs per lag)``.

    ``z`` may be ``(N, H)`` with NaN for missing values: the semivariances
    of all columns are pooled (one variogram for many hours). Above
    ``max_pairs`` station pairs, a seeded random subset of pairs is used.
    """
    x = np.asarray(x, float)
    z = np.asarray(z, float)
    z2 = z[:, None] if z.ndim == 1 else z
    n = x.size
    if n < 2:
        raise InputError("a variogram needs at least two points", where="variogram")
    npairs = n * (n - 1) // 2
    if npairs > max_pairs:  # the same pairs as picking from np.triu_indices, without building all of them
        pick = np.sort(np.random.default_rng(seed).choice(npairs, size=max_pairs, replace=False))
        i, j = _triu_pair(pick, n)
    else:
        i, j = np.triu_indices(n, k=1)
    xy = np.column_stack([x, np.asarray(y, float)])
    d = np.sqrt(((xy[i] - xy[j]) ** 2).sum(axis=1))
    dmax, dmin = float(d.max()), float(d.min())
    dd = (dmax - dmin) / nlags
    bins = [dmin + k * dd for k in range(nlags)] + [dmax + 0.001]
    which = np.clip(np.searchsorted(bins, d, side="right") - 1, 0, nlags - 1)
    lag_sum = np.zeros(nlags)
    g_sum = np.zeros(nlags)
    cnt = np.zeros(nlags)
    for h in range(z2.shape[1]):
        g = 0.5 * (z2[i, h] - z2[j, h]) ** 2
        ok = np.isfinite(g)
        g_sum += np.bincount(which[ok], weights=g[ok], minlength=nlags)
        lag_sum += np.bincount(which[ok], weights=d[ok], minlength=nlags)
        cnt += np.bincount(which[ok], minlength=nlags)
    has = cnt > 0
    return lag_sum[has] / cnt[has], g_sum[has] / cnt[has], cnt[has].astype(int)


def _residuals(params, lags, sv, model, weight):
    v = Variogram(model, dict(zip(VARIOGRAM_MODELS[model], params)))
    r = v(lags) - sv
    if weight:
        drange = np.amax(lags) - np.amin(lags)
        k = 2.1972 / (0.1 * drange)
        x0 = 0.7 * drange + np.amin(lags)
        w = 1.0 / (1.0 + np.exp(-k * (x0 - lags)))
        r = r * (w / np.sum(w))
    return r


def fit_variogram(x, y, z, model: str = "spherical", nlags: int = 6, weight: bool = False) -> Variogram:
    """Fit a variogram model to the empirical variogram of the data (PyKrige's procedure).

    Raises :class:`InputError` when the data do not support a model: too
    few lag classes, no spatial structure (the fitted partial sill is zero,
    or the range is shorter than the distance between the two closest
    stations, so no two stations would be related: pure noise), or a failed fit. Constant data give a flat variogram marked
    ``constant`` (kriging then returns the constant everywhere).
    """
    if model not in VARIOGRAM_MODELS:
        _parse_parameters(model, {})
    lags, sv, pairs = empirical_variogram(x, y, z, nlags)
    nparam = len(VARIOGRAM_MODELS[model])
    if lags.size < nparam:
        raise InputError(f"only {lags.size} lag class(es) hold station pairs; a {model} variogram has "
                         f"{nparam} parameters to fit", where="variogram",
                         fix="use more stations, fewer lags (nlags) or give variogram_parameters")
    if np.all(sv == 0):
        params = {k: 0.0 for k in VARIOGRAM_MODELS[model]}
        if "range" in params:
            params["range"] = float(lags.max())
        return Variogram(model, params, lags, sv, pairs, fitted=True)
    if model == "linear":
        x0 = [(sv.max() - sv.min()) / max(lags.max() - lags.min(), 1e-12), sv.min()]
        bounds = ([0.0, 0.0], [np.inf, sv.max()])
    elif model == "power":
        x0 = [(sv.max() - sv.min()) / max(lags.max() - lags.min(), 1e-12), 1.1, sv.min()]
        bounds = ([0.0, 0.001, 0.0], [np.inf, 1.999, sv.max()])
    else:
        x0 = [sv.max() - sv.min(), 0.25 * lags.max(), sv.min()]
        bounds = ([0.0, 0.0, 0.0], [10.0 * sv.max(), lags.max(), sv.max()])
    res = least_squares(_residuals, x0, bounds=bounds, loss="soft_l1", args=(lags, sv, model, weight))
    params = dict(zip(VARIOGRAM_MODELS[model], (float(v) for v in res.x)))
    table = ", ".join(f"{lg / 1000:.1f} km: {s:.4g}" for lg, s in zip(lags, sv))
    if not res.success:
        raise InputError(f"the {model} variogram could not be fitted ({res.message}); "
                         f"empirical variogram {table}", where="variogram",
                         fix="give variogram_parameters, try another model, or use idw")
    structure = params.get("psill", params.get("slope", params.get("scale", 0.0)))
    dnear = cKDTree(np.column_stack([np.asarray(x, float), np.asarray(y, float)])).query(
        np.column_stack([np.asarray(x, float), np.asarray(y, float)]), k=2)[0][:, 1]
    dmin = float(dnear[dnear > 0].min()) if np.any(dnear > 0) else 0.0
    if structure <= 1e-9 * sv.max() or ("range" in params and params["range"] < dmin):
        fitted = ", ".join(f"{k}={v:.4g}" for k, v in params.items())
        why = (f"the fitted range {params['range']:.0f} m is shorter than the closest pair of stations "
               f"({dmin:.0f} m)" if "range" in params and params["range"] < dmin and structure > 1e-9 * sv.max()
               else "the fitted partial sill is zero")
        raise InputError(f"the {model} variogram does not fit: the data show no spatial structure ({why}; "
                         f"fitted {fitted}; empirical variogram {table}), so kriging would only return the "
                         "mean between stations", where="variogram",
                         fix="give variogram_parameters from a longer record, try another model, or use idw")
    return Variogram(model, params, lags, sv, pairs, fitted=True)


class _OnStation:
    """Finds the points that sit on a station (within ``eps``, PyKrige's "distance zero"), cheaply.

    A point can only be that close to a station if its x is: the stations'
    x (± one bin) are marked in a fine table of x bins, a table lookup per
    point picks the few candidates (usually none), and their distances to
    all stations decide. This costs a few vector operations per point where
    a row-wise minimum over all stations costs a pass over the distances.
    """

    def __init__(self, sxy: np.ndarray, eps: float, bins: int = 1 << 20):
        self.sxy, self.eps = sxy, eps
        sx = sxy[:, 0]
        self.lo = float(sx.min() - 2 * eps)
        self.width = max(4 * eps, float(sx.max() - sx.min() + 4 * eps) / bins, np.finfo(float).tiny)
        nb = int((sx.max() + 2 * eps - self.lo) / self.width) + 3
        self.mark = np.zeros(nb + 2, dtype=bool)  # 0 and nb+1: outside the stations' x range
        k = ((sx - self.lo) / self.width).astype(np.int64) + 1
        for d in (-1, 0, 1):  # the bin and its neighbours: rounding cannot hide a station
            self.mark[np.clip(k + d, 0, nb + 1)] = True
        self.mark[[0, nb + 1]] = False
        self.nb = nb

    def rows(self, p: np.ndarray) -> np.ndarray:
        k = (p[:, 0] - self.lo) / self.width
        np.clip(k, -1.0, self.nb, out=k)
        cand = np.flatnonzero(self.mark[k.astype(np.int64) + 1])
        if cand.size == 0:
            return cand
        return cand[cdist(p[cand], self.sxy, "sqeuclidean").min(axis=1) <= self.eps * self.eps]


def _sumsq_rows(g: np.ndarray, ones: np.ndarray, out: np.ndarray) -> None:
    """``out[i] = g[i] · g[i]``, without holding the GIL (einsum holds it); ``g`` may be overwritten."""
    if _VECDOT is not None:
        _VECDOT(g, g, out=out)
    else:  # numpy < 2
        np.multiply(g, g, out=g)
        np.matmul(g, ones, out=out)


class OrdinaryKriging(Gridder):
    """Ordinary kriging with a fitted or given variogram; predictions and kriging variance.

    Parameters
    ----------
    variogram_model:
        ``"spherical"`` (default), ``"exponential"``, ``"gaussian"``,
        ``"linear"`` or ``"power"``, defined as in PyKrige.
    variogram_parameters:
        ``None`` to fit the model to the data's empirical variogram, or fixed
        parameters: a dict ``{"psill" or "sill", "range", "nugget"}`` or a
        list ``[sill, range, nugget]`` (PyKrige's conventions), or a
        :class:`Variogram`.
    nlags, weight:
        Empirical variogram classes and PyKrige's small-lag weighting for the fit.
    n_neighbors:
        ``None`` (the default) for global kriging (one system for all
        cells). An integer ``k`` krige each cell from its ``k`` nearest
        points (neighbourhood kriging, for thousands of micro-sensors; 32 is
        a good start, :class:`NeighbourhoodKriging`'s default); cells sharing
        the same neighbours share one factorisation.
    exact_values:
        Return a station's own value at its location (PyKrige's default).
    max_distance:
        Leave grid cells farther than this (metres) from every station empty.
    memory_budget:
        Bytes of working memory for one chunk of cells (chunk size follows).
    workers:
        Threads for predictions (-1: all cores).

    >>> import numpy as np
    >>> ok = OrdinaryKriging("exponential", {"psill": 4.0, "range": 30_000.0, "nugget": 0.5})
    >>> x = np.array([0.0, 10_000.0, 20_000.0, 5_000.0]); y = np.array([0.0, 0.0, 10_000.0, 15_000.0])
    >>> ok = ok.fit((x, y), np.array([10.0, 12.0, 15.0, 11.0]))
    >>> bool(np.isclose(ok.predict((x[:1], y[:1]))[0], 10.0))
    True
    """

    name = "kriging"
    exact = True
    has_variance = True

    def __init__(self, variogram_model: str = "spherical", variogram_parameters=None, *, nlags: int = 6,
                 weight: bool = False, n_neighbors: int | None = None, exact_values: bool = True,
                 max_distance: float | None = None, memory_budget: int = MEMORY_BUDGET, workers: int = -1):
        if variogram_model not in VARIOGRAM_MODELS:
            raise InputError(f"unknown variogram model {variogram_model!r}", where="variogram_model",
                             fix="use one of " + ", ".join(VARIOGRAM_MODELS))
        self.variogram_model = variogram_model
        self.variogram_parameters = variogram_parameters
        self._fixed = (None if variogram_parameters is None else
                       Variogram(variogram_model, _parse_parameters(variogram_model, variogram_parameters)))
        self.nlags = int(nlags)
        self.weight = bool(weight)
        if n_neighbors is not None and int(n_neighbors) < 2:
            raise InputError(f"n_neighbors must be at least 2, got {n_neighbors}", where="n_neighbors",
                             fix="use None for global kriging or e.g. 16 for local kriging")
        self.n_neighbors = None if n_neighbors is None else int(n_neighbors)
        self.exact_values = bool(exact_values)
        self.max_distance = max_distance
        self.memory_budget = int(memory_budget)
        self.workers = workers

    def min_points(self) -> int:
        return 2 if self._fixed is not None else 5

    def describe(self) -> dict:
        d = {"variogram_model": self.variogram_model, "n_neighbors": self.n_neighbors,
             "exact_values": self.exact_values, "max_distance": self.max_distance}
        if hasattr(self, "variogram_"):
            d["variogram"] = self.variogram_.as_dict()
        return d

    # fitting ---------------------------------------------------------------------
    def _fit(self, x, y, z):
        self.notes_ = []
        for stale in ("_tree", "_ainv", "_chol", "neighbourhood_stats_"):  # from an earlier fit
            self.__dict__.pop(stale, None)
        if self._fixed is not None:
            self.variogram_ = self._fixed
        else:
            if x.size < self.min_points():
                raise InputError(f"fitting a variogram needs at least {self.min_points()} points, got {x.size}",
                                 fix="give variogram_parameters, add stations or use idw")
            self.variogram_ = fit_variogram(x, y, z, self.variogram_model, self.nlags, self.weight)
        v = self.variogram_
        self._constant = None
        if v.fitted and v.semivariance is not None and np.all(v.semivariance == 0):
            # Flat variogram of constant data: every weighting gives the constant.
            self._constant = z[0].copy() if z.ndim == 2 else float(z[0])
            self.notes_.append("all values are equal: the surface is that constant, with zero variance")
            return
        self._x0, self._y0 = float(np.mean(x)), float(np.mean(y))  # centred coordinates
        self._xy = np.column_stack([x - self._x0, y - self._y0])
        self._z2 = z[:, None] if z.ndim == 1 else z
        if self.n_neighbors is None or self.n_neighbors >= x.size:
            self._global_system()
        else:
            self._tree = cKDTree(self._xy)

    def _kriging_matrix(self, xy: np.ndarray) -> np.ndarray:
        n = xy.shape[0]
        a = np.empty((n + 1, n + 1))
        a[:n, :n] = self.variogram_(cdist(xy, xy))
        np.fill_diagonal(a, 0.0)
        a[n, :] = 1.0
        a[:, n] = 1.0
        a[n, n] = 0.0
        return a

    def _global_system(self):
        n = self._xy.shape[0]
        a = self._kriging_matrix(self._xy)
        try:
            ainv = scipy.linalg.inv(a)
        except (np.linalg.LinAlgError, ValueError):
            raise InputError("the kriging system is singular for these stations and this variogram",
                             fix="check for co-located stations; add a nugget to the variogram") from None
        cond = float(np.abs(a).sum(axis=0).max() * np.abs(ainv).sum(axis=0).max())  # 1-norm condition number
        if not np.isfinite(cond) or cond > 1e12:  # beyond this, ~1e-4 relative error
            raise InputError(f"the kriging system is numerically singular (condition number {cond:.1e}), "
                             f"typical of a {self.variogram_.model} variogram without nugget and nearby stations",
                             where="variogram",
                             fix="add a small nugget (e.g. 1% of the sill) or use the spherical/exponential model")
        self._ainv = ainv
        # weights for values: A⁻¹ [z; 0]
        self._wz = ainv[:, :n] @ self._z2  # (n+1, H)
        self._alpha, self._beta, self._scale, _ = self.variogram_._affine()
        self._chol = self._covariance_factor(a)

    def _covariance_factor(self, a: np.ndarray):
        """The covariance form of the system, for the variance in N²/2 per cell instead of N².

        For a bounded variogram (sill ``S``), ``K = S·11ᵀ - Γ`` is the
        covariance matrix of the stations (positive definite). With its
        Cholesky factor ``K = LLᵀ``, ``M = L⁻¹``, ``e = M·1``, ``s = eᵀe`` and
        ``c = S - γ0`` for a cell, ordinary kriging gives ``u = M·c``,
        ``a = eᵀu`` and ``σ² = S - uᵀu + (1 - a)²/s`` (the same σ² = λᵀγ0 + μ).
        Per cell ``u`` is one triangular product (BLAS ``trmm``, N²/2
        multiply-adds), against N² for ``bᵀA⁻¹b``. Returns None (and the
        general form is used) for unbounded models or when ``K`` is not
        numerically positive definite.
        """
        v = self.variogram_
        if v.model not in ("spherical", "exponential", "gaussian"):
            return None
        n = a.shape[0] - 1
        sill = v.sill
        k = sill - a[:n, :n]
        try:
            low = scipy.linalg.cholesky(k, lower=True)
        except (np.linalg.LinAlgError, ValueError):
            return None
        m = scipy.linalg.solve_triangular(low, np.eye(n), lower=True)
        e = m.sum(axis=1)
        h = m.T @ e  # K⁻¹1: f·h = eᵀ(M f) per cell without the triangular product
        return {"m": np.asfortranarray(m), "s": float(e @ e), "sill": sill, "h": np.ascontiguousarray(h)}

    # prediction ------------------------------------------------------------------
    def _predict(self, x, y, variance: bool):
        m = x.size
        h = self.z_.shape[1] if self.z_.ndim == 2 else 1
        if self._constant is not None:
            val = np.broadcast_to(self._constant, (m, h)).copy() if self.z_.ndim == 2 else np.full(m, self._constant)
            return val, (np.zeros(m) if variance else None)
        out = np.empty((m, h))
        var = np.empty(m) if variance else None
        if hasattr(self, "_tree"):
            self._predict_local(np.column_stack([x - self._x0, y - self._y0]), out, var)
        else:
            self._predict_global(np.asarray(x, float), np.asarray(y, float), out, var)
        return (out[:, 0] if self.z_.ndim == 1 else out), var

    def _chunk_rows(self, width: int) -> int:
        """Cells per block of the matrix work: its ``width`` doubles a cell stay in the core's cache."""
        workers = _workers(self.workers)
        rows = self.memory_budget // max(1, 8 * width * workers)
        return int(min(2048, max(64, rows)))

    def _predict_global(self, x, y, out, var):
        """Values (and variance) at the points ``(x, y)`` (TM2 metres), span by span on all cores.

        A thread takes a *span* of cells (16 blocks) and, block by block,
        evaluates ``F`` on the block's distances and writes its matrix
        products straight into the outputs; the per-cell arithmetic that
        combines them runs once per span on whole vectors. Few, large numpy
        calls per thread keep the threads off each other's GIL, and memory
        beyond the outputs is bounded by the block buffers.
        """
        n = self._xy.shape[0]
        alpha, beta, scale = self._alpha, self._beta, self._scale
        ainv, wz = self._ainv, self._wz
        x0, y0 = self._x0, self._y0
        sxy = self._xy * scale
        on_station = _OnStation(sxy, _EPS * scale)
        vario = self.variogram_
        exact = self.exact_values
        chol = self._chol if var is not None else None
        general = var is not None and chol is None
        mean_rhs = np.ascontiguousarray(beta * wz[:n])  # F @ (β wz) + wz_n is the prediction
        if chol is not None:  # covariance form (see _covariance_factor)
            m_low, e_rhs, ssum, sill = chol["m"], chol["h"], chol["s"], chol["sill"]
            ce = sill - alpha  # c = ce - β f
        elif general:  # bᵀA⁻¹b with b = α1 + β f, using 1ᵀP = 0
            p_block = np.ascontiguousarray(ainv[:n, :n])
            p_last = np.ascontiguousarray(ainv[:n, n])
        ones = np.ones(n)
        block = self._chunk_rows(2 * n + (n if general else 0))
        workers = _workers(self.workers)
        # spans of up to 16 blocks, at least 4 per thread so that small grids use every core
        span = block * int(min(16, max(1, math.ceil(x.size / (4 * workers * block)))))
        local = threading.local()

        def work(s, e):
            c = e - s
            bufs = getattr(local, "bufs", None)
            if bufs is None:
                bufs = local.bufs = (np.empty((block, n)), np.empty((block, n)),
                                     np.empty((block, n)) if general else None, np.empty(span))
            p = np.empty((c, 2))
            np.subtract(x[s:e], x0, out=p[:, 0])
            np.subtract(y[s:e], y0, out=p[:, 1])
            p *= scale
            rows = on_station.rows(p)
            lin = bufs[3][:c]  # the term linear in F of the variance, per cell
            for a in range(0, c, block):
                b = min(c, a + block)
                t, w = bufs[0][:b - a], bufs[1][:b - a]
                # scaled squared distances in one pass (cdist computes dx² + dy² as the ufuncs would)
                cdist(p[a:b], sxy, "sqeuclidean", out=t)
                f = vario._shape_inplace(t, w)
                np.matmul(f, mean_rhs, out=out[s + a:s + b])
                if chol is not None:
                    np.matmul(f, e_rhs, out=lin[a:b])
                    # g = M f for every cell: f (C order) is fᵀ in Fortran order, M fᵀ in place
                    g = trmm_rows(m_low, f)  # M f for every cell, in place, without the GIL
                    _sumsq_rows(g, ones, var[s + a:s + b])  # |M f|²
                elif general:
                    q = bufs[2][:b - a]
                    np.matmul(f, p_block, out=q)
                    np.multiply(q, f, out=q)
                    np.matmul(q, ones, out=var[s + a:s + b])  # fᵀ P f
                    np.matmul(f, p_last, out=lin[a:b])
            o = out[s:e]
            o += wz[n]
            if chol is not None:  # σ² = S - |u|² + (1 - a)²/s, u = M c, a = eᵀu (see _covariance_factor)
                v = var[s:e]
                v *= -(beta * beta)
                v += (2.0 * ce * beta) * lin
                v += sill - ce * ce * ssum
                lin *= beta
                lin += 1.0 - ce * ssum
                np.square(lin, out=lin)
                lin /= ssum
                v += lin
            elif general:  # σ² = β² fᵀPf + 2β fᵀp_n + 2α + A⁻¹_nn
                v = var[s:e]
                v *= beta * beta
                lin *= 2.0 * beta
                v += lin
                v += 2.0 * alpha + ainv[n, n]
            if rows.size:  # cells on a station: PyKrige's handling, row by row
                dd = cdist(np.column_stack([x[s:e][rows] - x0, y[s:e][rows] - y0]), self._xy)
                bb = np.ones((rows.size, n + 1))
                bb[:, :n] = vario(dd)
                if exact:
                    bb[:, :n][dd <= _EPS] = 0.0
                out[s:e][rows] = bb @ wz
                if var is not None:
                    var[s:e][rows] = np.einsum("ij,ij->i", bb @ ainv, bb)

        run_chunks(work, x.size, span, workers)
        if var is not None:
            np.maximum(var, 0.0, out=var)

    def _predict_local(self, pts, out, var):
        """Kriging from the k nearest points of each cell (see :mod:`~geoairplan.interpolate.neighbourhood`)."""
        k = self.n_neighbors
        workers = _workers(self.workers)
        # per cell at worst: its own (k+1)² system, its factorisation and a few (k+1)-vectors
        per_cell = 8 * (3 * (k + 1) ** 2 + 12 * (k + 1))
        chunk = int(min(16_384, max(256, self.memory_budget // max(1, per_cell * workers))))
        self.neighbourhood_stats_ = predict_neighbourhood(
            self._xy, self._z2, self.variogram_, self._tree, k, pts, out, var, exact=self.exact_values,
            chunk=chunk, workers=workers)
        if var is not None:
            np.maximum(var, 0.0, out=var)

    # leave-one-out (closed form) ----------------------------------------------------
    def _loo(self):
        """Leave-one-out predictions and variances from A⁻¹ (Dubrule 1983), same variogram.

        With ``A⁻¹`` in hand, removing station i gives
        ``z_i - ẑ_{-i} = (A⁻¹[z;0])_i / (A⁻¹)_ii`` and ``σ²_{-i} = -1/(A⁻¹)_ii``:
        exactly the result of refitting without station i, at no extra cost.
        """
        if self._constant is not None or not hasattr(self, "_ainv"):
            return None
        n = self._xy.shape[0]
        diag = np.diag(self._ainv)[:n]
        resid = self._wz[:n] / diag[:, None]
        pred = self._z2 - resid
        return (pred[:, 0] if self.z_.ndim == 1 else pred), -1.0 / diag


class NeighbourhoodKriging(OrdinaryKriging):
    """Ordinary kriging from the ``n_neighbors`` nearest points of each cell (default 32).

    The same as ``OrdinaryKriging(..., n_neighbors=k)``, with a default
    ``k`` for sensor networks (hundreds to ~10,000 points) where the global
    system is too large: each cell's system has ``k + 1`` unknowns, neighbour
    sets come from a KD-tree, and cells with the same neighbours share one
    factorisation (see :mod:`~geoairplan.interpolate.neighbourhood`). Values
    and variances equal PyKrige's moving window
    (``execute(..., n_closest_points=k, backend="loop")``); with ``k`` equal
    to the number of points, global kriging.

    Parameters
    ----------
    variogram_model : str
        As for :class:`OrdinaryKriging`.
    variogram_parameters : dict, list, Variogram or None
        As for :class:`OrdinaryKriging` (None: fitted to the data).
    n_neighbors : int
        Points per cell's system (default 32; at least 2). With fewer
        points than this, every cell uses all points (global kriging).
    nlags, weight, exact_values, max_distance, memory_budget, workers
        As for :class:`OrdinaryKriging`.

    Attributes
    ----------
    neighbourhood_stats_ : dict
        After a prediction: ``cells`` kriged and ``systems`` factorised.
    """

    def __init__(self, variogram_model: str = "spherical", variogram_parameters=None, *,
                 n_neighbors: int = DEFAULT_NEIGHBOURS, nlags: int = 6, weight: bool = False,
                 exact_values: bool = True, max_distance: float | None = None,
                 memory_budget: int = MEMORY_BUDGET, workers: int = -1):
        if n_neighbors is None:
            raise InputError("NeighbourhoodKriging needs a number of neighbours", where="n_neighbors",
                             fix=f"give e.g. n_neighbors={DEFAULT_NEIGHBOURS}, or use OrdinaryKriging for "
                                 "global kriging")
        super().__init__(variogram_model, variogram_parameters, nlags=nlags, weight=weight,
                         n_neighbors=n_neighbors, exact_values=exact_values, max_distance=max_distance,
                         memory_budget=memory_budget, workers=workers)
