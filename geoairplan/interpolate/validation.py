"""Leave-one-out cross-validation for any interpolation method.

Each station in turn is left out, the method is fitted to the others with
the same parameters, and the left-out value is predicted. The table gives,
per station, the observed and predicted values and the error
(``predicted - observed``); the summary gives RMSE, MAE and bias (mean error).

Kriging keeps the variogram fitted on all stations (as gstat's ``krige.cv``
does) and uses the closed form of Dubrule (1983) from the one inverted
system; IDW drops each station from its own neighbour list. Both equal a
brute-force refit loop (tested); other methods refit N times.
``max_distance`` is a display mask and does not apply here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geoairplan.errors import InputError
from geoairplan.interpolate.points import as_points, check_values

__all__ = ["CVResult", "cross_validate"]


@dataclass
class CVResult:
    """Leave-one-out results: ``table`` per station and the summary errors.

    Attributes
    ----------
    table : pandas.DataFrame
        Per station: ``station, x, y, observed, predicted, error`` (and ``variance, z_score`` for kriging).
    method : str
        The method cross-validated.
    rmse, mae, bias : float
        Root mean square, mean absolute and mean error (``predicted - observed``).
    n : int
        Stations with an error.
    """

    table: pd.DataFrame
    method: str

    @property
    def rmse(self) -> float:
        return float(np.sqrt(np.nanmean(self.table["error"].to_numpy() ** 2)))

    @property
    def mae(self) -> float:
        return float(np.nanmean(np.abs(self.table["error"].to_numpy())))

    @property
    def bias(self) -> float:
        return float(np.nanmean(self.table["error"].to_numpy()))

    @property
    def n(self) -> int:
        return int(self.table["error"].notna().sum())

    def summary(self) -> dict:
        return {"method": self.method, "n": self.n, "rmse": self.rmse, "mae": self.mae, "bias": self.bias}

    def __str__(self) -> str:
        return (f"leave-one-out {self.method}: n={self.n}, RMSE={self.rmse:.3g}, MAE={self.mae:.3g}, "
                f"bias={self.bias:+.3g}")


def cross_validate(gridder, points, values, *, labels=None, crs=None, brute_force: bool = False) -> CVResult:
    """Leave-one-out cross-validation of ``gridder`` (its parameters, not its fitted state) on the data.

    ``brute_force=True`` refits N times even where a closed form exists (for checking).
    """
    x, y = as_points(points, crs, source="cross-validation points")
    z = check_values(values, x.size, source="cross-validation values", labels=labels)
    if z.ndim != 1:
        raise InputError("cross-validation takes one value per station (one hour)",
                         fix="cross-validate hours one at a time")
    n = x.size
    if n < 2:
        raise InputError("cross-validation needs at least two stations", fix="add stations")
    full = gridder.clone()
    full.fit((x, y), z, labels=labels)
    pred = var = None
    if not brute_force and hasattr(full, "_loo"):
        got = full._loo()
        if got is not None:
            pred, var = got
    if pred is None:
        base = full
        if getattr(full, "variogram_", None) is not None and getattr(full, "_constant", None) is None:
            base = full.clone(variogram_parameters=full.variogram_.params)  # keep the all-station variogram
        pred = np.full(n, np.nan)
        var = np.full(n, np.nan) if full.has_variance else None
        idx = np.arange(n)
        for i in range(n):
            keep = idx != i
            g = base.clone()
            try:
                g.fit((x[keep], y[keep]), z[keep])
            except InputError as exc:
                raise InputError(f"leaving out station {labels[i] if labels is not None else i} leaves too "
                                 f"little to fit: {exc.problem}", fix=exc.fix) from None
            if var is not None:
                p, s = g.predict((x[i:i + 1], y[i:i + 1]), return_variance=True)
                var[i] = s[0]
            else:
                p = g.predict((x[i:i + 1], y[i:i + 1]))
            pred[i] = p[0]
    table = pd.DataFrame({
        "station": list(labels) if labels is not None else list(range(n)),
        "x": x, "y": y, "observed": z, "predicted": pred, "error": pred - z,
    })
    if var is not None:
        table["variance"] = var
        with np.errstate(divide="ignore", invalid="ignore"):
            table["z_score"] = table["error"] / np.sqrt(table["variance"])
    return CVResult(table, gridder.name)
