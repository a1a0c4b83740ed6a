"""Surfaces for maps: contour polygons from a grid, and the EPSG:4326 bounds of a TM2 raster.

A web map shows a surface either as an image (:func:`geoairplan.maps.web.add_raster`, needs
the raster warped to Web Mercator and its bounds in degrees: :func:`raster_to_web`) or as filled contour polygons
(:func:`contour_polygons` → :func:`geoairplan.maps.web.add_polygons` with ``color_col="band"``
and the colours of :func:`band_colors`). Static maps use :func:`geoairplan.maps.static.plot_raster`
or the same polygons.
"""

from __future__ import annotations

from typing import Sequence

import geopandas as gpd
import numpy as np
import rasterio.warp
import shapely
from affine import Affine
from pyproj import Transformer
from rasterio.crs import CRS

from geoairplan.errors import InputError
from geoairplan.io.crs import TM2
from geoairplan.maps import style

__all__ = ["raster_extent", "raster_to_web", "contour_polygons", "band_colors"]


def raster_extent(transform_or_extent, shape) -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)`` of a grid from an affine transform or an extent tuple."""
    t = transform_or_extent
    if hasattr(t, "a") and hasattr(t, "e"):
        rows, cols = shape
        x0, y0 = t.c, t.f
        x1, y1 = t.c + t.a * cols, t.f + t.e * rows
        return (min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1))
    ext = tuple(float(v) for v in t)
    if len(ext) != 4:
        raise InputError("extent must be (xmin, xmax, ymin, ymax)")
    return ext


def raster_to_web(array, transform_or_extent, *, crs=TM2) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A grid in ``crs`` (default EPSG:3826) warped for a web map's image overlay.

    Leaflet stretches an image overlay linearly in Web Mercator between its
    corners, so a TM2 grid placed by its two corner points lands hundreds of
    metres off at the far corners. The grid is reprojected (nearest cell,
    NaN kept as nodata) to EPSG:3857 and returned with its bounds in degrees,
    ``(west, south, east, north)``, for :func:`geoairplan.maps.web.add_raster`.
    """
    a = np.asarray(array, dtype="float64")
    xmin, xmax, ymin, ymax = raster_extent(transform_or_extent, a.shape)
    src_t = Affine((xmax - xmin) / a.shape[1], 0, xmin, 0, -(ymax - ymin) / a.shape[0], ymax)
    src_crs, dst_crs = CRS.from_user_input(crs), CRS.from_epsg(3857)
    t, width, height = rasterio.warp.calculate_default_transform(
        src_crs, dst_crs, a.shape[1], a.shape[0], left=xmin, bottom=ymin, right=xmax, top=ymax)
    out = np.full((height, width), np.nan)
    rasterio.warp.reproject(a, out, src_transform=src_t, src_crs=src_crs, src_nodata=np.nan, dst_transform=t,
                            dst_crs=dst_crs, dst_nodata=np.nan, resampling=rasterio.warp.Resampling.nearest)
    tr = Transformer.from_crs(3857, 4326, always_xy=True)
    w, s = tr.transform(t.c, t.f + t.e * height)
    e, n = tr.transform(t.c + t.a * width, t.f)
    return out, (float(w), float(s), float(e), float(n))


def contour_polygons(array, transform_or_extent, levels: Sequence[float], *, crs=TM2,
                     label_fmt: str = "{lo:g}–{hi:g}") -> gpd.GeoDataFrame:
    """Filled contour bands of a grid (rows north → south) as polygons, one row per band.

    Columns: ``band`` (label like ``"15–35"``), ``lo``, ``hi``, ``geometry`` (in ``crs``).
    NaN cells are left out. Bands are computed with matplotlib's ``contourf``.
    """
    from matplotlib.figure import Figure

    a = np.asarray(array, dtype=float)
    if a.ndim != 2 or min(a.shape) < 2:
        raise InputError(f"contours need a 2-D grid of at least 2×2 cells, got shape {a.shape}")
    levels = sorted(float(v) for v in levels)
    if len(levels) < 2:
        raise InputError("contour_polygons needs at least two levels")
    xmin, xmax, ymin, ymax = raster_extent(transform_or_extent, a.shape)
    rows, cols = a.shape
    dx, dy = (xmax - xmin) / cols, (ymax - ymin) / rows
    xs = xmin + dx * (np.arange(cols) + 0.5)
    ys = ymax - dy * (np.arange(rows) + 0.5)
    fig = Figure()
    ax = fig.add_subplot()
    cs = ax.contourf(xs, ys, np.ma.masked_invalid(a), levels=levels)
    out = []
    for i, path in enumerate(cs.get_paths()):
        geom = shapely.Polygon()
        for ring in path.to_polygons():
            if len(ring) >= 4:
                geom = geom.symmetric_difference(shapely.make_valid(shapely.Polygon(ring)))
        if not geom.is_empty:
            lo, hi = levels[i], levels[i + 1]
            out.append({"band": label_fmt.format(lo=lo, hi=hi), "lo": lo, "hi": hi, "geometry": geom})
    return gpd.GeoDataFrame(out, columns=["band", "lo", "hi", "geometry"], geometry="geometry", crs=crs)


def band_colors(levels: Sequence[float], scheme: str = "concentration",
                label_fmt: str = "{lo:g}–{hi:g}") -> dict[str, str]:
    """``{band label: colour}`` for :func:`contour_polygons` bands, band midpoints on ``scheme``."""
    levels = sorted(float(v) for v in levels)
    mids = [(lo + hi) / 2 for lo, hi in zip(levels[:-1], levels[1:])]
    cols = style.sequential_colors(mids, scheme, levels[0], levels[-1])
    return {label_fmt.format(lo=lo, hi=hi): c for lo, hi, c in zip(levels[:-1], levels[1:], cols)}
