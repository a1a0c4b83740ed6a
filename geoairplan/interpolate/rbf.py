"""Radial basis functions through :class:`scipy.interpolate.RBFInterpolator`.

The surface is ``s(x) = Σ a_i φ(|x - x_i|) + p(x)``: a radial kernel ``φ``
around each station plus a low-degree polynomial ``p``, solved so that it
passes through every station (``smoothing=0``) or close to them
(``smoothing > 0``). The default thin-plate spline (``φ(r) = r² log r``,
degree 1) is the smoothest surface through the data and needs no length
scale. For many points give ``neighbors`` (default: 50 above 1,000 points)
so each cell uses only its nearest stations.

Coordinates are centred before fitting (distances are unchanged), which
keeps the polynomial well conditioned with TM2 metres in the millions.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import RBFInterpolator

from geoairplan.errors import InputError
from geoairplan.interpolate._core import Gridder

__all__ = ["RBF"]

_DEGREE = {"thin_plate_spline": 1, "cubic": 1, "quintic": 2, "linear": 0, "multiquadric": 0,
           "inverse_multiquadric": -1, "inverse_quadratic": -1, "gaussian": -1}


class RBF(Gridder):
    """Radial basis function interpolation (scipy's RBFInterpolator).

    Parameters
    ----------
    kernel:
        ``"thin_plate_spline"`` (default), ``"cubic"``, ``"quintic"``,
        ``"linear"``, ``"multiquadric"``, ``"inverse_multiquadric"``,
        ``"inverse_quadratic"`` or ``"gaussian"`` (the last four need ``epsilon``).
    smoothing:
        0 passes through the stations; larger values smooth noisy data.
    epsilon:
        Shape parameter (1/metres) for the scale-dependent kernels.
    degree:
        Degree of the added polynomial (default: the kernel's minimum).
    neighbors:
        Use only this many nearest stations per cell; ``"auto"`` (default):
        all stations up to 1,000, else 50.
    max_distance:
        Leave grid cells farther than this (metres) from every station empty.
    """

    name = "rbf"

    def __init__(self, kernel: str = "thin_plate_spline", *, smoothing: float = 0.0, epsilon: float | None = None,
                 degree: int | None = None, neighbors: int | str | None = "auto",
                 max_distance: float | None = None):
        if kernel not in _DEGREE:
            raise InputError(f"unknown RBF kernel {kernel!r}", where="kernel", fix="use one of " + ", ".join(_DEGREE))
        if epsilon is None and kernel in ("multiquadric", "inverse_multiquadric", "inverse_quadratic", "gaussian"):
            raise InputError(f"the {kernel} kernel needs epsilon (1/length scale in metres)", where="epsilon",
                             fix="e.g. epsilon=1/20000, or use the thin_plate_spline kernel")
        if smoothing < 0:
            raise InputError(f"smoothing must be >= 0, got {smoothing}", where="smoothing")
        self.kernel = kernel
        self.smoothing = float(smoothing)
        self.epsilon = epsilon
        self.degree = degree
        self.neighbors = neighbors
        self.max_distance = max_distance

    @property
    def exact(self) -> bool:  # passes through the data unless smoothing
        return self.smoothing == 0

    def _degree(self) -> int:
        return _DEGREE[self.kernel] if self.degree is None else int(self.degree)

    def min_points(self) -> int:
        deg = self._degree()
        return max(1, (deg + 1) * (deg + 2) // 2)  # polynomial terms in 2-D

    def _fit(self, x, y, z):
        self.notes_ = []
        self._x0, self._y0 = float(np.mean(x)), float(np.mean(y))
        nb = self.neighbors
        if nb == "auto":
            nb = None if x.size <= 1000 else 50
        self.neighbors_ = nb
        kw = dict(kernel=self.kernel, smoothing=self.smoothing, degree=self._degree(), neighbors=nb)
        if self.epsilon is not None:
            kw["epsilon"] = float(self.epsilon)
        try:
            self._rbf = RBFInterpolator(np.column_stack([x - self._x0, y - self._y0]), z, **kw)
        except (ValueError, np.linalg.LinAlgError) as exc:
            msg = str(exc)
            if "singular" in msg.lower() or isinstance(exc, np.linalg.LinAlgError):
                raise InputError(f"the RBF system is singular ({msg.strip()})",
                                 fix="the stations may lie on one line (a degree-1 polynomial cannot be fitted): "
                                     "use more stations, degree=0, or idw") from None
            raise InputError(f"RBF fit failed: {msg.strip()}", fix="check the parameters") from None

    def _predict(self, x, y, variance: bool):
        out = self._rbf(np.column_stack([x - self._x0, y - self._y0]))
        return out, None

    def describe(self) -> dict:
        d = {k: v for k, v in self.get_params().items()}
        d["degree"] = self._degree()
        if hasattr(self, "neighbors_"):
            d["neighbors"] = self.neighbors_
        return d
