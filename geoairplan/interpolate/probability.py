"""How sure is the map? Exceedance probabilities per cell and probabilistic township zones (issue #16).

Gaussian assumption
-------------------
Ordinary kriging gives at each cell ``u`` a prediction ``ẑ(u)`` and the
kriging variance ``σ²(u)``. With a Gaussian field and the variogram taken
as known, the kriging error ``e(u) = Z(u) - ẑ(u)`` is Gaussian with mean
0 and variance ``σ²(u)``, so the probability that the true value reaches a
threshold ``t`` (達: ``>=``) is

    P(Z(u) >= t) = 1 - Φ((t - ẑ(u)) / σ(u))          (Φ: standard normal CDF).

Two approximations are accepted and stated: the variogram is the fitted
one (its own uncertainty is not propagated), and the error's dependence on
the unknown mean is ignored (exact for simple kriging; for ordinary
kriging the Lagrange term is small when stations are dense against the
range; the calibration test measures the effect).

**Log scale.** Concentrations are skewed. When the variogram was fitted on
``Y = log(Z + c)`` (``log=True``, ``log_offset = c``), the surface and its
variance are on the log scale, ``Z`` is taken as log-normal, and the
threshold is transformed instead of the prediction:

    P(Z(u) >= t) = 1 - Φ((log(t + c) - ŷ(u)) / σ_Y(u)).

Cells with zero variance (on a station, constant data) have probability 1
when the prediction reaches the threshold and 0 otherwise.

Kriging error covariance
------------------------
For two targets ``u, v`` with right-hand sides ``b_u = [γ(x_i - u); 1]``
and the kriging matrix ``A`` (``Γ`` bordered by ones), the covariance of
the errors is, with the (generalised) covariance ``-γ``,

    Cov(e_u, e_v) = b_uᵀ A⁻¹ b_v - γ(u - v),     γ(0) = 0,

which gives the kriging variance ``b_uᵀ A⁻¹ b_u`` on the diagonal (the
test checks it against :class:`OrdinaryKriging` to 1e-8).
:func:`kriging_error_covariance` computes it from the fitted model's
stations and variogram (global kriging). The nugget belongs to the target
field (PyKrige's convention: ``γ(h > 0)`` includes it, ``γ(0) = 0``).

Township probabilities
----------------------
A township's **area-weighted mean** is ``M = Σ w_u Z(u)`` over the cells it
overlaps, ``w_u`` = area of the township inside cell ``u`` over the
township's area inside filled cells (exact polygon-box intersections).
Its kriging estimate is ``Σ w_u ẑ(u)`` and its error variance (block
kriging, discretised on the cell centres)

    Var(M - M̂) = wᵀ C w = (B w)ᵀ A⁻¹ (B w) - wᵀ Γ_TT w

with ``C`` the error covariance of the township's cells, so
``P(M >= t) = 1 - Φ((t - M̂) / sqrt(wᵀ C w))`` exactly under the Gaussian
assumption (``method = "block kriging"``). On the log scale, and for the
township **maximum** (``statistic="max"``), the statistic is not Gaussian:
it is computed by conditional simulation, ``n_sim`` seeded draws of the
cells' errors from ``N(0, C)`` added to the kriged values
(``method = "conditional simulation"``); the test checks both against
brute-force simulation of whole fields.

:func:`probabilistic_zones` turns the table into a zone list at a chosen
confidence (0.5, 0.8, 0.95): a township is listed at the highest level
whose probability reaches the confidence. The list is **model-based**
(column ``basis``): it sits beside the regulation's station rule and never
replaces it (the warning engine decides warnings from stations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.linalg
import shapely
from scipy.spatial.distance import cdist
from scipy.stats import norm

from geoairplan.errors import InputError
from geoairplan.interpolate.kriging import OrdinaryKriging
from geoairplan.interpolate.levels import level_thresholds
from geoairplan.io.crs import TM2, to_tm2
from geoairplan.raster import Raster
from geoairplan.reference.geography import load_townships

__all__ = ["exceedance_probability", "exceedance_rasters", "KrigingSystem", "kriging_system",
           "kriging_error_covariance", "block_exceedance", "township_weights", "township_exceedance",
           "probabilistic_zones", "CONFIDENCES", "MODEL_BASIS"]

#: The confidences the command line offers (``--confidence``).
CONFIDENCES = (0.5, 0.8, 0.95)
#: The ``basis`` column of every model-based zone list.
MODEL_BASIS = "model-based (kriging probability; not the regulation's station rule)"
_EPS = 1.0e-10  # PyKrige's "distance zero", as in kriging.py


# --------------------------------------------------------------------------- per cell

def _log_threshold(t: np.ndarray, log: bool, log_offset: float) -> np.ndarray:
    if not log:
        return t
    shifted = t + float(log_offset)
    if np.any(shifted <= 0):
        raise InputError(f"a threshold plus the log offset ({log_offset}) is not positive: cannot take its log",
                         where="log_offset", fix="use the offset c the variogram was fitted with on log(z + c)")
    return np.log(shifted)


def exceedance_probability(mean, variance, thresholds, *, log: bool = False, log_offset: float = 0.0) -> np.ndarray:
    """P(Z >= t) per cell and threshold from the kriging mean and variance (Gaussian errors).

    Parameters
    ----------
    mean : array_like
        Kriging predictions (any shape); on the log scale when ``log``.
    variance : array_like
        Kriging variances, same shape (on the log scale when ``log``).
    thresholds : array_like
        Thresholds ``t`` in the data's unit (never log-transformed by the caller).
    log : bool
        The kriging was done on ``log(Z + log_offset)``: ``t`` becomes
        ``log(t + log_offset)`` and ``Z`` is taken as log-normal.
    log_offset : float
        The offset ``c`` of the log transform.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(thresholds),) + mean.shape``: ``1 - Φ((t - ẑ) / σ)``;
        NaN where the mean or variance is NaN; 0 or 1 where ``σ = 0``.

    >>> exceedance_probability([10.0], [4.0], [10.0, 12.0]).round(4).ravel().tolist()
    [0.5, 0.1587]
    """
    m = np.asarray(mean, dtype=float)
    v = np.asarray(variance, dtype=float)
    if m.shape != v.shape:
        raise InputError(f"mean {m.shape} and variance {v.shape} differ in shape", where="variance",
                         fix="pass the kriging values and variance of the same surface")
    t = _log_threshold(np.atleast_1d(np.asarray(thresholds, dtype=float)), log, log_offset)
    if np.any(v[np.isfinite(v)] < 0):
        raise InputError("a kriging variance is negative", where="variance", fix="report as a bug")
    sd = np.sqrt(v)
    out = np.empty(t.shape + m.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k, tk in enumerate(t):
            z = (tk - m) / sd
            p = norm.sf(z)
            p = np.where(sd > 0, p, np.where(m >= tk, 1.0, 0.0))
            out[k] = np.where(np.isfinite(m) & np.isfinite(v), p, np.nan)
    return out


def _thresholds(pollutant, averaging, unit, thresholds, rules):
    if thresholds is not None:
        thr = pd.DataFrame(thresholds) if not isinstance(thresholds, pd.DataFrame) else thresholds
        if "threshold" not in thr.columns:
            raise InputError("thresholds need a 'threshold' column", where="thresholds",
                             fix="pass level_thresholds(pollutant, averaging=..., unit=...)")
        thr = thr.copy()
        if "level" not in thr.columns:
            thr["level"] = [f"t{k + 1}" for k in range(len(thr))]
        for c, d in (("level_zh", ""), ("level_rank", 0), ("unit", unit or ""), ("averaging", averaging or "")):
            if c not in thr.columns:
                thr[c] = d
        return thr.reset_index(drop=True)
    if not pollutant:
        raise InputError("the surface does not say which pollutant it shows", where="thresholds",
                         fix="pass thresholds=level_thresholds(pollutant, averaging=..., unit=...)")
    return level_thresholds(pollutant, averaging=averaging or "1h", unit=unit, rules=rules)


def exceedance_rasters(surface, thresholds=None, *, log: bool = False, log_offset: float = 0.0,
                       rules: str = "warning_2022") -> dict[str, Raster]:
    """One probability raster per regulation level of the surface's pollutant and averaging.

    Parameters
    ----------
    surface : Surface
        A kriged surface (``values``, ``variance``, ``transform``, ``pollutant``,
        ``unit``, ``averaging``): :meth:`OrdinaryKriging.grid`'s result.
    thresholds : pandas.DataFrame or None
        Levels (``level, level_zh, threshold, unit``); default: the
        regulation's (:func:`~geoairplan.interpolate.levels.level_thresholds`)
        for the surface's pollutant, averaging and unit.
    log, log_offset : bool, float
        See :func:`exceedance_probability`.
    rules : str
        Rule table for the default thresholds.

    Returns
    -------
    dict of str to geoairplan.raster.Raster
        Keyed ``p_<level>`` (``p_L1``, ``p_L2`` ...), in rising threshold
        order; values in [0, 1], NaN outside the surface; unit ``probability``;
        tags ``threshold``, ``level``, ``assumption``. Ready for
        :meth:`Raster.to_geotiff` (or :func:`geoairplan.publish.write`).
    """
    if getattr(surface, "variance", None) is None:
        raise InputError(f"a {getattr(surface, 'method', '') or 'this'} surface has no kriging variance",
                         where="surface", fix="interpolate with method kriging for exceedance probabilities")
    thr = _thresholds(getattr(surface, "pollutant", None), getattr(surface, "averaging", None),
                      getattr(surface, "unit", None), thresholds, rules)
    t = thr["threshold"].to_numpy(float)
    p = exceedance_probability(surface.values, surface.variance, t, log=log, log_offset=log_offset)
    pol = getattr(surface, "pollutant", None) or "value"
    assumption = ("Gaussian kriging errors; " + (f"log-normal Z: kriged log(Z + {log_offset:g})" if log
                                                 else "kriged on the data scale"))
    out = {}
    for k, r in enumerate(thr.itertuples(index=False)):
        name = f"P({pol} >= {r.threshold:g} {r.unit}) {r.level} {r.level_zh}".rstrip()
        tags = {"threshold": f"{r.threshold:g}", "unit_threshold": str(r.unit), "level": str(r.level),
                "level_zh": str(r.level_zh), "averaging": str(r.averaging), "assumption": assumption,
                "quantity": "exceedance probability P(Z >= threshold)"}
        out[f"p_{r.level}"] = Raster(values=p[k], transform=surface.transform, unit="probability", name=name,
                                     tags=tags)
    return out


# --------------------------------------------------------------------------- error covariance

@dataclass
class KrigingSystem:
    """The global ordinary-kriging system of a fitted model, for error covariances.

    Attributes
    ----------
    xy : numpy.ndarray
        ``(N, 2)`` station coordinates (TM2 metres).
    ainv : numpy.ndarray
        ``(N+1, N+1)`` inverse of the bordered variogram matrix ``A``.
    variogram : Variogram
        The model's variogram (``γ(h)``, PyKrige's convention).
    exact : bool
        ``γ = 0`` between a target and a station at the same place.
    """

    xy: np.ndarray
    ainv: np.ndarray
    variogram: object
    exact: bool = True

    def gamma(self, xa, ya, xb, yb) -> np.ndarray:
        """``γ`` between two sets of points, 0 at distance zero (the same variable)."""
        d = cdist(np.column_stack([xa, ya]), np.column_stack([xb, yb]))
        g = np.asarray(self.variogram(d), dtype=float)
        g[d <= _EPS] = 0.0
        return g

    def rhs(self, x, y) -> np.ndarray:
        """``(N+1, M)`` right-hand sides ``b_u = [γ(x_i - u); 1]`` for targets ``(x, y)``."""
        x = np.asarray(x, float)
        n = self.xy.shape[0]
        b = np.ones((n + 1, x.size))
        d = cdist(self.xy, np.column_stack([x, np.asarray(y, float)]))
        b[:n] = self.variogram(d)
        if self.exact:
            b[:n][d <= _EPS] = 0.0
        return b

    def add_station(self, x: float, y: float) -> "KrigingSystem":
        """The system with one more station (bordered inverse: a rank-one update, no new inversion).

        With ``A' = [[A, a], [aᵀ, 0]]`` the new station's row (``a = b(x, y)``
        with the Lagrange row last swapped to keep the ones last), the
        inverse follows from the Schur complement ``s = -aᵀ A⁻¹ a``.
        """
        n = self.xy.shape[0]
        a = self.rhs([x], [y])[:, 0]  # [γ to stations; 1]
        ai = self.ainv @ a
        s = 0.0 - a @ ai  # Schur complement of the new diagonal entry (γ(0) = 0)
        if abs(s) < 1e-12:
            raise InputError(f"a station at ({x:.0f}, {y:.0f}) adds nothing (it duplicates one)",
                             where="candidates", fix="leave candidates on existing stations out")
        big = np.empty((n + 2, n + 2))
        big[:n + 1, :n + 1] = self.ainv + np.outer(ai, ai) / s
        big[:n + 1, n + 1] = -ai / s
        big[n + 1, :n + 1] = -ai / s
        big[n + 1, n + 1] = 1.0 / s
        # reorder: stations first (old N, new one), Lagrange row last
        order = list(range(n)) + [n + 1, n]
        return KrigingSystem(np.vstack([self.xy, [[x, y]]]), big[np.ix_(order, order)], self.variogram,
                             self.exact)

    def cross_covariance(self, xa, ya, xb, yb) -> np.ndarray:
        """``Cov(e_u, e_v) = b_uᵀ A⁻¹ b_v - γ(u - v)`` for targets ``a`` (rows) and ``b`` (columns)."""
        ba = self.rhs(xa, ya)
        bb = self.rhs(xb, yb)
        return ba.T @ (self.ainv @ bb) - self.gamma(xa, ya, xb, yb)

    def variance(self, x, y) -> np.ndarray:
        """Kriging variance ``b_uᵀ A⁻¹ b_u`` at targets (clipped at 0 like the model's)."""
        b = self.rhs(x, y)
        return np.maximum(np.einsum("ij,ij->j", b, self.ainv @ b), 0.0)


def kriging_system(model: OrdinaryKriging) -> KrigingSystem:
    """The global kriging system of a fitted :class:`OrdinaryKriging` (its stations and variogram).

    Parameters
    ----------
    model : OrdinaryKriging
        Fitted, with global kriging (``n_neighbors=None`` or at least the number of stations).

    Returns
    -------
    KrigingSystem
    """
    if not isinstance(model, OrdinaryKriging):
        raise InputError(f"error covariances need ordinary kriging, got {type(model).__name__}", where="model",
                         fix="fit OrdinaryKriging(...) to the stations")
    if not model.fitted:
        raise InputError("the kriging model is not fitted yet", where="model", fix="call .fit(points, values)")
    n = model.x_.size
    if getattr(model, "n_neighbors", None) is not None and model.n_neighbors < n:
        raise InputError(f"the model krige from {model.n_neighbors} neighbours per cell; township and siting "
                         "variances need the global system", where="n_neighbors",
                         fix="fit OrdinaryKriging with n_neighbors=None (the default) for these")
    v = model.variogram_
    xy = np.column_stack([model.x_, model.y_])
    a = np.ones((n + 1, n + 1))
    d = cdist(xy, xy)
    a[:n, :n] = v(d)
    np.fill_diagonal(a, 0.0)
    a[n, n] = 0.0
    if getattr(model, "_constant", None) is not None:  # constant data: zero variance everywhere
        return KrigingSystem(xy, np.zeros((n + 1, n + 1)), _ZeroVariogram(), bool(model.exact_values))
    try:
        ainv = scipy.linalg.inv(a)
    except (np.linalg.LinAlgError, ValueError):
        raise InputError("the kriging system is singular for these stations and this variogram", where="model",
                         fix="check for co-located stations; add a nugget to the variogram") from None
    return KrigingSystem(xy, ainv, v, bool(model.exact_values))


class _ZeroVariogram:
    def __call__(self, d):
        return np.zeros_like(np.asarray(d, dtype=float))


def kriging_error_covariance(model, x, y) -> np.ndarray:
    """The ``(M, M)`` covariance of the kriging errors at targets ``(x, y)`` (TM2 metres).

    ``Cov(e_u, e_v) = b_uᵀ A⁻¹ b_v - γ(u - v)``; the diagonal is the kriging
    variance. ``model``: a fitted :class:`OrdinaryKriging` or a
    :class:`KrigingSystem`.
    """
    sys_ = model if isinstance(model, KrigingSystem) else kriging_system(model)
    return sys_.cross_covariance(x, y, x, y)


# --------------------------------------------------------------------------- blocks and townships

def _sample_cov(cov: np.ndarray, n_sim: int, rng) -> np.ndarray:
    """``(n_sim, M)`` draws from N(0, cov) (eigen-decomposition: semi-definite covariances are fine)."""
    w, v = np.linalg.eigh((cov + cov.T) / 2.0)
    w = np.clip(w, 0.0, None)
    return (rng.standard_normal((n_sim, w.size)) * np.sqrt(w)) @ v.T


def block_exceedance(model, x, y, weights, mean, thresholds, *, statistic: str = "mean", log: bool = False,
                     log_offset: float = 0.0, n_sim: int = 4000, seed: int = 0) -> dict:
    """P(statistic of the true field over a block >= t) for each threshold.

    Parameters
    ----------
    model : OrdinaryKriging or KrigingSystem
        The fitted kriging model (global system).
    x, y : array_like
        Cell centres of the block (TM2 metres).
    weights : array_like
        Area weights of the cells (normalised here to sum to 1).
    mean : array_like
        Kriged values at the cells (log scale when ``log``).
    thresholds : array_like
        Thresholds in the data's unit.
    statistic : {"mean", "max"}
        Area-weighted mean or the maximum over the cells with weight > 0.
    log, log_offset : bool, float
        Kriging on ``log(Z + c)``: the statistic is of ``exp(Y) - c``.
    n_sim, seed : int
        Draws and seed of the conditional simulation (used for ``max`` and on
        the log scale).

    Returns
    -------
    dict
        ``estimate`` (the statistic of the kriged values; for the log-scale
        mean, the simulation mean), ``sd`` (its error standard deviation, mean
        on the data scale only; else NaN), ``probability`` (array, one per
        threshold) and ``method`` (``block kriging`` or ``conditional
        simulation (n, seed)``).
    """
    if statistic not in ("mean", "max"):
        raise InputError(f"unknown township statistic {statistic!r}", where="statistic", fix="use mean or max")
    sys_ = model if isinstance(model, KrigingSystem) else kriging_system(model)
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    w = np.asarray(weights, float)
    m = np.asarray(mean, float)
    t = np.atleast_1d(np.asarray(thresholds, float))
    if w.sum() <= 0:
        raise InputError("a block has no weight", where="weights", fix="give positive area weights")
    w = w / w.sum()
    if statistic == "mean" and not log:
        b = sys_.rhs(x, y) @ w
        var = float(b @ sys_.ainv @ b - w @ sys_.gamma(x, y, x, y) @ w)
        sd = math.sqrt(max(var, 0.0))
        est = float(w @ m)
        p = exceedance_probability(np.full(t.size, est), np.full(t.size, sd * sd), t)
        return {"estimate": est, "sd": sd, "probability": np.diag(p).copy(), "method": "block kriging"}
    cov = sys_.cross_covariance(x, y, x, y)
    rng = np.random.default_rng(seed)
    draws = m[None, :] + _sample_cov(cov, n_sim, rng)
    if log:
        draws = np.exp(draws) - float(log_offset)
    if statistic == "mean":
        stat = draws @ w
    else:
        stat = draws[:, w > 0].max(axis=1)
    prob = (stat[:, None] >= t[None, :]).mean(axis=0)
    est = float(stat.mean()) if statistic == "mean" else float((np.exp(m) - log_offset if log else m)[w > 0].max())
    return {"estimate": est, "sd": math.nan, "probability": prob,
            "method": f"conditional simulation (n={n_sim}, seed={seed})"}


def township_weights(grid, townships=None, *, filled=None) -> list[dict]:
    """Area weights of each township's cells on a grid.

    Parameters
    ----------
    grid : geoairplan.grid.GridSpec
        The surface's grid.
    townships : geopandas.GeoDataFrame or None
        Township polygons (``COUNTYNAME, TOWNNAME, TOWNCODE``); default the
        embedded townships of the grid's counties.
    filled : numpy.ndarray or None
        ``(ny, nx)`` True where the surface has a value; weights only use these cells.

    Returns
    -------
    list of dict
        Per township (sorted by county, code, name): ``county, township,
        towncode, rows, cols, x, y, weights`` (summing to 1),
        ``area_km2`` (township area) and ``covered`` (fraction of it in filled cells).
    """
    if townships is None:
        if grid.counties:
            towns = pd.concat([load_townships(c) for c in grid.counties], ignore_index=True)
        else:
            towns = load_townships()
        towns = gpd.GeoDataFrame(towns, geometry="geometry", crs=towns.crs or 4326)
    else:
        towns = townships
    towns = to_tm2(towns, source="townships").reset_index(drop=True)
    w, s, e, n = grid.bounds
    towns = towns[towns.intersects(shapely.box(w, s, e, n))].reset_index(drop=True)
    ok = np.ones(grid.shape, bool) if filled is None else np.asarray(filled, bool)
    c = grid.cell_size
    out = []
    for r in towns.itertuples(index=False):
        geom = r.geometry
        gw, gs, ge, gn = geom.bounds
        c0, c1 = max(0, int(math.floor((gw - grid.west) / c))), min(grid.nx, int(math.ceil((ge - grid.west) / c)))
        r0, r1 = max(0, int(math.floor((grid.north - gn) / c))), min(grid.ny, int(math.ceil((grid.north - gs) / c)))
        rr, cc = np.meshgrid(np.arange(r0, r1), np.arange(c0, c1), indexing="ij")
        rr, cc = rr.ravel(), cc.ravel()
        boxes = shapely.box(grid.west + cc * c, grid.north - (rr + 1) * c, grid.west + (cc + 1) * c, grid.north - rr * c)
        area = shapely.area(shapely.intersection(boxes, geom)) if rr.size else np.zeros(0)
        keep = (area > 0) & ok[rr, cc] if rr.size else np.zeros(0, bool)
        total = float(geom.area)
        wts = area[keep]
        rec = {"county": getattr(r, "COUNTYNAME", ""), "township": getattr(r, "TOWNNAME", ""),
               "towncode": getattr(r, "TOWNCODE", ""), "rows": rr[keep], "cols": cc[keep],
               "x": grid.west + (cc[keep] + 0.5) * c, "y": grid.north - (rr[keep] + 0.5) * c,
               "area_km2": total / 1e6, "covered": float(wts.sum() / total) if total > 0 else 0.0}
        rec["weights"] = wts / wts.sum() if wts.sum() > 0 else wts
        out.append(rec)
    out.sort(key=lambda d: (str(d["county"]), str(d["towncode"]), str(d["township"])))
    return out


def township_exceedance(surface, model, thresholds=None, *, townships=None, statistic: str = "mean",
                        log: bool = False, log_offset: float = 0.0, n_sim: int = 4000, seed: int = 0,
                        rules: str = "warning_2022") -> pd.DataFrame:
    """Per township and level: the probability that its area-weighted mean (or maximum) reaches the level.

    Parameters
    ----------
    surface : Surface
        The kriged surface (its grid, values; pollutant, unit, averaging for the thresholds).
    model : OrdinaryKriging
        The fitted model that made it (global system), for the error covariance.
    thresholds : pandas.DataFrame or None
        Levels; default the regulation's for the surface (see :func:`exceedance_rasters`).
    townships : geopandas.GeoDataFrame or None
        Township polygons; default the embedded ones of the grid's counties.
    statistic : {"mean", "max"}
        Area-weighted mean (block kriging, exact Gaussian) or maximum over
        the township's cells (conditional simulation).
    log, log_offset, n_sim, seed : see :func:`block_exceedance`.
    rules : str
        Rule table for the default thresholds.

    Returns
    -------
    pandas.DataFrame
        One row per township and level: ``county, township, towncode,
        n_cells, covered, statistic, estimate, sd, level, level_zh,
        level_rank, threshold, unit, probability, method``. Townships with no
        filled cell have NaN probabilities. ``attrs["note"]`` states the model.
    """
    thr = _thresholds(getattr(surface, "pollutant", None), getattr(surface, "averaging", None),
                      getattr(surface, "unit", None), thresholds, rules)
    sys_ = kriging_system(model)
    t = thr["threshold"].to_numpy(float)
    vals = np.asarray(surface.values, float)
    rows = []
    for k, tw in enumerate(township_weights(surface.grid, townships, filled=np.isfinite(vals))):
        if tw["weights"].size:
            res = block_exceedance(sys_, tw["x"], tw["y"], tw["weights"], vals[tw["rows"], tw["cols"]], t,
                                   statistic=statistic, log=log, log_offset=log_offset, n_sim=n_sim,
                                   seed=seed + k)
        else:
            res = {"estimate": math.nan, "sd": math.nan, "probability": np.full(t.size, np.nan), "method": ""}
        for j, r in enumerate(thr.itertuples(index=False)):
            rows.append({"county": tw["county"], "township": tw["township"], "towncode": tw["towncode"],
                         "n_cells": int(tw["weights"].size), "covered": round(tw["covered"], 4),
                         "statistic": "area-weighted mean" if statistic == "mean" else "maximum",
                         "estimate": res["estimate"], "sd": res["sd"], "level": r.level, "level_zh": r.level_zh,
                         "level_rank": int(r.level_rank), "threshold": float(r.threshold), "unit": r.unit,
                         "probability": float(res["probability"][j]), "method": res["method"]})
    out = pd.DataFrame(rows)
    out.attrs["note"] = ("P(township statistic >= threshold) under Gaussian kriging errors with the fitted "
                         "variogram taken as known" + (f", kriged on log(Z + {log_offset:g})" if log else "")
                         + "; " + thr.attrs.get("note", ""))
    return out


def probabilistic_zones(table: pd.DataFrame, confidence: float = 0.8) -> pd.DataFrame:
    """The township zone list at a confidence: the highest level each township reaches with P >= confidence.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`township_exceedance`'s table.
    confidence : float
        0.5, 0.8 or 0.95 (any value in (0, 1) is accepted).

    Returns
    -------
    pandas.DataFrame
        One row per township reaching a level: ``county, township, towncode,
        level, level_zh, level_rank, threshold, unit, probability,
        confidence, statistic, method, basis`` with ``basis`` =
        :data:`MODEL_BASIS`: model-based, beside (never instead of) the
        regulation's station rule. Sorted by county, code, township.
    """
    try:
        conf = float(confidence)
    except (TypeError, ValueError):
        raise InputError(f"confidence {confidence!r} is not a number", where="confidence",
                         fix="use 0.5, 0.8 or 0.95") from None
    if not 0 < conf < 1:
        raise InputError(f"confidence {confidence} must be between 0 and 1", where="confidence",
                         fix="use 0.5, 0.8 or 0.95")
    cols = ["county", "township", "towncode", "level", "level_zh", "level_rank", "threshold", "unit",
            "probability", "confidence", "statistic", "method", "basis"]
    hit = table[table["probability"] >= conf]
    if hit.empty:
        return pd.DataFrame(columns=cols)
    top = (hit.sort_values(["county", "towncode", "township", "level_rank"])
              .groupby(["county", "towncode", "township"], sort=True).tail(1))
    out = top.assign(confidence=conf, basis=MODEL_BASIS)[cols]
    return out.sort_values(["county", "towncode", "township"]).reset_index(drop=True)
