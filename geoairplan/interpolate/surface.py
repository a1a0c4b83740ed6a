"""An interpolated surface: a :class:`~geoairplan.raster.Raster` that knows its grid, method and hour.

A :class:`Surface` is the one raster type of geoairplan (values, optional
variance band, transform, EPSG:3826) plus what interpolation adds: the
:class:`~geoairplan.grid.GridSpec` it was filled on (county, land mask), the
method and its parameters, the pollutant, unit, hour and averaging period.
It is written by the one GeoTIFF writer (:meth:`Raster.to_geotiff`
→ :func:`geoairplan.io.rasters.write_geotiff`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from geoairplan.grid import GridSpec
from geoairplan.io.crs import TM2
from geoairplan.io.rasters import NODATA
from geoairplan.raster import Raster

__all__ = ["Surface"]


class Surface(Raster):
    """An interpolated raster: values (and variance) on a :class:`~geoairplan.grid.GridSpec` in EPSG:3826.

    Parameters
    ----------
    values : numpy.ndarray
        ``(ny, nx)`` floats, row 0 at the north, NaN where nothing was
        interpolated (outside the county's land, or farther than
        ``max_distance`` from every station).
    grid : geoairplan.grid.GridSpec
        The grid the values fill.
    variance : numpy.ndarray or None
        Kriging variance on the same grid (None for methods without one).
    method : str
        ``idw``, ``kriging`` or ``rbf``.
    params : dict
        The method's parameters as used (JSON-friendly).
    pollutant : str or None
        Pollutant code (``pm2.5``).
    unit : str or None
        Unit of the values (``ug/m3``).
    time : str or None
        The hour (``2025-01-16 14:00``, Taiwan time).
    averaging : str or None
        ``1h``, ``8h_moving`` or ``24h_moving``: which thresholds apply.
    label : str or None
        A free-text label for titles and file names (not the scenario flag:
        that is :attr:`geoairplan.results.RunMeta.scenario`).
    notes : list of str
        What a reader should know (pooled variogram, stations used).

    Attributes
    ----------
    transform : affine.Affine
        The grid's pixel-to-TM2 transform.
    name : str
        Band 1 description (``pm2.5 (ug/m3)``).
    tags : dict
        GeoTIFF tags: method, params (JSON), pollutant, unit, time, averaging, label, area.
    """

    def __init__(self, values: np.ndarray, grid: GridSpec, variance: np.ndarray | None = None, method: str = "",
                 params: dict | None = None, pollutant: str | None = None, unit: str | None = None,
                 time: str | None = None, averaging: str | None = None, label: str | None = None,
                 notes: list[str] | None = None):
        self.values = values
        self.grid = grid
        self.variance = variance
        self.method = method
        self.params = {} if params is None else params
        self.pollutant = pollutant
        self.unit = unit
        self.time = time
        self.averaging = averaging
        self.label = label
        self.notes = [] if notes is None else notes

    def __repr__(self) -> str:
        return (f"Surface({self.method or 'surface'}, {self.pollutant}, time={self.time!r}, "
                f"{self.grid.nx}x{self.grid.ny} cells of {self.grid.cell_size:g} m, {self.grid.name!r})")

    # the Raster fields, from the grid and the attributes ---------------------------
    @property
    def transform(self):
        return self.grid.transform

    @property
    def crs(self) -> str:
        return TM2

    @property
    def name(self) -> str:
        return (f"{self.pollutant or 'value'}" + (f" ({self.unit})" if self.unit else "")
                + (f" [{self.label}]" if self.label else ""))

    @property
    def tags(self) -> dict:
        tags = {"method": self.method, "params": json.dumps(self.params, sort_keys=True, default=str,
                                                             ensure_ascii=False)}
        for k in ("pollutant", "unit", "time", "averaging", "label"):
            if getattr(self, k):
                tags[k] = str(getattr(self, k))
        if self.grid.name:
            tags["area"] = self.grid.name
        return tags

    # geometry -------------------------------------------------------------------
    @property
    def x(self) -> np.ndarray:
        return self.grid.x

    @property
    def y(self) -> np.ndarray:
        return self.grid.y

    @property
    def bounds(self):
        return self.grid.bounds

    def sample(self, x, y, *, variance: bool = False) -> np.ndarray:
        """Values (or the variance) of the cells holding the points ``(x, y)``.

        Parameters
        ----------
        x, y : array-like
            TM2 metres.
        variance : bool
            Sample the variance band instead of the values.

        Returns
        -------
        numpy.ndarray
            One value per point; NaN outside the grid.
        """
        row, col = self.grid.cell_of(x, y)
        ok = (row >= 0) & (row < self.grid.ny) & (col >= 0) & (col < self.grid.nx)
        arr = self.variance if variance else self.values
        out = np.full(row.shape, np.nan)
        if arr is not None:
            out[ok] = arr[row[ok], col[ok]]
        return out

    def summary(self) -> dict:
        """Cells, filled cells, min, mean and max of the values (:meth:`Raster.stats`)."""
        return self.stats()

    def title(self) -> str:
        """A one-line description: pollutant, unit, method, averaging, hour, area, label."""
        parts = [self.pollutant.upper() if self.pollutant else "surface"]
        if self.unit:
            parts.append(f"({self.unit})")
        parts.append(self.method)
        if self.averaging and self.averaging != "1h":
            parts.append(self.averaging.replace("_moving", " moving average"))
        if self.time:
            parts.append(self.time)
        if self.grid.name:
            parts.append(self.grid.name)
        if self.label:
            parts.append(f"[{self.label}]")
        return " ".join(parts)

    def to_raster(self) -> Raster:
        """The plain :class:`~geoairplan.raster.Raster` of this surface (same values, name, unit, tags)."""
        return Raster(values=self.values, transform=self.transform, unit=self.unit or "", variance=self.variance,
                      name=self.name, tags=self.tags, crs=self.crs)

    def to_geotiff(self, path, *, nodata: float = NODATA, dtype: str = "float32", variance: bool = True,
                   tags: dict | None = None) -> Path:
        """Write a GeoTIFF (EPSG:3826, north-up, ``nodata`` outside the surface).

        Parameters
        ----------
        path : str or Path
            File to write.
        nodata : float
            Written where there is no value.
        dtype : str
            Band data type.
        variance : bool
            Write the kriging variance as band 2 (when the method has one).
        tags : dict, optional
            Extra tags (e.g. :meth:`geoairplan.results.RunMeta.tags`), added to :attr:`tags`.

        Returns
        -------
        Path
            The file written.
        """
        return self.to_raster().to_geotiff(path, nodata=nodata, dtype=dtype, variance=variance, tags=tags)
