"""Method selection by cross-validation: IDW, ordinary kriging and RBF on the same data (issue #16).

Every candidate is scored two ways on the same stations:

* **leave-one-out** (:func:`geoairplan.interpolate.validation.cross_validate`):
  each station predicted from all the others;
* **k-fold** (:func:`kfold_validate`): stations split into ``k`` seeded
  random folds, each fold predicted from the other ``k - 1``; harder than
  leave-one-out where stations cluster (a whole neighbourhood can leave
  at once).

Kriging keeps the variogram fitted on all stations in both (as gstat's
``krige.cv`` does), so the scores measure the interpolation, not the
variogram's stability. With ``e = predicted - observed``, the table gives

    RMSE = sqrt(mean e²),   MAE = mean |e|,   bias = mean e,

and for kriging the **coverage** of the 90 % prediction interval
``ẑ ± 1.645 σ`` (σ² the kriging variance of the left-out prediction): the
fraction of left-out stations inside it, 0.90 when the variance is right,
lower when kriging is over-confident.

The choice (:func:`select_method`) is the candidate with the lowest
leave-one-out RMSE (``criterion="kfold"``: k-fold RMSE), ties to the earlier
candidate (simpler first); the reason names the runner-up and the margin
and warns when the chosen kriging's interval covers under 80 %.
The charts of a selection (predicted vs observed, variogram fits) are drawn
by :mod:`geoairplan.maps.charts`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from geoairplan.errors import InputError
from geoairplan.interpolate.points import as_points
from geoairplan.interpolate.idw import IDW
from geoairplan.interpolate.kriging import OrdinaryKriging
from geoairplan.interpolate.rbf import RBF
from geoairplan.interpolate.validation import CVResult, cross_validate

__all__ = ["kfold_validate", "interval_coverage", "candidate_gridders", "select_method", "SelectionResult",
           "Z90"]

#: Two-sided 90 % normal quantile.
Z90 = 1.6448536269514722


def _fixed(full):
    """A clone of a fitted gridder that keeps its fitted variogram (kriging) for refits."""
    if getattr(full, "variogram_", None) is not None and getattr(full, "_constant", None) is None:
        return full.clone(variogram_parameters=full.variogram_.params)
    return full.clone()


def kfold_validate(gridder, points, values, *, k: int = 5, seed: int = 0, labels=None) -> CVResult:
    """k-fold cross-validation: seeded random folds, each predicted from the others.

    Parameters
    ----------
    gridder : Gridder
        Its parameters are used (not its fitted state); kriging keeps the
        variogram fitted on all stations.
    points : (x, y), (N, 2) array or GeoDataFrame
        Stations in TM2 metres.
    values : array_like
        One value per station.
    k : int
        Folds (2 <= k <= N; ``k = N`` is leave-one-out).
    seed : int
        Seed of the fold assignment.
    labels : sequence or None
        Station names.

    Returns
    -------
    CVResult
        ``table`` with ``station, x, y, observed, predicted, error, fold``
        (and ``variance, z_score`` for kriging); ``method`` as the gridder's.
    """
    x, y = as_points(points, source="cross-validation points")
    z = np.asarray(values, float)
    n = x.size
    if not 2 <= int(k) <= n:
        raise InputError(f"k-fold needs 2 <= k <= {n} stations, got k={k}", where="k", fix="e.g. k=5")
    full = gridder.clone().fit((x, y), z, labels=labels)
    base = _fixed(full)
    fold = np.empty(n, int)
    perm = np.random.default_rng(seed).permutation(n)
    for f, idx in enumerate(np.array_split(perm, int(k))):
        fold[idx] = f
    pred = np.full(n, np.nan)
    var = np.full(n, np.nan) if full.has_variance else None
    for f in range(int(k)):
        test = fold == f
        g = base.clone()
        try:
            g.fit((x[~test], y[~test]), z[~test])
        except InputError as exc:
            raise InputError(f"fold {f + 1} of {k} leaves too little to fit: {exc.problem}", where="k",
                             fix="use fewer folds") from None
        if var is not None:
            p, s = g.predict((x[test], y[test]), return_variance=True)
            var[test] = s
        else:
            p = g.predict((x[test], y[test]))
        pred[test] = p
    table = pd.DataFrame({"station": list(labels) if labels is not None else list(range(n)), "x": x, "y": y,
                          "observed": z, "predicted": pred, "error": pred - z, "fold": fold + 1})
    if var is not None:
        table["variance"] = var
        with np.errstate(divide="ignore", invalid="ignore"):
            table["z_score"] = table["error"] / np.sqrt(table["variance"])
    return CVResult(table, gridder.name)


def interval_coverage(cv: CVResult, level: float = 0.9) -> float:
    """Fraction of stations whose error lies within the central ``level`` normal interval (NaN without variance).

    ``|e| <= q σ`` with ``q`` the normal quantile of ``(1 + level) / 2`` (1.645 for 90 %).
    """
    if "variance" not in cv.table.columns:
        return math.nan
    q = float(norm.ppf(0.5 + level / 2.0))
    e = cv.table["error"].to_numpy(float)
    s = np.sqrt(cv.table["variance"].to_numpy(float))
    ok = np.isfinite(e) & np.isfinite(s)
    return float(np.mean(np.abs(e[ok]) <= q * s[ok] + 1e-12)) if ok.any() else math.nan


def candidate_gridders(*, idw_powers=(1.0, 2.0, 3.0, 5.0), idw_neighbors=(5, 10),
                       variogram_models=("spherical", "exponential", "gaussian", "linear", "power"),
                       rbf_kernels=("thin_plate_spline", "cubic", "linear"), nlags: int = 6) -> list[tuple[str, object]]:
    """The candidates of :func:`select_method`: ``(label, gridder)`` in a fixed order (simpler first).

    Labels read ``idw(power=2, k=10)``, ``kriging(spherical)``, ``rbf(thin_plate_spline)``.
    """
    out = []
    for p in idw_powers:
        for k in idw_neighbors:
            out.append((f"idw(power={p:g}, k={k})", IDW(power=p, n_neighbors=k, max_distance=None)))
    for m in variogram_models:
        out.append((f"kriging({m})", OrdinaryKriging(m, nlags=nlags)))
    for kern in rbf_kernels:
        out.append((f"rbf({kern})", RBF(kern)))
    return out


@dataclass
class SelectionResult:
    """Cross-validation of every candidate and the choice.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per candidate: ``label, method, loo_rmse, loo_mae, loo_bias,
        loo_coverage90, kfold_rmse, kfold_mae, kfold_bias, kfold_coverage90,
        variogram, status`` (``ok`` or ``failed: why``), sorted by the criterion.
    choice : str
        Label of the chosen candidate.
    gridder : Gridder
        The chosen candidate (unfitted; kriging with its variogram still to fit).
    reason : str
        Why it was chosen, in one sentence.
    loo, kfold : dict of str to CVResult
        The cross-validations by label.
    variograms : dict of str to Variogram
        Fitted variograms of the kriging candidates (for :func:`geoairplan.maps.charts.plot_variogram`).
    criterion : str
        ``loo`` or ``kfold``.
    """

    table: pd.DataFrame
    choice: str
    gridder: object
    reason: str
    loo: dict = field(default_factory=dict)
    kfold: dict = field(default_factory=dict)
    variograms: dict = field(default_factory=dict)
    criterion: str = "loo"

    def summary(self) -> dict:
        row = self.table[self.table["label"] == self.choice].iloc[0]
        return {"choice": self.choice, "reason": self.reason, "loo_rmse": float(row["loo_rmse"]),
                "kfold_rmse": float(row["kfold_rmse"]), "candidates": int(len(self.table))}


def select_method(points, values, *, candidates=None, k: int = 5, seed: int = 0, labels=None,
                  criterion: str = "loo") -> SelectionResult:
    """Cross-validate every candidate on the same stations and choose the best (see the module notes).

    Parameters
    ----------
    points : (x, y), (N, 2) array or GeoDataFrame
        Stations in TM2 metres.
    values : array_like
        One value per station (one hour or one average).
    candidates : list of (label, Gridder) or None
        Default :func:`candidate_gridders`.
    k, seed : int
        k-fold folds and seed.
    labels : sequence or None
        Station names.
    criterion : {"loo", "kfold"}
        The RMSE that decides.

    Returns
    -------
    SelectionResult
    """
    if criterion not in ("loo", "kfold"):
        raise InputError(f"unknown criterion {criterion!r}", where="criterion", fix="use loo or kfold")
    x, y = as_points(points, source="cross-validation points")
    z = np.asarray(values, float)
    cands = candidate_gridders() if candidates is None else list(candidates)
    rows, loo, kf, vg, models = [], {}, {}, {}, {}
    for label, g in cands:
        row = {"label": label, "method": g.name}
        try:
            full = g.clone().fit((x, y), z, labels=labels)
            a = cross_validate(_fixed(full) if g.name == "kriging" else g, (x, y), z, labels=labels)
            b = kfold_validate(g, (x, y), z, k=k, seed=seed, labels=labels)
        except InputError as exc:
            row.update(status=f"failed: {exc.problem}")
            rows.append(row)
            continue
        loo[label], kf[label], models[label] = a, b, g
        if getattr(full, "variogram_", None) is not None:
            vg[label] = full.variogram_
            row["variogram"] = full.variogram_.describe()
        for pre, cv in (("loo", a), ("kfold", b)):
            row.update({f"{pre}_rmse": cv.rmse, f"{pre}_mae": cv.mae, f"{pre}_bias": cv.bias,
                        f"{pre}_coverage90": interval_coverage(cv, 0.9)})
        row["status"] = "ok"
        rows.append(row)
    cols = ["label", "method", "loo_rmse", "loo_mae", "loo_bias", "loo_coverage90", "kfold_rmse", "kfold_mae",
            "kfold_bias", "kfold_coverage90", "variogram", "status"]
    table = pd.DataFrame(rows).reindex(columns=cols)
    good = table[table["status"] == "ok"]
    if good.empty:
        raise InputError("no interpolation method could be cross-validated on these data: "
                         + "; ".join(f"{r.label} {r.status}" for r in table.itertuples()), where="method",
                         fix="add stations or give the method and its parameters")
    key = f"{criterion}_rmse"
    order = good.sort_values(key, kind="stable")
    best, second = order.iloc[0], (order.iloc[1] if len(order) > 1 else None)
    name = "leave-one-out" if criterion == "loo" else f"{k}-fold"
    reason = f"{best['label']} has the lowest {name} RMSE ({best[key]:.3g}"
    if second is not None:
        gap = 100.0 * (second[key] - best[key]) / second[key] if second[key] > 0 else 0.0
        reason += f"; next {second['label']} {second[key]:.3g}, {gap:.1f} % higher"
    other = "kfold" if criterion == "loo" else "loo"
    reason += f"; {'k-fold' if other == 'kfold' else 'leave-one-out'} RMSE {best[f'{other}_rmse']:.3g})"
    cov = best["loo_coverage90"]
    if np.isfinite(cov):
        reason += f"; its 90 % interval holds {100 * cov:.0f} % of left-out stations"
        if cov < 0.8:
            reason += " (over-confident: treat probabilities with care)"
        elif cov > 0.98:
            reason += " (under-confident: intervals wider than the errors)"
    table = pd.concat([order, table[table["status"] != "ok"]]).reset_index(drop=True)
    return SelectionResult(table, str(best["label"]), models[best["label"]].clone(), reason, loo, kf, vg, criterion)
