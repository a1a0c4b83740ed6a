"""Station points and values as every interpolation method takes them.

Points are ``(x, y)`` arrays of TM2 metres (EPSG:3826), an ``(N, 2)`` array,
or a GeoDataFrame/GeoSeries of points in any CRS (reprojected to EPSG:3826).
Values are one float per point, or ``(N, H)`` for H fields (hours) on the
same stations. Both the gridders (:mod:`~geoairplan.interpolate._core`) and
cross-validation (:mod:`~geoairplan.interpolate.validation`) check their
input here.
"""

from __future__ import annotations

from typing import Sequence

import geopandas as gpd
import numpy as np
from pyproj import Transformer

from geoairplan.errors import InputError
from geoairplan.io.crs import TM2, resolve_crs, to_tm2

__all__ = ["as_points", "check_values"]


# --------------------------------------------------------------------------- points and values

def as_points(points, crs=None, *, source: str = "points") -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` float arrays in EPSG:3826 metres from any accepted form of points.

    Accepted: a GeoDataFrame or GeoSeries of points (any CRS; reprojected),
    a pair ``(x, y)`` of arrays, or an ``(N, 2)`` array. Plain arrays are taken
    as EPSG:3826 metres unless ``crs`` names another system; arrays that look
    like longitude/latitude degrees are refused rather than guessed.

    Parameters
    ----------
    points : GeoDataFrame, GeoSeries, tuple of arrays or (N, 2) array
        The points.
    crs : optional
        The CRS of plain arrays (or of a GeoDataFrame without one).
    source : str
        Named in error messages.

    Returns
    -------
    x, y : numpy.ndarray
        Float arrays of TM2 metres.
    """
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

    Parameters
    ----------
    values : array-like
        ``(n,)`` or ``(n, H)``.
    n : int
        The number of points.
    source : str
        Named in error messages.
    labels : sequence, optional
        Point names, used to name points without a value.

    Returns
    -------
    numpy.ndarray
        The values as floats.
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
