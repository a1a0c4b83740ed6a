"""The one raster type of geoairplan: values (and an optional variance band) on a TM2 grid.

Interpolated surfaces and kernel densities are both :class:`Raster` objects:
a ``(ny, nx)`` float array, row 0 at the north, NaN where there is no value,
an affine transform in EPSG:3826, the unit, and a variance band where the
method has one. :meth:`Raster.to_geotiff` writes it with
:func:`geoairplan.io.write_geotiff` (nodata outside, units and tags inside).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from affine import Affine

from geoairplan.grid import GridSpec
from geoairplan.io.crs import TM2
from geoairplan.io.rasters import NODATA, write_geotiff

__all__ = ["Raster"]


@dataclass
class Raster:
    """Values on a north-up grid in EPSG:3826.

    Attributes
    ----------
    values : numpy.ndarray
        ``(ny, nx)`` floats, row 0 at the north, NaN where there is no value.
    transform : affine.Affine
        Pixel-to-TM2 transform.
    unit : str
        Unit of ``values`` (``ug/m3``, ``t/yr/km2``).
    variance : numpy.ndarray or None
        Variance band on the same grid (kriging), or None.
    name : str
        What the values are (band 1 description), e.g. ``PM2.5 24-h mean``.
    tags : dict
        Extra GeoTIFF tags (method, parameters, provenance).
    crs : str
        Always EPSG:3826 for rasters geoairplan computes.
    """

    values: np.ndarray
    transform: Affine
    unit: str = ""
    variance: np.ndarray | None = None
    name: str = "value"
    tags: dict = field(default_factory=dict)
    crs: str = TM2

    @classmethod
    def on_grid(cls, values, grid: GridSpec, **kw) -> "Raster":
        """A raster on a :class:`~geoairplan.grid.GridSpec`."""
        return cls(values=values, transform=grid.transform, **kw)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    @property
    def cell_size(self) -> float:
        return float(self.transform.a)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in metres."""
        t, (ny, nx) = self.transform, self.values.shape
        return (t.c, t.f + t.e * ny, t.c + t.a * nx, t.f)

    def stats(self) -> dict:
        """Cells, filled cells, min, mean and max of the values."""
        v = self.values[np.isfinite(self.values)]
        return {"cells": int(self.values.size), "filled": int(v.size),
                "min": float(v.min()) if v.size else math.nan, "mean": float(v.mean()) if v.size else math.nan,
                "max": float(v.max()) if v.size else math.nan}

    def to_geotiff(self, path, *, nodata: float = NODATA, dtype: str = "float32", variance: bool = True,
                   tags: dict | None = None) -> Path:
        """Write band 1 (values) and band 2 (variance, when present and asked) to a GeoTIFF."""
        bands, desc, units = [self.values], [self.name], [self.unit]
        if variance and self.variance is not None:
            bands.append(self.variance)
            desc.append("kriging variance" + (f" (({self.unit})^2)" if self.unit else ""))
            units.append(f"({self.unit})^2" if self.unit else "")
        return write_geotiff(path, bands, self.transform, crs=self.crs, nodata=nodata, dtype=dtype,
                             descriptions=desc, units=units, tags={**self.tags, **(tags or {})})
