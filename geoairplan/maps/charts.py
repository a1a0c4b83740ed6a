"""Charts of a method selection and a variogram (matplotlib figures, made without pyplot).

* :func:`plot_predicted_observed`: predicted against observed values of a
  cross-validation or of a :func:`~geoairplan.interpolate.selection.select_method`
  run (leave-one-out and k-fold of its choice), with the 1:1 line and RMSE.
* :func:`plot_variogram`: the empirical variogram (bins and their pair counts)
  and the fitted model curves.

Both return a :class:`matplotlib.figure.Figure` (write it with
:func:`geoairplan.maps.static.save_static` or ``fig.savefig``).
"""

from __future__ import annotations

import math

import numpy as np

from geoairplan.errors import InputError
from geoairplan.interpolate.kriging import OrdinaryKriging, Variogram
from geoairplan.interpolate.selection import SelectionResult
from geoairplan.maps.static import new_figure

__all__ = ["plot_predicted_observed", "plot_variogram"]


def plot_predicted_observed(cv, *, title: str | None = None, unit: str = ""):
    """Predicted against observed values of a cross-validation (one axes; the 1:1 line; RMSE in the title).

    Parameters
    ----------
    cv : CVResult or SelectionResult
        A cross-validation, or a selection (its choice's leave-one-out and k-fold are drawn).
    title : str or None
        Figure title.
    unit : str
        Axis unit.

    Returns
    -------
    matplotlib.figure.Figure
    """
    series = ([("leave-one-out", cv.loo[cv.choice]), (f"{_k(cv)}-fold", cv.kfold[cv.choice])]
              if isinstance(cv, SelectionResult) else [("cross-validation", cv)])
    fig = new_figure((5, 5))
    ax = fig.add_subplot()
    lo, hi = math.inf, -math.inf
    for (name, c), mk in zip(series, ("o", "s")):
        t = c.table
        ax.scatter(t["observed"], t["predicted"], marker=mk, s=22, alpha=0.75,
                   label=f"{name}: RMSE {c.rmse:.3g}, bias {c.bias:+.2g}")
        lo = min(lo, float(np.nanmin(t[["observed", "predicted"]].to_numpy())))
        hi = max(hi, float(np.nanmax(t[["observed", "predicted"]].to_numpy())))
    pad = 0.05 * (hi - lo or 1.0)
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="0.4", lw=1, ls="--", label="1:1")
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(lo - pad, hi + pad)
    u = f" ({unit})" if unit else ""
    ax.set_xlabel(f"observed{u}")
    ax.set_ylabel(f"predicted{u}")
    ax.set_title(title or (cv.choice if isinstance(cv, SelectionResult) else cv.method))
    ax.legend(loc="upper left", fontsize=8)
    ax.set_aspect("equal")
    fig.tight_layout()
    return fig


def _k(sel: SelectionResult) -> int:
    t = sel.kfold[sel.choice].table
    return int(t["fold"].max()) if "fold" in t else 0


def plot_variogram(variogram, *, title: str | None = None, unit: str = ""):
    """The empirical variogram (bins, with their pair counts) and the fitted model curve.

    Parameters
    ----------
    variogram : Variogram, OrdinaryKriging or SelectionResult
        A fitted variogram (with its bins), a fitted kriging model, or a
        selection (every kriging candidate's model is drawn over the one set of bins).
    title : str or None
        Figure title.
    unit : str
        The data's unit (semivariance in unit²).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(variogram, SelectionResult):
        models = dict(variogram.variograms)
    elif isinstance(variogram, OrdinaryKriging):
        models = {variogram.variogram_.model: variogram.variogram_}
    elif isinstance(variogram, Variogram):
        models = {variogram.model: variogram}
    else:
        raise InputError(f"cannot draw a variogram from {type(variogram).__name__}", where="variogram",
                         fix="pass a fitted Variogram, OrdinaryKriging or SelectionResult")
    bins = next((v for v in models.values() if v.lags is not None), None)
    fig = new_figure((6, 4))
    ax = fig.add_subplot()
    dmax = 1.0
    if bins is not None:
        ax.scatter(bins.lags / 1000.0, bins.semivariance, color="k", zorder=3, label="empirical (pairs)")
        for lg, sv, n in zip(bins.lags, bins.semivariance, bins.pairs):
            ax.annotate(str(int(n)), (lg / 1000.0, sv), textcoords="offset points", xytext=(4, 4), fontsize=7)
        dmax = float(bins.lags.max()) * 1.1
    d = np.linspace(0.0, dmax, 200)
    for name, v in models.items():
        g = v(d)
        g[0] = 0.0
        ax.plot(d / 1000.0, g, lw=1.5, label=v.describe() if len(models) == 1 else name)
    ax.set_xlabel("distance (km)")
    ax.set_ylabel("semivariance" + (f" (({unit})²)" if unit else ""))
    ax.set_xlim(0, dmax / 1000.0)
    ax.set_ylim(bottom=0)
    ax.set_title(title or "variogram")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig
